"""The pure parts of the partner API: who may ask, argument checks, pseudonyms, and the
suppression and ledger rules of decide_cells (docs/partner.md)."""

import random
from typing import Any

import pytest

from resolvers import partner as rp
from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.ids import encode_key_cursor
from resolvers.partner import LedgerEntry, TrueCell, decide_cells
from resolvers.principal import PURPOSES, Principal, Role
from resolvers.privacy import PrivacyConfig
from schema.partner import Purpose

PAVO = Principal("k", Role.PARTNER, partner_brand_id="bP", purposes=frozenset({"marketing"}))


class NoStore:
    """A store that must not be called: every check here happens before the database."""

    engine = "none"

    async def read(self, *args: Any) -> Any:
        raise AssertionError("no statement expected")

    write = write_returning = read


def ctx(principal: Principal) -> Context:
    return Context(NoStore(), principal)  # type: ignore[arg-type]


def test_the_purpose_enum_is_the_principal_purposes():
    assert [p.value for p in Purpose] == list(PURPOSES)


@pytest.mark.parametrize(
    "principal",
    [Principal("a", Role.APP), Principal("b", Role.ANALYST), Principal("c", Role.ADMIN)],
)
async def test_non_partners_are_forbidden_before_any_statement(principal):
    with pytest.raises(ApiError) as e:
        rp.partner_scope(ctx(principal))
    assert e.value.extensions == {"code": "FORBIDDEN"}
    for call in (
        rp.audience(ctx(principal), "marketing", 5, None),
        rp.members(ctx(principal), "marketing", []),
        rp.aggregates(ctx(principal), "marketing", "region"),
    ):
        with pytest.raises(ApiError) as e:
            await call
        assert e.value.extensions["code"] == "FORBIDDEN"


async def test_a_purpose_the_key_lacks_is_forbidden_naming_the_argument():
    assert rp.partner_scope(ctx(PAVO), "marketing") == "bP"
    for call in (
        rp.audience(ctx(PAVO), "analytics", 5, None),
        rp.members(ctx(PAVO), "partner_sharing", []),
        rp.aggregates(ctx(PAVO), "personalisation", "tag"),
    ):
        with pytest.raises(ApiError) as e:
            await call
        assert e.value.extensions == {"code": "FORBIDDEN", "argument": "purpose"}


def test_page_arguments():
    assert rp.read_audience_page(0, None, 100) is None
    good = "pt_" + "a" * 26
    assert rp.read_audience_page(5, encode_key_cursor(rp.AUDIENCE_CURSOR, (good,)), 100) == good
    bad = [
        (-1, None, "first"),
        (101, None, "first"),
        (5, "junk", "after"),
        (5, encode_key_cursor("other-list", (good,)), "after"),
        (5, encode_key_cursor(rp.AUDIENCE_CURSOR, (good, good)), "after"),
        (5, encode_key_cursor(rp.AUDIENCE_CURSOR, ("c0001",)), "after"),
    ]
    for first, after, argument in bad:
        with pytest.raises(ApiError) as e:
            rp.read_audience_page(first, after, 100)
        assert e.value.extensions == {"code": "BAD_USER_INPUT", "argument": argument}


def test_member_ids():
    a, b = "pt_" + "a" * 26, "pt_" + "b" * 26
    assert rp.read_member_ids([a, b, a]) == [a, b]
    assert rp.read_member_ids([a] * rp.MAX_MEMBER_IDS) == [a]
    for ids in ([a] * (rp.MAX_MEMBER_IDS + 1), [a, "pt_" + "1" * 26], ["p_" + "a" * 26], [""]):
        with pytest.raises(ApiError) as e:
            rp.read_member_ids(ids)
        assert e.value.extensions == {"code": "BAD_USER_INPUT", "argument": "ids"}
    with pytest.raises(ApiError) as e:
        rp.read_member_ids(["pt_x", "customer-42@example.com"])
    assert "customer-42" not in e.value.message  # the message names the position only


def test_pseudonyms_are_per_partner_and_per_salt():
    privacy = PrivacyConfig()
    one = rp.partner_pseudonym(privacy, "bP", "salt-1", "c1")
    assert rp.PSEUDONYM_PATTERN.fullmatch(one)
    assert one == rp.partner_pseudonym(privacy, "bP", "salt-1", "c1")
    assert one != rp.partner_pseudonym(privacy, "bQ", "salt-1", "c1")
    assert one != rp.partner_pseudonym(privacy, "bP", "salt-2", "c1")
    other_key = PrivacyConfig(pseudonym_key=b"another-master-key-of-32-bytes!!")
    assert one != rp.partner_pseudonym(other_key, "bP", "salt-1", "c1")
    assert len(rp.new_salt()) == 32 and rp.new_salt() != rp.new_salt()


