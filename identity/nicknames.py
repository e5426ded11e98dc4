"""Given names and their short forms (Robert / Bob / Rob), from the shipped table
data/nicknames.tsv."""

from __future__ import annotations

from functools import cache
from importlib import resources

from analytics.components import Groups


@cache
def _groups() -> dict[str, frozenset[str]]:
    """Each name -> every name it may stand for or be short for (itself included)."""
    related: dict[str, set[str]] = {}
    text = resources.files("identity.data").joinpath("nicknames.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        formal, _, shorts = line.partition("\t")
        names = {formal, *shorts.split()}
        for name in names:
            related.setdefault(name, {name}).update(names)
    return {name: frozenset(group) for name, group in related.items()}


def variants(given: str) -> frozenset[str]:
    """The names ``given`` (folded, lower case) may be a form of: 'bob' -> {'bob',
    'robert', 'rob', 'bobby', ...}; a name not in the table is only itself."""
    return _groups().get(given, frozenset((given,)))


def canonical(given: str) -> str:
    """One name for every name connected to ``given`` through the table ('kate' and
    'katherine' -> 'catherine'), for counting how common a name is."""
    return _canonical().get(given, given)


@cache
def _canonical() -> dict[str, str]:
    groups = Groups()
    for name, group in _groups().items():
        for other in group:
            a, b = groups.root(name), groups.root(other)
            groups.join(min(a, b), max(a, b))  # the group is named by its smallest name
    return {name: root for root, names in groups.members().items() for name in names}
