"""Customer reads: the customer-360 by key or by identity, and pages of customers."""

import re
from dataclasses import dataclass
from typing import Any

from graph import dialect, reads
from graph.identity_keys import contact_key
from graph.merge import survivors
from graph.rules import Compiled
from graph.store import Record
from identity.contact import normalise_email, normalise_phone
from resolvers.context import Context
from resolvers.errors import ApiError, bad_input, forbidden, not_found
from resolvers.ids import decode_key_cursor
from resolvers.plan import EntityPlan
from resolvers.principal import Role

# Filters compared as they are, and those that need per-customer computed values.
PLAIN_FILTERS = ("country", "region", "platform", "tag", "segment", "brand", "profile_loaded")
COMPUTED_FILTERS = (
    "spend_min", "spend_max", "active_from", "active_until", "consent_brand", "consent_purpose",
)  # fmt: skip
# Sorts by personal data: their order, and the sort key each cursor carries, would undo
# the analyst's pseudonyms (schema/personal.py), so analysts may not use them.
PERSONAL_SORTS = frozenset({"name"})
SEARCH_LIMIT = 10_000  # customers a search narrows to, at most (documented)
SEARCH_MAX_WORDS = 10  # Neo4j's full-text automaton refuses very long prefixes
SEARCH_MAX_WORD_LENGTH = 50


@dataclass(frozen=True)
class CustomerQuery:
    """A validated `customers(...)` request: filters as statement parameters, the sort,
    and the search text (None: no search)."""

    filters: dict[str, Any]
    sort: str = "id"
    descending: bool = False
    search: str | None = None
    where: Compiled | None = None  # the compiled `where` rule (resolvers/rules.py)
    where_raw: Any = None  # as given, for group-by aggregates over the same customers

    @property
    def rule_lines(self) -> tuple[str, ...]:
        return tuple(self.where.where()) if self.where is not None else ()

    @property
    def computed(self) -> bool:
        return any(self.filters.get(k) is not None for k in COMPUTED_FILTERS)


async def customer_360(ctx: Context, key: str, plan: EntityPlan) -> Record:
    """The customer's record with the fetches of ``plan``: the survivor's when ``key`` was
    merged into another customer (docs/identity.md). Raises NOT_FOUND."""
    record = await ctx.loaders.customers.load((key, plan.fetches))
    if record is None:  # the alias is looked up only on a miss: hits cost nothing more
        survivor = (await survivors(ctx.store, [key])).get(key)
        if survivor is not None:
            record = await ctx.loaders.customers.load((survivor, plan.fetches))
    if record is None:
        raise not_found("customer", key)
    return released(ctx, record)


def released(ctx: Context, record: Record) -> Record:
    """``record``, noted in the request's audit trail; FORBIDDEN when the customer's
    processing is restricted (docs/privacy.md) and the caller is not an admin."""
    if record.get("restricted_at") is not None and not ctx.principal.sees_restricted:
        raise restricted()
    ctx.audit.customers_read([record["id"]])
    return record


def restricted() -> ApiError:
    """The refusal of a customer whose processing is restricted, to a non-admin."""
    return forbidden("processing of this customer's data is restricted", reason="RESTRICTED")


IDENTITY_HEADS = {
    "account": reads.CUSTOMER_BY_ACCOUNT_HEAD,
    "email": reads.CUSTOMER_BY_EMAIL_HEAD,
    "phone": reads.CUSTOMER_BY_PHONE_HEAD,
    "external_id": reads.CUSTOMER_BY_EXTERNAL_ID_HEAD,
}


def identity_params(kind: str, value: str, platform: str | None) -> dict[str, Any]:
    """Parameters of the identity lookup; emails and phones are looked up by their key,
    normalised as the loaders and identity resolution normalise them (a phone needs its
    country code: nothing here says where it was written). Raises BAD_USER_INPUT."""
    if kind == "email":
        email = normalise_email(value)
        if email is None:
            raise bad_input(f"{value!r} is not an email address", "identity.email")
        return {"hash": contact_key(email)}
    if kind == "phone":
        phone = normalise_phone(value.strip(), None)
        if phone is None:
            raise bad_input(
                "not a phone number with its country code (+86 138 1234 5678)", "identity.phone"
            )
        return {"hash": contact_key(phone)}
    if kind == "account":
        return {"platform": platform, "handle": value}
    return {"external_id": value}