# --- decide_cells -------------------------------------------------------------------------


def ids(*numbers: int) -> frozenset[str]:
    return frozenset(f"c{n}" for n in numbers)


def cell(value: str, *numbers: int) -> TrueCell:
    return TrueCell(value, value.title(), ids(*numbers))


def entry(value: str, *numbers: int, at: int = 0, key: str = "") -> LedgerEntry:
    return LedgerEntry(key or f"{value}-{at}", value, ids(*numbers), at)


def released(decision: rp.Decision) -> list[tuple[str, int]]:
    return [(c.value, c.count) for c in decision.cells]


def test_bounds_k_and_the_complement():
    audience = ids(*range(10))
    cells = [cell("a", 0, 1, 2), cell("b", 3, 4, 5, 6, 7, 8, 9), cell("c", 0, 1)]
    decision = decide_cells(cells, [], 3, audience, single_valued=False)
    # a: 3 = k is released; b: 7 = N - k is released; c: 2 < k is not
    assert released(decision) == [("a", 3), ("b", 7)]
    assert decision.suppressed == 1
    assert [c.value for c in decision.fresh] == ["a", "b"]
    decision = decide_cells([cell("b", *range(2, 10))], [], 3, audience, single_valued=False)
    assert released(decision) == []  # 8 > N - k: its complement (2) would show


def test_complementary_suppression_on_single_valued_dimensions():
    audience = ids(*range(12))
    # North 6, South 4, East 1, and c11 without a value: withheld 2 -> South goes too
    cells = [cell("north", *range(6)), cell("south", 6, 7, 8, 9), cell("east", 10)]
    decision = decide_cells(cells, [], 3, audience, single_valued=True)
    assert released(decision) == [("north", 6)]
    assert decision.suppressed == 2
    # not single-valued: the rule does not apply
    decision = decide_cells(cells, [], 3, audience, single_valued=False)
    assert released(decision) == [("north", 6), ("south", 4)]
    # nothing withheld at all: nothing more to withhold
    cells = [cell("north", *range(6)), cell("south", *range(6, 12))]
    decision = decide_cells(cells, [], 3, audience, single_valued=True)
    assert released(decision) == [("north", 6), ("south", 6)]
    # withheld total of 3 = k already: fine
    cells = [cell("north", *range(6)), cell("south", 6, 7, 8), cell("east", 9, 10)]
    decision = decide_cells(cells, [], 3, audience, single_valued=True)
    assert released(decision) == [("north", 6), ("south", 3)]


def test_complementary_suppression_counts_released_numbers_too():
    # North answers a stale 3 where 4 are now: everyone is in a released cell, yet the
    # partner would compute 10 - 3 - 3 - 3 = 1 member in no cell. One more cell goes.
    audience = ids(*range(1, 11))
    cells = [cell("north", 1, 2, 3, 4), cell("south", 5, 6, 7), cell("east", 8, 9, 10)]
    ledger = [entry("north", 1, 2, 3)]
    decision = decide_cells(cells, ledger, 3, audience, single_valued=True)
    assert released(decision) == [("north", 3), ("south", 3)]
    assert decision.suppressed == 1


def test_the_ledger_answers_near_sets_with_their_released_count():
    audience = ids(*range(40))
    ledger = [entry("a", *range(10), at=1)]
    # the same set, or one within k - 1 = 2 people: the released 10
    for members in (range(10), range(9), range(11), [*range(9), 20]):
        decision = decide_cells([cell("a", *members)], ledger, 3, audience, False)
        assert released(decision) == [("a", 10)] and decision.fresh == []
    # 3..6 people away: withheld (a fresh count could be differenced against a stale one)
    for members in (range(7), range(13), range(4), [*range(7), 20, 21, 22]):
        decision = decide_cells([cell("a", *members)], ledger, 3, audience, False)
        assert released(decision) == [] and decision.suppressed == 1
    # 7 = 3k - 2 away from every entry: fresh
    decision = decide_cells([cell("a", *range(17))], ledger, 3, audience, False)
    assert released(decision) == [("a", 17)] and [c.value for c in decision.fresh] == ["a"]
    # another value's entries do not count
    decision = decide_cells([cell("b", *range(9))], ledger, 3, audience, False)
    assert released(decision) == [("b", 9)]


