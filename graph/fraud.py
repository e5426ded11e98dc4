"""Fraud and anomaly patterns in the graph: the evidence analytics/fraud.py,
analytics/complaint_abuse.py and analytics/farms.py score, computed where the data is, so
only the few customers and accounts that could score leave the graph.

Purchases carry their hashed fingerprints (`payment_hash`, `device_hash`,
`address_hash`: SHA-256, never raw) and `refunded_at` as properties; rings are the values
held by several customers, grouped here and joined into connected groups in the hub.
Restricted customers, and what is theirs, are left out but for admins
(graph/restriction.py); consent does not gate fraud detection (docs/predictions.md,
"Fraud and anomaly patterns"). Times are epoch milliseconds.
"""

from graph.restriction import HIDDEN, visible

_PURCHASES = f"MATCH (c:Customer)-[:MADE]->(o:Purchase)\nWHERE {visible('c')}"

# One row: the customers with a purchase, their purchases and refunds, the first and last
# purchase times.
FRAUD_POPULATION = f"""{_PURCHASES}
RETURN count(DISTINCT c) AS customers, count(o) AS purchases, count(o.refunded_at) AS refunds,
       min(o.at) AS first, max(o.at) AS last"""

# Per customer who can score a burst or refund abuse (`$min_burst` purchases in one window
# of `$window_ms`, or a refund): counts, first and last times, and the densest window of
# purchases (refunds) with its earliest start. Every purchase is compared with the
# customer's others (n^2 a customer), so no sort is needed: the densest window starts at
# one of the events.
FRAUD_HISTORIES = f"""{_PURCHASES}
WITH c, collect(o.at) AS ats, collect(o.refunded_at) AS rats,
     min(o.at) AS first, max(o.at) AS last,
     min(o.refunded_at) AS first_refund, max(o.refunded_at) AS last_refund
WITH c, ats, rats, first, last, first_refund, last_refund,
     [t IN ats | [size([x IN ats WHERE x >= t AND x <= t + $window_ms]), t]] AS windows,
     [t IN rats | [size([x IN rats WHERE x >= t AND x <= t + $window_ms]), t]] AS refund_windows
WITH c, ats, rats, first, last, first_refund, last_refund,
     reduce(b = [0, 0], w IN windows |
       CASE WHEN w[0] > b[0] OR (w[0] = b[0] AND w[1] < b[1]) THEN w ELSE b END) AS burst,
     reduce(b = [0, 0], w IN refund_windows |
       CASE WHEN w[0] > b[0] OR (w[0] = b[0] AND w[1] < b[1]) THEN w ELSE b END) AS refund_burst
WHERE burst[0] >= $min_burst OR size(rats) > 0
RETURN c.id AS customer, size(ats) AS purchases, first, last,
       burst[0] AS burst, burst[1] AS burst_at, size(rats) AS refunds,
       first_refund, last_refund, refund_burst[0] AS refund_burst,
       refund_burst[1] AS refund_burst_at
ORDER BY customer"""

# The hashed values held by 2 to `$max_sharers` customers: their kind and holders (the
# value itself stays in the graph).
FRAUD_SHARED_VALUES = f"""{_PURCHASES}
  AND (o.payment_hash IS NOT NULL OR o.device_hash IS NOT NULL OR o.address_hash IS NOT NULL)
UNWIND [['payment', o.payment_hash], ['device', o.device_hash], ['address', o.address_hash]]
  AS kv
WITH c, kv WHERE kv[1] IS NOT NULL
WITH kv[0] AS kind, kv[1] AS value, collect(DISTINCT c.id) AS customers
WHERE size(customers) >= 2 AND size(customers) <= $max_sharers
RETURN kind, customers"""

# Every customer with a complaint: their complaints and purchases.
FRAUD_COMPLAINTS = f"""MATCH (c:Customer)-[:FILED]->(k:Complaint)
WHERE {visible("c")}
WITH c, count(k) AS complaints
OPTIONAL MATCH (c)-[:MADE]->(o:Purchase)
RETURN c.id AS customer, complaints, count(o) AS purchases
ORDER BY customer"""

# Pairs of accounts in lockstep: both interacted with at least `$min_posts` posts while
# new (within `$new_ms` of the account's creation), within `$lockstep_ms` of each other
# (each account's first interaction with a post counts). Pairs are formed only among the
# new accounts of one post, in time order, each with the next `$max_next` at most: a
# popular post's thousands of new fans would otherwise make millions of pairs (a bigger
# farm acting at once still connects, through the members in between).
FRAUD_LOCKSTEP_PAIRS = f"""{HIDDEN}MATCH (a:SocialAccount)-[i:INTERACTED]->(p:Post)
WHERE a.created_at IS NOT NULL AND i.at >= a.created_at AND i.at <= a.created_at + $new_ms
  AND NOT a IN hidden AND NOT p IN hidden
WITH p, a.id AS account, min(i.at) AS at
WITH p, account, at ORDER BY at, account
WITH p, collect([account, at]) AS xs
WHERE size(xs) >= 2
UNWIND range(0, size(xs) - 2) AS x
WITH p, xs, x, CASE WHEN x + $max_next < size(xs) - 1 THEN x + $max_next ELSE size(xs) - 1 END
  AS last
UNWIND [y IN range(x + 1, last) WHERE xs[y][1] - xs[x][1] <= $lockstep_ms] AS y
WITH p, xs[x] AS u, xs[y] AS v
WITH CASE WHEN u[0] < v[0] THEN u[0] ELSE v[0] END AS a,
     CASE WHEN u[0] < v[0] THEN v[0] ELSE u[0] END AS b, count(DISTINCT p) AS posts
WHERE posts >= $min_posts
RETURN a, b, posts
ORDER BY a, b"""

# The customers (visible to the caller) the accounts `$accounts` are linked to.
ACCOUNT_OWNERS = f"""UNWIND $accounts AS key
MATCH (c:Customer)-[:HAS_ACCOUNT]->(a:SocialAccount {{id: key}})
WHERE {visible("c")}
RETURN a.id AS account, c.id AS customer
ORDER BY account, customer"""
