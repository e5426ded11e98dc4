"""Privacy knobs the resolvers take (from Settings) and the keyed pseudonyms built on them."""

import base64
import hashlib
import hmac
from dataclasses import dataclass

DEV_PSEUDONYM_KEY = "development-only-pseudonym-key"  # refused in production (hub/settings.py)


@dataclass(frozen=True)
class PrivacyConfig:
    """``min_group_size``: the k below which partner aggregates are suppressed.
    ``pseudonym_key``: the hub's master secret; per-partner and analyst keys derive from it."""

    min_group_size: int = 50
    pseudonym_key: bytes = DEV_PSEUDONYM_KEY.encode()

    def __post_init__(self) -> None:
        if self.min_group_size < 2:
            raise ValueError("min_group_size must be at least 2")
        if len(self.pseudonym_key) < 16:
            raise ValueError("pseudonym_key must be at least 16 bytes")

    def erasure_key(self) -> bytes:
        """The key of erasure tombstones (resolvers/subject.py, loaders/erasures.py)."""
        return self.derived_key("erasure")

    def derived_key(self, *parts: str) -> bytes:
        """A key for one use (e.g. ("partner", brand id, salt)), independent of the others."""
        message = "\x1f".join(parts).encode()
        return hmac.new(self.pseudonym_key, message, hashlib.sha256).digest()


def pseudonym(key: bytes, value: str, prefix: str = "p") -> str:
    """A stable, unlinkable id for ``value`` under ``key``: 128 bits of HMAC-SHA256,
    base32 without padding (26 characters), lower-case, after ``prefix_``."""
    digest = hmac.new(key, value.encode(), hashlib.sha256).digest()[:16]
    return f"{prefix}_" + base64.b32encode(digest).decode().rstrip("=").lower()
