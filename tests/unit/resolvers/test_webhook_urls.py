"""Where webhooks may point (resolvers/webhook_urls.py): internal addresses refused at
registration and again at delivery (a name that now resolves elsewhere), unless allowed."""

import httpx
import pytest

from resolvers.errors import ApiError
from resolvers.webhook_urls import (
    InternalAddressRefused,
    PublicOnlyTransport,
    checked_url,
    is_internal,
)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "100.64.0.1",
     "0.0.0.0", "224.0.0.1",  # noqa: S104 (an address to judge, not to bind) "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1",
     "::ffff:169.254.169.254", "2002:a9fe:a9fe::1"],
)  # fmt: skip
def test_internal_addresses(address: str) -> None:
    assert is_internal(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111"])
def test_public_addresses(address: str) -> None:
    assert not is_internal(address)


def resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("no such host")
        return table[host]

    return resolve


NAMES = resolver({"hooks.example.com": ["93.184.215.14"], "meta.example.com": ["169.254.169.254"],
                  "mixed.example.com": ["93.184.215.14", "10.0.0.5"]})  # fmt: skip


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/h", "http://[::1]/h", "http://meta.example.com/latest",
     "https://mixed.example.com/h", "http://localhost.invalid/h", "http://10.0.0.1/h"],
)  # fmt: skip
async def test_registration_refuses_internal_or_unresolvable_hosts(url: str) -> None:
    table = resolver({"127.0.0.1": ["127.0.0.1"], "::1": ["::1"], "10.0.0.1": ["10.0.0.1"]})

    async def both(host: str, port: int) -> list[str]:
        try:
            return await table(host, port)
        except OSError:
            return await NAMES(host, port)

    with pytest.raises(ApiError) as refused:
        await checked_url(url, False, both)
    assert refused.value.code.value == "URL_NOT_ALLOWED"
    assert refused.value.extensions["argument"] == "input.url"


@pytest.mark.parametrize("url", ["ftp://hooks.example.com/h", "file:///etc/passwd", "http://",
                                 "http://hooks.example.com:99999/h"])  # fmt: skip
async def test_registration_refuses_what_is_not_an_http_url(url: str) -> None:
    with pytest.raises(ApiError) as refused:
        await checked_url(url, False, NAMES)
    assert refused.value.code.value == "BAD_USER_INPUT"


async def test_a_public_host_is_taken_and_internal_ones_when_allowed() -> None:
    assert await checked_url(" https://hooks.example.com/h ", False, NAMES) == (
        "https://hooks.example.com/h"
    )
    assert await checked_url("http://meta.example.com/x", True, NAMES) == (
        "http://meta.example.com/x"
    )


class Recorder(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return httpx.Response(204)


async def test_delivery_goes_to_the_checked_address_and_refuses_a_rebound_name() -> None:
    table = {"hooks.example.com": ["93.184.215.14"]}
    inner = Recorder()
    transport = PublicOnlyTransport(False, resolver(table), inner)
    async with httpx.AsyncClient(transport=transport) as client:
        await client.post("https://hooks.example.com:8443/h", content=b"{}")
        [sent] = inner.sent
        assert (sent.url.host, sent.url.port) == ("93.184.215.14", 8443)
        assert sent.headers["host"] == "hooks.example.com:8443"
        assert sent.extensions["sni_hostname"] == "hooks.example.com"
        table["hooks.example.com"] = ["127.0.0.1"]  # the name now points inside
        with pytest.raises(InternalAddressRefused):
            await client.post("https://hooks.example.com:8443/h", content=b"{}")
    assert len(inner.sent) == 1


async def test_delivery_to_an_internal_address_when_allowed() -> None:
    inner = Recorder()
    transport = PublicOnlyTransport(True, resolver({"127.0.0.1": ["127.0.0.1"]}), inner)
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.post("http://127.0.0.1:9/h", content=b"{}")
    assert response.status_code == 204 and inner.sent[0].url.host == "127.0.0.1"
