"""loaders/erasures.py: the rows naming erased ids are found, each id hashed once."""

import hmac

from graph.subject import ERASED_AMONG, erasure_id
from loaders.erasures import ErasureGuard

KEY = b"k" * 32


class Tombstones:
    """A store holding the tombstones ``erased``; answers ERASED_AMONG only."""

    def __init__(self, erased: set[str]) -> None:
        self.erased = erased

    async def read(self, query, params=None):
        assert query == ERASED_AMONG
        return [{"id": i} for i in params["ids"] if i in self.erased]


def interactions(n: int) -> list[dict]:
    return [{"account_id": f"a{i % 7}", "post_id": f"p{i % 11}"} for i in range(n)]


async def test_rows_naming_erased_ids_are_refused_with_the_reason():
    store = Tombstones({erasure_id(KEY, "a3", "account"), erasure_id(KEY, "p5", "post")})
    rows = interactions(80)
    refused = await ErasureGuard(store, KEY).refused("interactions", rows)
    erased = (
        ("account_id", "a3", "the social account was erased with its customer"),
        ("post_id", "p5", "the post was erased with its customer"),
    )
    expected = {
        i: [f"{f}: {why}" for f, v, why in erased if row[f] == v]
        for i, row in enumerate(rows)
        if row["account_id"] == "a3" or row["post_id"] == "p5"
    }
    assert refused == expected


async def test_each_id_is_hashed_once_however_many_rows_name_it(monkeypatch):
    calls = []
    digest = hmac.digest

    def counted(key, msg, name):
        calls.append(msg)
        return digest(key, msg, name)

    monkeypatch.setattr(hmac, "digest", counted)
    guard = ErasureGuard(Tombstones(set()), KEY)
    calls.clear()  # the per-kind keys, made once
    for _ in range(3):  # three batches naming the same 7 accounts and 11 posts
        assert await guard.refused("interactions", interactions(200)) == {}
    assert len(calls) == 7 + 11
