"""The Python client in a notebook's place (docs/export.md): a customer's 360 and the brand
overlap matrix as pandas DataFrames. Usage: python hub_client.py URL KEY CUSTOMER BRAND..."""

import sys
import time

import httpx

from hub.client import HubClient, HubError


def wait_until_ready(url: str, timeout_s: float = 300.0) -> None:
    """The hub just started in the background may take a moment to answer."""
    ready = url.removesuffix("/graphql") + "/readyz"
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(ready, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"no hub answered at {ready}")
        time.sleep(0.5)


def main(url: str, key: str, customer: str, brands: list[str]) -> None:
    wait_until_ready(url)
    with HubClient(url, key) as hub:
        c360 = hub.customer_360(customer)
        print(c360.profile["customerId"], "purchases:", len(c360.purchases))
        print(c360.purchases.head())
        print(hub.overlap_matrix(brands, measure="jaccard").round(3))
        try:
            hub.customer_360("no-such-customer")
        except HubError as e:
            print("refused:", e.code)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
