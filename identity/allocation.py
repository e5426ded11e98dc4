"""Bulk allocation: many small objects built at once, without the cycle collector's passes."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a step builds its many small objects (profiles,
    name forms, pairs' decisions: none of them in reference cycles, so reference counting
    frees them all the same); its full passes over a growing heap took a fifth of a run.
    The collector is back as it was on exit, whatever happened inside."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
