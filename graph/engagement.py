"""How a customer engages with a brand: the one definition every read shares.

A customer `c` engages with a brand `b` by **following** it (one of c's linked accounts
FOLLOWS b), by **interacting** with its content (one of c's accounts INTERACTED with a
post b POSTED), or by **purchasing** from it (c MADE a purchase AT b). Each path binds
`c` and `b`, and `at` is the engagement's time (epoch ms; a follow's `since`).
"""

ENGAGEMENT_KINDS: tuple[str, ...] = ("follow", "interaction", "purchase")

# kind -> (pattern from `c` to `b`, expression for when it happened)
ENGAGEMENT_PATHS: dict[str, tuple[str, str]] = {
    "follow": ("(c)-[:HAS_ACCOUNT]->(:SocialAccount)-[f:FOLLOWS]->(b)", "f.since"),
    "interaction": (
        "(c)-[:HAS_ACCOUNT]->(:SocialAccount)-[i:INTERACTED]->(:Post)<-[:POSTED]-(b)",
        "i.at",
    ),
    "purchase": ("(c)-[:MADE]->(p:Purchase)-[:AT]->(b)", "p.at"),
}

# The variable each path binds to one engagement event, for counting events. Count this,
# not `c` or `b`: FalkorDB collapses parallel relationships that a query never references,
# so two likes of one post count once unless the INTERACTED variable is used.
ENGAGEMENT_EVENT: dict[str, str] = {"follow": "f", "interaction": "i", "purchase": "p"}

# The same paths without variables of their own, for `WHERE [NOT] <pattern>` tests between
# a bound `c` and a bound `b` (a pattern predicate may not introduce new variables).
ENGAGEMENT_EXISTS: dict[str, str] = {
    "follow": "(c)-[:HAS_ACCOUNT]->(:SocialAccount)-[:FOLLOWS]->(b)",
    "interaction": "(c)-[:HAS_ACCOUNT]->(:SocialAccount)-[:INTERACTED]->(:Post)<-[:POSTED]-(b)",
    "purchase": "(c)-[:MADE]->(:Purchase)-[:AT]->(b)",
}
