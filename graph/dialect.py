"""The few places where Neo4j and FalkorDB need different text: schema DDL and
full-text search. Everything else in the catalog is the portable subset both run.
"""

from graph.model import FULLTEXT_INDEXES, LOOKUP_INDEXES, NODE_LABELS


def _snake(label: str) -> str:
    return "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in label).lstrip("_")


def fulltext_index_name(label: str) -> str:
    """The Neo4j full-text index name for ``label``."""
    return f"{_snake(label)}_search"


def neo4j_schema_statements() -> list[str]:
    """Idempotent DDL (IF NOT EXISTS) for Neo4j 5."""
    statements = [
        f"CREATE CONSTRAINT {_snake(label)}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in NODE_LABELS
    ]
    for label, props in LOOKUP_INDEXES:
        name = f"{_snake(label)}_{'_'.join(props)}"
        on = ", ".join(f"n.{p}" for p in props)
        statements.append(f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON ({on})")
    for label, props in FULLTEXT_INDEXES:
        each = ", ".join(f"n.{p}" for p in props)
        statements.append(
            f"CREATE FULLTEXT INDEX {fulltext_index_name(label)} IF NOT EXISTS "
            f"FOR (n:{label}) ON EACH [{each}]"
        )
    return statements


def falkor_index_statements() -> list[str]:
    """Index DDL for FalkorDB; each fails with 'already indexed' when present."""
    statements = [f"CREATE INDEX FOR (n:{label}) ON (n.id)" for label in NODE_LABELS]
    for label, props in LOOKUP_INDEXES:
        on = ", ".join(f"n.{p}" for p in props)
        statements.append(f"CREATE INDEX FOR (n:{label}) ON ({on})")
    for label, props in FULLTEXT_INDEXES:
        quoted = ", ".join(f"'{p}'" for p in props)
        statements.append(f"CALL db.idx.fulltext.createNodeIndex('{label}', {quoted})")
    return statements


def falkor_unique_constraint_args(graph_name: str, label: str) -> list[str]:
    """GRAPH.CONSTRAINT arguments making ``label.id`` unique (needs the id index first)."""
    return ["GRAPH.CONSTRAINT", "CREATE", graph_name, "UNIQUE", "NODE", label,
            "PROPERTIES", "1", "id"]  # fmt: skip
