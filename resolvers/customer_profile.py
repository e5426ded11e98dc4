"""upsertCustomer (apps and admins; docs/operations.md, "Profiles"): set a customer's
profile fields, creating the customer when unknown.

Each field keeps where its value came from and when (``field_sources`` on the customer:
JSON ``{field: [source, at]}``), and which value a field keeps is decided by the
survivorship rules of identity merges (identity/survivorship.py ``surviving_fields``):
the more trusted source, then the more recent value; an empty value never replaces one.
A field loaded from a file has no provenance of its own: it counts as the record's
``source`` (none: the least trusted) at its ``updated_at``.

No lost update: the decision is made on the profile as read, and the write is refused
(``stale``) when the profile's version moved meanwhile; it is then decided again on what
is there now, up to ``ATTEMPTS`` times, before CONFLICT.
"""

from collections.abc import Mapping
from typing import Any

import orjson

from graph import customer_writes as q
from graph.errors import GraphQueryError
from graph.identity_keys import KEY_VERSION
from identity.survivorship import SOURCE_TRUST, FieldClaim, surviving_fields
from loaders import kinds
from resolvers.consent import key_of
from resolvers.context import Context
from resolvers.customer_writes import camel, restricted, validated
from resolvers.errors import ApiError, ErrorCode, bad_input
from resolvers.mutations import Outcome, Write, run_write

ATTEMPTS = 5
# The profile fields a write may give (the CRM export's columns, docs/loading.md).
PROFILE_FIELDS = tuple(f for f in kinds.Customer.model_fields if f not in ("id", "created_at"))
# Kept with the field they are derived from: written when it wins.
DERIVED = {"email": ("email_hash",), "phone": ("phone_hash",)}
FUTURE_SLACK_MS = 5 * 60_000  # a source's clock may run this far ahead of the hub's


class Stale(ApiError):
    """The profile changed between the read and the write."""

    def __init__(self) -> None:
        super().__init__(
            "the customer's profile kept changing while this write was decided; try again",
            ErrorCode.CONFLICT,
        )


def current_claims(props: Mapping[str, Any] | None) -> tuple[dict[str, FieldClaim], int]:
    """The stored profile as claims per field, and its version (0: no customer yet)."""
    if props is None:
        return {}, 0
    sources = orjson.loads(props["field_sources"]) if props.get("field_sources") else {}
    record_source = props.get("source")
    record_at = int(props.get("updated_at") or props.get("created_at") or 0)
    claims = {}
    for name in (*PROFILE_FIELDS, "email_hash", "phone_hash"):
        source, at = sources.get(name, (record_source, record_at))
        claims[name] = FieldClaim(props.get(name), source, int(at))
    return claims, int(props.get("profile_version") or 0)


def written(
    current: Mapping[str, FieldClaim], won: Mapping[str, FieldClaim]
) -> tuple[dict[str, Any], str]:
    """(the properties a write sets for the claims that ``won``, the profile's provenance
    after it as JSON ``{field: [source, at]}``)."""
    sources = {name: [c.source, c.at] for name, c in current.items() if c.value is not None}
    sources |= {name: [c.source, c.at] for name, c in won.items()}
    props: dict[str, Any] = {name: c.value for name, c in won.items()}
    if won.keys() & {"email_hash", "phone_hash"}:
        props["key_version"] = KEY_VERSION  # the keys were computed the current way
    return props, orjson.dumps(sources, option=orjson.OPT_SORT_KEYS).decode()


def claims_given(values: Mapping[str, Any], source: str | None, at: int) -> dict[str, FieldClaim]:
    """The profile fields among ``values`` (with the keys derived from them) as claims."""
    names = [n for n in PROFILE_FIELDS if values.get(n) is not None]
    names += [d for n in names for d in DERIVED.get(n, ())]
    return {n: FieldClaim(values.get(n), source, at) for n in names}


def profile_write(
    customer: str, incoming: Mapping[str, FieldClaim], current: Mapping[str, FieldClaim],
    version: int, created: bool,
) -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
    """(the statement's `$profile`, the client's result) for the fields that win."""
    won = surviving_fields(current, incoming)
    props, sources = written(current, won)
    fields = []
    for name in sorted(n for n in incoming if n in PROFILE_FIELDS):
        kept = won.get(name) or current.get(name, FieldClaim(None, None, 0))
        fields.append({"field": camel(name), "source": kept.source, "at": kept.at,
                       "applied": name in won})  # fmt: skip
    profile = {"props": props, "version": version, "sources": sources,
               "row_hash": f"api:{customer}"}  # fmt: skip
    return profile, {"customer_id": customer, "created": created, "fields": fields}


async def upsert_customer(
    ctx: Context, operation: Any, customer_id: str, source: str, observed_at: int | None,
    fields: Mapping[str, Any], key: str | None,
) -> Outcome:  # fmt: skip
    """Set the profile fields that win, creating the customer when unknown; ``result``:
    ``{customer_id, created, fields: [{field, source, at, applied}]}``. Raises ApiError:
    BAD_USER_INPUT, ERASED, RESTRICTED, IDEMPOTENCY_KEY_REUSED, CONFLICT."""
    customer = key_of("Customer", customer_id, "input.customerId")
    if source not in SOURCE_TRUST:
        raise bad_input(f"must be one of {', '.join(SOURCE_TRUST)}", "input.source")
    given = {k: v for k, v in fields.items() if v is not None}
    if not given:
        raise bad_input("give at least one profile field", "input")
    record = validated(
        kinds.Customer, {**given, "id": customer},
        {name: "input." + camel(name) for name in kinds.Customer.model_fields},
    )  # fmt: skip
    now = ctx.clock()
    if observed_at is not None and observed_at > now + FUTURE_SLACK_MS:
        raise bad_input("must not be in the future", "input.observedAt")
    at = now if observed_at is None else observed_at
    incoming = claims_given(record.props(), source, at)
    asked = {"customer_id": customer, "source": source, "observed_at": observed_at,
             "fields": {n: c.value for n, c in sorted(incoming.items())}}  # fmt: skip
    refusals = {"restricted": restricted, "stale": lambda _: Stale()}
    for _ in range(ATTEMPTS):
        rows = await ctx.store.read(q.CUSTOMER_PROFILE, {"customer": customer})
        current, version = current_claims(rows[0]["props"] if rows else None)
        profile, result = profile_write(customer, incoming, current, version, not rows)
        changed = [f["field"] for f in result["fields"] if f["applied"]]
        event = {
            "customer_id": customer,
            "source": source,
            "created": not rows,
            "fields": changed,
        }  # fmt: skip names only: the values are personal data
        write = Write("upsertCustomer", "customer.upserted", asked, result, event,
                      (customer,), ("customer", customer))  # fmt: skip
        try:
            return await run_write(
                ctx, operation, q.UPSERT_CUSTOMER, {"customer": customer, "profile": profile},
                write, key, refusals,
            )  # fmt: skip
        except Stale:
            continue
        except GraphQueryError as e:
            if "already exists" not in str(e):  # another writer created the customer first
                raise
    raise Stale()
