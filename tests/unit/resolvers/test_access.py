from resolvers.access import ROLE_LIMITS, ROOT_ACCESS, may_call
from resolvers.principal import Role
from schema import build_schema


def test_every_root_field_of_the_schema_is_in_the_access_table_and_nothing_else_is():
    # The schema as it is served, and as a federation subgraph (its `_service`, `_entities`).
    fields = {
        (kind, name)
        for schema in (build_schema()._schema, build_schema(federation=True)._schema)
        for kind, root in (
            ("query", schema.query_type),
            ("mutation", schema.mutation_type),
            ("subscription", schema.subscription_type),
        )
        if root is not None
        for name in root.fields
    }
    assert fields == set(ROOT_ACCESS)


# What apps record (docs/operations.md); every other mutation is for admins.
APP_WRITES = {"upsertCustomer", "tagCustomer", "untagCustomer", "recordContact", "recordPurchase",
              "recordInteraction", "openComplaint", "assignComplaint", "respondToComplaint",
              "escalateComplaint", "resolveComplaint", "reopenComplaint"}  # fmt: skip


# What analysts define (docs/audiences.md): derived records, and campaigns, whose only
# customer data is the contact each treated member gets (no free text).
ANALYST_WRITES = {"defineTrait", "saveAudience", "refreshAudience", "launchCampaign",
                  "saveLoyaltyProgram", "refreshLoyaltyProgram"}  # fmt: skip

# A partner's one write: replacing its own key (docs/partner.md, "Onboarding").
PARTNER_WRITES = {"rotateMyKey"}


def test_mutations_are_for_admins_and_apps_and_the_partner_api_for_partners_only():
    for (kind, name), roles in ROOT_ACCESS.items():
        if kind == "mutation":
            if name in APP_WRITES:
                assert roles == {Role.APP, Role.ADMIN}, name
            elif name in ANALYST_WRITES:
                assert roles == {Role.ANALYST, Role.ADMIN}, name
            elif name in PARTNER_WRITES:
                assert roles == {Role.PARTNER}, name
            else:
                assert roles == {Role.ADMIN}, name
    assert ROOT_ACCESS[("query", "partner")] == {Role.PARTNER}
    assert not may_call(Role.PARTNER, "query", "customer")
    assert not may_call(Role.APP, "query", "no_such_field")


def test_partners_get_the_tightest_limits_and_no_introspection():
    partner = ROLE_LIMITS[Role.PARTNER]
    assert not partner.introspection
    for role, limits in ROLE_LIMITS.items():
        assert partner.max_cost <= limits.max_cost and partner.max_depth <= limits.max_depth, role
