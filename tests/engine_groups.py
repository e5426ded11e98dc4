"""The pytest-xdist scheduling of `make test` (tests/README.md): every test whose id names
the Neo4j engine ([neo4j], DESIGN.md's convention) runs on one worker, against that
worker's Neo4j; every other test is a unit of its own, for whichever worker is free.

Why one worker: the session's Neo4j is one database (Community has no other) that each
test empties, so two workers on one server would wipe each other's graphs, and one JVM is
cheaper than two. Each worker has its own embedded engine, so those tests need no group.
"""

from xdist.scheduler import LoadGroupScheduling

NEO4J_GROUP = "neo4j"


def names_neo4j(nodeid: str) -> bool:
    """True when the test id's parameters name the Neo4j engine: `test_x[neo4j]`,
    `test_x[neo4j-case]`."""
    opening = nodeid.find("[")  # the parameters' (paths and names here hold none)
    if opening < 0 or not nodeid.endswith("]"):
        return False
    return NEO4J_GROUP in nodeid[opening + 1 : -1].split("-")


class EngineGroupScheduling(LoadGroupScheduling):
    """xdist's loadgroup, with the [neo4j] tests as one more group. The group is named
    from the id because the controller sees only ids (and because xdist 3.8 cannot add
    its `@group` suffix to ids under pytest 9, which keeps them in a structured form)."""

    def _split_scope(self, nodeid: str) -> str:
        return NEO4J_GROUP if names_neo4j(nodeid) else super()._split_scope(nodeid)
