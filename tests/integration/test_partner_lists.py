"""Partner lists on both engines, with k = 3, over the hand-built community of
tests/integration/test_partner.py (its docstring has the graph).

The partner bP's list L1, worked out by hand:

    emails of c01..c10 (all ten of the PS audience), x01 (withdrawn), x03 (marketing only),
    x05 (restricted: never matched), the phone of c01 (the same customer as its email),
    5 hashes of no one                                   -> 19 distinct hashes
    matched: c01..c10, x01, x03 = 12 customers, by 13 hashes; 6 hashes match no one
    -> matched 12 (>= k; 6 unmatched >= k; 19 - 12 >= k), rate 12/19 = 0.6316
    overlap for PS: c01..c10 = 10; for marketing: c01..c04, c06..c10, x03 = 10
    REGION of the PS overlap: North 5, South 3, East 1, none 1 -> South withheld by
    complementary suppression (2 outside), so cells [North 5], 2 suppressed.
"""

import asyncio
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import strawberry

from graph import subject
from hub.app import create_app
from hub.settings import Settings
from loaders.contact_keys import email_key, phone_key
from loaders.pipeline import write_records
from resolvers import partner as rp
from resolvers import partner_lists as pl
from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.keys import create_key
from resolvers.principal import Principal, Role
from resolvers.privacy import PrivacyConfig
from schema.partner_lists import PartnerServiceQueries
from tests.doc_examples import curl_calls, find
from tests.integration.test_partner import (
    CUSTOMERS,
    EMAILS,
    PAVO,
    PERSONAL,
    PHONES,
    PS,
    QUILL,
    pseudonyms,
    rows,
)

DAY = 86_400_000
PRIVACY = PrivacyConfig(min_group_size=3)


@strawberry.type(description="The partner root field alone, with its list services.")
class PartnerOnly(PartnerServiceQueries):
    pass


SCHEMA = strawberry.Schema(query=PartnerOnly)


async def execute(store: Any, query: str, principal: Principal = PAVO, **variables: Any):
    ctx = Context(store, principal, privacy=PRIVACY)
    result = await SCHEMA.execute(query, variable_values=variables, context_value=ctx)
    return result, ctx


async def errors_of(store: Any, query: str, principal: Principal = PAVO, **variables: Any):
    result, _ = await execute(store, query, principal, **variables)
    assert result.errors, "expected errors"
    return [{"message": e.message, **(e.extensions or {})} for e in result.errors]


MATCH = """query($purpose: Purpose!, $listId: String!) { partner {
  listMatch(purpose: $purpose, listId: $listId) {
    listId entries matched matchRate overlap minGroupSize } } }"""
MEMBERS = """query($purpose: Purpose!, $listId: String!, $first: Int!, $after: String) {
  partner { listMembers(purpose: $purpose, listId: $listId, first: $first, after: $after) {
    totalCount nodes { id } pageInfo { hasNextPage endCursor } } } }"""
AGGREGATES = """query($purpose: Purpose!, $listId: String!, $dimension: AudienceDimension!) {
  partner { listAggregates(purpose: $purpose, listId: $listId, dimension: $dimension) {
    audienceSize suppressedCells cells { value name count } } } }"""
NOBODY = [hashlib.sha256(f"nobody{i}@example.test".encode()).hexdigest() for i in range(5)]


def email_hash(c: str) -> str:
    key = email_key(EMAILS[c])
    assert key is not None
    return key


def list_body(customers: list[str], extra: list[str] = ()) -> bytes:  # type: ignore[assignment]
    return "\n".join([*(email_hash(c) for c in customers), *extra, *NOBODY]).encode()


L1 = [*(f"c{i:02d}" for i in range(1, 11)), "x01", "x03", "x05"]


@pytest.fixture
async def community(store):
    now = rp.now_ms()
    for kind, batch in rows(now):
        await write_records(store, kind, batch, now)
    await store.write(subject.RESTRICT, {"id": "x05", "restricted": True, "now": now})
    store.statements.clear()
    return store


