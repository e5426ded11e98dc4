"""The examples of README.md and docs/*.md, read out of the Markdown so that tests can run
them (tests/unit/test_docs.py, tests/integration/test_docs.py, tests/e2e/test_docs_shell.py).

Every fenced block is an example. A GraphQL block says who runs it in an HTML comment on
the line above (invisible to readers of the rendered page):

    <!-- docs-test {"role": "partner", "variables": {"purpose": "PARTNER_SHARING"}} -->
    ```graphql
    query PartnerAudience(...) { ... }
    ```

Keys: ``role`` (app, analyst, partner or admin; required), ``variables`` (an object, or an
object per operation name when the block holds several operations), ``expect`` (an error
code the example shows on purpose; without it, any error fails), ``refusal`` (the code of
a mutation's `...Error` result the example shows on purpose; without it, one fails).

Other blocks need no comment. What each kind of block is, and which test checks it:

- graphql (```graphql): run over HTTP as its role on a seeded graph, both engines
  (tests/integration/test_docs.py);
- cypher (```cypher): run on the graph docs/examples loads, both engines (same file);
- shell (```sh, not only `hub` lines with placeholders): run by bash in a fresh directory
  (tests/e2e/test_docs_shell.py);
- usage (```sh of `hub` lines with placeholders such as `FILE` or `[--x]`, and inline
  `hub ...` spans): the CLI accepts it (tests/unit/test_docs.py), and it runs with the
  placeholders filled (tests/e2e/test_docs_shell.py);
- http (```sh of `curl` calls to the hub): listed in REPLAYED below with the test that
  sends each call through the app (`curl_calls` reads them) and checks the answers shown;
- not run: listed in NOT_RUN below, with the reason;
- output, excerpt, python, run: listed in SHOWN below, with the test that checks each
  (run: a page's own test runs its Python blocks as written).

A block of any other kind fails tests/unit/test_docs.py, so no example escapes the tests.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DIRECTIVE = re.compile(r"^<!--\s*docs-test\s+(\{.*\})\s*-->$")
DIRECTIVE_KEYS = {"role", "variables", "expect", "refusal"}
FENCE = re.compile(r"^(`{3,})\s*([\w+-]*)\s*$")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")


def doc_files() -> list[Path]:
    """README.md and every page of docs/, in a stable order."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language tag, its text, and its directive."""

    path: str  # relative to the repository root
    line: int  # of the opening fence, 1-based
    lang: str
    text: str
    directive: dict[str, Any] | None = None
    problems: tuple[str, ...] = field(default=())  # a malformed directive, say

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def head(self) -> str:
        """The first non-blank line, stripped: how the tests' tables name a block."""
        return next((line.strip() for line in self.text.splitlines() if line.strip()), "")


@dataclass(frozen=True)
class Span:
    """An inline code span (`...`) outside fenced blocks."""

    path: str
    line: int
    text: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _directive(line: str) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    found = DIRECTIVE.match(line.strip())
    if found is None:
        return None, ("a docs-test comment must read <!-- docs-test {json} -->",)
    try:
        value = json.loads(found.group(1))
    except json.JSONDecodeError as e:
        return None, (f"docs-test comment: not JSON ({e})",)
    if not isinstance(value, dict):
        return None, ("docs-test comment: not a JSON object",)
    unknown = sorted(set(value) - DIRECTIVE_KEYS)
    if unknown:
        return value, (f"docs-test comment: unknown keys {unknown}",)
    return value, ()


@cache
def _parse(path: Path) -> tuple[tuple[Block, ...], tuple[Span, ...]]:
    name = path.relative_to(ROOT).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    spans: list[Span] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            # A code span may wrap onto the next line: read on while a backtick is open.
            text, first = lines[i], i
            while text.count("`") % 2 and i + 1 < len(lines) and lines[i + 1].strip():
                i += 1
                text += " " + lines[i].strip()
            spans += [Span(name, first + 1, m.group(2).strip()) for m in INLINE_CODE.finditer(text)]
            i += 1
            continue
        fence, lang, start = opening.group(1), opening.group(2), i
        i += 1
        while i < len(lines) and not lines[i].startswith(fence):
            i += 1
        if i == len(lines):
            raise ValueError(f"{name}:{start + 1}: a fenced block that never closes")
        text = "\n".join(lines[start + 1 : i]) + "\n"
        above = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        directive, problems = (None, ())
        if "docs-test" in above:
            directive, problems = _directive(above)
        blocks.append(Block(name, start + 1, lang, text, directive, problems))
        i += 1
    return tuple(blocks), tuple(spans)


