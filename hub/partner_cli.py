"""`hub partners create|show|quota|rotate-secret`: onboard a partner brand in one step, and
its pseudonym key, quotas, release ledger and live audiences, from the machine the hub
runs on (docs/partner.md)."""

from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from graph.partner import DIMENSIONS
from graph.store import GraphStore
from hub.runner import err, fail, run_with_store, settings_or_exit
from resolvers import partner
from resolvers import partner_onboarding as po
from resolvers.partner_policy import PartnerPolicy
from resolvers.partner_usage import set_quota
from resolvers.principal import PURPOSES

partners_app = typer.Typer(
    help="Partner brands: onboarding, pseudonym keys, quotas, release ledgers, audiences.",
    no_args_is_help=True,
)

BrandId = Annotated[str, typer.Argument(help="The partner's brand id.")]


def _when(ms: Any) -> str:
    if ms is None:
        return "never"
    return datetime.fromtimestamp(int(ms) / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _listed(values: frozenset[str] | None) -> str:
    return ", ".join(sorted(values)) if values is not None else "any"


@partners_app.command("create")
def create(
    brand_id: BrandId,
    purpose: Annotated[
        list[str],
        typer.Option(help=f"A purpose its keys may pull for ({', '.join(PURPOSES)}); "
                     "repeat for several."),
    ],
    dimension: Annotated[
        list[str],
        typer.Option(help=f"A dimension its aggregates may group by ({', '.join(DIMENSIONS)}); "
                     "repeat for several."),
    ],
    requests: Annotated[
        int | None, typer.Option(min=1, help="Pulls per UTC day (omit: the hub's default).")
    ] = None,
    matches: Annotated[
        int | None, typer.Option(min=1, help="List matches per UTC day (omit: the default).")
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Its first key's name (default: 'BRAND partner key').")
    ] = None,
) -> None:  # fmt: skip
    """Onboard a partner brand in one step: its allowed purposes and dimensions, its daily
    quotas and its first key, printed on stdout once (it is stored only as a hash)."""
    settings = settings_or_exit()

    async def work(store: GraphStore) -> po.Onboarded:
        return await po.onboard_partner(
            store, brand_id, purpose, dimension, requests, matches, name
        )

    try:
        done = run_with_store(settings, work)
    except po.PolicyError as e:
        if e.argument == "partner":  # an unknown brand, or one onboarded already
            fail(str(e))
        option = {"purposes": "--purpose", "dimensions": "--dimension"}
        fail(f"{option.get(e.argument, '--' + e.argument)}: {e}", code=2)
    defaults = settings.partner_quotas()
    err.print(
        f"onboarded partner {brand_id}: purposes {', '.join(done.purposes)}; dimensions "
        f"{', '.join(done.dimensions)}; {requests or defaults.requests_per_day:,} requests "
        f"and {matches or defaults.matches_per_day:,} list matches per UTC day; created key "
        f"{done.key.info.id}, shown once, below:",
        highlight=False,
    )
    typer.echo(done.key.key)


@partners_app.command("allow")
def allow(
    brand_id: BrandId,
    purpose: Annotated[
        list[str] | None,
        typer.Option(help="A purpose its keys may pull for; repeat for several (omit: keep)."),
    ] = None,
    dimension: Annotated[
        list[str] | None,
        typer.Option(help="A dimension it may group by; repeat for several (omit: keep)."),
    ] = None,
) -> None:  # fmt: skip
    """Replace what a partner may pull: its purposes, its dimensions, or both (a partner
    never onboarded is limited from now on). Its keys keep the purposes they hold, usable
    only while the partner is allowed them."""
    settings = settings_or_exit()

    async def work(store: GraphStore) -> PartnerPolicy | None:
        return await po.set_policy(store, brand_id, purpose, dimension)

    try:
        policy = run_with_store(settings, work)
    except po.PolicyError as e:
        option = {"purposes": "--purpose", "dimensions": "--dimension"}[e.argument]
        fail(f"{option}: {e}", code=2)
    if policy is None:
        fail(f"no brand with id {brand_id!r}")
    err.print(
        f"partner {brand_id}: purposes {_listed(policy.purposes)}; "
        f"dimensions {_listed(policy.dimensions)}",
        highlight=False,
    )


@partners_app.command("rotate-secret")
def rotate_secret(brand_id: BrandId) -> None:
    """Give the partner a new pseudonym salt: every pseudonym it holds stops resolving and
    its audience comes out under new ones. Its release ledger is kept."""
    settings = settings_or_exit()

    async def work(store: GraphStore) -> int | None:
        return await partner.rotate_partner_key(store, brand_id)

    rotated_at = run_with_store(settings, work)
    if rotated_at is None:
        fail(f"no brand with id {brand_id!r}")
    err.print(
        f"rotated the pseudonym key of partner {brand_id} at {_when(rotated_at)}: every "
        "pseudonym it was given is void; it must pull its audience again",
        highlight=False,
    )


@partners_app.command("quota")
def quota(
    brand_id: BrandId,
    requests: Annotated[
        int | None, typer.Option(min=1, help="Pulls per UTC day (omit: the hub's default).")
    ] = None,
    matches: Annotated[
        int | None, typer.Option(min=1, help="List matches per UTC day (omit: the default).")
    ] = None,
) -> None:
    """Set the partner's own daily quotas; an option left out falls back to the hub's
    default (HUB_PARTNER_REQUESTS_PER_DAY, HUB_PARTNER_MATCHES_PER_DAY)."""
    settings = settings_or_exit()

    async def work(store: GraphStore) -> bool:
        return await set_quota(store, brand_id, requests, matches)

    if not run_with_store(settings, work):
        fail(f"no brand with id {brand_id!r}")
    defaults = settings.partner_quotas()
    err.print(
        f"partner {brand_id}: {requests or defaults.requests_per_day:,} requests and "
        f"{matches or defaults.matches_per_day:,} list matches per UTC day",
        highlight=False,
    )


@partners_app.command("show")
def show(brand_id: BrandId) -> None:
    """The partner's key dates, live audience per purpose and release ledger (no salt, no
    customer ids)."""
    settings = settings_or_exit()
    privacy = settings.privacy_config()

    async def work(store: GraphStore) -> dict[str, Any]:
        return await partner.partner_summary(store, brand_id, PURPOSES)

    summary = run_with_store(settings, work)
    if not summary["brand_found"]:
        fail(f"no brand with id {brand_id!r}")
    err.print(f"partner {brand_id} ({summary['brand_name'] or 'no name'})", highlight=False)
    if summary["key_found"]:
        err.print(
            f"pseudonym key: created {_when(summary['key_created_at'])}, "
            f"rotated {_when(summary['rotated_at'])}",
            highlight=False,
        )
    else:
        err.print("pseudonym key: none yet (made on the partner's first pull)", highlight=False)
    onboarded = summary["onboarded_at"]
    purposes, dimensions = summary["purposes"], summary["dimensions"]
    err.print(
        (f"onboarded {_when(onboarded)}" if onboarded is not None else "not onboarded")
        + f"; purposes {_listed(frozenset(purposes) if purposes is not None else None)}"
        + f"; dimensions {_listed(frozenset(dimensions) if dimensions is not None else None)}",
        highlight=False,
    )
    err.print(f"minimum group size k: {privacy.min_group_size}", highlight=False)
    audience = Table("purpose", "live audience")
    for purpose, size in summary["audience"].items():
        audience.add_row(purpose, f"{size:,}")
    err.print(audience)
    ledger = Table("dimension", "ledger entries", "values", "last release")
    for row in summary["ledger"]:
        ledger.add_row(
            row["dimension"], f"{row['entries']:,}", f"{row['values']:,}", _when(row["last_at"])
        )
    err.print(ledger if summary["ledger"] else "release ledger: empty")
