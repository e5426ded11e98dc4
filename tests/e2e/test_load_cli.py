"""`hub load` and `hub seed --export` as a user runs them: exit codes, the report, the files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

HUB = str(Path(sys.executable).with_name("hub"))


def hub(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HUB_GRAPH_URL": f"embedded://{tmp_path / 'graph'}"}
    return subprocess.run(
        [HUB, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export")
    result = hub(out, "seed", "--export", str(out), "--customers", "120", "-q")
    assert result.returncode == 0, result.stderr
    return out


def test_seed_export_prints_the_load_commands(exported):
    files = sorted(p.name for p in exported.glob("*.csv.gz"))
    assert "customers.csv.gz" in files and "purchases.csv.gz" in files and len(files) == 14


def test_load_then_reload_reports_zero_changes(exported, tmp_path):
    first = hub(tmp_path, "load", "customers", str(exported / "customers.csv.gz"), "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert (report["read"], report["written"], report["rejected"]) == (120, 120, 0)
    again = json.loads(
        hub(tmp_path, "load", "customers", str(exported / "customers.csv.gz"), "--json").stdout
    )
    assert (again["written"], again["unchanged"]) == (0, 120)
    assert set(again["counters"].values()) == {0}
    assert "\r" not in first.stderr  # not a terminal: no progress bar, only the summary


def test_rejects_give_exit_1_unless_allowed(tmp_path):
    path = tmp_path / "brands.csv"
    path.write_text("id,name,country\nb1,Lumora,FR\nb2,Vantelle,France\n")
    failed = hub(tmp_path, "load", "brands", str(path))
    assert failed.returncode == 1
    assert "1 row(s) rejected (allowed: 0); see hub-rejects-brands.jsonl" in failed.stderr
    reject = json.loads((tmp_path / "hub-rejects-brands.jsonl").read_text())
    assert (reject["line"], reject["raw"]) == (3, "b2,Vantelle,France")
    assert reject["reasons"][0].startswith("country: String should match pattern")
    allowed = hub(tmp_path, "load", "brands", str(path), "--max-rejects", "1")
    assert allowed.returncode == 0, allowed.stderr


def test_dry_run_needs_no_graph(tmp_path):
    path = tmp_path / "brands.jsonl"
    path.write_text('{"id": "b1"}\n')
    result = hub(tmp_path, "load", "brands", str(path), "--dry-run", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["dry_run"] is True
    assert not (tmp_path / "graph").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["load", "brands", "nope.csv"], "nope.csv: no such file"),
        (["load", "brands", "x.parquet"], "cannot tell the format"),
        (["load", "brands", "ok.csv", "--mapping", "bad.toml"], "not valid TOML"),
        (["load", "widgets", "ok.csv"], "'widgets' is not one of 'brands'"),
    ],
)
def test_unusable_arguments_exit_2_with_one_line(tmp_path, args, message):
    (tmp_path / "x.parquet").write_text("")
    (tmp_path / "ok.csv").write_text("id\nb1\n")
    (tmp_path / "bad.toml").write_text("not toml at all")
    result = hub(tmp_path, *args)
    assert result.returncode == 2
    assert message in " ".join(result.stderr.split())
