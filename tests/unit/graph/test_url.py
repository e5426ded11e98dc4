import re
from pathlib import Path

import pytest

from graph.errors import InvalidGraphUrl
from graph.url import parse_graph_url


@pytest.mark.parametrize(
    "url", ["bolt://localhost:7687", "neo4j://db.example:7687", "neo4j+s://x.databases.neo4j.io"]
)
def test_neo4j_urls(url):
    target = parse_graph_url(url)
    assert (target.engine, target.uri, target.data_dir) == ("neo4j", url, None)


def test_embedded_absolute_and_relative_dirs():
    assert parse_graph_url("embedded:///var/lib/hub").data_dir == Path("/var/lib/hub")
    assert parse_graph_url("embedded://./.hub/graph").data_dir == (Path.cwd() / ".hub/graph")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgres://localhost", "unknown scheme 'postgres'"),
        ("localhost:7687", "unknown scheme"),
        ("", "unknown scheme '(none)'"),
        ("bolt://", "needs a host"),
        ("bolt://localhost:notaport", "Port could not be cast"),
        ("embedded://", "give the data directory"),
        ("embedded://somehost/dir", "names a directory"),
    ],
)
def test_malformed_urls_say_what_to_fix(url, says):
    with pytest.raises(InvalidGraphUrl, match=re.escape(says)):
        parse_graph_url(url)
