"""What a partner was onboarded with, and the check every partner field makes of it."""

import pytest

from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.partner import partner_scope
from resolvers.partner_policy import PartnerPolicy, PolicyError, read_dimensions, read_purposes
from resolvers.principal import Principal, Role

PAVO = Principal("key:p", Role.PARTNER, partner_brand_id="bP",
                 purposes=frozenset({"partner_sharing", "marketing"}))  # fmt: skip


def test_choices_are_sorted_deduplicated_and_known():
    assert read_dimensions(["tag", "region", "tag"]) == ["region", "tag"]
    assert read_purposes(["partner_sharing"]) == ["partner_sharing"]
    with pytest.raises(PolicyError, match="unknown dimensions") as e:
        read_dimensions(["region", "colour"])
    assert e.value.argument == "dimensions"
    with pytest.raises(PolicyError, match="at least one"):
        read_purposes([])


def test_a_policy_limits_only_what_it_names():
    unlimited = PartnerPolicy.from_stored(None, None)
    assert unlimited.allows_purpose("marketing") and unlimited.allows_dimension("segment")
    policy = PartnerPolicy.from_stored(["partner_sharing"], ["region"])
    assert policy.allows_purpose("partner_sharing") and not policy.allows_purpose("marketing")
    assert policy.allows_dimension("region") and not policy.allows_dimension("tag")


def test_partner_scope_refuses_what_the_policy_does_not_allow():
    ctx = Context(store=None, principal=PAVO)  # type: ignore[arg-type]  # no statement runs
    assert partner_scope(ctx, "marketing", "tag") == "bP"  # not onboarded: not limited
    ctx.partner_policy = PartnerPolicy.from_stored(["partner_sharing"], ["region"])
    assert partner_scope(ctx, "partner_sharing", "region") == "bP"
    for purpose, dimension, argument in (
        ("marketing", None, "purpose"), ("partner_sharing", "tag", "dimension"),
    ):  # fmt: skip
        with pytest.raises(ApiError) as refused:
            partner_scope(ctx, purpose, dimension)
        assert refused.value.extensions == {"code": "FORBIDDEN", "argument": argument}
