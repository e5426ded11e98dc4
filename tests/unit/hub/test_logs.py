"""hub/logs.py: JSON lines with the request id; uvicorn's access line without its query
string or the client's address; an exception as its type only."""

import logging

import orjson

from hub.logs import JsonFormatter, RequestIdFilter
from hub.request_id import REQUEST_ID


def _line(record: logging.LogRecord) -> dict[str, object]:
    RequestIdFilter().filter(record)
    decoded: dict[str, object] = orjson.loads(JsonFormatter().format(record))
    return decoded


def test_an_access_line_keeps_method_path_and_status_only():
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.7:5555", "GET", "/graphql?query=secret-value", "1.1", 200), None,
    )  # fmt: skip
    token = REQUEST_ID.set("req-1")
    try:
        line = _line(record)
    finally:
        REQUEST_ID.reset(token)
    assert line["request_id"] == "req-1"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/graphql", 200)
    text = orjson.dumps(line).decode()
    assert "secret-value" not in text and "203.0.113.7" not in text


def test_an_exception_is_logged_as_its_type_without_its_text():
    try:
        raise ValueError("wang.fang@example.com is not a number")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "hub", logging.ERROR, __file__, 1, "resolver failed", (), sys.exc_info()
        )
    line = _line(record)
    assert line["exception"] == "ValueError"
    assert line["request_id"] is None  # outside a request
    assert "example.com" not in orjson.dumps(line).decode()
