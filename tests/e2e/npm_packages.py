"""npm packages the e2e tests run (pinned by a committed package-lock.json), installed once
into .hub/npm/<name> (git-ignored) with `npm ci`, only when the lock is not installed yet."""

import fcntl
import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def installed(directory: Path) -> bool:
    """True when every package of the lock file is in node_modules at its locked version."""
    lock = json.loads((directory / "package-lock.json").read_text())
    for where, package in lock["packages"].items():
        if not where:
            continue  # the root project itself
        manifest = directory / where / "package.json"
        if not manifest.is_file():
            return False
        if json.loads(manifest.read_text()).get("version") != package["version"]:
            return False
    return True


def install(npm: str, source: Path, files: Sequence[str], name: str) -> Path:
    """The directory holding ``files`` (copied from ``source``) and their installed
    packages. A file lock keeps concurrent test sessions from installing over each other;
    a failed `npm ci` fails the test with npm's message."""
    directory = ROOT / ".hub" / "npm" / name
    directory.mkdir(parents=True, exist_ok=True)
    with (directory.parent / f".{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for file in files:
            origin, target = source / file, directory / file
            if not target.is_file() or target.read_bytes() != origin.read_bytes():
                shutil.copyfile(origin, target)
        if not installed(directory):
            result = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=directory,
                capture_output=True, text=True, timeout=300, check=False,
            )  # fmt: skip
            if result.returncode != 0 or not installed(directory):
                pytest.fail(f"npm ci failed in {directory}:\n{result.stderr}", pytrace=False)
    return directory
