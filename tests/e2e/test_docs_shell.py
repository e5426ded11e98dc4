"""The shell examples of README.md and docs/, run as a reader runs them, on the embedded
engine in a fresh directory (`docs/` linked in, `/tmp/...` paths moved into it):

- a ```sh block of plain commands runs in bash (`set -euo pipefail`) and must exit 0;
- a `hub` usage (`hub keys create --name N --role R [--partner B]`, in a ```sh block or
  inline) runs with every optional part, once per alternative, its placeholders filled
  from the tables below, on a copy of a seeded graph, and must exit 0 (what a usage may
  hold: tests/doc_commands.py); bare command names in prose (`hub relink`) are only
  checked to exist (tests/unit/test_docs.py);
- an output shown (a rejects line, a conflicts line, a `--json` report) is reproduced.

The blocks that cannot run are listed in tests/doc_examples.py NOT_RUN with the reason;
the usages that cannot run are in UNRUNNABLE below.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from tests.doc_commands import Usage, UsageError, Word, parse
from tests.doc_examples import ROOT, Block, blocks, find, kind, shell_lines, spans

BIN = Path(sys.executable).parent  # `hub` is installed next to this Python
SEEDED_CUSTOMERS = "200"
PARTNER = "b0004"  # a brand of the synthetic data

UNRUNNABLE = {
    "serve": (
        "serves until stopped; tests/e2e/test_http.py starts `hub demo` (the same server), "
        "tests/e2e/test_serve_workers.py `hub serve --workers 2`"
    ),
    "demo": "seeds, then serves until stopped; tests/e2e/test_http.py runs it as a process",
}

# Placeholder values: for an option's value, by option; for an argument, by command.
OPTION_VALUES = {
    "--customers": "50", "--brands": "3", "--seed": "7",
    "--export": "export", "--out": "export.json", "--bulk-neo4j": "neo4j-data",
    "--mapping": "docs/examples/crm-mapping.toml", "--rejects": "rejects.jsonl",
    "--conflicts": "conflicts.jsonl", "--max-rejects": "0", "--batch-size": "100",
    "--retry-for": "5",
    "--name": "docs-test", "--role": "partner", "--partner": PARTNER,
    "--purpose": "partner_sharing", "--horizon": "90", "--requests": "1000",
    "--matches": "10", "--dimension": "region",
}  # fmt: skip
ARGUMENT_VALUES = {
    ("load", "KIND"): "customers",
    ("load", "FILE"): "docs/examples/crm-export.csv",
    ("subject export", "ID"): "c0000001",
    ("subject restrict", "ID"): "c0000001",
    ("subject unrestrict", "ID"): "c0000001",
    ("subject erase", "ID"): "c0000002",
    ("partners show", "BRAND"): PARTNER,
    ("partners rotate-secret", "BRAND"): PARTNER,
    ("partners quota", "BRAND"): PARTNER,
    ("partners create", "BRAND"): PARTNER,
    ("partners allow", "BRAND"): PARTNER,
    ("keys revoke", "ID"): "{new key}",  # a key created for the purpose, just before
}


def _env(workdir: Path) -> dict[str, str]:
    return {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "HOME": str(workdir),
        "HUB_GRAPH_URL": f"embedded://{workdir / 'graph'}",
    }


def _workdir(path: Path) -> Path:
    """A directory as the docs assume: the repository's docs/ under it, a /tmp of its own."""
    (path / "docs").symlink_to(ROOT / "docs")
    (path / "tmp").mkdir()
    return path


def _shell_blocks() -> list[Block]:
    return [b for b in blocks("sh") if kind(b) == "shell"]