def blocks(lang: str | None = None) -> list[Block]:
    """Every fenced block of the docs (of one language tag, when given)."""
    found = [b for path in doc_files() for b in _parse(path)[0]]
    return [b for b in found if lang is None or b.lang == lang]


def spans(prefix: str) -> list[Span]:
    """Inline code spans of the docs (outside fenced blocks) that start with ``prefix``."""
    return [s for path in doc_files() for s in _parse(path)[1] if s.text.startswith(prefix)]


# Blocks of `curl` calls, each sent through the app (ASGI, both engines) by a test that
# also checks the answers shown in the block's comments (see `curl_calls`).
REPLAYED: dict[tuple[str, str], str] = {
    ("docs/partner.md", "curl -sS -X POST http://127.0.0.1:8000/partner/lists"): (
        "tests/integration/test_partner_lists.py::test_the_documented_uploads_run"
    ),
}

# Blocks that cannot run as they stand, each with the reason. Keyed by file and the start
# of the block's first line.
NOT_RUN: dict[tuple[str, str], str] = {
    ("README.md", "make demo"): (
        "`make demo` seeds and then serves until stopped, and `make test` runs the whole "
        "suite, this test among it; tests/e2e/test_http.py starts `hub demo` (what `make "
        "demo` runs) as a process and queries it"
    ),
    ("docs/identity.md", ".venv/bin/python -m bench.identity"): (
        "a benchmark of minutes (Splink and recordlinkage on FEBRL and 25,000 accounts) that "
        "rewrites bench/results/identity.json; `make bench` runs it, and its pieces have "
        "unit tests (tests/unit/identity/)"
    ),
    ("docs/audiences.md", "python -m bench.audiences [--customers N]"): (
        "the benchmark's usage line (brackets are optional arguments, not a command); the "
        "benchmark seeds 10,000 customers or more and runs for minutes, and `make bench` "
        "runs it; the rule compiler it times has integration tests (tests/integration/"
        "test_rules.py)"
    ),
    (
        "docs/audiences.md",
        "python -m bench.audiences --engines neo4j --customers 1000000",
    ): (
        "the benchmark at 1,000,000 customers: its graph takes about an hour to generate "
        "on this machine; the command for a quiet one"
    ),
}

# Blocks that show something other than a command or a query, and how each is checked.
SHOWN: dict[tuple[str, str], str] = {
    ("docs/partner.md", "from partner_hash import"): "run: tests/unit/scripts/test_partner_hash.py",
    ("docs/identity.md", "account sa-001085: linked"): (
        "output: `hub resolve --explain` on the benchmark set it names, reproduced "
        "(tests/integration/test_identity_resolution.py)"
    ),
    ("docs/operations.md", '{"events": ['): (
        "run: posted to POST /events on the sample graph by tests/e2e/test_events_http.py, "
        "which reproduces the answer shown after it"
    ),
    ("docs/operations.md", '{"accepted": 4'): (
        "output: the answer to the batch before it (tests/e2e/test_events_http.py)"
    ),
    ("docs/operations.md", "subscription CustomerChanges"): (
        "run: sent over a WebSocket by tests/e2e/test_subscriptions.py"
    ),
    ("docs/loading.md", 'description = "Loyalty CRM'): (
        "excerpt: every entry is in docs/examples/crm-mapping.toml (tests/unit/test_docs.py)"
    ),
    ("docs/loading.md", '{"kind": "customers", "source": "exports/crm.csv"'): (
        "output: the rejects line, reproduced by loading that row (tests/e2e/test_docs_shell.py)"
    ),
    ("docs/loading.md", '{"kind": "customers", "dry_run": false'): (
        "output: `--json` of loading docs/examples/customers.csv after social_accounts.csv "
        "(tests/e2e/test_docs_shell.py)"
    ),
    ("docs/loading.md", '{"account_id": "a9"'): (
        "output: the conflicts line, reproduced by loading such an account "
        "(tests/e2e/test_docs_shell.py)"
    ),
    ("docs/metrics.md", "from resolvers.metrics import"): (
        "python: run with the worked example's activity (tests/unit/test_docs.py)"
    ),
    # docs/identity.md's Python blocks run as written and print what the page shows.
    **{
        ("docs/identity.md", start): "run: tests/unit/identity/test_docs.py"
        for start in (
            "from identity.comparisons import",
            "from identity.pipeline import",
            "from identity.survivorship import",
            "from pathlib import Path",
        )
    },
    # docs/predictions.md's Python blocks run as written and print what the page shows.
    **{
        ("docs/predictions.md", start): "run: tests/unit/analytics/test_docs.py"
        for start in (
            "from analytics import clv",
            "from analytics import churn",
            "from analytics import fraud",
        )
    },
}

