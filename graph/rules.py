"""The rule language's compiler: a rule tree -> one WHERE over a bound customer `e`.

Rules are plain values (the dataclasses below; resolvers/rules.py builds them from the
GraphQL input). Every condition compiles to fixed text from this module with its values
as parameters `$r<n>`, named by the compiler as it writes the text, so text and
parameters are made together. Conditions that need a per-customer value (a trait, a
metric, a windowed engagement, a live consent) add a `WITH` binding computed before the
WHERE; plain ones are pattern or property predicates. Every condition is true or false,
never null (a missing value compares false), so NOT is the complement of its rule.
"""

from dataclasses import dataclass, field
from typing import Any

from graph.consent_rules import live_consent
from graph.restriction import visible

DAY_MS = 86_400_000

# profile field -> property (allow-list); numeric ones take GT/LT.
PROFILE_FIELDS = {"country": "e.country", "region": "e.region", "city": "e.city",
                  "gender": "e.gender", "birth_year": "e.birth_year"}  # fmt: skip
NUMERIC_OPS = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

# Per-customer base values the metrics are made of: name -> expression over `e`.
BASE_VALUES = {
    "m_orders": "size([(e)-[:MADE]->(mo:Purchase) | mo])",
    "m_spend": "reduce(s = 0.0, t IN [(e)-[:MADE]->(ms:Purchase) | coalesce(ms.total, 0)] | s + t)",
    "m_last": "reduce(m = -1, t IN [(e)-[:MADE]->(ml:Purchase) | ml.at] "
    "| CASE WHEN t IS NOT NULL AND t > m THEN t ELSE m END)",
    "m_complaints": "size([(e)-[:FILED]->(mc:Complaint) | mc])",
    "m_interactions": "size([(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[mi:INTERACTED]->(:Post) | mi])",
    "m_activity": "reduce(m = -1, t IN [(e)-[:MADE]->(lp:Purchase) | lp.at]"
    " + [(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[li:INTERACTED]->(:Post) | li.at]"
    " + [(e)-[:FILED]->(lc:Complaint) | lc.opened_at]"
    " + [(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[:POSTED]->(lpo:Post) | lpo.at]"
    " | CASE WHEN t IS NOT NULL AND t > m THEN t ELSE m END)",
}
# Distinct UTC day numbers of purchases up to `$now` (several orders on one day are one
# trip), for churn risk as resolvers/metrics.py churn_risk computes it.
BASE_VALUES["m_days"] = (
    "reduce(ds = [], d IN [(e)-[:MADE]->(md:Purchase) WHERE md.at IS NOT NULL AND md.at <= $now"
    " | toInteger(floor(md.at / 86400000.0))] | CASE WHEN d IN ds THEN ds ELSE ds + [d] END)"
)
_RECENCY = "(CASE WHEN m_last < 0 THEN null ELSE $as_of_day - m_last / 86400000 END)"
# Gaps between consecutive purchase days, and their k-th smallest (no list sort in
# portable openCypher: the value with at most k smaller and more than k not larger).
_GAPS = (
    "[d IN m_days WHERE size([x IN m_days WHERE x > d]) > 0 | "
    "reduce(n = -1, x IN m_days | CASE WHEN x > d AND (n < 0 OR x < n) THEN x ELSE n END) - d]"
)


def _kth_gap(k: str) -> str:
    return (
        f"[v IN {_GAPS} WHERE size([w IN {_GAPS} WHERE w < v]) <= {k} "
        f"AND size([w IN {_GAPS} WHERE w <= v]) > {k}][0]"
    )