async def upload(store: Any, body: bytes, partner: str = "bP") -> str:
    status = await pl.create_list(store, partner, DAY)
    await pl.append_chunk(store, partner, status.id, body)
    return status.id


async def run(store: Any, query: str, principal=PAVO, **variables: Any) -> dict[str, Any]:
    result, _ = await execute(store, query, principal, **variables)
    assert result.errors is None, result.errors
    text = str(result.data).replace(str(variables.get("listId")), "")  # hex: may hold "c09"
    assert [p for p in PERSONAL if p in text] == []
    return result.data["partner"]


async def test_upload_keeps_hashes_only_counts_bad_lines_by_number_across_chunks(community):
    store = community
    status = await pl.create_list(store, "bP", DAY)
    assert pl.LIST_ID.fullmatch(status.id)
    first = await pl.append_chunk(
        store, "bP", status.id,
        f"{email_hash('c01')}\nsecret@example.test\n\n  {email_hash('c02').upper()}  \n"
        f"{'a' * 63}\n{email_hash('c01')}".encode(),
    )  # fmt: skip
    assert (first.entries, first.bad_entries, first.lines) == (2, 2, 6)
    assert first.bad_lines == (2, 5) and first.first_line == 1
    second = await pl.append_chunk(store, "bP", status.id, b"zz\n" + email_hash("c03").encode())
    assert (second.entries, second.bad_entries, second.lines) == (3, 3, 8)
    assert second.first_line == 7 and second.bad_lines == (1,)  # line 7 of the list
    stored = await store.inner.read(
        "MATCH (ch:PartnerListChunk {list_id: $id}) UNWIND ch.hashes AS h RETURN h ORDER BY h",
        {"id": status.id},
    )
    assert [r["h"] for r in stored] == sorted(email_hash(c) for c in ("c01", "c02", "c03"))
    dump = str(await store.inner.read("MATCH (n:PartnerList) RETURN properties(n) AS p"))
    assert "secret" not in dump and "example.test" not in dump


async def test_match_counts_overlap_and_rate_known_answers(community):
    store = community
    list_id = await upload(store, list_body(L1, [phone_key(PHONES["c01"], "GB") or ""]))
    data = await run(store, MATCH, purpose="PARTNER_SHARING", listId=list_id)
    assert data["listMatch"] == {"listId": list_id, "entries": 19, "matched": 12,
                                 "matchRate": 0.6316, "overlap": 10, "minGroupSize": 3}  # fmt: skip
    data = await run(store, MATCH, purpose="MARKETING", listId=list_id)
    assert (data["listMatch"]["matched"], data["listMatch"]["overlap"]) == (12, 10)


async def test_members_are_pseudonyms_of_consenting_matched_customers_only(community):
    store = community
    list_id = await upload(store, list_body(["c01", "c02", "c05", "x01", "x03", "x04", "x05"]))
    result, ctx = await execute(store, MEMBERS, purpose="PARTNER_SHARING", listId=list_id,
                                first=100)  # fmt: skip
    assert result.errors is None, result.errors
    everyone = await pseudonyms(store, "bP", CUSTOMERS)
    got = [m["id"] for m in result.data["partner"]["listMembers"]["nodes"]]
    assert got == sorted(everyone[c] for c in ("c01", "c02", "c05"))
    assert ctx.audit.customer_ids == {"c01", "c02", "c05"}
    assert "partner_pull" in ctx.audit.kinds and ctx.audit.purpose == PS
    data = await run(store, MEMBERS, purpose="MARKETING", listId=list_id, first=100)
    assert [m["id"] for m in data["listMembers"]["nodes"]] == sorted(
        everyone[c] for c in ("c01", "c02", "x03")
    )
    # the same list asked by another partner: not its list
    errors = await errors_of(store, MEMBERS, QUILL, purpose="PARTNER_SHARING", listId=list_id,
                             first=10)  # fmt: skip
    assert errors[0]["code"] == "NOT_FOUND"


