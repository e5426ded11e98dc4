"""Parse HUB_GRAPH_URL into the engine it names."""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from graph.errors import InvalidGraphUrl

NEO4J_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})
EMBEDDED_SCHEME = "embedded"


@dataclass(frozen=True)
class GraphTarget:
    """Where the graph lives: a Neo4j server (``uri``) or an embedded data directory."""

    engine: Literal["neo4j", "embedded"]
    uri: str
    data_dir: Path | None = None


def parse_graph_url(url: str) -> GraphTarget:
    """Return the target named by ``url``; raise InvalidGraphUrl saying what to fix."""
    text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == EMBEDDED_SCHEME:
        # embedded:///abs/dir, or embedded://./rel/dir (netloc "." or ".." starts a relative path)
        raw = (parts.netloc + parts.path) if parts.netloc in {".", ".."} else parts.path
        if parts.netloc not in {"", ".", ".."}:
            raise InvalidGraphUrl(
                f"{url!r}: an embedded URL names a directory, e.g. embedded:///var/lib/hub "
                "or embedded://./.hub/graph"
            )
        if not raw or raw == "/":
            raise InvalidGraphUrl(f"{url!r}: give the data directory, e.g. embedded://./.hub/graph")
        return GraphTarget(engine="embedded", uri=text, data_dir=Path(raw).resolve())
    if scheme in NEO4J_SCHEMES:
        if not parts.hostname:
            raise InvalidGraphUrl(f"{url!r}: a Neo4j URL needs a host, e.g. bolt://localhost:7687")
        try:
            parts.port  # noqa: B018 - urlsplit validates the port lazily
        except ValueError as e:
            raise InvalidGraphUrl(f"{url!r}: {e}") from None
        return GraphTarget(engine="neo4j", uri=text)
    known = ", ".join(sorted(NEO4J_SCHEMES | {EMBEDDED_SCHEME}))
    raise InvalidGraphUrl(f"{url!r}: unknown scheme {scheme or '(none)'!r}; use one of {known}")