# The median gap (the configured one below two purchase days); risk = ratio / (ratio +
# half), ratio = days since the last purchase day / gap, as 1 - half / (ratio + half).
_GAP = (
    "(CASE WHEN size(m_days) < 2 THEN $mk_gap ELSE "
    f"({_kth_gap('(size(m_days) - 2) / 2')} + {_kth_gap('(size(m_days) - 1) / 2')}) / 2.0 END)"
)
_SINCE = "($as_of_day - reduce(m = -1, d IN m_days | CASE WHEN d > m THEN d ELSE m END))"
CHURN_RISK = (
    f"(CASE WHEN size(m_days) = 0 THEN null ELSE "
    f"1.0 - $mk_half / ({_SINCE} / {_GAP} + $mk_half) END)"
)
# metric -> (expression over the base values and `$mk_*` knobs, base values it needs).
# The definitions of resolvers/metrics.py (docs/metrics.md), as of `$now`.
METRICS: dict[str, tuple[str, tuple[str, ...]]] = {
    "orders": ("m_orders", ("m_orders",)),
    "spend": ("m_spend", ("m_spend",)),
    "average_order_value": (
        "CASE WHEN m_orders = 0 THEN null ELSE m_spend / m_orders END",
        ("m_orders", "m_spend"),
    ),
    "recency_days": (_RECENCY, ("m_last",)),
    "recency_score": (
        f"(CASE WHEN m_last < 0 THEN 1 ELSE 5 - size([b IN $mk_recency WHERE b < {_RECENCY}]) END)",
        ("m_last",),
    ),
    "frequency_score": ("(1 + size([b IN $mk_frequency WHERE b <= m_orders]))", ("m_orders",)),
    "monetary_score": ("(1 + size([b IN $mk_monetary WHERE b <= m_spend]))", ("m_spend",)),
    "historic_value": ("(m_spend * $mk_margin)", ("m_spend",)),
    "profitability": (
        "(m_spend * $mk_margin - m_complaints * $mk_complaint - m_orders * $mk_order"
        " - m_interactions * $mk_interaction)",
        ("m_spend", "m_complaints", "m_orders", "m_interactions"),
    ),
    "churn_risk": (CHURN_RISK, ("m_days",)),
    "complaints": ("m_complaints", ("m_complaints",)),
    "interactions": ("m_interactions", ("m_interactions",)),
}


def _metric_text(name: str) -> str:
    return METRICS[name][0]


# The customer class of resolvers/metrics.py _classify, over the same base values.
CUSTOMER_CLASS = (
    f"(CASE WHEN {_metric_text('profitability')} <= 0 OR {_metric_text('monetary_score')} = 1 "
    "THEN 'LOW_VALUE' "
    f"WHEN {_metric_text('monetary_score')} < $mk_hp_score "
    f"AND {_metric_text('frequency_score')} < $mk_hp_score THEN 'REGULAR' "
    f"WHEN coalesce({CHURN_RISK} >= $mk_high_risk, false) THEN 'REGULAR' "
    "ELSE 'HIGH_POTENTIAL' END)"
)
CLASS_BASES = ("m_spend", "m_complaints", "m_orders", "m_interactions", "m_days")
CLASSES = ("HIGH_POTENTIAL", "REGULAR", "LOW_VALUE")

# Brand engagement within a window: the paths of graph/engagement.py, with names of their
# own (`{n}`): FalkorDB returns empty lists when comprehensions in one WITH share a name.
ENGAGEMENT_SINCE = {
    "follow": "[(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[gf{n}:FOLLOWS]->(:Brand {{id: ${b}}}) "
    "WHERE gf{n}.since >= ${s} | 1]",
    "interaction": "[(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[gi{n}:INTERACTED]->(:Post)"
    "<-[:POSTED]-(:Brand {{id: ${b}}}) WHERE gi{n}.at >= ${s} | 1]",
    "purchase": "[(e)-[:MADE]->(gp{n}:Purchase)-[:AT]->(:Brand {{id: ${b}}}) "
    "WHERE gp{n}.at >= ${s} | 1]",
}
ENGAGEMENT_EVER = {
    "follow": "(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[:FOLLOWS]->(:Brand {{id: ${b}}})",
    "interaction": "(e)-[:HAS_ACCOUNT]->(:SocialAccount)-[:INTERACTED]->(:Post)"
    "<-[:POSTED]-(:Brand {{id: ${b}}})",
    "purchase": "(e)-[:MADE]->(:Purchase)-[:AT]->(:Brand {{id: ${b}}})",
}


@dataclass(frozen=True)
class AllOf:
    rules: tuple["Rule", ...]


@dataclass(frozen=True)
class AnyOf:
    rules: tuple["Rule", ...]


@dataclass(frozen=True)
class NotRule:
    rule: "Rule"


@dataclass(frozen=True)
class Profile:
    field: str  # a key of PROFILE_FIELDS
    op: str  # eq, ne, gt, gte, lt, lte, in, exists
    value: Any = None  # a string, a number, or a list of strings for `in`