async def test_list_aggregates_follow_the_rules_and_share_the_ledger(community):
    store = community
    list_id = await upload(store, list_body(L1))
    data = await run(store, AGGREGATES, purpose="PARTNER_SHARING", listId=list_id,
                     dimension="REGION")  # fmt: skip
    assert data["listAggregates"] == {"audienceSize": 10, "suppressedCells": 2,
                                      "cells": [{"value": "North", "name": "North",
                                                 "count": 5}]}  # fmt: skip
    # the same North set through the audience's aggregates: the ledger holds it once
    ledger = "MATCH (r:PartnerRelease {partner_id: 'bP', dimension: 'region'}) RETURN count(r) AS n"
    assert (await store.inner.read(ledger))[0]["n"] == 1
    result, _ = await execute(
        store,
        """query { partner {
      aggregates(purpose: PARTNER_SHARING, dimension: REGION) { cells { value count } } } }""",
    )
    assert result.data["partner"]["aggregates"]["cells"] == [{"value": "North", "count": 5}]
    assert (await store.inner.read(ledger))[0]["n"] == 1


async def test_differencing_lists_is_answered_from_the_ledger(community):
    store = community
    big = await upload(store, list_body(L1))
    assert (await run(store, MATCH, purpose="PARTNER_SHARING", listId=big))["listMatch"][
        "matched"
    ] == 12
    # the same list less one person: truly 11, answered 12 (the released count)
    less = await upload(store, list_body([c for c in L1 if c != "c01"]))
    answer = (await run(store, MATCH, purpose="PARTNER_SHARING", listId=less))["listMatch"]
    assert (answer["matched"], answer["entries"]) == (12, 17)
    # 3..6 people away from the ledger's set: withheld; 7 or more away: fresh
    near = await upload(store, list_body([*(f"c{i:02d}" for i in range(1, 9)), "x01"]))
    assert (await run(store, MATCH, purpose="PARTNER_SHARING", listId=near))["listMatch"][
        "matched"
    ] is None
    far = await upload(store, list_body(["c01", "c02", "c03", "c04"]))
    answer = (await run(store, MATCH, purpose="PARTNER_SHARING", listId=far))["listMatch"]
    assert (answer["matched"], answer["matchRate"]) == (4, round(4 / 9, 4))


async def test_small_and_whole_matches_are_withheld(community):
    store = community
    none = await upload(store, list_body([]))  # the 5 hashes of no one
    answer = (await run(store, MATCH, purpose="PARTNER_SHARING", listId=none))["listMatch"]
    assert (answer["entries"], answer["matched"], answer["overlap"]) == (5, None, 0)
    empty = await pl.create_list(store, "bP", DAY)
    answer = (await run(store, MATCH, purpose="PARTNER_SHARING", listId=empty.id))["listMatch"]
    assert (answer["entries"], answer["matched"], answer["overlap"]) == (0, None, 0)
    small = await upload(store, list_body(["c01", "c02"]))
    assert (await run(store, MATCH, purpose="PARTNER_SHARING", listId=small))["listMatch"][
        "matched"
    ] is None
    whole = await pl.create_list(store, "bP", DAY)
    await pl.append_chunk(store, "bP", whole.id, "\n".join(email_hash(c) for c in L1).encode())
    answer = (await run(store, MATCH, purpose="PARTNER_SHARING", listId=whole.id))["listMatch"]
    # 12 of 13 hashes match: "all of my list is in" is never said
    assert (answer["matched"], answer["matchRate"], answer["overlap"]) == (None, None, 10)


