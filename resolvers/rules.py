"""The rule language: a rule as plain data (the GraphQL `CustomerRule` input, or a saved
audience's JSON) -> the compiled statement pieces (graph/rules.py).

A rule is a map with exactly one key: `and` / `or` (lists of rules), `not` (a rule), or
one condition. Relative windows (`withinDays`) are resolved against the moment the rule
is evaluated, so a saved "last 30 days" stays the last 30 days. Every refusal is
BAD_USER_INPUT naming where in the rule it is (`where.and[1].metric.value`).
"""

import json
from collections.abc import Mapping
from typing import Any

from graph import rules as g
from graph.engagement import ENGAGEMENT_KINDS
from resolvers.context import Context
from resolvers.errors import bad_input
from resolvers.ids import key_for
from resolvers.principal import PURPOSES, Role

DAY_MS = g.DAY_MS
MAX_DEPTH = 8
MAX_CONDITIONS = 50
MAX_WITHIN_DAYS = 3660
OPS = ("eq", "ne", "gt", "gte", "lt", "lte")
# Personal profile fields analysts may not select on: narrowing by them would single
# people out behind their pseudonyms (docs/security.md).
PERSONAL_FIELDS = frozenset({"city", "birth_year", "gender"})


def _one(raw: Mapping[str, Any], where: str) -> tuple[str, Any]:
    given = [(k, v) for k, v in raw.items() if v is not None]
    if len(given) != 1:
        raise bad_input(f"a rule takes exactly one of its fields, {len(given)} given", where)
    return given[0]


def _since(days: Any, now: int, where: str) -> int:
    if not isinstance(days, int) or not 1 <= days <= MAX_WITHIN_DAYS:
        raise bad_input(f"withinDays is 1..{MAX_WITHIN_DAYS}", where)
    return now - days * DAY_MS


def _op(raw: Mapping[str, Any], where: str) -> str:
    op = str(raw.get("op", "")).lower()
    if op not in OPS:
        raise bad_input(f"op is one of {', '.join(o.upper() for o in OPS)}", f"{where}.op")
    return op


def _range(raw: Mapping[str, Any], where: str) -> tuple[int | None, int | None]:
    start, end = raw.get("from"), raw.get("until")
    if start is None and end is None:
        raise bad_input("give from, until or both", where)
    if start is not None and end is not None and start > end:
        raise bad_input("from is after until", where)
    return start, end