@dataclass(frozen=True)
class HasTag:
    tag: str
    min_weight: float | None = None


@dataclass(frozen=True)
class InSegment:
    segment: str


@dataclass(frozen=True)
class InAudience:
    """A member of the saved audience now: a spell of it open (graph/audiences.py)."""

    audience: str


@dataclass(frozen=True)
class HasIdentity:
    platform: str


@dataclass(frozen=True)
class EngagedWith:
    brand: str
    kinds: tuple[str, ...] = ("follow", "interaction", "purchase")
    since: int | None = None  # epoch ms; None: ever


@dataclass(frozen=True)
class LiveConsent:
    brand: str
    purpose: str


@dataclass(frozen=True)
class TraitIs:
    name: str
    op: str  # a key of NUMERIC_OPS, or exists
    value: float | str | None = None


@dataclass(frozen=True)
class MetricIs:
    metric: str  # a key of METRICS
    op: str
    value: float


@dataclass(frozen=True)
class ClassIs:
    """The customer class (a value of CLASSES) as resolvers/metrics.py assigns it."""

    customer_class: str


@dataclass(frozen=True)
class ActiveBetween:
    """Latest purchase, interaction, complaint or post in [start, end)."""

    start: int | None
    end: int | None


@dataclass(frozen=True)
class CreatedBetween:
    start: int | None
    end: int | None


Rule = (AllOf | AnyOf | NotRule | Profile | HasTag | InSegment | InAudience | HasIdentity
        | EngagedWith | LiveConsent | TraitIs | MetricIs | ClassIs | ActiveBetween
        | CreatedBetween)  # fmt: skip


