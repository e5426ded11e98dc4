"""tests/engine_groups.py: which test ids go to the Neo4j worker under `make test`."""

import pytest

from tests.engine_groups import names_neo4j


@pytest.mark.parametrize(
    ("nodeid", "expected"),
    [
        ("tests/integration/test_reads.py::test_filters[neo4j]", True),
        ("tests/integration/test_reads.py::test_filters[neo4j-filter_3-expected3]", True),
        ("tests/integration/test_rules.py::test_rule_known_answers[neo4j-age over 30]", True),
        ("tests/integration/test_reads.py::test_filters[embedded-filter_3-expected3]", False),
        ("tests/integration/test_reads.py::test_filters[embedded]", False),
        ("tests/e2e/test_http.py::test_unreachable_neo4j_is_one_line_saying_what_to_do", False),
        ("tests/integration/test_interrupted_load.py::test_neo4j_stopped_mid_load", False),
        ("tests/e2e/test_docs_shell.py::test_usage_runs[docs/engines.md neo4j-dev]", False),
        # an id that holds another test's id as a parameter (as this test's own ids do)
        ("tests/unit/test_x.py::test_y[tests/integration/test_reads.py::test_z[neo4j]-1]", False),
    ],
)
def test_only_ids_whose_parameters_name_neo4j_join_its_group(nodeid: str, expected: bool) -> None:
    assert names_neo4j(nodeid) is expected
