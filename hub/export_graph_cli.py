"""`hub export graph --format graphml|parquet`: the customer-brand network of some brands
and a period as a file networkx, Gephi or a dataframe library reads (docs/export.md).

GraphML is one file (networkx's writer; Gephi opens it); Parquet is a directory holding
`nodes.parquet` and `edges.parquet`. Written as the caller a key names (or a local
`--role`), audited as one read of the customers it holds.
"""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx  # type: ignore[import-untyped]  # networkx ships no type hints

from graph.store import GraphStore
from hub.export_cli import caller
from hub.export_pages import ExportError
from hub.export_writer import TableFormat, TableSink, flatten
from hub.runner import err, fail, run_with_store
from hub.settings import Settings
from resolvers.audit import write_entry
from resolvers.context import Context
from resolvers.errors import ApiError
from resolvers.graph_export import Subgraph, engagement_subgraph
from resolvers.principal import Role

GRAPH_FORMATS = ("graphml", "parquet")


def epoch_ms(text: str | None, option: str) -> int | None:
    """An ISO date or date-time (UTC unless it says otherwise) as epoch ms; None for None.
    Raises ExportError naming ``option`` when the text is not one."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ExportError(f"{option} {text!r}: write an ISO date, e.g. 2025-01-31") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def to_networkx(graph: Subgraph) -> Any:
    """The subgraph as a networkx Graph (untyped: networkx has no hints); attributes
    without a value are left out (GraphML has no null)."""
    out = nx.Graph()
    for node in graph.nodes:
        out.add_node(node["id"], **{k: v for k, v in node.items() if k != "id" and v is not None})
    for edge in graph.edges:
        attributes = {k: v for k, v in edge.items() if k not in ("source", "target")}
        out.add_edge(edge["source"], edge["target"],
                     **{k: v for k, v in attributes.items() if v is not None})  # fmt: skip
    return out


def write_graph(graph: Subgraph, fmt: str, path: Path) -> None:
    """GraphML at ``path``, or ``path``/nodes.parquet and ``path``/edges.parquet."""
    if fmt == "graphml":
        nx.write_graphml(to_networkx(graph), str(path))
        return
    path.mkdir(parents=True, exist_ok=True)
    for name, items in (("nodes", graph.nodes), ("edges", graph.edges)):
        sink = TableSink(path / f"{name}.parquet", TableFormat.parquet)
        sink.write([flatten(item) for item in items])
        sink.close()


def export_graph(
    settings: Settings, fmt: str, out: Path | None, key: str | None, role: Role | None,
    brands: list[str], since: str | None, until: str | None, quiet: bool,
) -> None:  # fmt: skip
    """Write the network; a refusal or bad option ends in one line."""
    if fmt not in GRAPH_FORMATS:
        fail(f"--format {fmt!r}: graphml or parquet for a graph", code=2)
    try:
        start, end = epoch_ms(since, "--from"), epoch_ms(until, "--until")
    except ExportError as e:
        fail(e.message, code=2)
    path = out or Path("graph.graphml" if fmt == "graphml" else "graph")

    async def work(store: GraphStore) -> Subgraph | ExportError:
        try:
            principal = await caller(store, key, role)
            ctx = Context(store, principal, privacy=settings.privacy_config())
            graph = await engagement_subgraph(ctx, brands or None, start, end)
        except ExportError as e:
            return e
        except ApiError as e:
            return ExportError(e.message, str((e.extensions or {}).get("code", "INTERNAL")))
        await write_entry(store, principal, ctx.audit, "hub export graph", "export_graph")
        return graph

    outcome: Any = run_with_store(settings, work)
    if isinstance(outcome, ExportError):
        fail(f"{outcome.code}: {outcome.message}")
    write_graph(outcome, fmt, path)
    if not quiet:
        err.print(
            f"wrote {len(outcome.nodes):,} nodes and {len(outcome.edges):,} edges to {path}",
            highlight=False,
        )
