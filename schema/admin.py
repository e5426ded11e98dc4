"""Admin operations: API keys and the audit log (consent and data-subject operations live
in schema/consent.py and schema/subject.py)."""

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import keys
from resolvers.audit_log import AUDIT_CURSOR, AuditQuery, audit_page
from resolvers.context import Context, Record
from resolvers.errors import bad_input
from resolvers.ids import encode_key_cursor
from resolvers.principal import Role
from resolvers.selection import to_epoch_ms
from schema.base import After, PageInfo, ms_to_datetime
from schema.purpose import Purpose, from_stored, stored

# Registers the resolvers' Role enum with Strawberry (in place), so fields can name it.
strawberry.enum(Role, name="Role", description="What a caller may do (docs/security.md).")


@strawberry.type(description="An API key (its secret is never shown again after creation).")
class ApiKey:
    key_id: str = strawberry.field(description="The key's id: the part after `hub_`.")
    name: str = strawberry.field(description="What the key is for.")
    role: Role = strawberry.field(description="The role it acts in.")
    partner_brand_id: str | None = strawberry.field(description="The partner brand (partners).")
    purposes: list[Purpose] = strawberry.field(description="Purposes it may pull data for.")
    created_at: datetime = strawberry.field(description="When it was created.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")
    expires_at: datetime | None = strawberry.field(
        description="When it stops working, if it was rotated (the end of its grace period)."
    )

    @classmethod
    def from_info(cls, k: keys.ApiKeyInfo) -> "ApiKey":
        return cls(
            key_id=k.id, name=k.name, role=k.role, partner_brand_id=k.partner_brand_id,
            purposes=from_stored(k.purposes), created_at=ms_to_datetime(k.created_at),  # type: ignore[arg-type]
            revoked_at=ms_to_datetime(k.revoked_at), expires_at=ms_to_datetime(k.expires_at),
        )  # fmt: skip


@strawberry.type(description="A new API key with its secret, shown this once.")
class CreatedApiKey:
    key: str = strawberry.field(description="The whole key to hand to its user; keep it secret.")
    api_key: ApiKey = strawberry.field(description="The key's record.")


@strawberry.input(description="A new API key.")
class CreateApiKeyInput:
    name: str = strawberry.field(description="What the key is for (1-100 characters).")
    role: Role = strawberry.field(description="The role it acts in.")
    partner_brand_id: str | None = strawberry.field(
        default=None, description="Partner keys: the partner's brand id."
    )
    purposes: list[Purpose] = strawberry.field(
        default_factory=list, description="Partner keys: purposes it may pull data for."
    )


@strawberry.type(description="One recorded read or act (who, what, about whom).")
class AuditEntry:
    entry_id: str = strawberry.field(description="The entry's id.")
    at: datetime = strawberry.field(description="When the request ran.")
    subject: str = strawberry.field(description="Who: `key:<id>` or `jwt:<subject>`.")
    role: str = strawberry.field(description="The role it acted in.")
    partner_id: str | None = strawberry.field(description="The partner brand, for partners.")
    purpose: Purpose | None = strawberry.field(description="The purpose, for partner pulls.")
    query_hash: str = strawberry.field(description="sha256 of the GraphQL document's text.")
    operation: str | None = strawberry.field(description="The operation's name, if given.")
    kinds: list[str] = strawberry.field(
        description="What it was: customer_read, partner_pull, export, erase, consent_grant..."
    )
    customer_ids: list[str] = strawberry.field(
        description="Customers whose data it read or acted on (for partner pulls, those "
        "whose pseudonyms were handed out)."
    )


@strawberry.type(description="A page of the audit log, newest first.")
class AuditLogPage:
    nodes: list[AuditEntry] = strawberry.field(description="The entries of this page.")
    page_info: PageInfo = strawberry.field(description="Pass `endCursor` as `after` for more.")


@strawberry.input(description="Narrow the audit log; all given conditions must hold.")
class AuditFilter:
    subject: str | None = strawberry.field(default=None, description="Only this caller.")
    role: Role | None = strawberry.field(default=None, description="Only this role.")
    partner_id: str | None = strawberry.field(default=None, description="Only this partner.")
    customer_id: str | None = strawberry.field(
        default=None, description="Only entries naming this customer."
    )
    kind: str | None = strawberry.field(default=None, description="Only entries of this kind.")
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="At or after this time."
    )
    until: datetime | None = strawberry.field(default=None, description="Before this time.")


def _entry(r: Record) -> AuditEntry:
    return AuditEntry(
        entry_id=r["id"], at=ms_to_datetime(r["at"]), subject=r["subject"],  # type: ignore[arg-type]
        role=r["role"], partner_id=r.get("partner_id"),
        purpose=Purpose(r["purpose"]) if r.get("purpose") is not None else None,
        query_hash=r["query_hash"], operation=r.get("operation"),
        kinds=list(r.get("kinds") or []), customer_ids=list(r.get("customer_ids") or []),
    )  # fmt: skip


AuditFirst = Annotated[int, strawberry.argument(description="Page size (at most the maximum).")]


@strawberry.type
class AdminQueries:
    @strawberry.field(description="The audit log, newest first (admins).")
    async def audit_log(
        self,
        info: Info[Context, None],
        filter: Annotated[
            AuditFilter | None, strawberry.argument(description="Conditions.")
        ] = None,
        first: AuditFirst = 50,
        after: After = None,
    ) -> AuditLogPage:
        f = filter or AuditFilter()
        query = AuditQuery(
            subject=f.subject, role=f.role.value if f.role else None, partner_id=f.partner_id,
            customer_id=f.customer_id, kind=f.kind,
            from_ms=to_epoch_ms(f.from_, "filter.from") if f.from_ else None,
            until_ms=to_epoch_ms(f.until, "filter.until") if f.until else None,
        )  # fmt: skip
        rows, has_next = await audit_page(info.context, query, first, after)
        nodes = [_entry(r) for r in rows]
        cursors = [encode_key_cursor(AUDIT_CURSOR, (r["at"], r["id"])) for r in rows]
        return AuditLogPage(
            nodes=nodes,
            page_info=PageInfo.of(cursors, has_next, after is not None),
        )

    @strawberry.field(description="Every API key, revoked ones too (admins).")
    async def api_keys(self, info: Info[Context, None]) -> list[ApiKey]:
        return [ApiKey.from_info(k) for k in await keys.list_keys(info.context.store)]


@strawberry.type
class AdminMutations:
    @strawberry.mutation(description="Create an API key; its secret is in the answer, once.")
    async def create_api_key(
        self,
        info: Info[Context, None],
        input: Annotated[CreateApiKeyInput, strawberry.argument(description="The key.")],
    ) -> CreatedApiKey:
        try:
            new = await keys.create_key(
                info.context.store, input.name, Role(input.role), input.partner_brand_id,
                stored(input.purposes),
            )  # fmt: skip
        except keys.KeyRequestError as e:
            raise bad_input(str(e), f"input.{e.argument}") from None
        info.context.audit.note("key_create")
        return CreatedApiKey(key=new.key, api_key=ApiKey.from_info(new.info))

    @strawberry.mutation(description="Revoke an API key (idempotent); false if there is none.")
    async def revoke_api_key(
        self,
        info: Info[Context, None],
        key_id: Annotated[str, strawberry.argument(description="The key's id.")],
    ) -> bool:
        info.context.audit.note("key_revoke")
        return await keys.revoke_key(info.context.store, key_id)