def test_the_nearest_entry_answers_then_the_earliest():
    audience = ids(*range(40))
    ledger = [entry("a", *range(10), at=2), entry("a", *range(20, 31), at=1)]
    decision = decide_cells([cell("a", *range(1, 10))], ledger, 3, audience, False)
    assert released(decision) == [("a", 10)]
    decision = decide_cells([cell("a", *range(20, 30))], ledger, 3, audience, False)
    assert released(decision) == [("a", 11)]
    # Two entries equally near (only possible once an erasure shrank them): the earliest.
    twins = [entry("a", 1, 2, 3, at=5), entry("a", *range(1, 8), at=4)]
    decision = decide_cells([cell("a", 1, 2, 3, 4, 5)], twins, 3, ids(*range(20)), False)
    assert released(decision) == [("a", 7)]


def test_a_stale_count_is_checked_against_todays_audience():
    ledger = [entry("a", *range(10))]
    # 9 now, within 1 of the released 10; but the audience shrank to 12: 10 > 12 - 3
    decision = decide_cells([cell("a", *range(9))], ledger, 3, ids(*range(12)), False)
    assert released(decision) == []


def test_one_withdrawal_after_a_swap_isolates_nobody():
    """The case that rules out answering fresh as soon as a set is k away (k = 3): North
    {1..5} was released (5); 5 swapped for 6 (answered 5, and 5 is also its true size);
    then 1 leaves. A fresh 4 now would tell the partner, who saw 1's pseudonym go, that 1
    was in North. Three away from the ledger set, the cell is withheld instead."""
    audience = ids(*range(1, 21))
    ledger = [entry("north", 1, 2, 3, 4, 5)]
    swapped = decide_cells([cell("north", 1, 2, 3, 4, 6)], ledger, 3, audience, False)
    assert released(swapped) == [("north", 5)]
    left = decide_cells([cell("north", 2, 3, 4, 6)], ledger, 3, audience - ids(1), False)
    assert released(left) == []


def simulate(k: int, seed: int, steps: int = 300, universe: int = 40) -> dict[str, int]:
    """Random drift of one audience (joins, leaves, swaps), an aggregate after each change.
    Checks every pair of releases: sets within k - 1 people get the same count."""
    rng = random.Random(seed)
    region = {f"c{n}": rng.choice(["north", "south", "east"]) for n in range(universe)}
    audience = set(rng.sample(sorted(region), universe // 2))
    ledger: list[LedgerEntry] = []
    history: dict[str, list[tuple[frozenset[str], int]]] = {}
    stats = {"releases": 0, "pairs_checked": 0}
    for step in range(steps):
        outside = sorted(set(region) - audience)
        move = rng.random()
        if move < 0.4 and audience:
            audience.discard(rng.choice(sorted(audience)))
        elif move < 0.8 and outside:
            audience.add(rng.choice(outside))
        elif audience and outside:
            audience.discard(rng.choice(sorted(audience)))
            audience.add(rng.choice(outside))
        members = frozenset(audience)
        cells = [
            TrueCell(v, v, frozenset(c for c in members if region[c] == v))
            for v in ("north", "south", "east")
        ]
        decision = decide_cells(cells, ledger, k, members, single_valued=True)
        ledger += [LedgerEntry(f"{step}-{c.value}", c.value, c.ids, step) for c in decision.fresh]
        truth = {c.value: c.ids for c in cells}
        for answered in decision.cells:
            assert k <= answered.count <= len(members) - k
            for earlier, count in history.get(answered.value, []):
                if 0 < len(earlier ^ truth[answered.value]) < k:
                    stats["pairs_checked"] += 1
                    assert count == answered.count
            history.setdefault(answered.value, []).append((truth[answered.value], answered.count))
            stats["releases"] += 1
        outside_count = len(members) - sum(c.count for c in decision.cells)
        assert not decision.cells or not 0 < outside_count < k
    for value in ("north", "south", "east"):
        sets = [e.ids for e in ledger if e.value == value]
        for i, a in enumerate(sets):
            assert all(len(a ^ b) >= rp.fresh_distance(k) for b in sets[i + 1 :])
    return stats


@pytest.mark.parametrize("k", [2, 3, 5])
def test_no_two_releases_isolate_fewer_than_k_on_a_drifting_audience(k):
    stats = [simulate(k, seed) for seed in range(30)]
    # not vacuous: many releases, and many pairs of near sets whose counts were compared
    assert sum(s["releases"] for s in stats) > 1000
    assert sum(s["pairs_checked"] for s in stats) > 1000