async def customer_by_identity(
    ctx: Context, kind: str, params: dict[str, Any], plan: EntityPlan
) -> Record:
    """The one customer an identity belongs to, in one statement; NOT_FOUND when none.
    An email or phone shared by several customers is ambiguous: BAD_USER_INPUT."""
    query, fetch_params = reads.customers_statement(IDENTITY_HEADS[kind], plan.fetches)
    rows = await ctx.store.read(query, {**params, **fetch_params})
    if not rows:
        raise not_found("customer with that identity", kind)
    if len(rows) > 1:
        raise bad_input(
            f"that {kind} belongs to {len(rows)} customers; look them up by id", "identity"
        )
    record: Record = rows[0]["entity"]
    ctx.loaders.customer_fetched(record, plan.fetches)
    ctx.loaders.customers.prime((record["id"], plan.fetches), record)
    return released(ctx, record)


_WORD = re.compile(r"\w+", re.UNICODE)


async def search_ids(ctx: Context, text: str) -> list[str]:
    """Ids of customers whose name, or a linked account's handle or display name, has
    words starting with each word of ``text`` (at most SEARCH_LIMIT)."""
    words = _WORD.findall(text)
    if not words:
        raise bad_input("search needs at least one letter or digit", "filter.search")
    if len(words) > SEARCH_MAX_WORDS or max(map(len, words)) > SEARCH_MAX_WORD_LENGTH:
        raise bad_input(
            f"search takes at most {SEARCH_MAX_WORDS} words of at most "
            f"{SEARCH_MAX_WORD_LENGTH} characters each",
            "filter.search",
        )
    statement, query = dialect.customer_search(ctx.store.engine, words)
    rows = await ctx.store.read(statement, {"query": query, "limit": SEARCH_LIMIT})
    return [r["id"] for r in rows]


def refuse_personal_lookups(ctx: Context, q: CustomerQuery) -> None:
    """FORBIDDEN (naming the argument) when an analyst searches or sorts customers by
    personal data: finding people by name, or ordering them by it, would undo the
    pseudonymisation."""
    if ctx.principal.role is not Role.ANALYST:
        return
    if q.search is not None:
        raise forbidden("analysts cannot search customers by name", argument="filter.search")
    if q.sort in PERSONAL_SORTS:
        raise forbidden(
            f"analysts cannot sort customers by {q.sort} (personal data); sort by ID, "
            "CREATED_AT, SPEND or LAST_ACTIVITY",
            argument="sort.field",
        )


async def _params(ctx: Context, q: CustomerQuery) -> dict[str, Any]:
    refuse_personal_lookups(ctx, q)
    params = {k: q.filters.get(k) for k in (*PLAIN_FILTERS, *COMPUTED_FILTERS)}
    params["ids"] = await search_ids(ctx, q.search) if q.search is not None else None
    if q.where is not None:
        params |= q.where.params
    # Restricted customers are left out of lists, except for admins.
    params["include_restricted"] = ctx.principal.sees_restricted
    return params


async def customers_page(
    ctx: Context, q: CustomerQuery, plan: EntityPlan, first: int, after: str | None
) -> tuple[list[Record], bool]:
    """One statement for the page and every selected part (two with a search); returns
    (records in page order, each with its sort key `sk`, has_next)."""
    key = decode_key_cursor(after, f"customers:{q.sort}") if after is not None else None
    if key is not None and len(key) != 2:
        raise bad_input(f"{after!r} is not a cursor of this list", "after")
    head = reads.customers_page_head(q.sort, q.descending, q.computed, q.rule_lines)
    query, fetch_params = reads.customers_statement(head, plan.fetches, carry=("sk",))
    params = {**await _params(ctx, q), "after": key, "limit": first + 1, **fetch_params}
    rows = await ctx.store.read(query, params)
    records = [r["entity"] for r in rows]
    records.sort(key=lambda e: (e["sk"], str(e["id"])), reverse=q.descending)
    for record in records:
        ctx.loaders.customer_fetched(record, plan.fetches)
        ctx.loaders.customers.prime((record["id"], plan.fetches), record)
    ctx.audit.customers_read(r["id"] for r in records[:first])
    return records[:first], len(records) > first


async def count_customers(ctx: Context, q: CustomerQuery) -> int:
    """How many customers match, counted in the database (no node is returned)."""
    query = reads.customers_count(q.computed, q.rule_lines)
    rows = await ctx.store.read(query, await _params(ctx, q))
    return int(rows[0]["total"]) if rows else 0
