"""recordlinkage's ECM classifier (unsupervised EM on binary comparisons) on each case.

recordlinkage compares with binary features (agree / disagree), so each comparison is
one exact or thresholded string test, blocked on the usual keys. It gets the same
records and the same preprocessing as Splink (bench/identity_splink.py), and, like it,
none of the hub's transliteration, short forms or handle parsing.
"""

from __future__ import annotations

from typing import Any

from bench.identity_splink import _hub_rows
from bench.identity_tasks import Case, Scored, run_peer


def warm() -> None:
    import recordlinkage  # noqa: F401


def run(case: Case) -> dict[str, Any]:
    warm()
    return run_peer(case, links=_hub_links, duplicates=_hub_duplicates, febrl=_febrl, threshold=0.5)


def _scored(features: Any) -> list[Scored]:
    """ECM fitted on the binary features; each pair with its match probability."""
    import recordlinkage

    ecm = recordlinkage.ECMClassifier(binarize=None)
    ecm.fit(features)
    probabilities = ecm.prob(features)
    return [(str(a), str(b), float(p)) for (a, b), p in probabilities.items()]


def _hub_links(customers: list[dict[str, Any]], accounts: list[dict[str, Any]]) -> list[Scored]:
    import recordlinkage

    c, a = _hub_rows(customers, accounts)
    a = a.set_index("unique_id")
    c = c.set_index("unique_id")
    for df in (a, c):
        df["name4"] = df["name_ns"].str[:4]
        df["handle4"] = df["handle_letters"].str[:4]
    indexer = recordlinkage.Index()
    indexer.block("name")
    indexer.block("name_key")
    indexer.block("email_key")
    indexer.block("phone_key")
    indexer.block(left_on="handle4", right_on="name4")
    pairs = indexer.index(a, c)
    compare = recordlinkage.Compare()
    compare.exact("name", "name", label="name")
    compare.string("name", "name", method="jarowinkler", threshold=0.85, label="name_jw")
    compare.string(
        "handle_letters", "name_ns", method="jarowinkler", threshold=0.85, label="handle_jw"
    )
    compare.exact("email_key", "email_key", label="email")
    compare.exact("phone_key", "phone_key", label="phone")
    compare.exact("city", "city", label="city")
    return _scored(compare.compute(pairs, a, c))


def _hub_duplicates(customers: list[dict[str, Any]]) -> list[Scored]:
    import recordlinkage

    c, _ = _hub_rows(customers, [])
    c = c.set_index("unique_id")
    c["birth_year"] = [r["birth_year"] for r in customers]
    indexer = recordlinkage.Index()
    for key in ("name", "email_key", "phone_key"):
        indexer.block(key)
    indexer.block(["name_key", "birth_year"])
    pairs = indexer.index(c)
    compare = recordlinkage.Compare()
    compare.exact("name", "name", label="name")
    compare.string("name", "name", method="jarowinkler", threshold=0.85, label="name_jw")
    compare.exact("birth_year", "birth_year", label="birth_year")
    compare.exact("email_key", "email_key", label="email")
    compare.exact("phone_key", "phone_key", label="phone")
    compare.exact("city", "city", label="city")
    return _scored(compare.compute(pairs, c))


def _febrl(dataset: str, frames: tuple[Any, ...]) -> list[Scored]:
    """The binary comparisons of recordlinkage's own FEBRL examples, blocked on the same
    keys as Splink's example."""
    import recordlinkage

    link = dataset == "febrl4"
    left = frames[0].copy()
    right = frames[1].copy() if link else None
    if link:
        left.index = "a:" + left.index
        right.index = "b:" + right.index
    indexer = recordlinkage.Index()
    for key in ("soc_sec_id", "given_name", "surname", "date_of_birth", "postcode"):
        indexer.block(key)
    pairs = indexer.index(left, right) if link else indexer.index(left)
    compare = recordlinkage.Compare()
    compare.string(
        "given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name"
    )
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    compare.exact("soc_sec_id", "soc_sec_id", label="soc_sec_id")
    compare.exact("postcode", "postcode", label="postcode")
    features = compare.compute(pairs, left, right) if link else compare.compute(pairs, left)
    return _scored(features)
