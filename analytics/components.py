"""Connected groups of keys joined pairwise (union-find with path halving): fraud rings
over shared values, account farms over lockstep pairs, nickname groups (identity/nicknames.py)."""

from collections import defaultdict


class Groups:
    """Keys joined by ``join``; ``root`` names a key's group, ``members`` lists them all."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def root(self, key: str) -> str:
        """The key that names ``key``'s group (``key`` itself when never joined)."""
        parent = self._parent
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(self, a: str, b: str) -> None:
        """Put ``a`` and ``b`` (and their groups) in one group."""
        self._parent[self.root(b)] = self.root(a)

    def members(self) -> dict[str, list[str]]:
        """Each group's root -> its keys, in the order they were first seen."""
        found: dict[str, list[str]] = defaultdict(list)
        for key in list(self._parent):
            found[self.root(key)].append(key)
        return dict(found)
