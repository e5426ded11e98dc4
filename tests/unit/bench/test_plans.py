"""bench/plans.py's verdicts on measured figures against the baseline (no database: the
figures are given), its table, the baseline file's round trip, and the operations it runs."""

from pathlib import Path
from typing import Any

from bench import plans


def op(statements: int, hits: int, errors: list[str] | None = None) -> dict[str, Any]:
    return {
        "statements": statements,
        "db_hits": hits,
        "by_statement": {"reads.X": hits},
        "errors": errors or [],
    }


BASELINE = {"a": op(2, 1000), "b": op(1, 50)}


def verdicts(measured: dict[str, dict[str, Any]]) -> dict[str, str | None]:
    return {c.operation: c.failure for c in plans.compare(BASELINE, measured)}


def test_the_same_figures_are_no_change() -> None:
    assert plans.compare(BASELINE, dict(BASELINE)) == []
    assert "as in the baseline" in plans.table([])


def test_up_to_ten_percent_more_hits_and_fewer_pass() -> None:
    assert verdicts({"a": op(2, 1100), "b": op(1, 10)}) == {"a": None, "b": None}


def test_more_than_ten_percent_more_hits_fails() -> None:
    assert verdicts({"a": op(2, 1101), "b": op(1, 50)}) == {"a": "more than 10% more database hits"}


def test_one_more_statement_fails_even_with_fewer_hits() -> None:
    assert verdicts({"a": op(3, 900), "b": op(1, 50)}) == {"a": "more statements"}


def test_other_errors_fail_though_nothing_ran() -> None:
    # An example that breaks sends nothing: it must not pass as an improvement.
    assert verdicts({"a": op(0, 0, ["INTERNAL"]), "b": op(1, 50)}) == {
        "a": "errors [] -> ['INTERNAL']"
    }


def test_a_new_operation_fails_and_a_gone_one_passes() -> None:
    assert verdicts({"a": op(2, 1000), "c": op(1, 5)}) == {"b": None, "c": "not in the baseline"}


def test_the_table_names_the_operation_the_statement_and_the_command() -> None:
    changes = plans.compare(BASELINE, {"a": op(2, 2000), "b": op(1, 50)})
    text = plans.table(changes)
    assert "2 -> 2" in text and "1000 -> 2000" in text and "2.00" in text
    assert "a: reads.X 1000 -> 2000" in text
    assert plans.UPDATE_COMMAND in text


def test_the_baseline_round_trips_one_operation_a_line(tmp_path: Path) -> None:
    path = tmp_path / "plans.json"
    plans.write_baseline(BASELINE, path)
    assert plans.load_baseline(path) == BASELINE
    assert sum('"db_hits"' in line for line in path.read_text().splitlines()) == len(BASELINE)


def test_db_hits_add_up_the_whole_plan() -> None:
    plan = {"dbHits": 3, "children": [{"dbHits": 4, "children": []}, {"dbHits": 5}]}
    assert plans.db_hits(plan) == 12


def test_operations_have_unique_keys_and_a_known_role() -> None:
    ops = plans.operations()
    assert len({o.key for o in ops}) == len(ops)
    assert {o.role for o in ops} <= {"app", "analyst", "partner", "admin"}
    assert any(o.key == "representative Customer360" for o in ops)