@dataclass
class Compiler:
    """Writes a rule's text and its parameters together; ``lets`` are the per-customer
    values its conditions need (name -> expression), in order."""

    params: dict[str, Any] = field(default_factory=dict)
    lets: dict[str, str] = field(default_factory=dict)
    # FalkorDB refuses a pattern predicate OR-ed with a value a WITH computed ("Type
    # mismatch"), so once a rule needs lets, its pattern conditions become lets too.
    patterns_as_lets: bool = False
    patterns: int = 0
    # Metrics over the lets, bound by a second WITH: FalkorDB drops a WITH variable that
    # a WHERE reads only inside a list expression, so a metric is never computed there.
    derived: dict[str, str] = field(default_factory=dict)
    negations: int = 0  # how many NOTs enclose the rule being compiled

    def exists(self, pattern: str) -> str:
        """A condition: ``pattern`` (from `e`, no variables of its own) has a match."""
        self.patterns += 1
        if not self.patterns_as_lets:
            return pattern
        return f"({self.let(f'size([{pattern} | 1]) > 0')})"

    def param(self, value: Any) -> str:
        name = f"r{len(self.params)}"
        self.params[name] = value
        return name

    def let(self, expression: str) -> str:
        for name, existing in self.lets.items():
            if existing == expression:
                return name
        name = f"v{len(self.lets)}"
        self.lets[name] = expression
        return name

    def metric(self, metric: str) -> str:
        """The expression of ``metric`` over its base values (bound as lets). KeyError
        for a metric not in METRICS."""
        expression, bases = METRICS[metric]
        for base in bases:
            self.lets.setdefault(base, BASE_VALUES[base])
        if expression in bases:
            return expression
        name = f"d_{metric}"
        self.derived[name] = expression
        return name

    def trait(self, name: str) -> str:
        p = self.param(name)
        n = len(self.lets)
        return self.let(f"[(e)-[tv{n}:HAS_TRAIT]->(:Trait {{id: ${p}}}) | tv{n}.value][0]")

    def compile(self, rule: Rule) -> str:
        """The condition ``rule`` sets on `e`; KeyError for an unknown field, op or metric."""
        match rule:
            case AllOf(rules):
                return "(" + " AND ".join(map(self.compile, rules)) + ")" if rules else "true"
            case AnyOf(rules):
                return "(" + " OR ".join(map(self.compile, rules)) + ")" if rules else "false"
            case NotRule(inner):
                self.negations += 1
                try:
                    return f"(NOT {self.compile(inner)})"
                finally:
                    self.negations -= 1
            case Profile(name, op, value):
                prop = PROFILE_FIELDS[name]
                if op == "exists":
                    return f"({prop} IS NOT NULL)"
                if op == "in":
                    return self.test(f"{prop} IN ${self.param(list(value))}")
                return self.test(f"{prop} {NUMERIC_OPS[op]} ${self.param(value)}")
            case HasTag(tag, None):
                return self.exists(f"(e)-[:TAGGED]->(:Tag {{id: ${self.param(tag)}}})")
            case HasTag(tag, weight):
                t, w, n = self.param(tag), self.param(weight), len(self.lets)
                found = self.let(
                    f"size([(e)-[tg{n}:TAGGED]->(:Tag {{id: ${t}}}) WHERE tg{n}.weight >= ${w} "
                    f"| 1]) > 0"
                )
                return f"({found})"
            case InSegment(segment):
                return self.exists(f"(e)-[:IN_SEGMENT]->(:Segment {{id: ${self.param(segment)}}})")
            case InAudience(audience):
                a, n = self.param(audience), len(self.lets)
                member = self.let(
                    f"size([(e)-[au{n}:IN_AUDIENCE]->(:Audience {{id: ${a}}}) "
                    f"WHERE au{n}.exited_at IS NULL | 1]) > 0"
                )
                return f"({member})"
            case HasIdentity(platform):
                p = self.param(platform)
                return self.exists(f"(e)-[:HAS_ACCOUNT]->(:SocialAccount {{platform: ${p}}})")
            case EngagedWith(brand, kinds, since):
                b = self.param(brand)
                if since is None:
                    ever = [self.exists(ENGAGEMENT_EVER[k].format(b=b)) for k in kinds]
                    return "(" + " OR ".join(ever) + ")"
                s, n = self.param(since), len(self.lets)
                sizes = " + ".join(
                    f"size({ENGAGEMENT_SINCE[k].format(n=n, b=b, s=s)})" for k in kinds
                )
                return f"({self.let(f'{sizes} > 0')})"
            case LiveConsent(brand, purpose):
                b, p, n = self.param(brand), self.param(purpose), len(self.lets)
                live = live_consent("e", f"kc{n}", p)
                found = self.let(f"size([(e)-[kc{n}:CONSENTED]->(:Brand {{id: ${b}}}) "
                                 f"WHERE {live} | 1]) > 0")  # fmt: skip
                return f"({found})"
            case TraitIs(name, op, value):
                value_of = self.trait(name)
                if op == "exists":
                    return f"({value_of} IS NOT NULL)"
                return self.test(f"{value_of} {NUMERIC_OPS[op]} ${self.param(value)}")
            case MetricIs(metric, op, value):
                expression = self.metric(metric)
                return self.test(f"{expression} {NUMERIC_OPS[op]} ${self.param(value)}")
            case ClassIs(customer_class):
                for base in CLASS_BASES:
                    self.lets.setdefault(base, BASE_VALUES[base])
                self.derived["d_class"] = CUSTOMER_CLASS
                return f"(d_class = ${self.param(customer_class)})"
            case ActiveBetween(start, end):
                self.lets.setdefault("m_activity", BASE_VALUES["m_activity"])
                return self._between("m_activity", start, end, missing="m_activity < 0")
            case CreatedBetween(start, end):
                return self._between("e.created_at", start, end, missing="e.created_at IS NULL")
        raise KeyError(f"not a rule: {rule!r}")

    def test(self, comparison: str) -> str:
        """``comparison`` (null when a value is missing) as a condition. Under a NOT, null
        must count as false (coalesce), which the NOT turns into true. Elsewhere null and
        false both drop the customer (AND and OR keep "true" exactly where the two-valued
        form is true), and the bare comparison lets Neo4j's planner filter on the property
        before it matches a rule's patterns: with coalesce it matched the tag pattern of
        every customer first (1.7 times the hand-written rule's time at 100k customers,
        bench.audiences profile_and_tag)."""
        return f"coalesce({comparison}, false)" if self.negations else f"({comparison})"

    def _between(self, value: str, start: int | None, end: int | None, missing: str) -> str:
        parts = [f"NOT ({missing})"]
        if start is not None:
            parts.append(f"{value} >= ${self.param(start)}")
        if end is not None:
            parts.append(f"{value} < ${self.param(end)}")
        return "(" + " AND ".join(parts) + ")"


# Group-by dimensions of `customers(where:) { groups }` besides traits and metrics.
GROUP_FIELDS = {"country": "e.country", "region": "e.region"}
MAX_GROUPS = 1000


