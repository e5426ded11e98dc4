"""Log lines as one JSON object each (HUB_LOG_FORMAT=json), every one with the request id
of the request it was logged in (null outside requests).

What the hub logs names kinds and places, never values (hub/http_errors.py, schema/'s
process_errors); this format keeps it so: an exception is logged as its type alone (a
traceback's text may quote input), and uvicorn's access line as method, path (without
its query string) and status, without the client's address."""

import logging
from datetime import UTC, datetime
from typing import Any

import orjson

from hub.request_id import REQUEST_ID

ACCESS_LOGGER = "uvicorn.access"
# Libraries whose debug lines quote values: the Neo4j driver logs each statement with its
# parameters and records. They log warnings and errors only, whatever HUB_LOG_LEVEL says.
QUIET_LOGGERS = ("neo4j", "redis", "falkordb")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id (and, for the
    access log, method, path and status; for an error, the exception's type)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        access = _access_fields(record)
        if access is not None:
            entry.update(access)
            entry["message"] = f"{access['method']} {access['path']} {access['status']}"
        else:
            entry["message"] = record.getMessage()
        entry["request_id"] = getattr(record, "request_id", None) or REQUEST_ID.get()
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return orjson.dumps(entry).decode()


def _access_fields(record: logging.LogRecord) -> dict[str, Any] | None:
    """uvicorn's access record (args: client, method, path, HTTP version, status) as
    fields, the query string and the client's address left out; None for other records."""
    args = record.args
    if record.name != ACCESS_LOGGER or not isinstance(args, tuple) or len(args) != 5:
        return None
    _client, method, full_path, _version, status = args
    return {"method": str(method), "path": str(full_path).partition("?")[0], "status": status}


def json_log_config(level: str) -> dict[str, Any]:
    """A logging.config dictConfig (what uvicorn.run takes as ``log_config``) that writes
    every logger, uvicorn's included, as JSON lines on stderr at ``level``."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"json": handler},
        "root": {"handlers": ["json"], "level": level.upper()},
        "loggers": {
            **{
                name: {"handlers": [], "level": level.upper(), "propagate": True}
                for name in ("uvicorn", "uvicorn.error", ACCESS_LOGGER, "hub")
            },
            **{name: {"level": "WARNING", "propagate": True} for name in QUIET_LOGGERS},
        },
    }
