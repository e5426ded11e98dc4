"""Authentication and rate limiting in front of /graphql: an API key or a JWT bearer token
becomes a Principal in the request's state; no valid credential is a 401, a credential
header sent twice a 400, too many requests for one key a 429. The GraphQL layer then
decides what the principal may do (schema/guard.py)."""

import hashlib
import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jwt
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.http.ides import get_graphql_ide_html

from graph.errors import GraphError
from hub.availability import graph_unavailable
from hub.http_errors import RefusalCode, refusal
from hub.prometheus import HubMetrics
from hub.settings import Settings
from resolvers.keys import parse_key, principal_for_key
from resolvers.principal import Principal, Role

JWT_LEEWAY_S = 30
CREDENTIAL_HEADERS = {b"authorization": "Authorization", b"x-api-key": "X-API-Key"}


class Unauthenticated(Exception):
    """No usable credential; the message says what was wrong (never echoes the credential)."""


@dataclass(frozen=True)
class JwtConfig:
    hs256_secret: str | None
    rs256_public_key: str | None
    issuer: str | None
    audience: str | None
    max_lifetime_s: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "JwtConfig":
        secret = settings.jwt_hs256_secret
        return cls(
            hs256_secret=secret.get_secret_value() if secret else None,
            rs256_public_key=settings.jwt_public_key(),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            max_lifetime_s=settings.jwt_max_lifetime_s,
        )

    def principal(self, token: str) -> Principal:
        """The principal a valid token names; raises Unauthenticated saying why not."""
        try:
            alg = jwt.get_unverified_header(token).get("alg")
        except jwt.InvalidTokenError:
            raise Unauthenticated("the bearer token is neither an API key nor a JWT") from None
        key = {"HS256": self.hs256_secret, "RS256": self.rs256_public_key}.get(str(alg))
        if key is None:
            raise Unauthenticated(f"JWT algorithm {alg!r} is not accepted here")
        try:
            claims = jwt.decode(
                token, key, algorithms=[str(alg)], audience=self.audience, issuer=self.issuer,
                leeway=JWT_LEEWAY_S, options={"require": ["exp", "iss", "aud", "sub"]},
            )  # fmt: skip
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the JWT has expired") from None
        except jwt.InvalidTokenError as e:
            # PyJWT's messages name the failed check (audience, issuer, signature), no values.
            raise Unauthenticated(f"the JWT is not valid: {e}") from None
        self._check_times(claims)
        try:
            role = Role(str(claims.get("role")))
            purposes = claims.get("purposes") or []
            if not isinstance(purposes, list):
                raise ValueError("purposes must be a list")
            return Principal(
                subject=f"jwt:{claims['sub']}", role=role,
                partner_brand_id=claims.get("partner"), purposes=frozenset(map(str, purposes)),
                via="jwt",
            )  # fmt: skip
        except ValueError as e:
            raise Unauthenticated(f"the JWT's claims do not name a valid principal: {e}") from None

    def _check_times(self, claims: dict[str, Any]) -> None:
        """Raises Unauthenticated when a time claim is not a number of seconds (PyJWT
        takes whatever int() takes: "1700000000", true) or the token lives longer than
        ``max_lifetime_s`` (an exp of 1e30 never expires): exp - iat, or exp - now (with
        the leeway for clocks) when there is no iat."""
        for name in ("exp", "iat", "nbf"):
            value = claims.get(name)
            if name in claims and not (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
            ):
                raise Unauthenticated(f"the JWT's {name!r} claim must be a number of seconds")
        if "iat" in claims:
            lifetime, since = claims["exp"] - claims["iat"], "its 'iat'"
        else:
            lifetime, since = claims["exp"] - time.time() - JWT_LEEWAY_S, "now"
        if lifetime > self.max_lifetime_s:
            raise Unauthenticated(
                f"the JWT expires more than {self.max_lifetime_s:g} s after {since}, "
                "longer than tokens may live here"
            )


class KeyCache:
    """Principals of recently checked API keys, by the SHA-256 of the key, for ``ttl_s``
    (so a revocation takes effect within that time; 0 turns the cache off)."""

    def __init__(self, ttl_s: float, size: int = 10_000) -> None:
        self._ttl = ttl_s
        self._size = size
        self._entries: OrderedDict[str, tuple[float, Principal | None]] = OrderedDict()
        self.hits = 0  # lookups answered from the cache, and not (/metrics)
        self.misses = 0

    def get(self, digest: str) -> tuple[bool, Principal | None]:
        entry = self._entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            self.misses += 1
            return False, None
        self.hits += 1
        return True, entry[1]

    def stats(self) -> tuple[int, int]:
        """(hits, misses) since the cache was made."""
        return self.hits, self.misses

    def put(self, digest: str, principal: Principal | None) -> None:
        if self._ttl <= 0:
            return
        self._entries[digest] = (time.monotonic() + self._ttl, principal)
        self._entries.move_to_end(digest)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


