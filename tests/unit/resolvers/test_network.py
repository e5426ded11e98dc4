"""The pure parts of the network resolvers: metrics, months, periods, signals."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from resolvers.errors import ApiError
from resolvers.ids import to_global_id
from resolvers.network import (
    Signal,
    date_range,
    engagement_kinds,
    in_months,
    month_of,
    month_start,
    months_from,
    node_ref,
    overlap_metrics,
    positive_signals,
    reason_for,
    start_node,
)


def ms(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


def test_overlap_metrics():
    m = overlap_metrics(size_a=3, size_b=2, shared=1, customers=6)
    assert (m["union"], m["jaccard"], m["lift"]) == (4, 0.25, 1.0)
    assert overlap_metrics(0, 0, 0, 6)["jaccard"] is None
    assert overlap_metrics(3, 0, 0, 6)["lift"] is None
    assert overlap_metrics(2, 2, 2, 4)["lift"] == 2.0


def test_engagement_kinds_are_canonical_and_never_empty():
    assert engagement_kinds(None) == ("follow", "interaction", "purchase")
    assert engagement_kinds(["purchase", "follow", "purchase"]) == ("follow", "purchase")
    with pytest.raises(ApiError) as e:
        engagement_kinds([])
    assert e.value.extensions["argument"] == "engagement"


def test_date_range():
    start = datetime(2024, 1, 1, tzinfo=UTC)
    assert date_range(start, None) == (ms(2024, 1, 1), None)
    assert date_range(None, None) == (None, None)
    naive = datetime(2024, 1, 1)  # read as UTC
    assert date_range(naive, naive) == (ms(2024, 1, 1), ms(2024, 1, 1))
    plus8 = datetime(2024, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))
    assert date_range(plus8, None) == (ms(2024, 1, 1), None)
    with pytest.raises(ApiError) as e:
        date_range(start, start - timedelta(milliseconds=1))
    assert e.value.extensions == {"code": "BAD_USER_INPUT", "argument": "period"}


def test_months():
    assert month_of(ms(2024, 2, 29, 23, 59, 59)) == 202402
    assert month_of(-1) == 196912
    assert month_start(202403) == ms(2024, 3, 1)
    assert months_from(202311, 202402) == [202311, 202312, 202401, 202402]
    assert months_from(202402, 202401) == []
    series = [202401, 202402, 202403]
    assert in_months(series, (None, None)) == series
    assert in_months(series, (ms(2024, 2, 15), ms(2024, 3, 1))) == [202402]  # until exclusive
    assert in_months(series, (ms(2024, 2, 15), ms(2024, 3, 1) + 1)) == [202402, 202403]


def test_positive_signals_keep_traits_above_base_with_enough_members():
    audience = [
        {"signal": "tag:t-run", "size": 4, "members": 3},  # 0.75 vs 0.5: kept
        {"signal": "tag:t-skin", "size": 4, "members": 1},  # too few members
        {"signal": "category:shoes", "size": 4, "members": 2},  # 0.5 vs 0.5: no excess
        {"signal": None, "size": 4, "members": 1},  # members with no trait
    ]
    base = [
        {"signal": "tag:t-run", "name": "run", "customers": 5},
        {"signal": "tag:t-skin", "name": "skin", "customers": 1},
        {"signal": "category:shoes", "name": "shoes", "customers": 5},
    ]
    found = positive_signals(audience, base, customers=10, min_members=2)
    assert list(found) == ["tag:t-run"]
    run = found["tag:t-run"]
    assert (run.kind, run.key, run.name, run.members) == ("tag", "t-run", "run", 3)
    assert run.excess == pytest.approx(0.25)
    assert positive_signals(audience, base, customers=0, min_members=1) == {}


def test_reason_reads_like_a_sentence():
    tag = Signal("tag", "t-run", "run", 1.0, 2 / 3, 3)
    category = Signal("category", "outerwear", "outerwear", 2 / 3, 1 / 3, 2)
    assert reason_for([tag], [category], "Borea") == (
        "tagged run (100% of Borea's audience vs 67% of all customers); "
        "bought outerwear (67% of Borea's audience did vs 33% of all customers)"
    )


def test_node_refs_and_start_nodes():
    ref = node_ref({"label": "SocialAccount", "id": "a1", "display_name": "Fang", "handle": "@f"})
    assert ref == {"type": "SocialAccount", "key": "a1", "name": "Fang", "global": True}
    assert node_ref({"label": "Segment", "id": "s1", "name": "vip"})["global"] is False
    assert node_ref({"label": "Complaint", "id": "k1", "category": "delivery"})["name"] == (
        "delivery"
    )
    assert start_node(to_global_id("Brand", "b1")) == ("Brand", "b1")
    assert start_node("c42") == ("Customer", "c42")
