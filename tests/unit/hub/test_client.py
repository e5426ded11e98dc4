"""hub/client.py over a fake transport: requests as the hub expects them, answers to
DataFrames, errors to HubError with their code."""

import json

import httpx
import pandas as pd
import pytest

from hub.client import HubClient, HubError

MATRIX = {
    "customersInGraph": 10,
    "brands": [{"brand": {"brandId": "b1"}, "audience": 4},
               {"brand": {"brandId": "b2"}, "audience": 2}],
    "pairs": [{"a": {"brandId": "b1"}, "b": {"brandId": "b2"}, "shared": 1, "jaccard": 0.2,
               "lift": 1.25}],
}  # fmt: skip
CUSTOMER = {
    "customerId": "c1", "name": "Ann",
    "identities": [{"account": {"accountId": "a1", "platform": "wechat"}, "linkMethod": "crm_id"}],
    "tags": [],
    "purchases": {"nodes": [{"purchaseId": "o1", "total": 80.0, "brand": {"brandId": "b1"}}]},
    "complaints": {"nodes": []},
}  # fmt: skip


def client(answer, status=200, seen=None):
    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(status, json=answer)

    return HubClient("http://hub/graphql", "hub_k_secret", transport=httpx.MockTransport(handle))


def test_overlap_matrix_is_square_and_symmetric():
    seen = []
    with client({"data": {"audienceOverlapMatrix": MATRIX}}, seen=seen) as hub:
        frame = hub.overlap_matrix(["b1", "b2"])
        shared = hub.overlap_matrix(["b1", "b2"], measure="shared")
    assert seen[0].url == "http://hub/graphql"
    assert seen[0].headers["authorization"] == "Bearer hub_k_secret"
    assert json.loads(seen[0].content)["variables"] == {"brands": ["b1", "b2"]}
    expected = pd.DataFrame([[1.0, 0.2], [0.2, 1.0]], index=["b1", "b2"], columns=["b1", "b2"])
    pd.testing.assert_frame_equal(frame, expected)
    assert shared.loc["b1", "b1"] == 4 and shared.loc["b2", "b1"] == 1
    with pytest.raises(ValueError, match="measure"):
        client({}).overlap_matrix(["b1"], measure="cosine")


def test_customer_360_splits_the_profile_from_its_lists():
    with client({"data": {"customer": dict(CUSTOMER)}}) as hub:
        c360 = hub.customer_360("c1")
    assert c360.profile == {"customerId": "c1", "name": "Ann"}
    assert list(c360.identities["account.platform"]) == ["wechat"]
    assert list(c360.purchases["brand.brandId"]) == ["b1"]
    assert c360.tags.empty and c360.complaints.empty


def test_errors_raise_with_their_code():
    refused = {"errors": [{"message": "no customer", "extensions": {"code": "NOT_FOUND"}}]}
    with client(refused) as hub, pytest.raises(HubError) as e:
        hub.customer_360("nope")
    assert (e.value.code, e.value.status) == ("NOT_FOUND", 200)
    unauthenticated = {"errors": [{"message": "no key", "extensions": {"code": "UNAUTHENTICATED"}}]}
    with client(unauthenticated, status=401) as hub, pytest.raises(HubError) as e:
        hub.execute("{ apiKeys { id } }")
    assert (e.value.code, e.value.status) == ("UNAUTHENTICATED", 401)
