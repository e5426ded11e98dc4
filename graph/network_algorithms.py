"""Graph algorithms run inside the engine, and the edges the hub's own (reference)
implementations read instead (docs/network.md, "Where the algorithms run").

- Embedded engine (FalkorDB): `algo.pageRank(label, type)` ranks accounts over FOLLOWS
  between accounts. Its algorithm procedures select nodes by label and relationships by
  type only, so they cannot see the weighted account graph communities are found in
  (an interaction ties two accounts through a Post, and brands' posts are Posts too):
  communities stay in the hub there.
- Neo4j with Graph Data Science: the same graphs are projected by a Cypher aggregation
  (`gds.graph.project`) under a name unique to the request, the algorithm streams from
  the projection, and the projection is dropped (`gds.graph.drop`) whatever happened.

Restricted customers (graph/restriction.py): projections leave out hidden accounts with
their edges, exactly as the hub's edge reads do. FalkorDB's procedures run over every
account, so its statement runs only while nothing is hidden from the caller
(`size(hidden) = 0`, in the statement); callers check RESTRICTED_PRESENT first and take
the hub path otherwise.
"""

from graph import projections as proj
from graph.restriction import HIDDEN

_OWNER = "head([(x)<-[:HAS_ACCOUNT]-(o:Customer) | o.id])"
_ENDS = "x <> y AND NOT x IN hidden AND NOT y IN hidden"

# Whether anything is hidden from this caller (restricted customers and what is theirs).
RESTRICTED_PRESENT = HIDDEN + "RETURN size(hidden) > 0 AS present"

# --- PageRank over follows between accounts -------------------------------------------

# The hub path's input: each distinct follow x -> y between two accounts (parallel ones
# once), in key order, at most `$max_edges`.
FOLLOW_EDGES = f"""{HIDDEN}MATCH (x:SocialAccount)-[:FOLLOWS]->(y:SocialAccount) WHERE {_ENDS}
WITH DISTINCT x, y ORDER BY x.id, y.id LIMIT $max_edges
RETURN x.id AS a, y.id AS b"""

# The accounts' keys, records and owners for the hub path's best `$ids`.
ACCOUNTS_BY_KEY = f"""UNWIND $ids AS key
MATCH (x:SocialAccount {{id: key}})
RETURN x {proj.ACCOUNT_CORE} AS account, {_OWNER} AS customer"""

# FalkorDB: its PageRank over SocialAccount nodes and FOLLOWS relationships (no damping
# parameter: it uses 0.85, as the hub does). Of the best `$top`, only accounts with a
# follow to or from another account are kept, as in the hub's graph: the others have the
# lowest score anyway, and testing every account for a follow costs fifty times the
# PageRank itself (bench/network.py, 100k customers).
EMBEDDED_PAGE_RANK = f"""{HIDDEN}WITH hidden WHERE size(hidden) = 0
CALL algo.pageRank('SocialAccount', 'FOLLOWS') YIELD node, score
WITH node AS x, score ORDER BY score DESC, x.id LIMIT $top
WITH x, score, size([(x)-[:FOLLOWS]-(y:SocialAccount) WHERE y <> x | 1]) AS ties
WITH x, score WHERE ties > 0
RETURN x {proj.ACCOUNT_CORE} AS account, {_OWNER} AS customer, score
ORDER BY score DESC, x.id"""

# --- Neo4j Graph Data Science ---------------------------------------------------------

# Which GDS procedures the server has (none: GDS is not installed).
GDS_PROCEDURES = (
    "SHOW PROCEDURES YIELD name WHERE name IN "
    "['gds.pageRank.stream', 'gds.louvain.mutate', 'gds.graph.drop'] RETURN collect(name) AS names"
)
GDS_NEEDED = frozenset({"gds.pageRank.stream", "gds.louvain.mutate", "gds.graph.drop"})

# The follow graph as projection `$graph`: directed, one relationship per distinct pair.
GDS_PROJECT_FOLLOWS = f"""{HIDDEN}MATCH (x:SocialAccount)-[:FOLLOWS]->(y:SocialAccount)
WHERE {_ENDS}
WITH DISTINCT x, y
WITH gds.graph.project($graph, x, y) AS g
RETURN g.nodeCount AS nodes, g.relationshipCount AS relationships"""

GDS_PAGE_RANK = f"""CALL gds.pageRank.stream($graph, {{dampingFactor: 0.85, maxIterations: 100,
  tolerance: 1.0E-9, concurrency: 1}})
YIELD nodeId, score
WITH gds.util.asNode(nodeId) AS x, score ORDER BY score DESC, x.id LIMIT $top
RETURN x {proj.ACCOUNT_CORE} AS account, {_OWNER} AS customer, score"""

# The account graph of communities (graph/network.py ACCOUNT_EDGES, uncapped) as
# projection `$graph`: undirected, one relationship per pair weighted by follows plus
# interactions either way.
GDS_PROJECT_ACCOUNT_GRAPH = f"""{HIDDEN}CALL {{
  WITH hidden
  MATCH (x:SocialAccount)-[r:FOLLOWS]->(y:SocialAccount) WHERE {_ENDS}
  RETURN x, y, count(r) AS n
  UNION ALL
  WITH hidden
  MATCH (x:SocialAccount)-[r:INTERACTED]->(:Post)<-[:POSTED]-(y:SocialAccount) WHERE {_ENDS}
  RETURN x, y, count(r) AS n
}}
WITH CASE WHEN x.id < y.id THEN x ELSE y END AS a,
     CASE WHEN x.id < y.id THEN y ELSE x END AS b, sum(n) AS w
WITH gds.graph.project($graph, a, b, {{relationshipProperties: {{weight: toFloat(w)}}}},
  {{undirectedRelationshipTypes: ['*']}}) AS g
RETURN g.nodeCount AS nodes, g.relationshipCount AS relationships"""

# Louvain (weighted, one thread: the same projection gives the same communities), kept
# in the projection as `community`.
GDS_LOUVAIN = """CALL gds.louvain.mutate($graph, {relationshipWeightProperty: 'weight',
  mutateProperty: 'community', concurrency: 1})
YIELD communityCount RETURN communityCount"""

# Each projected account with its community and linked customer.
GDS_MEMBERS = f"""CALL gds.graph.nodeProperty.stream($graph, 'community')
YIELD nodeId, propertyValue
WITH gds.util.asNode(nodeId) AS x, propertyValue AS community
RETURN x.id AS account, community, {_OWNER} AS customer"""

# Each community's weight inside it. An undirected relationship is streamed once from
# each end, hence the halving.
GDS_INTERNAL_WEIGHTS = """CALL gds.graph.relationshipProperty.stream($graph, 'weight')
YIELD sourceNodeId, targetNodeId, propertyValue
WITH gds.util.nodeProperty($graph, sourceNodeId, 'community') AS cs,
     gds.util.nodeProperty($graph, targetNodeId, 'community') AS ct, propertyValue AS w
WHERE cs = ct
RETURN cs AS community, sum(w) / 2 AS weight"""

GDS_DROP = "CALL gds.graph.drop($graph, false) YIELD graphName RETURN graphName"