@pytest.mark.parametrize("block", _shell_blocks(), ids=lambda b: b.where)
def test_shell_example_runs(block: Block, tmp_path: Path) -> None:
    workdir = _workdir(tmp_path)
    script = block.text.replace("/tmp/", f"{workdir}/tmp/")  # noqa: S108 - moved out of /tmp
    result = subprocess.run(
        ["/bin/bash", "-euo", "pipefail", "-c", script], cwd=workdir, env=_env(workdir),
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"{block.where}: exit {result.returncode}\n{result.stderr}"
    assert "Traceback" not in result.stderr, f"{block.where}:\n{result.stderr}"


# --- usages ------------------------------------------------------------------------------


def _usages_in(where: str, text: str) -> list[Usage]:
    """The usages a `hub ...` text shows. A bare command name in prose (`hub relink`) is a
    reference to the command, not a usage; the README's command table lists usages, also
    of commands that take no argument."""
    return [u for u in parse(text) if u.words or where.startswith("README.md:")]


def _usages() -> list[tuple[str, str]]:
    """Every text that shows a usage (or that the CLI would refuse), with where it is."""
    texts = [(s.where, s.text) for s in spans("hub ")]
    for block in blocks("sh"):
        if kind(block) == "usage":
            texts += [(block.where, line) for line in shell_lines(block)]

    def shows_usage(where: str, text: str) -> bool:
        try:
            return bool(_usages_in(where, text))
        except UsageError:
            return True  # the test then fails, saying why

    return [(where, text) for where, text in texts if shows_usage(where, text)]


@pytest.fixture(scope="module")
def seeded_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedded graph of SEEDED_CUSTOMERS synthetic customers, to copy for each usage."""
    workdir = tmp_path_factory.mktemp("seeded")
    result = subprocess.run(
        [str(BIN / "hub"), "seed", "--customers", SEEDED_CUSTOMERS, "-q"], cwd=workdir,
        env=_env(workdir), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return workdir / "graph"


@pytest.fixture
def cli(
    seeded_graph: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[list[str]], tuple[int, str]]]:
    """Runs `hub ARGS` in-process (no interpreter start per command) in a fresh directory
    holding a copy of the seeded graph; returns the exit code and the output."""
    workdir = _workdir(tmp_path)
    shutil.copytree(seeded_graph, workdir / "graph")
    monkeypatch.chdir(workdir)
    runner = CliRunner()

    def run(args: list[str]) -> tuple[int, str]:
        result = runner.invoke(app, args, env=_env(workdir), catch_exceptions=False)
        return result.exit_code, result.output

    yield run


def _value(run: Callable[[list[str]], tuple[int, str]]) -> Callable[[Usage, Word, str], str]:
    def value(usage: Usage, word: Word, placeholder: str) -> str:
        if word.option is not None:
            return OPTION_VALUES[word.option]
        found = ARGUMENT_VALUES[(usage.name, placeholder.removesuffix("..."))]
        if found == "{new key}":
            code, output = run(["keys", "create", "--name", "to-revoke", "--role", "app"])
            match = re.search(r"created key (\S+)", output)
            assert code == 0 and match, output
            return match.group(1)
        return found

    return value


@pytest.mark.parametrize(("where", "text"), _usages(), ids=[f"{w} {t}" for w, t in _usages()])
def test_usage_runs(where: str, text: str, cli: Callable[[list[str]], tuple[int, str]]) -> None:
    usages = _usages_in(where, text)
    for usage in usages:
        if usage.path[0] in UNRUNNABLE:
            continue
        for args in usage.command_lines(_value(cli)):
            code, output = cli(args)
            assert code == 0, f"{where}: `hub {' '.join(args)}` exited {code}:\n{output}"
    if all(u.path[0] in UNRUNNABLE for u in usages):
        pytest.skip(f"{where}: `{text}` {UNRUNNABLE[usages[0].path[0]]}")


# --- outputs shown -----------------------------------------------------------------------


def _shown(start: str) -> dict[str, object]:
    text = find("docs/loading.md", start).text
    shown: dict[str, object] = json.loads(text)
    return shown


def _hub(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "hub"), *args], cwd=workdir, env=_env(workdir), capture_output=True,
        text=True, timeout=300, check=False,
    )  # fmt: skip


def test_rejects_line_shown(tmp_path: Path) -> None:
    """The rejects line of docs/loading.md comes from loading that row as line 3."""
    shown = _shown('{"kind": "customers", "source": "exports/crm.csv"')
    workdir = _workdir(tmp_path)
    (workdir / "exports").mkdir()
    (workdir / "exports" / "crm.csv").write_text(
        "id,name,email,phone,gender,country,created_at\n"
        "c0000008,Ann Berg,ann.berg@example.se,,female,SE,2024-03-01\n"
        f"{shown['raw']}\n"
    )
    result = _hub(workdir, "load", "customers", "exports/crm.csv")
    assert result.returncode == 1, result.stderr
    lines = (workdir / "hub-rejects-customers.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [shown]


def test_json_report_shown(tmp_path: Path) -> None:
    """The `--json` report of docs/loading.md is loading docs/examples/customers.csv once
    its social accounts are in (all but the time taken)."""
    shown = _shown('{"kind": "customers", "dry_run": false')
    workdir = _workdir(tmp_path)
    accounts = _hub(workdir, "load", "social_accounts", "docs/examples/social_accounts.csv")
    assert accounts.returncode == 0, accounts.stderr
    result = _hub(workdir, "load", "customers", "docs/examples/customers.csv", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report.keys() == shown.keys()
    assert {**report, "seconds": None} == {**shown, "seconds": None}


def test_conflicts_line_shown(tmp_path: Path) -> None:
    """The conflicts line of docs/loading.md comes from an account that claims one customer
    and carries another's email."""
    shown = _shown('{"account_id": "a9"')
    workdir = _workdir(tmp_path)
    (workdir / "customers.csv").write_text(
        "id,name,email\nc0000001,Ann Berg,ann@example.se\nc0000002,Tom Berg,tom@example.se\n"
    )
    (workdir / "social_accounts.csv").write_text(
        "id,platform,customer_id,email\na9,weibo,c0000001,tom@example.se\n"
    )
    for kind_name in ("customers", "social_accounts"):
        result = _hub(workdir, "load", kind_name, f"{kind_name}.csv")
        assert result.returncode == 0, result.stderr
    lines = (workdir / "hub-conflicts-social_accounts.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [shown]


def test_every_output_shown_is_reproduced() -> None:
    reproduced = {
        '{"kind": "customers", "source": "exports/crm.csv"',
        '{"kind": "customers", "dry_run": false',
        '{"account_id": "a9"',
        # `hub resolve --explain` on the identity benchmark set: reproduced by
        # tests/integration/test_identity_resolution.py (a set too large to load here).
        "account sa-001085: linked",
        # The answer to the documented /events batch: tests/e2e/test_events_http.py.
        '{"accepted": 4',
    }
    outputs = {b.head for b in blocks() if kind(b) == "output"}
    assert {h for h in outputs if not any(h.startswith(r) for r in reproduced)} == set()
