"""Why an identity link or candidate exists: the model's explanation and any human
decision, as stored with it (loaders/resolution.py, resolvers/identity.py)."""

from datetime import datetime

import strawberry

from resolvers.identity import evidence_of
from schema.base import ms_to_datetime


@strawberry.type(description="One comparison of an account with a customer, and its weight.")
class LinkComparison:
    comparison: str = strawberry.field(
        description="What was compared: name (display name and handle), birth, email, phone, place."
    )
    level: str | None = strawberry.field(
        description="How they agreed (e.g. han+handle, full, masked, year, differs); null "
        "when one side had nothing to compare (no evidence either way)."
    )
    weight: float = strawberry.field(description="Match weight in bits: log2(m/u).")
    term_frequency: float = strawberry.field(
        description="Bits added for how rare the name is (negative for a common name)."
    )


@strawberry.type(description="A person's decision on a link.")
class HumanDecision:
    decision: str = strawberry.field(description="linked or rejected.")
    by: str = strawberry.field(description="Who decided (the API caller's subject).")
    at: datetime | None = strawberry.field(description="When.")
    reason: str = strawberry.field(description="Why, in their words.")


@strawberry.type(
    description="Why a link or candidate exists: the model's explanation (probability = "
    "2^score / (1 + 2^score + competing), score = prior + the weights) and any human decision."
)
class LinkEvidence:
    probability: float | None = strawberry.field(description="The model's probability, 0..1.")
    prior: float | None = strawberry.field(description="Prior log2 odds of the pair.")
    competing: float | None = strawberry.field(
        description="Sum of 2^score of the account's other candidates."
    )
    comparisons: list[LinkComparison] = strawberry.field(description="Each comparison.")
    notes: list[str] = strawberry.field(
        description="Evidence a protection rule dropped (a shared phone, a test address...)."
    )
    decision: HumanDecision | None = strawberry.field(description="A person's decision, if any.")

    @classmethod
    def from_json(cls, text: str | None) -> "LinkEvidence | None":
        data = evidence_of(text)
        if data is None:
            return None
        human = data.get("decision")
        return cls(
            probability=data.get("probability"),
            prior=data.get("prior"),
            competing=data.get("competing"),
            comparisons=[
                LinkComparison(
                    comparison=e["comparison"],
                    level=e.get("level"),
                    weight=e.get("weight", 0.0),
                    term_frequency=e.get("tf", 0.0),
                )
                for e in data.get("evidence") or []
            ],
            notes=list(data.get("notes") or []),
            decision=None
            if not isinstance(human, dict)
            else HumanDecision(
                decision=str(human.get("decision")),
                by=str(human.get("by")),
                at=ms_to_datetime(human.get("at")),
                reason=str(human.get("reason")),
            ),
        )
