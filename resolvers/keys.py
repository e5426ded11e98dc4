"""API keys: create, list, revoke (for `hub keys` and admins), and check a presented key.

A key reads `hub_<id>_<secret>`: the id finds the record, the secret (256 random bits) is
compared with the stored SHA-256 in constant time. The secret is shown once, at creation;
an unsalted hash is enough because the secret is random, not chosen by a person.
"""

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

from graph import keys as q
from graph.store import GraphStore, Record
from resolvers.principal import PURPOSES, Principal, Role

KEY_PATTERN = re.compile(r"hub_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
NAME_MAX = 100


class KeyRequestError(ValueError):
    """A key cannot be created as asked; the message says which argument and why."""

    def __init__(self, message: str, argument: str) -> None:
        super().__init__(message)
        self.argument = argument


@dataclass(frozen=True)
class ApiKeyInfo:
    id: str
    name: str
    role: Role
    partner_brand_id: str | None
    purposes: tuple[str, ...]
    created_at: int
    revoked_at: int | None
    # When a rotated key stops working (rotate_key): the end of its grace period.
    expires_at: int | None = None

    @classmethod
    def from_record(cls, r: Record) -> "ApiKeyInfo":
        return cls(
            id=r["id"], name=r["name"], role=Role(r["role"]),
            partner_brand_id=r["partner_brand_id"], purposes=tuple(r["purposes"] or ()),
            created_at=r["created_at"], revoked_at=r["revoked_at"],
            expires_at=r.get("expires_at"),
        )  # fmt: skip


@dataclass(frozen=True)
class NewKey:
    info: ApiKeyInfo
    key: str  # the whole key, to hand to its user once; never stored or logged


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class KeyMaterial:
    """A fresh key's id and secret, and the digest that is all the graph keeps of it."""

    id: str
    secret: str

    @classmethod
    def new(cls) -> "KeyMaterial":
        return cls(secrets.token_hex(8), secrets.token_urlsafe(32))

    @property
    def digest(self) -> str:
        return _sha256(self.secret)

    @property
    def whole(self) -> str:
        """The key its user presents: `hub_<id>_<secret>`."""
        return f"hub_{self.id}_{self.secret}"


async def create_key(
    store: GraphStore,
    name: str,
    role: Role,
    partner_brand_id: str | None = None,
    purposes: Iterable[str] = (),
) -> NewKey:
    """A new key; raises KeyRequestError for a bad name, role/partner mismatch, unknown
    partner brand or purpose, or a purpose its onboarded partner is not allowed."""
    name = name.strip()
    if not 0 < len(name) <= NAME_MAX:
        raise KeyRequestError(f"name must be 1 to {NAME_MAX} characters", "name")
    wanted = tuple(sorted(set(purposes)))
    unknown = [p for p in wanted if p not in PURPOSES]
    if unknown:
        raise KeyRequestError(
            f"unknown purposes {unknown}; known: {', '.join(PURPOSES)}", "purposes"
        )
    if role is Role.PARTNER:
        if not partner_brand_id:
            raise KeyRequestError("a partner key needs the partner's brand id", "partner")
        if not wanted:
            raise KeyRequestError("a partner key needs at least one purpose", "purposes")
        brand = await store.read(q.BRAND_EXISTS, {"id": partner_brand_id})
        if not brand:
            raise KeyRequestError(f"no brand with id {partner_brand_id!r}", "partner")
        allowed = brand[0]["allowed_purposes"]
        refused = [p for p in wanted if allowed is not None and p not in allowed]
        if refused:
            raise KeyRequestError(
                f"partner {partner_brand_id!r} was onboarded without purposes {refused}",
                "purposes",
            )
    elif partner_brand_id:
        raise KeyRequestError("only partner keys name a partner brand", "partner")
    material = KeyMaterial.new()
    now = int(time.time() * 1000)
    await store.write(
        q.CREATE_KEY,
        {
            "id": material.id, "name": name, "role": role.value,
            "partner_brand_id": partner_brand_id, "purposes": list(wanted),
            "secret_sha256": material.digest, "now": now,
        },
    )  # fmt: skip
    info = ApiKeyInfo(material.id, name, role, partner_brand_id, wanted, now, None)
    return NewKey(info, material.whole)


@dataclass(frozen=True)
class RotatedKey:
    new: NewKey
    previous_expires_at: int  # when the key it replaces stops working (epoch ms)


class KeyRotationError(ValueError):
    """The presented key cannot be rotated; the message says why (no secret in it)."""


async def rotate_key(store: GraphStore, principal: Principal, grace_ms: int) -> RotatedKey:
    """A new key for the partner whose API key ``principal`` authenticated with (same name,
    partner and purposes); the old key stops working ``grace_ms`` from now. Raises
    KeyRotationError when the principal is not a partner's API key, or that key is revoked
    or was rotated already (so one key yields one successor)."""
    api_key = principal.via == "api_key" and principal.subject.startswith("key:")
    if principal.role is not Role.PARTNER or not api_key:
        raise KeyRotationError("only a partner's API key can be rotated this way")
    material = KeyMaterial.new()
    now = int(time.time() * 1000)
    rows, _ = await store.write_returning(
        q.ROTATE_KEY,
        {
            "old_id": principal.subject.removeprefix("key:"),
            "partner": principal.partner_brand_id, "new_id": material.id,
            "secret_sha256": material.digest, "now": now, "expires_at": now + grace_ms,
        },
    )  # fmt: skip
    if not rows:
        raise KeyRotationError("this key was rotated or revoked already; use its successor")
    new = NewKey(ApiKeyInfo.from_record(rows[0]), material.whole)
    return RotatedKey(new, int(rows[0]["old_expires_at"]))


async def list_keys(store: GraphStore) -> list[ApiKeyInfo]:
    return [ApiKeyInfo.from_record(r) for r in await store.read(q.LIST_KEYS)]


async def revoke_key(store: GraphStore, key_id: str) -> bool:
    """Revoke the key (idempotent); False when there is no such key."""
    rows, _ = await store.write_returning(
        q.REVOKE_KEY, {"id": key_id, "now": int(time.time() * 1000)}
    )
    return bool(rows)


async def revoke_keys_named(store: GraphStore, name: str) -> int:
    rows, _ = await store.write_returning(
        q.REVOKE_KEYS_NAMED, {"name": name, "now": int(time.time() * 1000)}
    )
    return int(rows[0]["revoked"]) if rows else 0


def parse_key(presented: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed key, else None."""
    match = KEY_PATTERN.fullmatch(presented)
    return (match.group(1), match.group(2)) if match else None


async def principal_for_key(store: GraphStore, presented: str) -> Principal | None:
    """The principal of a live key; None for a malformed, unknown, revoked, expired (a
    rotated key after its grace period) or wrong key."""
    parsed = parse_key(presented)
    if parsed is None:
        return None
    key_id, secret = parsed
    rows = await store.read(q.KEY_BY_ID, {"id": key_id})
    if not rows or rows[0]["revoked_at"] is not None:
        return None
    expires_at = rows[0]["expires_at"]
    if expires_at is not None and expires_at <= int(time.time() * 1000):
        return None
    record = rows[0]
    if not hmac.compare_digest(_sha256(secret), record["secret_sha256"]):
        return None
    return Principal(
        subject=f"key:{key_id}",
        role=Role(record["role"]),
        partner_brand_id=record["partner_brand_id"],
        purposes=frozenset(record["purposes"] or ()),
        via="api_key",
    )
