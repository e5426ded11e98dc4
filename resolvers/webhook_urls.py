"""Where webhooks may point (docs/operations.md, "Webhooks"): an http(s) URL whose host
resolves to public addresses only, so that an admin's key cannot make the hub call its
own network (loopback, link-local and the cloud metadata address 169.254.169.254,
private ranges, carrier-grade NAT, multicast, reserved). ``allow_internal``
(HUB_WEBHOOK_ALLOW_INTERNAL) lifts the address check, for a receiver on the hub's own
network and for tests.

The check runs when an endpoint is registered and again at every delivery: a name that
resolved to a public address may resolve to an internal one later (DNS rebinding). At
delivery the request goes to the very address that was checked (``PublicOnlyTransport``),
so the name is not resolved a second time between the check and the connection.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import httpx

from resolvers.errors import ApiError, ErrorCode, bad_input

MAX_URL = 2000
SCHEMES = ("http", "https")

# host, port -> the addresses the host resolves to
Resolver = Callable[[str, int], Awaitable[list[str]]]


async def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (an address is itself). Raises OSError
    (socket.gaierror) when it does not resolve."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def is_internal(address: str) -> bool:
    """Whether ``address`` (IPv4 or IPv6 text) is anything but a public unicast address.
    An IPv6 address that carries an IPv4 one (mapped, 6to4, Teredo) is judged by it."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address):
        carried = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if carried is not None:
            return is_internal(str(carried))
    return not ip.is_global or ip.is_multicast


def url_refused(message: str) -> ApiError:
    return ApiError(message, ErrorCode.URL_NOT_ALLOWED, argument="input.url")


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def checked_url_shape(value: str) -> tuple[str, str, int]:
    """(the URL stripped, its host, its port). Raises BAD_USER_INPUT for what is not an
    http(s) URL with a host, or is too long."""
    url = value.strip()
    parts = urlsplit(url)
    if len(url) > MAX_URL or parts.scheme not in SCHEMES or not parts.hostname:
        raise bad_input(f"must be an http(s) URL of at most {MAX_URL} characters", "input.url")
    try:
        port = parts.port or _default_port(parts.scheme)
    except ValueError:
        raise bad_input("the URL's port is not a number in 0-65535", "input.url") from None
    return url, parts.hostname, port


async def public_addresses(
    host: str, port: int, allow_internal: bool, resolver: Resolver = resolve
) -> list[str]:
    """The addresses of ``host``, all of them public unless ``allow_internal``. Raises
    URL_NOT_ALLOWED when one is internal or the host does not resolve."""
    try:
        addresses = await resolver(host, port)
    except OSError:
        raise url_refused(f"the host {host!r} does not resolve") from None
    if not addresses:
        raise url_refused(f"the host {host!r} does not resolve")
    if not allow_internal and any(is_internal(a) for a in addresses):
        raise url_refused(
            "the URL's host is an internal address (loopback, link-local, private or "
            "reserved); HUB_WEBHOOK_ALLOW_INTERNAL=true allows it"
        )
    return addresses


async def checked_url(value: str, allow_internal: bool, resolver: Resolver = resolve) -> str:
    """``value`` stripped, when a webhook may point there. Raises BAD_USER_INPUT for a URL
    that is not http(s), URL_NOT_ALLOWED for a host that does not resolve or resolves to
    an internal address (unless ``allow_internal``)."""
    url, host, port = checked_url_shape(value)
    await public_addresses(host, port, allow_internal, resolver)
    return url


class InternalAddressRefused(httpx.TransportError):
    """A delivery not sent: its host resolves to an internal address now, or not at all."""


class PublicOnlyTransport(httpx.AsyncBaseTransport):
    """Sends each request to an address of its host that was checked just before, with
    the host's name kept for the Host header and TLS (SNI and certificate), so the
    connection goes where the check looked."""

    def __init__(
        self, allow_internal: bool, resolver: Resolver = resolve,
        inner: httpx.AsyncBaseTransport | None = None,
    ) -> None:  # fmt: skip
        self._allow_internal = allow_internal
        self._resolver = resolver
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        port = request.url.port or _default_port(request.url.scheme)
        try:
            addresses = await public_addresses(host, port, self._allow_internal, self._resolver)
        except ApiError as e:
            raise InternalAddressRefused(e.message, request=request) from None
        if request.url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": host}
        request.url = request.url.copy_with(host=addresses[0])
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
