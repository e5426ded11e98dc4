"""A small typed Python client of the hub's GraphQL API for notebooks and scripts
(docs/export.md, "Python client"), over httpx: a customer's 360 and the brand overlap
matrix as pandas DataFrames, and any query as plain data.

pandas is optional (`pip install pandas`): only the methods that return DataFrames need
it, and they say so when it is missing. Errors of the API raise HubError with its code.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]  # pandas ships no type hints

CUSTOMER_360 = """query Customer360($id: ID!) {
  customer(id: $id) {
    customerId name email phone city region country createdAt profileLoaded
    identities { account { accountId platform handle } linkMethod linkConfidence linkedAt }
    tags { tag { tagId name category } weight source at }
    purchases(first: 100) { nodes { purchaseId at channel currency total brand { brandId } } }
    complaints(first: 100) { nodes { complaintId openedAt status category channel } }
  }
}"""

OVERLAP_MATRIX = """query OverlapMatrix($brands: [ID!]!) {
  audienceOverlapMatrix(brands: $brands) {
    customersInGraph
    brands { brand { brandId } audience }
    pairs { a { brandId } b { brandId } shared jaccard lift }
  }
}"""

OVERLAP_MEASURES = ("jaccard", "lift", "shared")


class HubError(Exception):
    """The API refused the request or an operation failed: ``code`` is the error's code
    (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT...), ``status`` the HTTP one."""

    def __init__(self, message: str, code: str, status: int = 200) -> None:
        super().__init__(f"{code}: {message}")
        self.message, self.code, self.status = message, code, status


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "this method returns pandas DataFrames: install pandas (pip install pandas)"
        ) from None
    return pandas


@dataclass(frozen=True)
class Customer360:
    """A customer's profile (a dict, as the API gives it) and their lists as DataFrames,
    one row an item, nested objects as dotted columns (`account.platform`)."""

    profile: dict[str, Any]
    identities: "pd.DataFrame"
    tags: "pd.DataFrame"
    purchases: "pd.DataFrame"
    complaints: "pd.DataFrame"


class HubClient:
    """The hub at ``url`` (its `/graphql` endpoint), called with an API key. Use it as a
    context manager, or call ``close()``."""

    def __init__(
        self, url: str, key: str, *, timeout_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:  # fmt: skip
        self._url = url
        self._http = httpx.Client(
            timeout=timeout_s, transport=transport, headers={"authorization": f"Bearer {key}"}
        )

    def __enter__(self) -> "HubClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The operation's `data`. Raises HubError with the first error's code when the
        API answers with errors (or refuses the request), httpx.HTTPError when it cannot
        be reached."""
        response = self._http.post(self._url, json={"query": query, "variables": variables or {}})
        try:
            body = response.json()
        except ValueError:
            raise HubError(
                f"the hub answered {response.status_code} without JSON", "BAD_RESPONSE",
                response.status_code,
            ) from None  # fmt: skip
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            first = errors[0]
            code = str((first.get("extensions") or {}).get("code", "INTERNAL"))
            raise HubError(str(first.get("message", "")), code, response.status_code)
        data: dict[str, Any] = body.get("data") or {}
        return data

    def customer_360(self, customer_id: str) -> Customer360:
        """The customer's 360 (the first 100 purchases and complaints, newest first).
        Raises HubError (NOT_FOUND for an unknown customer), ImportError without pandas."""
        pd = _pandas()
        customer = self.execute(CUSTOMER_360, {"id": customer_id})["customer"]
        lists = {name: customer.pop(name) for name in ("identities", "tags")}
        pages = {name: customer.pop(name)["nodes"] for name in ("purchases", "complaints")}
        frames = {name: pd.json_normalize(rows) for name, rows in {**lists, **pages}.items()}
        return Customer360(profile=customer, **frames)

    def overlap_matrix(self, brands: Sequence[str], measure: str = "jaccard") -> "pd.DataFrame":
        """The brands' audience overlap as a square DataFrame indexed by brand id both
        ways, in the order given: ``measure`` (jaccard, lift or shared) off the diagonal,
        1.0 for jaccard and the audience size for shared on it (lift: empty). Raises
        ValueError for another measure, HubError, ImportError without pandas."""
        if measure not in OVERLAP_MEASURES:
            raise ValueError(f"measure is one of {', '.join(OVERLAP_MEASURES)}")
        pd = _pandas()
        matrix = self.execute(OVERLAP_MATRIX, {"brands": list(brands)})["audienceOverlapMatrix"]
        ids = [b["brand"]["brandId"] for b in matrix["brands"]]
        frame = pd.DataFrame(index=ids, columns=ids, dtype="float64")
        for entry in matrix["brands"]:
            brand = entry["brand"]["brandId"]
            diagonal = {"jaccard": 1.0, "shared": float(entry["audience"]), "lift": None}[measure]
            frame.loc[brand, brand] = diagonal
        for pair in matrix["pairs"]:
            a, b, value = pair["a"]["brandId"], pair["b"]["brandId"], pair[measure]
            frame.loc[a, b] = frame.loc[b, a] = value
        return frame
