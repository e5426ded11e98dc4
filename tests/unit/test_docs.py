"""The docs' examples, checked without a graph: every block is one a test checks, the
partner operations printed are the published ones, every `hub` usage is one the CLI
accepts, the mapping excerpt and the Python example are true, and docs/loading.md's field
tables say what the validators accept. (The examples are run in
tests/integration/test_docs.py and tests/e2e/test_docs_shell.py.)"""

from __future__ import annotations

import re
import tomllib
import typing
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import parse
from pydantic import ValidationError

from loaders.kinds import MODELS, LineItem, Record
from resolvers.principal import Role
from schema.guard import PERSISTED_DIR, document_hash, persisted_operations
from tests.doc_commands import UsageError
from tests.doc_commands import parse as parse_usage
from tests.doc_examples import (
    NOT_RUN,
    REPLAYED,
    ROOT,
    SHOWN,
    Unclassified,
    blocks,
    find,
    kind,
    shell_lines,
    spans,
)


def test_every_block_is_one_a_test_checks():
    problems = []
    for block in blocks():
        try:
            what = kind(block)
        except Unclassified as e:
            problems.append(str(e))
            continue
        problems += [f"{block.where}: {p}" for p in block.problems]
        if what == "graphql":
            role = (block.directive or {}).get("role")
            if role not in {r.value for r in Role}:
                problems.append(
                    f"{block.where}: say who runs it on the line above, e.g. "
                    '<!-- docs-test {"role": "app"} --> (roles: app, analyst, partner, admin)'
                )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("table", [NOT_RUN, SHOWN, REPLAYED], ids=["NOT_RUN", "SHOWN", "REPLAYED"])
def test_every_listed_block_exists(table):
    stale = []
    for path, start in table:
        try:
            find(path, start)
        except LookupError as e:
            stale.append(str(e))
    assert not stale, "\n".join(stale)


def _partner_blocks():
    """The blocks that are partner calls: run as a partner, or selecting `partner`."""

    def selects_partner(text: str) -> bool:
        return any(
            getattr(s, "name", None) is not None and s.name.value == "partner"
            for d in parse(text).definitions
            for s in getattr(d, "selection_set", None).selections
        )

    return [
        b for b in blocks("graphql")
        if (b.directive or {}).get("role") == Role.PARTNER or selects_partner(b.text)
    ]  # fmt: skip


def test_partner_examples_are_the_published_operations():
    """A partner key may send only the documents of schema/persisted/ (compared by the hash
    of their canonical print): a partner who copies an example must get an answer."""
    published = persisted_operations()
    unpublished = [
        f"{b.where}: not one of schema/persisted/*.graphql as printed"
        for b in _partner_blocks()
        if document_hash(parse(b.text)) not in published
    ]
    assert not unpublished, "\n".join(unpublished)


def test_every_published_operation_is_printed_in_the_partner_doc():
    printed = {
        document_hash(parse(b.text)) for b in _partner_blocks() if b.path == "docs/partner.md"
    }
    missing = [
        p.name
        for p in sorted(PERSISTED_DIR.glob("*.graphql"))
        if document_hash(parse(p.read_text())) not in printed
    ]
    assert not missing, f"docs/partner.md does not print {missing}"


def _usages() -> list[tuple[str, str]]:
    found = [(s.where, s.text) for s in spans("hub ")]
    for block in blocks("sh"):
        if kind(block) == "usage":
            found += [(block.where, line) for line in shell_lines(block)]
    return found


def test_every_hub_usage_is_one_the_cli_accepts():
    wrong = []
    for where, text in _usages():
        try:
            parse_usage(text)
        except UsageError as e:
            wrong.append(f"{where}: `{text}`: {e}")
    assert not wrong, "\n".join(wrong)


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


CHECKED_HERE = {
    "excerpt": ("docs/loading.md", 'description = "Loyalty'),
    "python": ("docs/metrics.md", "from resolvers.metrics import"),
}


def test_every_excerpt_and_python_block_is_checked_here():
    here = {find(*where) for where in CHECKED_HERE.values()}
    listed = {b for b in blocks() if kind(b) in CHECKED_HERE}
    assert listed == here, [b.where for b in listed ^ here]


def test_mapping_excerpt_is_the_example_file():
    excerpt = _flatten(tomllib.loads(find(*CHECKED_HERE["excerpt"]).text))
    example = _flatten(tomllib.loads((ROOT / "docs/examples/crm-mapping.toml").read_text()))
    differ = {k: v for k, v in excerpt.items() if example.get(k, object()) != v}
    assert not differ, f"not so in docs/examples/crm-mapping.toml: {differ}"


