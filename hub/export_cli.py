"""`hub export`: entity lists, query results, saved audiences and subgraphs to files for data
teams' tools (docs/export.md).

Rows come from the GraphQL schema itself, run in-process as the caller a key names (or an
explicit local `--role`), page after page: access rules, consent, restriction and the
analysts' pseudonyms are the API's, by construction. Each page is a request of its own,
audited as the API audits it.
"""

import getpass
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.progress import Progress, TextColumn, TimeElapsedColumn

from graph.store import GraphStore
from hub.export_kinds import KINDS
from hub.export_pages import Execute, ExportError, Nested, rows
from hub.export_writer import TableFormat, TableSink
from hub.runner import err, fail, run_with_store, settings_or_exit
from hub.settings import Settings
from resolvers.context import Context
from resolvers.keys import principal_for_key
from resolvers.principal import Principal, Role

GRAPH, AUDIENCE = "graph", "audience"

What = Annotated[
    str,
    typer.Argument(
        help=f"A kind ({', '.join(KINDS)}), `graph`, `audience`, or a .graphql file whose "
        "query takes `$first` and `$after`.",
        show_default=False,
    ),
]
Target = Annotated[str | None, typer.Argument(help="The audience's id (with `audience`).")]
Format = Annotated[
    str, typer.Option("--format", "-f", help="parquet or csv (graph: graphml or parquet).")
]
Out = Annotated[
    Path | None, typer.Option("--out", "-o", help="The file to write [default: WHAT.FORMAT].")
]
Key = Annotated[
    str | None,
    typer.Option(envvar="HUB_KEY", help="Run as this API key's role [env HUB_KEY].",
                 show_default=False),
]  # fmt: skip
RoleOption = Annotated[
    Role | None,
    typer.Option("--role", help="Run as a local caller of this role instead of a key "
                 "(not partner: partners export with their key).", show_default=False),
]  # fmt: skip
Vars = Annotated[
    list[str] | None,
    typer.Option("--var", help="A query variable, NAME=JSON (repeatable).", show_default=False),
]
PageSize = Annotated[int, typer.Option(min=1, max=1000, help="Items per page.")]
Purpose = Annotated[
    str | None, typer.Option(help="audience: the purpose the export is for.", show_default=False)
]
Brand = Annotated[
    str | None,
    typer.Option(help="audience: the brand whose consent counts.", show_default=False),
]
Brands = Annotated[
    list[str] | None,
    typer.Option("--brand-id", help="graph: keep this brand (repeatable).", show_default=False),
]
Since = Annotated[
    str | None, typer.Option("--from", help="graph: from this date (ISO).", show_default=False)
]
Until = Annotated[
    str | None, typer.Option("--until", help="graph: until this date (ISO).", show_default=False)
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")]


def export(
    what: What, target: Target = None, format: Format = "parquet", out: Out = None,
    key: Key = None, role: RoleOption = None, var: Vars = None, page_size: PageSize = 100,
    purpose: Purpose = None, brand: Brand = None, brand_id: Brands = None,
    since: Since = None, until: Until = None, quiet: Quiet = False,
) -> None:  # fmt: skip
    """Export an entity list, a query's result, a saved audience or a subgraph to a file."""
    settings = settings_or_exit()
    if what == GRAPH:
        from hub.export_graph_cli import export_graph

        export_graph(settings, format, out, key, role, brand_id or [], since, until, quiet)
        return
    table_format = _table_format(format)
    variables = {"first": min(page_size, settings.max_page_size), **_variables(var or [])}
    nested: Nested | None = None
    if what == AUDIENCE:
        from hub.export_audience import audience_query

        if target is None or purpose is None:
            fail("say which audience and for what: hub export audience ID --purpose P "
                 "--brand B", code=2)  # fmt: skip
        try:
            query, extra = audience_query(target, purpose, brand)
        except ExportError as e:
            fail(f"{e.code}: {e.message}", code=2)
        variables.update(extra)
        name = f"audience-{target}"
    elif what in KINDS:
        query, nested, name = KINDS[what].query, KINDS[what].nested, what
    elif what.endswith(".graphql"):
        path = Path(what)
        if not path.is_file():
            fail(f"{what}: no such file", code=2)
        query, name = path.read_text(), path.stem
    else:
        fail(f"unknown export {what!r}: a kind ({', '.join(KINDS)}), `graph`, `audience`, "
             "or a .graphql file", code=2)  # fmt: skip
    target_path = out or Path(f"{name}.{table_format.value}")
    run_table_export(
        settings, query, variables, nested, target_path, table_format, key, role, quiet,
        purpose_role=_purpose_role(purpose) if what == AUDIENCE else None,
    )  # fmt: skip


def _table_format(value: str) -> TableFormat:
    try:
        return TableFormat(value)
    except ValueError:
        fail(f"--format {value!r}: parquet or csv", code=2)


def _variables(given: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in given:
        name, sep, text = item.partition("=")
        if not sep or not name:
            fail(f"--var {item!r}: write NAME=JSON, e.g. --var brand='\"b1\"'", code=2)
        try:
            out[name] = orjson.loads(text)
        except orjson.JSONDecodeError:
            out[name] = text  # a bare word: the string it spells
    return out


def _purpose_role(purpose: str | None) -> Role | None:
    from hub.export_audience import role_for_purpose

    return role_for_purpose(purpose) if purpose else None  # checked by audience_query


def _local(role: Role) -> Principal:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment (some containers)
        user = "unknown"
    return Principal(subject=f"cli:{user}", role=role, via="local")


async def caller(store: GraphStore, key: str | None, role: Role | None) -> Principal:
    """Who the export runs as: the key's principal, else a local caller of ``role``.
    Raises ExportError (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT) saying what to fix."""
    if key is not None and role is not None:
        raise ExportError("give --key or --role, not both")
    if key is not None:
        principal = await principal_for_key(store, key)
        if principal is None:
            raise ExportError("the key is malformed, unknown or revoked", "UNAUTHENTICATED")
        return principal
    if role is None:
        raise ExportError("say who runs the export: --key KEY (or HUB_KEY) or --role ROLE")
    if role is Role.PARTNER:
        raise ExportError("partners export with their own key (--key)", "FORBIDDEN")
    return _local(role)


def schema_executor(store: GraphStore, principal: Principal, settings: Settings) -> Execute:
    """Runs a page's query through the schema as ``principal``, with a fresh context (as a
    request has); returns the data, or raises ExportError with the first error's code."""
    from schema import build_schema

    schema = build_schema()

    async def execute(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        context = Context(
            store, principal, max_page_size=settings.max_page_size,
            privacy=settings.privacy_config(), partner_quotas=settings.partner_quotas(),
        )  # fmt: skip
        result = await schema.execute(query, variable_values=variables, context_value=context)
        if result.errors:
            error = result.errors[0]
            code = str((error.extensions or {}).get("code", "INTERNAL"))
            raise ExportError(error.message, code)
        return result.data or {}

    return execute


def progress_bar(what: str, quiet: bool) -> Progress:
    """Rows written and items read so far, on stderr."""
    return Progress(
        TextColumn(f"[bold]exporting[/] {what}"),
        TextColumn("{task.fields[rows]:,} rows"),
        TextColumn("{task.completed:,}/{task.fields[of]} items"),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
    )


def run_table_export(
    settings: Settings, query: str, variables: dict[str, Any], nested: Nested | None,
    path: Path, fmt: TableFormat, key: str | None, role: Role | None, quiet: bool,
    purpose_role: Role | None = None,
) -> None:  # fmt: skip
    """Write the query's rows to ``path``; a refusal ends in one line (the partial file is
    removed, so that no file holds less than it says)."""

    async def work(store: GraphStore) -> ExportError | int:
        sink = TableSink(path, fmt)
        try:
            principal = await caller(store, key, role)
            if purpose_role is not None:
                principal = _narrowed(principal, purpose_role)
            execute = schema_executor(store, principal, settings)
            with progress_bar(path.name, quiet) as progress:
                task = progress.add_task("", total=None, rows=0, of="?")
                async for page, items, total in rows(execute, query, variables, nested):
                    sink.write(page)
                    of = f"{total:,}" if total is not None else "?"
                    progress.update(task, advance=items, rows=sink.rows, of=of)
        except ExportError as e:
            sink.close()
            return e
        sink.close()
        return sink.rows

    try:
        outcome = run_with_store(settings, work)
    except typer.Exit:  # the graph failed, or Ctrl-C: what was written is not the whole
        path.unlink(missing_ok=True)
        raise
    if isinstance(outcome, ExportError):
        path.unlink(missing_ok=True)
        fail(f"{outcome.code}: {outcome.message}")
    err.print(f"wrote {outcome:,} rows to {path}", highlight=False)


def _narrowed(principal: Principal, role: Role) -> Principal:
    """The caller, seen as ``role`` when the purpose asks for less than the caller's role
    would show (an analytics export of an app key is pseudonymised)."""
    from hub.export_audience import narrower

    return narrower(principal, role)
