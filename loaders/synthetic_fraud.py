"""Synthetic purchases with injected, labelled fraud, for evaluating analytics/fraud.py.

Ordinary customers buy at their own Poisson rate over a year, refund a few purchases, and
use their own card, device and address; some live in two-person households that share an
address (not fraud). Injected fraud, each labelled with its kind:

- ``ring``: 3 to 6 accounts linked by one card or one device, each with an ordinary rate;
- ``burst``: an ordinary history plus 6 to 12 purchases within three days;
- ``refund_abuse``: most purchases refunded.

``generate_farms`` adds social accounts liking brand posts, with injected account farms
(``account_farm``); ``graph_rows`` gives both as loader rows, for the graph.

Fingerprints are SHA-256 hex of random tokens, as the loaders store them (never raw).
Deterministic for a given seed.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

from analytics.farms import Interaction
from analytics.fraud import PurchaseEvent

Row = dict[str, Any]

YEAR_DAYS = 365.0
FRAUD_KINDS = ("ring", "burst", "refund_abuse")


@dataclass(frozen=True, slots=True)
class FraudData:
    """The purchases and, for each injected fraudster, the kind of fraud."""

    events: list[PurchaseEvent]
    labels: dict[str, str]


def generate(customers: int = 2000, fraud_share: float = 0.03, seed: int = 7) -> FraudData:
    """Purchases of ``customers`` customers, about ``fraud_share`` of them fraudulent."""
    rng = random.Random(seed)
    events: list[PurchaseEvent] = []
    labels: dict[str, str] = {}

    def token() -> str:
        return hashlib.sha256(rng.randbytes(16)).hexdigest()

    def history(customer: str, card: str, device: str, address: str, refund: float) -> None:
        rate = rng.uniform(2.0, 24.0) / YEAR_DAYS
        # Everyone in the data bought at least once: an account without purchases has none.
        day = min(rng.expovariate(rate), rng.uniform(0.0, YEAR_DAYS))
        while day < YEAR_DAYS:
            events.append(
                PurchaseEvent(customer, day, rng.random() < refund, card, device, address)
            )
            day += rng.expovariate(rate)

    fraudsters = int(customers * fraud_share)
    ordinary = customers - fraudsters
    shared_address = ""
    for i in range(ordinary):
        household = rng.random() < 0.1 and i % 2 == 1
        address = shared_address if household else token()
        shared_address = address
        history(f"c{i:06d}", token(), token(), address, rng.uniform(0.0, 0.1))
    i = ordinary
    while i < customers:
        kind = FRAUD_KINDS[rng.randrange(len(FRAUD_KINDS))]
        if kind == "ring":
            card, device = token(), token()
            size = min(rng.randint(3, 6), customers - i)
            if size < 3:
                kind = "burst"
            else:
                for member in range(size):
                    # The first member uses both, so card and device sharers form one ring.
                    shared_card = member == 0 or rng.random() < 0.5
                    shared_device = member == 0 or not shared_card
                    customer = f"c{i:06d}"
                    history(
                        customer,
                        card if shared_card else token(),
                        device if shared_device else token(),
                        token(),
                        0.05,
                    )
                    labels[customer] = kind
                    i += 1
                continue
        customer = f"c{i:06d}"
        card, device, address = token(), token(), token()
        if kind == "burst":
            history(customer, card, device, address, 0.05)
            start = rng.uniform(0.0, YEAR_DAYS - 3.0)
            for _ in range(rng.randint(6, 12)):
                day = start + rng.uniform(0.0, 3.0)
                events.append(PurchaseEvent(customer, day, False, card, device, address))
        else:
            history(customer, card, device, address, rng.uniform(0.6, 0.9))
        labels[customer] = kind
        i += 1
    return FraudData(events, labels)


# --- account farms, and the rows that load both into the graph ---------------------------

START_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z: day 0 of the generated year
DAY_MS = 86_400_000
MINUTE_MS = 60_000


@dataclass(frozen=True, slots=True)
class SocialData:
    """Social accounts (id -> creation, epoch ms), brand posts (id -> time), interactions,
    and the labelled farm accounts (``account_farm``)."""

    accounts: dict[str, int]
    posts: dict[str, int]
    interactions: list[Interaction]
    labels: dict[str, str]


def generate_farms(accounts: int = 2000, farm_share: float = 0.03, seed: int = 7) -> SocialData:
    """A year of likes on brand posts: ordinary accounts join at any time and like posts
    at their own pace, popular posts more; about ``farm_share`` of the accounts are farms
    of 4 to 10 accounts made within two days that like 4 to 8 posts within five minutes of
    each other in their first weeks. Deterministic for a given seed (its own random
    stream: ``generate``'s purchases do not change)."""
    rng = random.Random(seed * 7919 + 1)
    posts = {f"post{i:05d}": START_MS + int(rng.uniform(0, YEAR_DAYS) * DAY_MS)
             for i in range(max(accounts // 10, 20))}  # fmt: skip
    post_ids = sorted(posts)
    weights = [1.0 / (rank + 1) for rank in range(len(post_ids))]  # a few popular posts
    created: dict[str, int] = {}
    interactions: list[Interaction] = []
    labels: dict[str, str] = {}
    farmers = int(accounts * farm_share)
    for i in range(accounts - farmers):
        account = f"acct{i:06d}"
        created[account] = START_MS + int(rng.uniform(0, YEAR_DAYS) * DAY_MS)
        for post in rng.choices(post_ids, weights, k=rng.randint(1, 30)):
            at = max(posts[post], created[account]) + int(rng.expovariate(1 / 20) * DAY_MS)
            interactions.append(Interaction(account, post, at))
    i = accounts - farmers
    while i < accounts:
        size = rng.randint(4, 10)
        if accounts - i - size < 4:  # no farm smaller than 4: the last one takes the rest
            size = accounts - i
        born = START_MS + int(rng.uniform(0, YEAR_DAYS - 30) * DAY_MS)
        members = [f"acct{j:06d}" for j in range(i, i + size)]
        for account in members:
            created[account] = born + int(rng.uniform(0, 2) * DAY_MS)
            labels[account] = "account_farm"
        start = born + 2 * DAY_MS
        for post in rng.sample(post_ids, rng.randint(4, 8)):
            when = start + int(rng.uniform(0, 20) * DAY_MS)
            for account in members:
                interactions.append(
                    Interaction(account, post, when + int(rng.uniform(0, 5) * MINUTE_MS))
                )
        i += size
    return SocialData(created, posts, interactions, labels)


def graph_rows(data: FraudData, social: SocialData | None = None) -> list[tuple[str, list[Row]]]:
    """Loader rows (kind, rows) holding ``data`` (and ``social``) for loaders.pipeline's
    write_records: one brand and product, customers, purchases with their fingerprints (a
    refund at the purchase's time, as analytics/fraud.py counts it), accounts, posts,
    likes. Days become epoch ms from 2024-01-01."""
    customers = sorted({e.customer_id for e in data.events})
    purchases = [
        {"id": f"o{n:07d}", "customer_id": e.customer_id, "brand_id": "b0",
         "at": START_MS + round(e.at_day * DAY_MS),
         "refunded_at": START_MS + round(e.at_day * DAY_MS) if e.refunded else None,
         "payment_hash": e.payment_hash, "device_hash": e.device_hash,
         "address_hash": e.address_hash}
        for n, e in enumerate(data.events)
    ]  # fmt: skip
    rows: list[tuple[str, list[Row]]] = [
        ("brands", [{"id": "b0", "name": "Brand 0"}]),
        ("customers", [{"id": c} for c in customers]),
        ("purchases", purchases),
    ]
    if social is not None:
        rows += [
            ("social_accounts", [{"id": a, "platform": "instagram", "created_at": at}
                                 for a, at in sorted(social.accounts.items())]),
            ("posts", [{"id": p, "author_kind": "brand", "author_id": "b0", "at": at}
                       for p, at in sorted(social.posts.items())]),
            ("interactions", [{"account_id": x.account_id, "post_id": x.post_id,
                               "kind": "like", "at": x.at} for x in social.interactions]),
        ]  # fmt: skip
    return rows
