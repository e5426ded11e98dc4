"""The network statements are built from fixed text chosen by allow-listed keys only."""

import pytest

from graph import network as q


def test_engagement_blocks_cover_exactly_the_chosen_kinds():
    text = "\n".join(q.engaged_lines(("follow", "purchase"), "b", "c"))
    assert "FOLLOWS" in text and "AT" in text and "INTERACTED" not in text
    assert text.count("WITH b MATCH") == 2 and "\nUNION\n" in text
    brands = "\n".join(q.engaged_lines(("interaction",), "x, c", "b", count_events=True,
                                         keep_empty=True))  # fmt: skip
    assert "WITH c MATCH" in brands and "WHERE b:Brand RETURN b, count(i) AS n" in brands
    assert "WITH c RETURN null AS b, 0 AS n" in brands and "UNION ALL" in brands
    assert brands.endswith("WITH x, c, b, sum(n) AS engagements")


@pytest.mark.parametrize("kinds", [(), ("follow", "retweet"), ("FOLLOW",)])
def test_unknown_or_no_kinds_never_reach_the_text(kinds):
    with pytest.raises(KeyError):
        q.overlap_matrix_query(kinds)


def test_neighbourhood_text_per_label_and_hop_count():
    text = q.neighbourhood_query("Brand", 3)
    assert "MATCH (s:Brand {id: $key})" in text
    assert "AS level3" in text and "AS level4" not in text
    for label, hops in (("Customer", 0), ("Customer", 4), ("Nope", 1), ("Brand) DELETE (x", 1)):
        with pytest.raises(KeyError):
            q.neighbourhood_query(label, hops)


def test_shortest_path_text_per_engine():
    assert "allShortestPaths((c)-[*..4]-(b))" in q.shortest_path_query("neo4j", 4)
    assert "algo.SPpaths" in q.shortest_path_query("embedded", 4)
    for hops in (0, 7):
        with pytest.raises(KeyError):
            q.shortest_path_query("neo4j", hops)


def test_every_statement_is_bounded():
    kinds = ("follow", "interaction", "purchase")
    for text in (q.overlap_matrix_query(kinds), q.lookalikes_query(kinds),
                 q.cross_sell_query(kinds), q.audience_signals_query(kinds),
                 q.brand_audience_query(kinds), q.brands_joining_query(kinds),
                 q.customers_joining_query(kinds), q.INFLUENCERS, q.ACCOUNT_EDGES,
                 *(s for pair in q.SEGMENT_PREFERENCES.values() for s in pair)):  # fmt: skip
        assert "LIMIT" in text


def test_every_statement_applies_the_restriction_rule():
    kinds = ("follow", "interaction", "purchase")
    for text in (q.BRANDS_AND_CUSTOMERS, q.overlap_matrix_query(kinds),
                 q.lookalikes_query(kinds), q.cross_sell_query(kinds),
                 q.audience_signals_query(kinds), q.SIGNAL_BASE_RATES,
                 q.brand_audience_query(kinds), q.brands_joining_query(kinds),
                 q.customers_joining_query(kinds), q.INFLUENCERS, q.ACCOUNT_EDGES,
                 q.neighbourhood_query("Customer", 2), q.CUSTOMER_AND_BRAND_EXIST,
                 q.shortest_path_query("neo4j", 3), q.shortest_path_query("embedded", 3),
                 *(s for pair in q.SEGMENT_PREFERENCES.values() for s in pair)):  # fmt: skip
        assert "$include_restricted" in text, text
    # Every kind's audience branch filters the customers it finds.
    for kind in kinds:
        assert "$include_restricted" in "\n".join(q.engaged_lines((kind,), "b", "c"))
