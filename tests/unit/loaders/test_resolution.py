"""What a resolution run wants for an account, from its state and the model's decision."""

import json

from identity.decisions import Evidence, Explanation, LinkDecision
from loaders.linking import decide
from loaders.resolution import (
    KeyedNames,
    Wanted,
    apply_platform_limit,
    current,
    skip_reason,
    wanted,
)

EXPLANATION = Explanation(
    prior=-10.0,
    evidence=(Evidence("name", "full+handle", 9.0, 0.5), Evidence("email", None, 0.0)),
    competing=0.25,
    probability=0.9612345678,
)


def decision(outcome="link", customer="c1", method="probabilistic", p=0.9612345678):
    return LinkDecision("a1", customer, outcome, method, p, EXPLANATION, "why", "fs-em-1")


def test_accounts_decided_by_exact_evidence_a_human_or_a_conflict_are_left_alone():
    assert skip_reason({"links": [{"customer_id": "c1", "method": "email"}]}) == (
        "linked by exact evidence or a human"
    )
    assert skip_reason({"decisions": [{"customer_id": "c1", "decision": "linked"}]}) == (
        "linked by exact evidence or a human"
    )
    assert skip_reason({"conflict": "one phone key on 2 customers"}) == (
        "exact evidence in conflict"
    )
    restricted = {"candidates": [{"customer_id": "c1", "restricted": True}]}
    assert skip_reason(restricted) == "customer's processing restricted"
    assert skip_reason({"links": [{"customer_id": "c1", "method": "probabilistic"}]}) is None


def test_the_model_link_or_candidate_an_account_has_now():
    assert current({}) == Wanted("none")
    row = {"links": [{"customer_id": "c1", "method": "probabilistic", "confidence": 0.97}]}
    assert (current(row).outcome, current(row).customer_id) == ("link", "c1")
    row = {"candidates": [{"customer_id": "c2", "confidence": 0.6, "blocked": "limit"}]}
    assert (current(row).outcome, current(row).blocked) == ("review", "limit")


def test_what_the_decision_wants_with_its_evidence_rounded_and_sorted():
    want = wanted(decision(), {}, None, "fs-em-1:abc")
    assert (want.outcome, want.customer_id, want.confidence) == ("link", "c1", 0.961235)
    stored = json.loads(want.evidence or "")
    assert stored["probability"] == 0.961235 and stored["competing"] == 0.25
    assert [e["comparison"] for e in stored["evidence"]] == ["name", "email"]
    assert want.evidence == wanted(decision(), {}, None, "fs-em-1:abc").evidence  # stable


def test_a_rejected_pair_and_a_claimed_id_want_nothing_from_the_model():
    rejected = {"decisions": [{"customer_id": "c1", "decision": "rejected"}]}
    assert wanted(decision(), rejected, None, "v") == Wanted("none")
    assert wanted(decision(method="crm_id"), {}, None, "v") == Wanted("none")
    assert wanted(decision(outcome="none", customer=None), {}, None, "v") == Wanted("none")


def test_links_beyond_the_per_platform_limit_become_blocked_candidates_least_probable_first():
    wants = {f"a{i}": Wanted("link", "c1", p, "v", "{}") for i, p in enumerate([0.99, 0.97, 0.98])}
    wants["b"] = Wanted("link", "c2", 0.99, "v", "{}")
    platforms = {"a0": "weibo", "a1": "weibo", "a2": "weibo", "b": "weibo"}
    # c1 already has one weibo link the run does not re-decide: room for one more.
    blocked = apply_platform_limit(wants, platforms, [("c1", "weibo")], limit=2)
    assert blocked == 2
    assert [a for a, w in sorted(wants.items()) if w.outcome == "link"] == ["a0", "b"]
    assert wants["a1"].outcome == "review" and "per-platform limit" in (wants["a1"].blocked or "")
    assert wants["a1"].confidence == 0.97  # the candidate keeps its probability


def test_keyed_names_look_up_by_name_and_hold_no_name():
    table = KeyedNames(b"k", {})
    keyed = KeyedNames(b"k", {table.digest("wang wei"): 0.01})
    assert keyed.get("wang wei") == 0.01 and "wang wei" in keyed
    assert keyed.get("li na", 0.0) == 0.0 and "li na" not in keyed
    assert "wang wei" not in json.dumps(dict(keyed))
    assert KeyedNames(b"other", dict(keyed)).get("wang wei") is None


