"""Names for the statements of the catalog, for metrics and traces: ``reads.CUSTOMER_360``
for a constant of graph/reads.py; ``built:<digest>`` for a statement a builder composed
(its text, never its parameters, keyed to a short SHA-256 so the same shape keeps one
name). A name never holds a value: values reach Cypher only as parameters."""

import functools
import hashlib
import importlib
import pkgutil

# Words a Cypher statement starts or is made of; a module constant holding none of them
# (a label, a URL scheme, a timeout) is not a statement.
_CYPHER_WORDS = ("MATCH", "MERGE", "CREATE", "RETURN", "UNWIND", "CALL", "WITH", "DELETE")


@functools.cache
def _catalog() -> dict[str, str]:
    """Statement text -> ``module.NAME``, from the UPPER_CASE string constants of every
    module of the graph package (read once, on first use)."""
    import graph

    names: dict[str, str] = {}
    for info in pkgutil.iter_modules(graph.__path__):
        module = importlib.import_module(f"graph.{info.name}")
        for attribute, value in vars(module).items():
            if (
                attribute.isupper()
                and not attribute.startswith("_")  # a fragment of statements, not one
                and isinstance(value, str)
                and any(word in value for word in _CYPHER_WORDS)
            ):
                names.setdefault(value, f"{info.name}.{attribute}")
    return names


def statement_name(query: str) -> str:
    """The catalog name of ``query``, or ``built:`` and the first 10 hex digits of the
    SHA-256 of its text for a statement composed by a builder."""
    name = _catalog().get(query)
    if name is not None:
        return name
    return "built:" + hashlib.sha256(query.encode()).hexdigest()[:10]