async def test_expired_and_deleted_lists_are_gone(community):
    store = community
    gone = await pl.create_list(store, "bP", 1)
    await asyncio.sleep(0.01)
    errors = await errors_of(store, MATCH, purpose="PARTNER_SHARING", listId=gone.id)
    assert errors[0]["code"] == "NOT_FOUND"
    with pytest.raises(ApiError) as refused:
        await pl.append_chunk(store, "bP", gone.id, email_hash("c01").encode())
    assert refused.value.code.value == "NOT_FOUND"
    kept = await upload(store, list_body(L1))
    with pytest.raises(ApiError):
        await pl.delete_list(store, "bQ", kept)  # not Quill's list
    # a new list purges the expired one, chunks and all
    count = "MATCH (n) WHERE n:PartnerList OR n:PartnerListChunk RETURN count(n) AS n"
    assert (await store.inner.read(count))[0]["n"] == 2  # `kept` and its one chunk
    await pl.delete_list(store, "bP", kept)
    assert (await store.inner.read(count))[0]["n"] == 0
    errors = await errors_of(store, MATCH, purpose="PARTNER_SHARING", listId=kept)
    assert errors[0]["code"] == "NOT_FOUND"


async def test_bad_arguments_are_refused_before_any_statement(community):
    store = community
    errors = await errors_of(store, MATCH, purpose="PARTNER_SHARING", listId="pl_nope")
    assert errors[0]["code"] == "BAD_USER_INPUT" and errors[0]["argument"] == "listId"
    errors = await errors_of(store, MATCH, QUILL, purpose="MARKETING", listId="pl_" + "0" * 32)
    assert errors[0]["code"] == "FORBIDDEN"
    assert store.statements == []


# --- over HTTP ----------------------------------------------------------------------------


async def test_upload_over_http_is_authenticated_counted_and_audited(community):
    store = community
    partner_key = (await create_key(store, "pavo", Role.PARTNER, "bP", [PS])).key
    app_key = (await create_key(store, "app", Role.APP)).key
    app = create_app(Settings(_env_file=None), store=store)
    app.state.store = store
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        as_partner = {"Authorization": f"Bearer {partner_key}"}
        assert (await client.post("/partner/lists", content=b"")).status_code == 401
        refused = await client.post(
            "/partner/lists", content=b"", headers={"Authorization": f"Bearer {app_key}"}
        )
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        body = f"{email_hash('c01')}\nsecret@example.test\n{email_hash('c02')}\n"
        created = await client.post("/partner/lists", content=body.encode(), headers=as_partner)
        assert created.status_code == 201, created.text
        first = created.json()
        list_id = first["listId"]
        assert (first["entries"], first["badEntries"], first["badLines"]) == (2, 1, [2])
        assert "secret" not in created.text
        more = await client.post(
            f"/partner/lists/{list_id}", content=b"\nnope\n", headers=as_partner
        )
        assert more.json()["badLines"] == [5]  # its 2nd line, the list's 5th
        status = (await client.get(f"/partner/lists/{list_id}", headers=as_partner)).json()
        assert (status["entries"], status["badEntries"], status["lines"]) == (2, 2, 5)
        gone = await client.delete(f"/partner/lists/{list_id}", headers=as_partner)
        assert gone.status_code == 200 and gone.json()["deleted"] is True
        again = await client.get(f"/partner/lists/{list_id}", headers=as_partner)
        assert again.status_code == 404
        assert again.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        bad = await client.get("/partner/lists/pl_x", headers=as_partner)
        assert bad.status_code == 400
    audits = await store.inner.read(
        "MATCH (a:AuditEntry {partner_id: 'bP'}) RETURN a.kinds AS kinds ORDER BY a.at"
    )
    kinds = [k for row in audits for k in row["kinds"]]
    assert kinds.count("partner_list_post") == 2 and "partner_list_delete" in kinds


