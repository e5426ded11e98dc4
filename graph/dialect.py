"""The few places where Neo4j and FalkorDB need different text: schema DDL and
full-text search. Everything else in the catalog is the portable subset both run.
"""

from dataclasses import dataclass

from graph.model import CONSTRAINED_LABELS, FULLTEXT_INDEXES, LOOKUP_INDEXES


def _snake(label: str) -> str:
    return "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in label).lstrip("_")


def fulltext_index_name(label: str) -> str:
    """The Neo4j full-text index name for ``label``."""
    return f"{_snake(label)}_search"


_LUCENE_SPECIAL = set('+-&|!(){}[]^"~*?:\\/')


def _neo4j_term(word: str) -> str:
    return "".join(f"\\{ch}" if ch in _LUCENE_SPECIAL else ch for ch in word) + "*"


def customer_search(engine: str, words: list[str]) -> tuple[str, str]:
    """(statement, query text) finding the ids of customers whose name, or a linked
    account's handle or display name, has a word starting with each of ``words``.

    The statement reads `$query` and `$limit`. Words are letters and digits only (the
    caller splits the input), and escaped anyway: the query text is a parameter, but the
    index parses it as its own query language.
    """
    if engine == "neo4j":
        query = " AND ".join(_neo4j_term(w) for w in words)
        customers = fulltext_index_name("Customer")
        accounts = fulltext_index_name("SocialAccount")
        call = "CALL db.index.fulltext.queryNodes('{}', $query) YIELD node"
    else:
        query = " ".join(f"{w}*" for w in words)  # RediSearch: space is AND
        customers, accounts = "Customer", "SocialAccount"
        call = "CALL db.idx.fulltext.queryNodes('{}', $query) YIELD node"
    statement = (
        f"{call.format(customers)}\nWITH node AS e LIMIT $limit\nRETURN e.id AS id\n"
        f"UNION\n{call.format(accounts)}\nWITH node LIMIT $limit\n"
        "MATCH (node)<-[:HAS_ACCOUNT]-(e:Customer)\nRETURN e.id AS id"
    )
    return statement, query


def neo4j_schema_statements() -> list[str]:
    """Idempotent DDL (IF NOT EXISTS) for Neo4j 5."""
    statements = [
        f"CREATE CONSTRAINT {_snake(label)}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in CONSTRAINED_LABELS
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


@dataclass(frozen=True)
class FalkorIndex:
    """One FalkorDB index: its label, properties, kind (RANGE or FULLTEXT) and DDL."""

    label: str
    properties: tuple[str, ...]
    kind: str
    statement: str


def falkor_indexes() -> list[FalkorIndex]:
    """Index DDL for FalkorDB; each fails with 'already indexed' when present."""
    indexes = [
        FalkorIndex(label, ("id",), "RANGE", f"CREATE INDEX FOR (n:{label}) ON (n.id)")
        for label in CONSTRAINED_LABELS
    ]
    for label, props in LOOKUP_INDEXES:
        on = ", ".join(f"n.{p}" for p in props)
        indexes.append(
            FalkorIndex(label, props, "RANGE", f"CREATE INDEX FOR (n:{label}) ON ({on})")
        )
    for label, props in FULLTEXT_INDEXES:
        quoted = ", ".join(f"'{p}'" for p in props)
        indexes.append(
            FalkorIndex(
                label,
                props,
                "FULLTEXT",
                f"CALL db.idx.fulltext.createNodeIndex('{label}', {quoted})",
            )
        )
    return indexes


def falkor_unique_constraint_args(graph_name: str, label: str) -> list[str]:
    """GRAPH.CONSTRAINT arguments making ``label.id`` unique (needs the id index first)."""
    return ["GRAPH.CONSTRAINT", "CREATE", graph_name, "UNIQUE", "NODE", label,
            "PROPERTIES", "1", "id"]  # fmt: skip