def test_python_example_runs():
    """docs/metrics.md's call, with the activity of its worked example."""
    from resolvers.metrics import Activity, CustomerMetrics

    def at(text: str) -> int:
        return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)

    activity = Activity(
        purchases=[(at("2024-01-02T12:00"), 180.0), (at("2024-03-02T09:15"), 210.0)],
        complaints=["resolved"],
        interaction_content_types=["t-video"],
        interactions=1,
    )
    namespace: dict[str, Any] = {"activity": activity, "as_of_ms": at("2024-06-30T00:00")}
    exec(find(*CHECKED_HERE["python"]).text, namespace)  # noqa: S102 - our doc
    assert isinstance(namespace["metrics"], CustomerMetrics)
    assert namespace["metrics"].historic_value == pytest.approx(390 * 0.35)


# docs/loading.md: each `### kind` section's first table describes MODELS[kind]; the
# purchases section's second table describes a line item.
ROW = re.compile(r"^\| `(\w+)` \| (yes|no) \| (.*?) \|.*\|$")


def _tables(kind_name: str) -> list[dict[str, tuple[bool, str]]]:
    doc = (ROOT / "docs/loading.md").read_text(encoding="utf-8")
    section = doc.split(f"\n### {kind_name}\n", 1)[1].split("\n#", 1)[0]
    tables: list[dict[str, tuple[bool, str]]] = []
    in_table = False
    for line in section.splitlines():
        if line.startswith("|") and not in_table:
            tables.append({})
        in_table = line.startswith("|")
        row = ROW.match(line)
        if row:
            tables[-1][row.group(1)] = (row.group(2) == "yes", row.group(3))
    return tables


def _literals(annotation: Any) -> set[str]:
    if typing.get_origin(annotation) is typing.Literal:
        return {str(a) for a in typing.get_args(annotation)}
    found: set[str] = set()
    for arg in typing.get_args(annotation):
        found |= _literals(arg)
    return found


def _described_models() -> list[tuple[str, type[Record] | type[LineItem], dict[str, Any]]]:
    out: list[tuple[str, Any, dict[str, Any]]] = []
    for name, model in MODELS.items():
        tables = _tables(name)
        out.append((name, model, tables[0]))
        if name == "purchases":
            out.append(("purchases line item", LineItem, tables[1]))
    return out


DESCRIBED = _described_models()


@pytest.mark.parametrize(("name", "model", "table"), DESCRIBED, ids=[m[0] for m in DESCRIBED])
def test_loading_doc_fields_are_the_validators(name, model, table):
    fields = model.model_fields
    assert set(table) == set(fields), f"{name}: doc {sorted(table)} != model {sorted(fields)}"
    wrong = []
    for field_name, (required, allowed) in table.items():
        field = fields[field_name]
        if required != field.is_required():
            wrong.append(f"{field_name}: required is {field.is_required()}")
        values = _literals(field.annotation)
        if values:
            same_as = re.match(r"as for ([\w ]+)$", allowed)
            if same_as:
                allowed = _tables(same_as.group(1).replace(" ", "_"))[0][field_name][1]
            listed = set(re.findall(r"`([^`]+)`", allowed.split("; default")[0]))
            if listed != values:
                wrong.append(f"{field_name}: doc lists {sorted(listed)}, model {sorted(values)}")
        default = re.search(r"default `([^`]+)`", allowed) or re.search(r"default (\d+)", allowed)
        if default and str(field.default) != default.group(1):
            wrong.append(f"{field_name}: default is {field.default!r}")
    assert not wrong, f"{name}: " + "; ".join(wrong)


# What docs/loading.md says an email and a phone must be, and rows that show it is so.
IDENTITY_KEYS = {
    "email": ("an address (`name@domain.tld`)", "a@b.cn", ("name.example.com", "@", "a@b")),
    "phone": ("at least 6 digits", "+1 23-456", ("12 345", "00 12 345")),  # 00 counts as +
}
MINIMAL = {"customers": {"id": "c1"}, "social_accounts": {"id": "a1", "platform": "other"}}


@pytest.mark.parametrize("kind_name", sorted(MINIMAL))
@pytest.mark.parametrize("key", sorted(IDENTITY_KEYS))
def test_loading_doc_says_which_emails_and_phones_are_accepted(kind_name, key):
    phrase, accepted, refused = IDENTITY_KEYS[key]
    model = MODELS[kind_name]
    model.model_validate({**MINIMAL[kind_name], key: accepted})
    for value in refused:
        with pytest.raises(ValidationError):
            model.model_validate({**MINIMAL[kind_name], key: value})
    described = _tables(kind_name)[0][key][1]
    assert phrase in described, f"docs/loading.md, {kind_name}.{key}: {described!r}"