_PLACEHOLDER_WORD = re.compile(r"\[|\b[A-Z][A-Z0-9_]*\b")


class Unclassified(ValueError):
    """A block no test knows how to check."""


def _entry(table: dict[tuple[str, str], str], block: Block) -> str | None:
    found = [v for (path, start), v in table.items()
             if block.path == path and block.head.startswith(start)]  # fmt: skip
    if len(found) > 1:
        raise Unclassified(f"{block.where}: several entries match this block")
    return found[0] if found else None


def shell_lines(block: Block) -> list[str]:
    """The commands of a shell block, comments dropped, an indented line joined to the
    line before (as the usages of docs/loading.md continue a long command)."""
    commands: list[str] = []
    for raw in block.text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not line.strip():
            continue
        if raw[:1].isspace() and commands:
            commands[-1] += " " + line.strip()
        else:
            commands.append(line.strip())
    return commands


@dataclass(frozen=True)
class CurlCall:
    """One `curl` call of a block: its method, path (after the host), headers (``$VAR``
    left as written), the file ``--data-binary @FILE`` sends, and the answer the comment
    lines right after it show (``# 201 {...}``: the status and the JSON), if any."""

    method: str
    path: str
    headers: dict[str, str]
    data_file: str | None
    shown_status: int | None
    shown: dict[str, Any] | None


def curl_calls(block: Block) -> list[CurlCall]:
    """The `curl` calls of a shell block, with the answers shown after them. Raises
    ValueError for an option this reader does not know (so the docs cannot use one that
    the test would silently skip)."""
    calls: list[CurlCall] = []
    comments: list[str] = []
    command = ""

    def close_answer() -> None:
        if comments and calls:
            status, _, body = " ".join(comments).partition(" ")
            last = calls[-1]
            calls[-1] = CurlCall(last.method, last.path, last.headers, last.data_file,
                                 int(status), json.loads(body))  # fmt: skip
        comments.clear()

    for raw in [*block.text.splitlines(), ""]:
        line = raw.strip()
        if line.startswith("#"):
            comments.append(line[1:].strip())
            continue
        close_answer()
        command += " " + line.removesuffix("\\")
        if line.endswith("\\") or not command.strip():
            continue
        words, command = shlex.split(command), ""
        if words[0] != "curl":
            raise ValueError(f"not a curl call: {words[0]}")
        method, path, headers, data = "GET", "", {}, None
        rest = iter(words[1:])
        for word in rest:
            if word == "-sS":
                continue
            if word == "-X":
                method = next(rest)
            elif word == "-H":
                name, _, value = next(rest).partition(":")
                headers[name.strip()] = value.strip()
            elif word == "--data-binary":
                data = next(rest).removeprefix("@")
                method = "POST" if method == "GET" else method
            elif word.startswith("http://"):
                path = "/" + word.split("/", 3)[3]
            else:
                raise ValueError(f"{block.where}: a curl option this reader does not know: {word}")
        calls.append(CurlCall(method, path, headers, data, None, None))
    return calls


def kind(block: Block) -> str:
    """What the block is (see the table above); raises Unclassified if no test checks it."""
    if block.lang in ("graphql", "cypher"):
        return block.lang
    if block.lang == "sh":
        if _entry(REPLAYED, block) is not None:
            return "http"
        if _entry(NOT_RUN, block) is not None:
            return "not run"
        lines = shell_lines(block)
        usage = all(line.startswith("hub ") for line in lines) and any(
            _PLACEHOLDER_WORD.search(line) for line in lines
        )
        return "usage" if usage else "shell"
    shown = _entry(SHOWN, block)
    if shown is None:
        raise Unclassified(
            f"{block.where}: a ```{block.lang or '(no language)'} block no test checks; "
            "list it in tests/doc_examples.py SHOWN or NOT_RUN, with its check or reason"
        )
    return shown.split(":", 1)[0]


def find(path: str, start: str) -> Block:
    """The block of ``path`` whose first line starts with ``start``; LookupError if none."""
    for block in blocks():
        if block.path == path and block.head.startswith(start):
            return block
    raise LookupError(f"{path}: no block starting {start!r}")
