"""Prediction statements: the purchase histories models are fitted on, the fitted models
kept as system nodes, and observed churn rates by segment and by cohort.

`(:PredictionModel {id, kind, scope, version, fitted_at, as_of, customers, params})`:
`params` is the model's JSON (analytics/stored.py), `id` is `<kind>:<scope>` with scope
`global` or `brand:<key>`. Like every system record it has no relationship. Customers
whose processing is restricted (graph/restriction.py) are left out of every fit: a fit
processes their data, whoever asks. Docs: docs/predictions.md.
"""

from graph.network import month_lines
from graph.restriction import visible

BRAND_KEYS = "MATCH (b:Brand) RETURN b.id AS id ORDER BY id"

# One row per customer with a dated purchase (at `$brand` when not null): purchases as
# [at, total], interaction and complaint times. No customer key: a fit needs none.
HISTORIES = """
MATCH (c:Customer)-[:MADE]->(o:Purchase)
WHERE c.restricted_at IS NULL AND o.at IS NOT NULL
  AND ($brand IS NULL OR (o)-[:AT]->(:Brand {id: $brand}))
WITH c, collect([o.at, coalesce(o.total, 0.0)]) AS purchases
RETURN purchases,
  [(c)-[:HAS_ACCOUNT]->(:SocialAccount)-[hi:INTERACTED]->(:Post) | hi.at] AS interactions,
  [(c)-[:FILED]->(hc:Complaint) | hc.opened_at] AS complaints
"""

SAVE_MODEL = """
MERGE (m:PredictionModel {id: $id})
SET m.kind = $kind, m.scope = $scope, m.version = $version, m.fitted_at = $fitted_at,
    m.as_of = $as_of, m.customers = $customers, m.params = $params
"""

MODELS = "UNWIND $ids AS key MATCH (m:PredictionModel {id: key}) RETURN m {.*} AS model"

# Customers who had bought before `$cutoff` (= as of - horizon), and whether they bought
# in [$cutoff, $as_of): `churned` is 1 when they did not.
_CHURN_BASE = [
    "MATCH (c:Customer)-[:MADE]->(o:Purchase)",
    f"WHERE {visible('c')} AND o.at IS NOT NULL AND o.at < $as_of",
    "WITH c, min(o.at) AS first, sum(CASE WHEN o.at < $cutoff THEN 1 ELSE 0 END) AS before, "
    "sum(CASE WHEN o.at >= $cutoff THEN 1 ELSE 0 END) AS within",
    "WHERE before > 0",
    "WITH c, first, CASE WHEN within = 0 THEN 1 ELSE 0 END AS churned",
]

CHURN_BY_SEGMENT = "\n".join(
    [
        *_CHURN_BASE,
        "OPTIONAL MATCH (c)-[:IN_SEGMENT]->(s:Segment)",
        "WITH s.id AS grp, s.name AS name, count(c) AS customers, sum(churned) AS churned",
        "RETURN grp, name, customers, churned ORDER BY grp",
    ]
)

CHURN_BY_COHORT = "\n".join(
    [
        *_CHURN_BASE,
        *month_lines("first", "churned", "grp"),
        "WITH grp, count(*) AS customers, sum(churned) AS churned",
        "RETURN grp, null AS name, customers, churned ORDER BY grp",
    ]
)
