"""`hub resolve` as a user runs it, after `hub load`: the report, a re-run that changes
nothing, --explain, resolution on the next load, and clear errors."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from loaders.synthetic_identity import IdentityBenchConfig, generate, write

HUB = str(Path(sys.executable).with_name("hub"))


def hub(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HUB_GRAPH_URL": f"embedded://{workdir / 'graph'}"}
    return subprocess.run(
        [HUB, *args], env=env, cwd=workdir, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("resolve")
    files = write(generate(IdentityBenchConfig(customers=500, accounts=620, seed=3)), workdir)
    # Hold back the last accounts, to load them once a model is stored.
    lines = files["social_accounts"].read_text().splitlines()
    head, tail = lines[:-20], lines[:1] + lines[-20:]
    files["social_accounts"].write_text("\n".join(head) + "\n")
    (workdir / "later.csv").write_text("\n".join(tail) + "\n")
    for kind in ("customers", "social_accounts"):
        result = hub(workdir, "load", kind, str(files[kind]))
        assert result.returncode == 0, result.stderr
    return workdir


def test_resolve_reports_then_a_rerun_changes_nothing(loaded):
    first = hub(loaded, "resolve")
    assert first.returncode == 0, first.stderr
    text = " ".join(first.stderr.split())
    assert "accounts against 500 customers" in text and "(fitted now)" in text
    assert "accounts/s" in text and "links:" in text and "queued" in text
    added = int(text.split("links: ")[1].split(" added")[0].replace(",", ""))
    assert added > 0
    again = hub(loaded, "resolve")
    assert again.returncode == 0, again.stderr
    text = " ".join(again.stderr.split())
    assert "(stored)" in text
    assert "links: 0 added, 0 changed, 0 removed; review: 0 queued" in text


def test_explain_prints_the_evidence_or_says_what_is_wrong(loaded):
    assert hub(loaded, "resolve").returncode == 0
    shown = hub(loaded, "resolve", "--explain", "sa-000001")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("account sa-000001: ")
    assert "prior:" in shown.stdout or "exact evidence" in shown.stdout or "linked" in shown.stdout
    missing = hub(loaded, "resolve", "--explain", "no-such-account")
    assert missing.returncode == 1
    assert "no social account with id 'no-such-account'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_load_after_a_fit_resolves_what_it_wrote(loaded):
    assert hub(loaded, "resolve").returncode == 0
    result = hub(loaded, "load", "social_accounts", "later.csv", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["resolution"]["accounts"] >= 1
    assert report["resolution"]["model_version"].startswith("fs-em-1:")
    assert "identity resolution:" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--review", "0.99", "--auto-link", "0.9"), "--review must be above 0 and not above"),
        (("--since", "yesterday"), "--since: 'yesterday' is not a date"),
    ],
)
def test_bad_options_are_one_line_errors(loaded, args, message):
    result = hub(loaded, "resolve", *args)
    assert result.returncode == 2
    assert message in " ".join(result.stderr.split()) and "Traceback" not in result.stderr


def test_an_empty_graph_says_why_it_cannot_fit(tmp_path):
    result = hub(tmp_path, "resolve")
    assert result.returncode == 1
    assert "cannot fit a match model: too few records" in " ".join(result.stderr.split())
