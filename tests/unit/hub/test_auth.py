"""hub/auth.py's parts that need no database: the rate limiter and key cache on a fake
clock, and JWT checking with HS256 and RS256 tokens (good, and every way to be bad,
time claims of the wrong type and lifetimes past the maximum included)."""

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.utils import base64url_encode

from hub import auth
from hub.auth import JWT_LEEWAY_S, JwtConfig, KeyCache, RateLimiter, Unauthenticated
from resolvers.principal import Principal, Role

HS_SECRET = "a-test-secret-of-at-least-32-bytes!!"
ISSUER, AUDIENCE = "https://issuer.test", "hub-test"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PUBLIC_PEM = (
    RSA_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
MAX_LIFETIME_S = 3600
BOTH = JwtConfig(HS_SECRET, RSA_PUBLIC_PEM, ISSUER, AUDIENCE, MAX_LIFETIME_S)
RS256_ONLY = JwtConfig(None, RSA_PUBLIC_PEM, ISSUER, AUDIENCE, MAX_LIFETIME_S)


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(auth.time, "monotonic", fake)
    return fake


# --- the rate limiter ------------------------------------------------------------------


def test_a_burst_then_refusals_saying_when_then_refill(clock: FakeClock):
    limiter = RateLimiter(per_minute=60, burst=3)  # one token a second
    assert [limiter.allow("k")[0] for _ in range(3)] == [True, True, True]
    allowed, wait = limiter.allow("k")
    assert (allowed, wait) == (False, pytest.approx(1.0))  # the bucket is empty
    clock.now += 0.5
    allowed, wait = limiter.allow("k")
    assert (allowed, wait) == (False, pytest.approx(0.5))  # half a token so far
    clock.now += 0.5
    assert limiter.allow("k") == (True, 0.0)  # one whole token: one request
    assert limiter.allow("k")[0] is False


def test_an_idle_bucket_refills_to_the_burst_and_no_further(clock: FakeClock):
    limiter = RateLimiter(per_minute=60, burst=3)
    for _ in range(3):
        limiter.allow("k")
    clock.now += 3600  # an hour would be 3600 tokens: the burst caps it
    assert [limiter.allow("k")[0] for _ in range(4)] == [True, True, True, False]


def test_each_principal_has_its_own_bucket(clock: FakeClock):
    limiter = RateLimiter(per_minute=6, burst=1)  # one token every 10 s
    assert limiter.allow("key:a")[0] is True
    assert limiter.allow("key:a") == (False, pytest.approx(10.0))
    assert limiter.allow("key:b")[0] is True  # b is not slowed by a


def test_the_limiter_holds_at_most_size_buckets_dropping_the_least_recent(clock: FakeClock):
    limiter = RateLimiter(per_minute=60, burst=1, size=2)
    for key in ("a", "b"):
        assert limiter.allow(key)[0] is True
    assert limiter.allow("a")[0] is False  # a is now the most recent
    assert limiter.allow("c")[0] is True  # drops b, the least recent
    assert limiter.allow("a")[0] is False  # a's empty bucket was kept
    assert limiter.allow("b")[0] is True  # b starts afresh


# --- the key cache -----------------------------------------------------------------------

APP = Principal("key:0123456789abcdef", Role.APP)


def test_a_cached_key_is_known_until_its_ttl_passes(clock: FakeClock):
    cache = KeyCache(ttl_s=30)
    assert cache.get("d1") == (False, None)
    cache.put("d1", APP)
    clock.now += 29.9
    assert cache.get("d1") == (True, APP)
    clock.now += 0.2
    assert cache.get("d1") == (False, None)  # a revocation is seen after at most ttl


def test_an_unknown_key_is_cached_as_known_to_be_no_one(clock: FakeClock):
    cache = KeyCache(ttl_s=30)
    cache.put("bad", None)
    assert cache.get("bad") == (True, None)


def test_a_zero_ttl_turns_the_cache_off(clock: FakeClock):
    cache = KeyCache(ttl_s=0)
    cache.put("d1", APP)
    assert cache.get("d1") == (False, None)


def test_the_cache_holds_at_most_size_keys(clock: FakeClock):
    cache = KeyCache(ttl_s=30, size=2)
    for digest in ("d1", "d2", "d3"):
        cache.put(digest, APP)
    assert [cache.get(d)[0] for d in ("d1", "d2", "d3")] == [False, True, True]


# --- JWTs --------------------------------------------------------------------------------


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    body: dict[str, Any] = {
        "sub": "user-7", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300,
        "role": "app",
    }  # fmt: skip
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def hs256(**changes: Any) -> str:
    return jwt.encode(claims(**changes), HS_SECRET, algorithm="HS256")


def rs256(key: rsa.RSAPrivateKey = RSA_KEY, **changes: Any) -> str:
    return jwt.encode(claims(**changes), key, algorithm="RS256")


def hmac_token(body: dict[str, Any], secret: bytes) -> str:
    """An HS256 token made by hand (PyJWT refuses a PEM key as an HMAC secret)."""
    header = base64url_encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    signing_input = header + b"." + base64url_encode(json.dumps(body).encode())
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + base64url_encode(signature)).decode()


def test_a_good_hs256_token_names_its_principal():
    assert BOTH.principal(hs256(role="analyst")) == Principal("jwt:user-7", Role.ANALYST, via="jwt")