class _Parser:
    def __init__(self, now: int, role: Role) -> None:
        self.now = now
        self.role = role
        self.conditions = 0

    def rule(self, raw: Any, where: str, depth: int = 0) -> g.Rule:
        if not isinstance(raw, Mapping):
            raise bad_input("a rule is an object", where)
        if depth > MAX_DEPTH:
            raise bad_input(f"rules nest at most {MAX_DEPTH} deep", where)
        key, value = _one(raw, where)
        at = f"{where}.{key}"
        if key in ("and", "or"):
            if not isinstance(value, list) or not value:
                raise bad_input(f"{key} takes a non-empty list of rules", at)
            parts = tuple(self.rule(v, f"{at}[{i}]", depth + 1) for i, v in enumerate(value))
            return g.AllOf(parts) if key == "and" else g.AnyOf(parts)
        if key == "not":
            return g.NotRule(self.rule(value, at, depth + 1))
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise bad_input(f"a rule holds at most {MAX_CONDITIONS} conditions", at)
        return self.condition(key, value, at)

    def condition(self, key: str, v: Any, at: str) -> g.Rule:
        if key == "profile":
            return self.profile(v, at)
        if key == "tag":
            return g.HasTag(str(v["tag"]), v.get("min_weight"))
        if key == "segment":
            return g.InSegment(str(v))
        if key == "identity":
            return g.HasIdentity(str(v))
        if key == "audience":
            return g.InAudience(str(v))
        if key == "brand":
            kinds = tuple(str(k).lower() for k in v.get("kinds") or ENGAGEMENT_KINDS)
            if not kinds or any(k not in ENGAGEMENT_KINDS for k in kinds):
                raise bad_input(f"kinds are {', '.join(ENGAGEMENT_KINDS)}", f"{at}.kinds")
            days = v.get("within_days")
            since = _since(days, self.now, f"{at}.withinDays") if days is not None else None
            brand = key_for("Brand", str(v["brand"]), f"{at}.brand")
            return g.EngagedWith(brand, tuple(sorted(set(kinds))), since)
        if key == "consent":
            purpose = str(v["purpose"]).lower()
            if purpose not in PURPOSES:
                raise bad_input(f"unknown purpose {purpose!r}", f"{at}.purpose")
            return g.LiveConsent(key_for("Brand", str(v["brand"]), f"{at}.brand"), purpose)
        if key == "trait":
            op = "exists" if v.get("op") in ("exists", "EXISTS") else _op(v, at)
            value = v.get("number") if v.get("number") is not None else v.get("text")
            if op != "exists" and value is None:
                raise bad_input("give number or text to compare with", at)
            return g.TraitIs(str(v["name"]), op, value)
        if key == "metric":
            metric = str(v.get("metric", "")).lower()
            if metric not in g.METRICS:
                raise bad_input(f"unknown metric {metric!r}", f"{at}.metric")
            return g.MetricIs(metric, _op(v, at), float(v["value"]))
        if key == "customer_class":
            name = str(v).upper()
            if name not in g.CLASSES:
                raise bad_input(f"classes are {', '.join(g.CLASSES)}", at)
            return g.ClassIs(name)
        if key == "active_within_days":
            return g.ActiveBetween(_since(v, self.now, at), None)
        if key == "last_activity":
            return g.ActiveBetween(*_range(v, at))
        if key == "created":
            return g.CreatedBetween(*_range(v, at))
        raise bad_input(f"unknown condition {key!r}", at)

    def profile(self, v: Mapping[str, Any], at: str) -> g.Rule:
        name = str(v.get("field", "")).lower()
        if name not in g.PROFILE_FIELDS:
            raise bad_input(f"profile fields are {', '.join(g.PROFILE_FIELDS)}", f"{at}.field")
        if self.role is Role.ANALYST and name in PERSONAL_FIELDS:
            raise bad_input(f"analysts cannot select customers by {name}", f"{at}.field")
        op = str(v.get("op", "")).lower()
        if op == "exists":
            return g.Profile(name, "exists")
        if op == "in":
            values = v.get("values")
            if not values:
                raise bad_input("IN takes a non-empty values list", f"{at}.values")
            return g.Profile(name, "in", [str(x) for x in values])
        value = v.get("number") if v.get("number") is not None else v.get("text")
        if value is None:
            raise bad_input("give number or text to compare with", at)
        return g.Profile(name, _op(v, at), value)


def parse_rule(raw: Any, now: int, role: Role = Role.ADMIN, where: str = "where") -> g.Rule:
    """The rule tree of ``raw`` evaluated at ``now``; raises BAD_USER_INPUT naming where."""
    return _Parser(now, role).rule(raw, where)


def knobs(ctx: Context, now: int) -> g.Knobs:
    """The metric knobs of the request's metrics configuration, at ``now``."""
    c = ctx.metrics_config
    return g.Knobs(
        now=now, recency=c.recency_breakpoints_days, frequency=c.frequency_breakpoints,
        monetary=c.monetary_breakpoints, margin=c.gross_margin,
        per_complaint=c.cost_per_complaint, per_order=c.cost_per_order,
        per_interaction=c.cost_per_interaction, purchase_gap_days=c.default_purchase_gap_days,
        ratio_at_half_risk=c.churn_ratio_at_half_risk, high_risk=c.churn_high_risk,
        high_potential_min_score=c.high_potential_min_score,
    )  # fmt: skip


def compile_for(ctx: Context, raw: Any, now: int, where: str = "where") -> g.Compiled:
    """``raw`` parsed and compiled for the caller: restricted customers only for admins."""
    rule = parse_rule(raw, now, ctx.principal.role, where) if raw is not None else None
    return g.compile_rule(rule, knobs(ctx, now), ctx.principal.sees_restricted)


def to_json(raw: Any) -> str:
    """A rule as stored with a saved audience (keys sorted: the same rule, the same text)."""
    return json.dumps(raw, sort_keys=True, separators=(",", ":"))
