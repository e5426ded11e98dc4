"""Bulk tables (graph/bulk.py) into a stopped Neo4j with its offline importer,
`neo4j-admin database import full`, run by `scripts/neo4j-dev import` (the same Neo4j
version and jars as the dev server that serves the result).

The importer writes a new store for database ``neo4j`` under the data directory: it is for
a directory that holds no database yet (it refuses one that does), with no server running
on it. The hub's constraints and indexes are made afterwards by the usual migration,
when the server is up (graph/migrations.py).
"""

import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from graph.bulk import ARRAY_DELIMITER, BulkTables, Table, header

NEO4J_DEV = Path(__file__).resolve().parents[1] / "scripts" / "neo4j-dev"


class Neo4jImportFailed(RuntimeError):
    """The importer refused the tables or failed; the message holds the end of its output."""


@dataclass(frozen=True)
class ImportResult:
    nodes: int
    relationships: int
    output: str  # the importer's own report (stderr)


def import_arguments(tables: BulkTables) -> list[str]:
    """The importer's options for ``tables``, run in ``tables.directory``; writes each
    table's header file beside it."""
    args = [
        "--id-type=string",
        f"--array-delimiter={ARRAY_DELIMITER}",
        # The tables hold no bad entries (graph/bulk.py refuses values it cannot carry);
        # a skipped one would be a silently different graph.
        "--bad-tolerance=0",
        "--report-file=import.report",
    ]
    for table in tables.nodes:
        args.append(f"--nodes={table.label}={_files(table)}")
    for table in tables.relationships:
        args.append(f"--relationships={table.rel}={_files(table)}")
    multiline = [t.path.name for t in (*tables.nodes, *tables.relationships) if t.multiline]
    if multiline:
        # v2 parses only the files named here the slow way (a line break inside quotes).
        args += ["--multiline-fields-format=v2", f"--multiline-fields={','.join(multiline)}"]
    return args


def _files(table: Table) -> str:
    head = table.path.with_name(table.path.stem + ".header.csv")
    head.write_text(",".join(_quoted(h) for h in header(table)) + "\n", encoding="utf-8")
    # Names relative to the tables' directory (the importer runs there): the importer reads
    # a name as a regular expression, and a directory such as pytest's `test_x[neo4j]`
    # would match nothing.
    return f"{head.name},{table.path.name}"


def _quoted(text: str) -> str:
    return f'"{text}"' if "," in text else text


def holds_database(data_dir: Path) -> bool:
    """Whether ``data_dir`` already holds a Neo4j database ``neo4j`` (the import refuses it)."""
    store = data_dir / "data" / "databases" / "neo4j"
    return store.is_dir() and any(store.iterdir())


def run_import(
    tables: BulkTables,
    data_dir: Path,
    java_opts: Sequence[str] = (),
    timeout_s: float | None = None,
) -> ImportResult:
    """Import ``tables`` as database ``neo4j`` under ``data_dir`` (what `scripts/neo4j-dev
    --data DATA_DIR` serves). Raises Neo4jImportFailed with the importer's last lines,
    FileNotFoundError when scripts/neo4j-dev is missing, subprocess.TimeoutExpired."""
    env_opts = " ".join(java_opts)
    done = subprocess.run(  # noqa: S603 (our own script, arguments built here)
        [str(NEO4J_DEV), "import", "--data", str(data_dir.resolve()), *import_arguments(tables)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env=_env(env_opts),
        cwd=tables.directory,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise Neo4jImportFailed(f"neo4j-admin import exited {done.returncode}:\n{tail}")
    return ImportResult(tables.node_count, tables.relationship_count, done.stderr)


@contextmanager
def dev_server(
    data_dir: Path, pagecache_mb: int = 256, java_opts: Sequence[str] = ()
) -> Iterator[str]:
    """`scripts/neo4j-dev --data DATA_DIR` running (e.g. on an imported directory): yields
    its Bolt URL and stops it at the end. Raises RuntimeError when it does not start."""
    process = subprocess.Popen(  # noqa: S603 (our own script, arguments built here)
        [str(NEO4J_DEV), "--data", str(data_dir), "--pagecache-mb", str(pagecache_mb)],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(" ".join(java_opts)),
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("bolt://"):
            raise RuntimeError(f"scripts/neo4j-dev did not start (exit {process.wait()})")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _env(java_opts: str) -> dict[str, str]:
    env = dict(os.environ)
    if java_opts:
        env["NEO4J_DEV_JAVA_OPTS"] = java_opts
    return env
