"""Onboarding a partner brand in one step, for `hub partners create` and the admin
mutation `createPartner` (docs/partner.md, "Onboarding"): its allowed purposes and
dimensions, its daily quotas and its first API key, written in one statement."""

from collections.abc import Iterable
from dataclasses import dataclass

from graph import partner_onboarding as q
from graph.store import GraphStore
from resolvers.clock import now_ms
from resolvers.keys import NAME_MAX, ApiKeyInfo, KeyMaterial, NewKey
from resolvers.partner import new_salt
from resolvers.partner_policy import PartnerPolicy, read_dimensions, read_purposes
from resolvers.partner_policy import PolicyError as PolicyError
from resolvers.principal import Role


class AlreadyOnboarded(PolicyError):
    """The partner was onboarded before; its settings are changed one by one instead."""


@dataclass(frozen=True)
class Onboarded:
    partner: str
    purposes: tuple[str, ...]
    dimensions: tuple[str, ...]
    requests_per_day: int | None  # None: the hub's default
    matches_per_day: int | None
    key: NewKey  # the partner's first key, whose secret is shown once


async def onboard_partner(
    store: GraphStore, partner: str, purposes: Iterable[str], dimensions: Iterable[str],
    requests_per_day: int | None = None, matches_per_day: int | None = None,
    key_name: str | None = None,
) -> Onboarded:  # fmt: skip
    """Onboard brand ``partner``: allowed ``purposes`` and ``dimensions`` (each at least
    one), its own quotas (None: the hub's default) and a partner key named ``key_name``
    (default: "<brand> partner key"). Raises PolicyError (naming the argument) for a bad
    value or an unknown brand, AlreadyOnboarded when it was onboarded before."""
    allowed_purposes = read_purposes(purposes)
    allowed_dimensions = read_dimensions(dimensions)
    for name, quota in (("requests", requests_per_day), ("matches", matches_per_day)):
        if quota is not None and quota < 1:
            raise PolicyError(f"{name} per day must be at least 1", name)
    name = (key_name if key_name is not None else f"{partner} partner key").strip()
    if not 0 < len(name) <= NAME_MAX:
        raise PolicyError(f"the key name must be 1 to {NAME_MAX} characters", "name")
    state = (await store.read(q.ONBOARDING_STATE, {"partner": partner}))[0]
    if not state["brand_found"]:
        raise PolicyError(f"no brand with id {partner!r} (load it first)", "partner")
    if state["onboarded_at"] is not None:
        raise _already(partner)
    material = KeyMaterial.new()
    now = now_ms()
    rows, _ = await store.write_returning(
        q.ONBOARD_PARTNER,
        {
            "partner": partner, "salt": new_salt(), "now": now,
            "purposes": allowed_purposes, "dimensions": allowed_dimensions,
            "requests_per_day": requests_per_day, "matches_per_day": matches_per_day,
            "key": {"id": material.id, "name": name, "secret_sha256": material.digest},
        },
    )  # fmt: skip
    if not rows:  # onboarded (or deleted) between the read and the write
        raise _already(partner)
    info = ApiKeyInfo(material.id, name, Role.PARTNER, partner, tuple(allowed_purposes), now, None)
    return Onboarded(
        partner, tuple(allowed_purposes), tuple(allowed_dimensions), requests_per_day,
        matches_per_day, NewKey(info, material.whole),
    )  # fmt: skip


async def set_policy(
    store: GraphStore, partner: str, purposes: Iterable[str] | None,
    dimensions: Iterable[str] | None,
) -> PartnerPolicy | None:  # fmt: skip
    """Replace the allowed purposes and/or dimensions (None: keep) of ``partner``, onboarded
    or not (one never onboarded is limited from now on); its policy after, or None when
    there is no such brand. Raises PolicyError for a bad value, or when neither is given."""
    if purposes is None and dimensions is None:
        raise PolicyError("give purposes, dimensions or both", "purposes")
    rows, _ = await store.write_returning(
        q.SET_POLICY,
        {
            "partner": partner,
            "salt": new_salt(),
            "now": now_ms(),
            "purposes": read_purposes(purposes) if purposes is not None else None,
            "dimensions": read_dimensions(dimensions) if dimensions is not None else None,
        },
    )
    if not rows:
        return None
    return PartnerPolicy.from_stored(rows[0]["purposes"], rows[0]["dimensions"])


def _already(partner: str) -> AlreadyOnboarded:
    return AlreadyOnboarded(
        f"partner {partner!r} is onboarded already: change what it may pull with `hub "
        "partners allow`, its quotas with `hub partners quota`, add a key with `hub keys "
        "create`",
        "partner",
    )
