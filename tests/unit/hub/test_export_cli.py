"""`hub export`'s refusals that need no graph: each a one-line error, exit 2."""

import pytest
from typer.testing import CliRunner

from hub.cli import app


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "orders", "--role", "analyst"], "unknown export 'orders'"),
        (["export", "customers", "--format", "xlsx"], "--format 'xlsx': parquet or csv"),
        (["export", "missing.graphql"], "missing.graphql: no such file"),
        (["export", "audience", "cn", "--brand", "b1"], "say which audience and for what"),
        (
            ["export", "audience", "cn", "--purpose", "partner_sharing", "--brand", "b1"],
            "FORBIDDEN",
        ),
        (["export", "audience", "cn", "--purpose", "marketing"], "say which with --brand"),
        (["export", "customers", "--var", "novalue"], "--var 'novalue': write NAME=JSON"),
        (["export", "graph", "--format", "csv"], "graphml or parquet"),
        (["export", "graph", "--from", "last week"], "--from 'last week': write an ISO date"),
    ],
)
def test_bad_options_are_refused_before_the_graph_is_opened(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"HUB_GRAPH_URL": f"embedded://{tmp_path / 'never'}"}
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "never").exists()  # no engine was started
