"""Synthetic purchases with injected, labelled fraud, for evaluating analytics/fraud.py.

Ordinary customers buy at their own Poisson rate over a year, refund a few purchases, and
use their own card, device and address; some live in two-person households that share an
address (not fraud). Injected fraud, each labelled with its kind:

- ``ring``: 3 to 6 accounts linked by one card or one device, each with an ordinary rate;
- ``burst``: an ordinary history plus 6 to 12 purchases within three days;
- ``refund_abuse``: most purchases refunded.

Fingerprints are SHA-256 hex of random tokens, as the loaders store them (never raw).
Deterministic for a given seed.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from analytics.fraud import PurchaseEvent

YEAR_DAYS = 365.0
FRAUD_KINDS = ("ring", "burst", "refund_abuse")


@dataclass(frozen=True, slots=True)
class FraudData:
    """The purchases and, for each injected fraudster, the kind of fraud."""

    events: list[PurchaseEvent]
    labels: dict[str, str]


def generate(customers: int = 2000, fraud_share: float = 0.03, seed: int = 7) -> FraudData:
    """Purchases of ``customers`` customers, about ``fraud_share`` of them fraudulent."""
    rng = random.Random(seed)
    events: list[PurchaseEvent] = []
    labels: dict[str, str] = {}

    def token() -> str:
        return hashlib.sha256(rng.randbytes(16)).hexdigest()

    def history(customer: str, card: str, device: str, address: str, refund: float) -> None:
        rate = rng.uniform(2.0, 24.0) / YEAR_DAYS
        # Everyone in the data bought at least once: an account without purchases has none.
        day = min(rng.expovariate(rate), rng.uniform(0.0, YEAR_DAYS))
        while day < YEAR_DAYS:
            events.append(
                PurchaseEvent(customer, day, rng.random() < refund, card, device, address)
            )
            day += rng.expovariate(rate)

    fraudsters = int(customers * fraud_share)
    ordinary = customers - fraudsters
    shared_address = ""
    for i in range(ordinary):
        household = rng.random() < 0.1 and i % 2 == 1
        address = shared_address if household else token()
        shared_address = address
        history(f"c{i:06d}", token(), token(), address, rng.uniform(0.0, 0.1))
    i = ordinary
    while i < customers:
        kind = FRAUD_KINDS[rng.randrange(len(FRAUD_KINDS))]
        if kind == "ring":
            card, device = token(), token()
            size = min(rng.randint(3, 6), customers - i)
            if size < 3:
                kind = "burst"
            else:
                for member in range(size):
                    # The first member uses both, so card and device sharers form one ring.
                    shared_card = member == 0 or rng.random() < 0.5
                    shared_device = member == 0 or not shared_card
                    customer = f"c{i:06d}"
                    history(
                        customer,
                        card if shared_card else token(),
                        device if shared_device else token(),
                        token(),
                        0.05,
                    )
                    labels[customer] = kind
                    i += 1
                continue
        customer = f"c{i:06d}"
        card, device, address = token(), token(), token()
        if kind == "burst":
            history(customer, card, device, address, 0.05)
            start = rng.uniform(0.0, YEAR_DAYS - 3.0)
            for _ in range(rng.randint(6, 12)):
                day = start + rng.uniform(0.0, 3.0)
                events.append(PurchaseEvent(customer, day, False, card, device, address))
        else:
            history(customer, card, device, address, rng.uniform(0.6, 0.9))
        labels[customer] = kind
        i += 1
    return FraudData(events, labels)