def group_lines(key: str, value: str | None) -> list[str]:
    """After a rule's lines: one row per group `grp` (``key``, an expression the compiler
    made) with its customers counted, and ``value`` summed and averaged (nulls skipped)."""
    return [
        f"WITH {key} AS grp, {value or 'null'} AS val",
        "RETURN grp, count(*) AS count, sum(val) AS sum, avg(val) AS avg",
        f"ORDER BY grp LIMIT {MAX_GROUPS}",
    ]


@dataclass(frozen=True)
class Knobs:
    """What the metric conditions need: the moment they are computed at and the metrics'
    configuration (resolvers/metrics.py MetricsConfig, as plain values)."""

    now: int
    recency: tuple[int, ...] = (30, 90, 180, 365)
    frequency: tuple[int, ...] = (2, 3, 5, 10)
    monetary: tuple[float, ...] = (100.0, 250.0, 500.0, 1000.0)
    margin: float = 0.4
    per_complaint: float = 25.0
    per_order: float = 5.0
    per_interaction: float = 0.0
    purchase_gap_days: float = 90.0
    ratio_at_half_risk: float = 1.0
    high_risk: float = 0.75
    high_potential_min_score: int = 4

    def params(self) -> dict[str, Any]:
        return {
            "now": self.now, "as_of_day": self.now // DAY_MS, "mk_recency": list(self.recency),
            "mk_frequency": list(self.frequency), "mk_monetary": list(self.monetary),
            "mk_margin": self.margin, "mk_complaint": self.per_complaint,
            "mk_order": self.per_order, "mk_interaction": self.per_interaction,
            "mk_gap": float(self.purchase_gap_days), "mk_half": float(self.ratio_at_half_risk),
            "mk_high_risk": self.high_risk, "mk_hp_score": self.high_potential_min_score,
        }  # fmt: skip


@dataclass(frozen=True)
class Compiled:
    """A compiled rule: the per-customer values it needs (name -> expression over `e`),
    its condition over `e` and them (true for the customers it selects, false or null for
    the others: use it in a WHERE, or coalesce it before a NOT), and the statement's
    parameters."""

    lets: dict[str, str]
    condition: str
    params: dict[str, Any]
    derived: dict[str, str] = field(default_factory=dict)

    def bind(self, carry: str = "e") -> list[str]:
        """WITH lines that keep ``carry`` (which binds `e`) and compute the lets, then the
        metrics over them."""
        values = "".join(f", {expr} AS {name}" for name, expr in self.lets.items())
        lines = [f"WITH {carry}{values}"]
        if self.derived:
            kept = "".join(f", {name}" for name in self.lets)
            metrics = ", ".join(f"{expr} AS {name}" for name, expr in self.derived.items())
            lines.append(f"WITH {carry}{kept}, {metrics}")
        return lines

    def where(self, carry: str = "e") -> list[str]:
        """Lines that keep the rows (binding `e`, and ``carry``) that match."""
        return [*self.bind(carry), f"WHERE {self.condition}"]

    @property
    def names(self) -> tuple[str, ...]:
        """Every value the lines bind besides `e`."""
        return (*self.lets, *self.derived)

    @property
    def lines(self) -> list[str]:
        """Lines binding `e` to every matching customer (one row each) the caller may see."""
        return ["MATCH (e:Customer)", f"WHERE {visible('e')}", *self.where()]


def compile_rule(
    rule: Rule | None, knobs: Knobs, include_restricted: bool, compiler: Compiler | None = None
) -> Compiled:
    """``rule`` (None: every customer) compiled, for a caller who may (or may not) see
    restricted customers (graph/restriction.py). ``compiler`` may already hold lets a
    caller needs too (group-by values). Raises KeyError for an unknown name."""
    base = compiler or Compiler()
    c = Compiler(dict(base.params), dict(base.lets), derived=dict(base.derived))
    condition = c.compile(rule) if rule is not None else "true"
    if c.lets and c.patterns:
        c = Compiler(dict(base.params), dict(base.lets), True, derived=dict(base.derived))
        condition = c.compile(rule) if rule is not None else "true"
    params = {**c.params, **knobs.params(), "include_restricted": include_restricted}
    return Compiled(dict(c.lets), condition, params, dict(c.derived))
