"""`hub keys create|list|revoke`: API keys, managed from the machine the hub runs on."""

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from graph.store import GraphStore
from hub.runner import err, fail, run_with_store, settings_or_exit
from resolvers import keys
from resolvers.principal import PURPOSES, Role

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)


@keys_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="What the key is for.")],
    role: Annotated[Role, typer.Option(help="The role it acts in.")],
    partner: Annotated[
        str | None, typer.Option(help="Partner keys: the partner's brand id.")
    ] = None,
    purpose: Annotated[
        list[str] | None,
        typer.Option(help=f"Partner keys: a purpose it may pull for ({', '.join(PURPOSES)}); "
                     "repeat for several."),
    ] = None,
) -> None:  # fmt: skip
    """Create a key and print it (on stdout, once: it is stored only as a hash)."""
    settings = settings_or_exit()

    async def work(store: GraphStore) -> keys.NewKey:
        return await keys.create_key(store, name, role, partner, purpose or ())

    try:
        new = run_with_store(settings, work)
    except keys.KeyRequestError as e:
        fail(f"--{e.argument.removesuffix('s')}: {e}", code=2)
    err.print(
        f"created key {new.info.id} ({new.info.role}"
        + (f" for {new.info.partner_brand_id}" if new.info.partner_brand_id else "")
        + "); it is shown once, below:",
        highlight=False,
    )
    typer.echo(new.key)


def _when(ms: int | None) -> str:
    """A rotated key's end (UTC), or nothing for a key that does not expire."""
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@keys_app.command("list")
def list_() -> None:
    """List every key (never their secrets); a key a partner rotated shows when it expires."""
    settings = settings_or_exit()
    found = run_with_store(settings, keys.list_keys)
    table = Table("id", "name", "role", "partner", "purposes", "revoked", "expires")
    for k in found:
        table.add_row(
            k.id, k.name, k.role.value, k.partner_brand_id or "", ",".join(k.purposes),
            "yes" if k.revoked_at else "", _when(k.expires_at),
        )  # fmt: skip
    err.print(table)


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (see `hub keys list`).")],
) -> None:
    """Revoke a key (idempotent). The hub stops accepting it within HUB_API_KEY_CACHE_S."""
    settings = settings_or_exit()

    async def work(store: GraphStore) -> bool:
        return await keys.revoke_key(store, key_id)

    if not run_with_store(settings, work):
        fail(f"no key with id {key_id!r} (see `hub keys list`)")
    err.print(f"revoked key {key_id}", highlight=False)
