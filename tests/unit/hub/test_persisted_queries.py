"""hub/persisted_queries.py: Apollo's APQ protocol over the request data, without HTTP
(tests/integration/test_persisted_queries.py runs it over HTTP)."""

import hashlib

import pytest
from strawberry.http import GraphQLRequestData

from hub.persisted_queries import PersistedQueries, PersistedQueryError


def request(query=None, digest=None, version=1):
    extensions = None
    if digest is not None:
        extensions = {"persistedQuery": {"version": version, "sha256Hash": digest}}
    return GraphQLRequestData(query=query, variables=None, operation_name=None,
                              extensions=extensions)  # fmt: skip


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def test_without_the_extension_a_request_is_left_alone():
    data = request("{ a }")
    assert PersistedQueries().resolve(data) is data


def test_a_hash_is_found_once_its_query_was_sent_with_it():
    apq = PersistedQueries()
    with pytest.raises(PersistedQueryError) as miss:
        apq.resolve(request(digest=sha("{ a }")))
    assert (miss.value.code, miss.value.status, miss.value.message) == (
        "PERSISTED_QUERY_NOT_FOUND", 200, "PersistedQueryNotFound"
    )  # fmt: skip
    apq.resolve(request("{ a }", sha("{ a }")))
    assert apq.resolve(request(digest=sha("{ a }"))).query == "{ a }"


@pytest.mark.parametrize(
    ("query", "digest", "version"),
    [("{ a }", sha("{ b }"), 1), (None, "ABC", 1), (None, sha("{ a }"), 2), (None, 12, 1)],
)
def test_a_wrong_hash_or_a_malformed_extension_is_a_bad_request(query, digest, version):
    with pytest.raises(PersistedQueryError) as e:
        PersistedQueries().resolve(request(query, digest, version))
    assert (e.value.code, e.value.status) == ("BAD_REQUEST", 400)


def test_the_least_recently_used_query_goes_first():
    apq = PersistedQueries(size=2)
    for text in ("{ a }", "{ b }"):
        apq.resolve(request(text, sha(text)))
    apq.resolve(request(digest=sha("{ a }")))  # a is used again: b is now the oldest
    apq.resolve(request("{ c }", sha("{ c }")))
    assert len(apq) == 2
    assert apq.resolve(request(digest=sha("{ a }"))).query == "{ a }"
    with pytest.raises(PersistedQueryError):
        apq.resolve(request(digest=sha("{ b }")))