async def test_a_large_upload_streams_in_pieces_chunk_by_chunk(community):
    """A body over the old 1 MiB cap, sent in pieces that cut lines in two, without a
    Content-Length: each 10,000 hashes are written while the rest is still arriving, bad
    lines are numbered within the list, and an upload past its own cap is refused (413)
    with the chunks before it kept."""
    store = community
    partner_key = (await create_key(store, "pavo", Role.PARTNER, "bP", [PS])).key
    settings = Settings(_env_file=None, partner_list_max_bytes=2_000_000)
    app = create_app(settings, store=store)
    app.state.store = store
    hashes = [hashlib.sha256(f"big{i}".encode()).hexdigest() for i in range(25_000)]
    lines = [*hashes[:12_000], "not-a-hash", *hashes[12_000:], "x" * 5_000, email_hash("c01")]
    body = ("\n".join(lines) + "\n").encode()  # 1.6 MB
    assert len(body) > 1_048_576
    seen_while_sending: list[int] = []

    async def pieces(data: bytes, size: int) -> AsyncIterator[bytes]:
        for i in range(0, len(data), size):
            if i > 900_000 and not seen_while_sending:
                chunks = await store.inner.read("MATCH (ch:PartnerListChunk) RETURN count(*) AS n")
                seen_while_sending.append(int(chunks[0]["n"]))
            yield data[i : i + size]

    transport = httpx.ASGITransport(app=app)
    as_partner = {"Authorization": f"Bearer {partner_key}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        created = await client.post("/partner/lists", content=pieces(body, 4_099),
                                    headers=as_partner)  # fmt: skip
        assert created.status_code == 201, created.text
        answer = created.json()
        assert (answer["entries"], answer["badEntries"], answer["lines"]) == (25_001, 2, 25_003)
        assert answer["badLines"] == [12_001, 25_002]
        assert seen_while_sending and seen_while_sending[0] >= 1  # written before the end
        sizes = await store.inner.read(
            "MATCH (ch:PartnerListChunk {list_id: $id}) RETURN size(ch.hashes) AS n",
            {"id": answer["listId"]},
        )
        assert sorted(r["n"] for r in sizes) == [5_002, 9_999, 10_000]  # 10,000 lines each
        more = await client.post(
            f"/partner/lists/{answer['listId']}", content=pieces(body + body, 65_536),
            headers=as_partner,
        )  # fmt: skip
        assert more.status_code == 413, more.text
        assert more.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        status = (await client.get(f"/partner/lists/{answer['listId']}", headers=as_partner)).json()
        assert 25_001 < status["entries"] < 3 * 25_001  # the chunks before the cap stayed


async def test_the_documented_uploads_run(community, tmp_path):
    """docs/partner.md's curl calls, sent through the app as written ($PARTNER_KEY and the
    list id filled in, the files made as the comments describe them), get the answers
    the block shows."""
    store = community
    block = find("docs/partner.md", "curl -sS -X POST http://127.0.0.1:8000/partner/lists")
    calls = curl_calls(block)
    assert [c.method for c in calls] == ["POST", "POST", "GET", "DELETE"]
    part1 = [hashlib.sha256(f"part1-{i}".encode()).hexdigest() for i in range(16_000)]
    part1.insert(16, "someone@example.test")  # line 17: not a hash
    (tmp_path / "list-part1.txt").write_text("\n".join(part1) + "\n")
    (tmp_path / "list-part2.txt").write_text("\n".join([email_hash("c01"), *NOBODY]) + "\n")
    partner_key = (await create_key(store, "pavo", Role.PARTNER, "bP", [PS])).key
    app = create_app(Settings(_env_file=None), store=store)
    app.state.store = store
    list_id = "pl_..."
    answers = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub"
    ) as client:
        for call in calls:
            headers = {k: v.replace("$PARTNER_KEY", partner_key) for k, v in call.headers.items()}
            body = (tmp_path / call.data_file).read_bytes() if call.data_file else None
            r = await client.request(
                call.method, call.path.replace("pl_...", list_id), headers=headers, content=body
            )
            assert r.status_code == (call.shown_status or 200), (call, r.text)
            answer = r.json()
            list_id = answer.get("listId", list_id)
            answers.append(answer)
            if call.shown is not None:
                assert pl.LIST_ID.fullmatch(answer["listId"])
                assert answer.keys() == call.shown.keys()
                same = {k: v for k, v in call.shown.items() if k not in ("listId", "expiresAt")}
                assert {k: answer[k] for k in same} == same
    assert answers[2]["entries"] == 16_000 + 1 + len(NOBODY)
    assert answers[3] == {"listId": list_id, "deleted": True}