class RateLimiter:
    """A token bucket per principal: ``burst`` requests at once, refilled at
    ``per_minute``. In-process: with several hub processes, each enforces its own share."""

    def __init__(self, per_minute: int, burst: int, size: int = 100_000) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._size = size
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str) -> tuple[bool, float]:
        """(allowed, seconds until the next request would be)."""
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
        self._buckets[key] = (tokens, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self._size:
            self._buckets.popitem(last=False)
        return allowed, 0.0 if allowed else (1.0 - tokens) / self._rate


class Authenticator:
    def __init__(self, settings: Settings) -> None:
        self._jwt = JwtConfig.from_settings(settings)
        self.keys = KeyCache(settings.api_key_cache_s)

    async def principal(self, store: Any, headers: dict[str, str]) -> Principal:
        """The caller; raises Unauthenticated, or GraphError when keys cannot be read."""
        bearer = headers.get("authorization", "")
        api_key = headers.get("x-api-key", "").strip()
        if bearer and api_key:
            raise Unauthenticated("send one credential: Authorization or X-API-Key, not both")
        if bearer:
            scheme, _, token = bearer.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthenticated("Authorization must be 'Bearer <API key or JWT>'")
            token = token.strip()
            return await self._key(store, token) if parse_key(token) else self._jwt_of(token)
        if api_key:
            return await self._key(store, api_key)
        raise Unauthenticated(
            "credentials required: 'Authorization: Bearer <API key or JWT>' or 'X-API-Key'"
        )

    def _jwt_of(self, token: str) -> Principal:
        if not (self._jwt.hs256_secret or self._jwt.rs256_public_key):
            raise Unauthenticated("JWTs are not accepted here (no JWT key is configured)")
        return self._jwt.principal(token)

    async def _key(self, store: Any, presented: str) -> Principal:
        digest = hashlib.sha256(presented.encode()).hexdigest()
        known, principal = self.keys.get(digest)
        if not known:
            principal = await principal_for_key(store, presented)
            self.keys.put(digest, principal)
        if principal is None:
            raise Unauthenticated("the API key is not valid (unknown, revoked or malformed)")
        return principal


class AuthMiddleware:
    """Pure ASGI: checks credentials and the rate limit for ``paths`` and the paths under
    ``prefixes`` only (health checks stay open), and puts the Principal in
    ``scope["state"]["principal"]``. With ``metrics``, the API-key cache's hits and misses
    are reported as ``api_key``."""

    def __init__(
        self, app: ASGIApp, settings: Settings, paths: tuple[str, ...] = ("/graphql",),
        prefixes: tuple[str, ...] = ("/partner/lists",),
        metrics: HubMetrics | None = None,
    ) -> None:  # fmt: skip
        self.app = app
        self.paths = paths
        self.prefixes = prefixes
        self.authenticator = Authenticator(settings)
        if metrics is not None:
            metrics.watch_cache("api_key", self.authenticator.keys.stats)
        self.limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
        self.graphiql = settings.graphiql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self._guarded(scope["path"]):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            # A subscription's socket: the same checks on the handshake's headers; a refusal
            # closes it before it is accepted (the client sees the handshake refused, 403).
            send = _websocket_refusals(send)
        names = [k.lower() for k, _ in scope["headers"]]
        repeated = [name for name in CREDENTIAL_HEADERS if names.count(name) > 1]
        if repeated:
            # Which one would count is up to each proxy and framework on the way: refuse.
            await refusal(
                scope, 400, RefusalCode.BAD_REQUEST,
                f"send one {CREDENTIAL_HEADERS[repeated[0]]} header, not several",
            )(scope, receive, send)  # fmt: skip
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self._is_graphiql_page(scope, headers):
            # The IDE's page is served here, without credentials; its requests need a key
            # (GraphiQL's Headers tab). Strawberry would build a request context first.
            html = get_graphql_ide_html(graphql_ide="graphiql")
            await HTMLResponse(html)(scope, receive, send)
            return
        try:
            principal = await self.authenticator.principal(scope["app"].state.store, headers)
        except Unauthenticated as e:
            await refusal(
                scope, 401, RefusalCode.UNAUTHENTICATED, str(e),
                {"www-authenticate": 'Bearer realm="hub"'},
            )(scope, receive, send)  # fmt: skip
            return
        except GraphError as e:
            await graph_unavailable(
                scope, scope["app"].state.store,
                f"credential check failed: {type(e).__name__}", logging.WARNING,
            )(scope, receive, send)  # fmt: skip
            return
        allowed, wait_s = self.limiter.allow(principal.rate_key)
        if not allowed:
            retry = str(max(1, round(wait_s + 0.5)))
            await refusal(
                scope, 429, RefusalCode.RATE_LIMITED, f"rate limit exceeded; retry in {retry} s",
                {"retry-after": retry},
            )(scope, receive, send)  # fmt: skip
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)

    def _guarded(self, path: str) -> bool:
        return path in self.paths or path.startswith(self.prefixes)

    def _is_graphiql_page(self, scope: Scope, headers: dict[str, str]) -> bool:
        return (
            self.graphiql
            and scope["path"] == "/graphql"
            and scope.get("method") == "GET"
            and "text/html" in headers.get("accept", "")
            and not scope.get("query_string")
        )


def _websocket_refusals(send: Send) -> Send:
    """A send for a WebSocket scope that turns a refusal (an HTTP response the middleware
    answers with) into closing the socket before it is accepted."""

    async def closing(message: Message) -> None:
        kind = message["type"].removeprefix("websocket.")  # Starlette may send either
        if kind == "http.response.start":
            await send({"type": "websocket.close", "code": 1008})
        elif kind != "http.response.body":
            await send(message)

    return closing
