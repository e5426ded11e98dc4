"""`hub subject`: data-subject rights from the command line (docs/privacy.md).

The same resolvers as the admin mutations, run as a local admin (`cli:<user>`), and
audited the same way: one `(:AuditEntry)` per command that did something.
"""

import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import orjson
import typer

from graph.store import GraphStore
from hub.runner import err, fail, run_with_store, settings_or_exit
from resolvers import subject
from resolvers.audit import write_entry
from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.principal import Principal, Role

T = TypeVar("T")

subject_app = typer.Typer(
    help="Data-subject rights: export, erase, restrict processing.",
    no_args_is_help=True,
    add_completion=False,
)

CustomerId = Annotated[
    str, typer.Argument(help="The customer's id in the hub.", show_default=False)
]


def _principal() -> Principal:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment (some containers)
        user = "unknown"
    return Principal(subject=f"cli:{user}", role=Role.ADMIN, via="local")


def _run(command: str, work: Callable[[Context], Awaitable[T]]) -> T:
    """Run ``work`` against the configured graph as the local admin, then write the audit
    entry; an expected refusal (unknown customer...) ends in one line, exit code 1."""
    settings = settings_or_exit()

    async def main(store: GraphStore) -> T | ApiError:
        ctx = Context(store, _principal(), privacy=settings.privacy_config())
        try:
            result = await work(ctx)
        except ApiError as e:
            return e
        if not ctx.audit.empty:
            await write_entry(store, ctx.principal, ctx.audit, command, command)
        return result

    outcome = run_with_store(settings, main)
    if isinstance(outcome, ApiError):
        fail(outcome.message)
    return outcome


@subject_app.command()
def export(
    customer_id: CustomerId,
    out: Annotated[
        Path | None, typer.Option(help="Write the JSON to this file instead of stdout.")
    ] = None,
) -> None:
    """Everything the hub holds about a customer, as JSON."""
    data = _run("hub subject export", lambda ctx: subject.export_customer(ctx, customer_id))
    text = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    if out is None:
        sys.stdout.write(text.decode() + "\n")
        return
    try:
        out.write_bytes(text + b"\n")
    except OSError as e:
        fail(f"{out}: {e.strerror or e}", code=2)
    err.print(f"exported customer {customer_id} to {out}", highlight=False)


@subject_app.command()
def erase(
    customer_id: CustomerId,
    yes: Annotated[
        bool, typer.Option("--yes", help="Confirm: the erasure cannot be undone.")
    ] = False,
) -> None:
    """Erase a customer and every personal record hanging off it, for good."""
    if not yes:
        fail("erasing a customer cannot be undone; run again with --yes to confirm", code=2)
    done = _run("hub subject erase", lambda ctx: subject.erase_customer(ctx, customer_id))
    if done.already_erased:
        err.print("already erased; its hub records were scrubbed again", highlight=False)
        return
    removed = ", ".join(f"{k} {v}" for k, v in done.removed.items() if v)
    err.print(
        f"erased ({removed}); {done.records_scrubbed} hub record(s) scrubbed; "
        f"tombstone {done.erasure_id}",
        highlight=False,
    )
    if done.accounts_to_relink:
        err.print(
            f"{len(done.accounts_to_relink)} other account(s) lost evidence naming it: "
            "run `hub relink` to re-decide their links",
            highlight=False,
        )


def _restrict(customer_id: str, restricted: bool) -> None:
    command = "hub subject " + ("restrict" if restricted else "unrestrict")
    _, at = _run(command, lambda ctx: subject.restrict_processing(ctx, customer_id, restricted))
    state = "restricted" if at is not None else "not restricted"
    err.print(f"customer {customer_id}: processing {state}", highlight=False)


@subject_app.command()
def restrict(customer_id: CustomerId) -> None:
    """Restrict a customer's processing (no partner audience; 360 for admins only)."""
    _restrict(customer_id, True)


@subject_app.command()
def unrestrict(customer_id: CustomerId) -> None:
    """Lift a restriction of processing."""
    _restrict(customer_id, False)