def test_a_human_link_wins_over_exact_evidence_and_a_rejection_removes_a_customer():
    row = {"id": "a1", "claimed": None, "by_email": ["c1"], "by_phone": [],
           "decisions": [{"customer_id": "c2", "decision": "linked", "method": "manual",
                          "confidence": 1.0, "at": 5}]}  # fmt: skip
    assert (decide(row).customer_id, decide(row).method) == ("c2", "manual")
    row["decisions"] = [{"customer_id": "c1", "decision": "rejected"}]
    assert decide(row).customer_id is None
    row["by_phone"] = ["c3"]
    assert (decide(row).customer_id, decide(row).method) == ("c3", "phone")


def test_without_exact_evidence_the_model_link_is_kept_unless_rejected():
    link = {"customer_id": "c1", "method": "probabilistic", "confidence": 0.97,
            "model_version": "v", "evidence": "{}"}  # fmt: skip
    row = {"id": "a1", "claimed": None, "by_email": [], "by_phone": [], "links": [link]}
    kept = decide(row)
    assert (kept.customer_id, kept.method, kept.evidence) == ("c1", "probabilistic", "{}")
    row["decisions"] = [{"customer_id": "c1", "decision": "rejected"}]
    assert decide(row).customer_id is None


def phone_evidence(display_name, customer_name, by_email=()):
    return {"id": "a1", "claimed": None, "by_email": list(by_email), "by_phone": ["c1"],
            "account": {"platform": "wechat", "handle": None, "display_name": display_name},
            "phone_names": [{"id": "c1", "name": customer_name}]}  # fmt: skip


def test_a_household_phone_is_no_exact_evidence_when_the_names_disagree():
    # A relative under the same surname, and someone else altogether: left to the model.
    assert decide(phone_evidence("王芳", "王伟")).customer_id is None
    assert decide(phone_evidence("Emily Carter", "王伟")).customer_id is None
    assert decide(phone_evidence("王芳", "王伟")).conflict is None
    # The same person in another script, a name that says nothing, an email that agrees.
    assert decide(phone_evidence("Wang Wei", "王伟")).method == "phone"
    assert decide(phone_evidence(None, "王伟")).method == "phone"
    assert decide(phone_evidence("🌸🌸", "王伟")).method == "phone"
    assert decide(phone_evidence("王芳", "王伟", by_email=["c1"])).method == "email"


async def test_a_load_with_no_stored_model_reads_nothing_but_the_model() -> None:
    """After a load, with no model stored, resolution says so without reading every
    customer first (it did: a page read of the whole customer list, for nothing)."""
    from loaders.resolution import MODEL, ResolveOptions, resolve

    class Store:
        engine = "fake"

        def __init__(self) -> None:
            self.queries: list[str] = []

        async def read(self, query: str, params: object = None) -> list[dict[str, object]]:
            self.queries.append(query)
            return []

    store = Store()
    report = await resolve(store, ResolveOptions(), 0, account_ids=["a1"])  # type: ignore[arg-type]
    assert report.note and "no model stored yet" in report.note
    assert store.queries == [MODEL]


def test_a_placeholder_key_names_no_one_so_the_model_decides():
    from identity.contact import sha256_hex

    fake, real = sha256_hex("+8613800138000"), sha256_hex("+8613812345678")
    row = {"id": "a1", "by_phone": ["c1"], "account": {"phone_hash": fake}}
    assert decide(row).customer_id is None and decide(row).conflict is None
    model = [{"customer_id": "c2", "method": "probabilistic", "confidence": 0.97}]
    assert decide({**row, "links": model}).customer_id == "c2"
    row = {"id": "a1", "by_phone": ["c1"], "account": {"phone_hash": real}}
    assert (decide(row).customer_id, decide(row).method) == ("c1", "phone")
    # A test address on two customers is no conflict either: it names no one.
    test = sha256_hex("test@qq.com")
    row = {"id": "a1", "by_email": ["c1", "c2"], "account": {"email_hash": test}}
    assert decide(row).conflict is None