def test_a_good_rs256_partner_token_names_brand_and_purposes():
    token = rs256(role="partner", partner="b1", purposes=["partner_sharing", "analytics"])
    principal = RS256_ONLY.principal(token)
    assert principal == Principal(
        "jwt:user-7", Role.PARTNER, partner_brand_id="b1",
        purposes=frozenset({"partner_sharing", "analytics"}), via="jwt",
    )  # fmt: skip
    assert principal.rate_key == "jwt:jwt:user-7"


def test_a_token_just_past_its_expiry_is_accepted_within_the_leeway():
    now = int(time.time())
    assert BOTH.principal(hs256(exp=now - JWT_LEEWAY_S // 2)).role is Role.APP


REFUSED: list[tuple[str, JwtConfig, Callable[[], str], str]] = [
    (
        "expired",
        BOTH,
        lambda: hs256(exp=int(time.time()) - JWT_LEEWAY_S - 60),
        "the JWT has expired",
    ),
    ("wrong issuer", BOTH, lambda: rs256(iss="https://evil.test"), "issuer"),
    ("wrong audience", BOTH, lambda: hs256(aud="another-service"), "audience"),
    ("no exp", BOTH, lambda: hs256(exp=None), "exp"),
    ("no subject", BOTH, lambda: hs256(sub=None), "sub"),
    ("alg none", BOTH, lambda: jwt.encode(claims(), None, algorithm="none"), "not accepted"),
    ("HS256 when only RS256 is configured", RS256_ONLY, hs256, "not accepted"),
    (
        # The classic confusion: an HMAC keyed with the public key the hub trusts.
        "HS256 keyed with the RSA public key",
        RS256_ONLY,
        lambda: hmac_token(claims(), RSA_PUBLIC_PEM.encode()),
        "not accepted",
    ),
    ("RS256 signed by another key", RS256_ONLY, lambda: rs256(OTHER_RSA_KEY), "signature"),
    ("HS256 with another secret", BOTH, lambda: jwt.encode(claims(), "x" * 40), "signature"),
    ("missing role", BOTH, lambda: hs256(role=None), "valid principal"),
    ("unknown role", BOTH, lambda: hs256(role="root"), "valid principal"),
    ("partner without a brand", BOTH, lambda: hs256(role="partner"), "valid principal"),
    ("a brand on a non-partner", BOTH, lambda: hs256(partner="b1"), "valid principal"),
    ("unknown purpose", BOTH, lambda: hs256(purposes=["resale"]), "valid principal"),
    ("purposes not a list", BOTH, lambda: hs256(purposes="analytics"), "valid principal"),
    ("not a JWT at all", BOTH, lambda: "hello.world", "neither an API key nor a JWT"),
    # Time claims are numbers of seconds: PyJWT alone takes whatever int() takes.
    ("exp as a string", BOTH, lambda: hs256(exp=str(int(time.time()) + 300)), "'exp' claim"),
    ("exp as a boolean", BOTH, lambda: hs256(exp=True), "expired"),  # int(True) is 1970
    ("exp infinite", BOTH, lambda: hs256(exp=float("inf")), "(exp)"),
    ("iat as a string", BOTH, lambda: hs256(iat=str(int(time.time()))), "'iat' claim"),
    ("iat as a boolean", BOTH, lambda: hs256(iat=True), "'iat' claim"),
    ("nbf as a string", BOTH, lambda: hs256(nbf=str(int(time.time()))), "'nbf' claim"),
    ("nbf as a list", BOTH, lambda: hs256(nbf=[1]), "(nbf)"),
    # A token may live at most the configured lifetime: from its iat, or from now.
    ("exp 1e30", BOTH, lambda: hs256(exp=1e30), "more than 3600 s after its 'iat'"),
    ("exp 1e30 without iat", BOTH, lambda: hs256(exp=1e30, iat=None), "3600 s after now"),
    (
        "a second past the lifetime from iat",
        BOTH,
        lambda: hs256(iat=int(time.time()) - 60, exp=int(time.time()) - 60 + MAX_LIFETIME_S + 1),
        "longer than tokens may live",
    ),
    (
        "past the lifetime and the leeway from now, without iat",
        BOTH,
        lambda: hs256(iat=None, exp=int(time.time()) + MAX_LIFETIME_S + JWT_LEEWAY_S + 5),
        "longer than tokens may live",
    ),
    (
        "issued long ago, expiring soon",
        RS256_ONLY,
        lambda: rs256(iat=int(time.time()) - 2 * MAX_LIFETIME_S, exp=int(time.time()) + 60),
        "longer than tokens may live",
    ),
]


def test_a_token_living_exactly_the_maximum_is_accepted_with_float_times():
    now = int(time.time())
    assert BOTH.principal(hs256(iat=now, exp=now + MAX_LIFETIME_S)).role is Role.APP
    assert BOTH.principal(hs256(iat=None, exp=now + MAX_LIFETIME_S)).role is Role.APP
    assert BOTH.principal(hs256(iat=now + 0.5, exp=now + 300.5, nbf=now - 1.5)).role is Role.APP


@pytest.mark.parametrize(
    ("config", "make_token", "reason"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_a_bad_token_is_refused_saying_why(
    config: JwtConfig, make_token: Callable[[], str], reason: str
):
    token = make_token()
    with pytest.raises(Unauthenticated) as refused:
        config.principal(token)
    message = str(refused.value)
    assert reason.lower() in message.lower()
    assert token not in message and HS_SECRET not in message
