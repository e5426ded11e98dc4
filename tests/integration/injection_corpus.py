"""Strings a hostile caller might send in any String or ID argument (test_hardening.py
sends each one through every argument as a variable). Every entry is data the hub must
store or compare literally, never run: Cypher and openCypher-on-FalkorDB injection, the
`CYPHER name=value` parameter prefix FalkorDB's client builds, procedure calls, full-text
(Lucene / RediSearch) syntax for the customer search, SQL- and JSON-shaped payloads,
escapes, control characters and sizes.

CORE is a handful every argument receives; the rest are shared out between arguments
(test_hardening.py `payloads_for`), so each entry reaches several arguments.
"""

CYPHER = [
    "'",
    '"',
    "`",
    "\\",
    "' OR 1=1 //",
    '" OR 1=1 //',
    "' OR '1'='1",
    "x') OR true WITH * MATCH (n) DETACH DELETE n //",
    '"}) MATCH (n) DETACH DELETE n //',
    "'}) MATCH (n) DETACH DELETE n //",
    "c1'}) SET c.name = 'pwned' //",
    'c1"}) SET c.name = "pwned" //',
    "`) MATCH (n) DETACH DELETE n //",
    "c1` SET n.x = 1 //",
    "`Customer`",
    ":Customer",
    "c1' RETURN 1 UNION MATCH (n) RETURN n //",
    "MATCH (n) DETACH DELETE n",
    "CREATE (:Customer {id: 'evil'})",
    "MERGE (x:Brand {id: 'evil'}) RETURN x",
    "}) RETURN 1 //",
    "{",
    "}",
    "{id: 'c1'}",
    "$param",
    "$id",
    "${id}",
    "c1 /* comment */",
    "/*",
    "*/",
    "// end",
    "-- end",
    "c1\n// next line\nMATCH (n) DETACH DELETE n",
    "\\u0027 OR 1=1 //",
    "\\' OR 1=1 //",
    "\\\\' OR 1=1 //",
    "c1\\",
    "\u0027) DETACH DELETE n //",
    "\u2019 OR 1=1 //",  # a typographic apostrophe
    "\uff07 OR 1=1 //",  # a full-width apostrophe
]

PROCEDURES = [
    "CALL db.labels()",
    "' CALL db.labels() YIELD label RETURN label //",
    "CALL dbms.procedures()",
    "CALL db.idx.fulltext.drop('Customer')",
    "CALL db.index.fulltext.queryNodes('customer_search', '*')",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "' LOAD CSV FROM 'http://127.0.0.1:1/x' AS r RETURN r //",
    "CALL apoc.cypher.runWrite('MATCH (n) DETACH DELETE n', {})",
    "apoc.export.csv.all('/tmp/x.csv', {})",
    "CALL algo.pageRank()",
    "GRAPH.DELETE g",
    "CYPHER id='x' MATCH (n) DETACH DELETE n",
    "x CYPHER id=1 MATCH (n) RETURN n",
    "id='c1' ",
    "x=1 y=2",
]

FULLTEXT = [
    "*",
    "?",
    "~",
    "c1~",
    "Wang~0.5",
    "Wang*",
    "*ang",
    "W?ng",
    "AND",
    "OR",
    "NOT",
    "Wang AND NOT Fang",
    "Wang OR Li",
    "+Wang -Fang",
    '"Wang Fang"~2',
    '"unterminated',
    "name:Wang",
    "handle:(@fang90)",
    "[a TO z]",
    "{a TO z}",
    "(",
    ")",
    "((((((((((a))))))))))",
    "a^2",
    "/regex.*/",
    "\\*",
    "&&",
    "||",
    "!",
    "@handle:{x}",  # RediSearch field syntax
    "%fuzzy%",
    "-",
    ":",
]

SQL_JSON = [
    "1; DROP TABLE customers; --",
    "' UNION SELECT * FROM users --",
    "admin'--",
    '{"$gt": ""}',
    '{"id": {"$ne": null}}',
    '{"__proto__": {"admin": true}}',
    "[]",
    "null",
    "true",
    "0",
    "-1",
    "1e309",
    "NaN",
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
    "${jndi:ldap://127.0.0.1/x}",
    "{{7*7}}",
    "%s%s%s%n",
]

CONTROL = [
    "",
    " ",
    "\t",
    "\n",
    "\r\n",
    "c1\x00",
    "\x00' OR 1=1 //",
    "a\x00b",
    "\x00",
    "\x01\x02\x03\x1b[31m",
    "\x7f",
    "c1\u200b",  # a zero-width space
    "\u202e1c",  # right-to-left override
    "\ufeffc1",  # a byte-order mark
    "\ud7ff\ue000\uffff",
    "\ud800",  # a lone surrogate: JSON can carry one (\\ud800)
    "c\u0301",  # a combining accent
    "\U0001f600",
    "王芳",
    " c1 ",
]

LONG = [
    "a" * 10_000,
    "' OR 1=1 //" * 1_000,
    "x" * 100_000,
]

PAYLOADS: list[str] = CYPHER + PROCEDURES + FULLTEXT + SQL_JSON + CONTROL + LONG

# Every argument receives these.
CORE: list[str] = [
    "'",
    '"',
    "`",
    "\\",
    "' OR 1=1 //",
    '"}) MATCH (n) DETACH DELETE n //',
    "$param",
    "CALL db.labels()",
    "*",
    "a\x00b",
    "",
    "a" * 10_000,
]
