"""The synthetic generator: deterministic, referentially sound, skewed, and streamed."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import pytest

from loaders.synthetic import DAY_MS, KINDS, SyntheticConfig, generate

Row = dict[str, Any]
Batch = tuple[str, list[Row]]

SHAPES = {
    "brands": {"id", "name", "category", "country", "created_at"},
    "tags": {"id", "name", "category"},
    "segments": {"id", "name"},
    "products": {"id", "brand_id", "name", "category", "price"},
    "customers": {
        "id",
        "external_id",
        "name",
        "email",
        "phone",
        "gender",
        "birth_year",
        "city",
        "region",
        "country",
        "created_at",
    },
    "social_accounts": {
        "id",
        "platform",
        "handle",
        "display_name",
        "created_at",
        "customer_id",
        "link_method",
        "link_confidence",
    },
    "follows": {"account_id", "target_kind", "target_id", "since"},
    "purchases": {"id", "customer_id", "brand_id", "at", "channel", "currency", "total", "items"},
    "posts": {
        "id",
        "author_kind",
        "author_id",
        "at",
        "platform",
        "content_type",
        "text",
        "tag_ids",
    },
    "interactions": {"account_id", "post_id", "kind", "at", "text"},
    "customer_tags": {"customer_id", "tag_id", "weight", "source", "at"},
    "consents": {
        "customer_id",
        "brand_id",
        "purposes",
        "granted_at",
        "withdrawn_at",
        "source",
        "policy_version",
    },
    "complaints": {
        "id",
        "customer_id",
        "about_kind",
        "about_id",
        "channel",
        "category",
        "status",
        "opened_at",
        "first_response_at",
        "resolved_at",
        "text",
    },
    "customer_segments": {"customer_id", "segment_id"},
}
CONFIDENCE = {"crm_id": 1.0, "email": 0.95, "phone": 0.9}


def digest(batches: Iterable[Batch]) -> str:
    sha = hashlib.sha256()
    for kind, rows in batches:
        sha.update(json.dumps([kind, rows], sort_keys=True).encode())
    return sha.hexdigest()


def top_share(counts: Counter[str], fraction: float, population: int) -> float:
    """Share of all counted events held by the top `fraction` of a population."""
    top = max(1, int(population * fraction))
    return sum(n for _, n in counts.most_common(top)) / sum(counts.values())


@pytest.fixture(scope="module")
def stream() -> list[Batch]:
    return list(generate(SyntheticConfig()))


@pytest.fixture(scope="module")
def rows(stream: list[Batch]) -> dict[str, list[Row]]:
    by_kind: dict[str, list[Row]] = {kind: [] for kind in KINDS}
    for kind, batch in stream:
        by_kind[kind].extend(batch)
    return by_kind


def test_the_same_config_gives_a_byte_identical_stream(stream: list[Batch]) -> None:
    assert digest(generate(SyntheticConfig())) == digest(stream)


def test_the_stream_does_not_depend_on_hash_randomisation() -> None:
    script = (
        "import hashlib, json\n"
        "from loaders.synthetic import SyntheticConfig, generate\n"
        "sha = hashlib.sha256()\n"
        "for kind, rows in generate(SyntheticConfig(customers=300)):\n"
        "    sha.update(json.dumps([kind, rows], sort_keys=True).encode())\n"
        "print(sha.hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == digest(generate(SyntheticConfig(customers=300)))


def test_the_stream_does_not_depend_on_batch_size() -> None:
    config = SyntheticConfig(customers=1500, brands=5)  # two chunks

    def flat(batch_size: int) -> list[tuple[str, Row]]:
        return [(kind, row) for kind, batch in generate(config, batch_size) for row in batch]

    assert flat(7) == flat(1000)


def test_different_seeds_give_different_data() -> None:
    assert digest(generate(SyntheticConfig(customers=200, seed=1))) != digest(
        generate(SyntheticConfig(customers=200, seed=2))
    )


def test_every_kind_appears_first_in_kinds_order(stream: list[Batch]) -> None:
    first_seen = list(dict.fromkeys(kind for kind, _ in stream))
    assert first_seen == list(KINDS)


def test_rows_have_the_documented_shapes(rows: dict[str, list[Row]]) -> None:
    for kind, shape in SHAPES.items():
        assert rows[kind], kind
        assert all(row.keys() == shape for row in rows[kind]), kind
    for kind in KINDS:  # every value survives JSON unchanged
        assert json.loads(json.dumps(rows[kind])) == rows[kind]


def test_every_reference_points_to_a_row_yielded_earlier(stream: list[Batch]) -> None:
    seen: dict[str, dict[str, Row]] = defaultdict(dict)  # kind -> id -> row

    def known(kind: str, key: str | None) -> Row:
        assert key in seen[kind], f"{kind} {key} referenced before it was yielded"
        return seen[kind][key]

    target_kinds = {
        "brand": "brands",
        "account": "social_accounts",
        "product": "products",
        "purchase": "purchases",
    }
    for kind, batch in stream:
        for row in batch:
            if kind == "products":
                known("brands", row["brand_id"])
            elif kind == "social_accounts" and row["customer_id"] is not None:
                known("customers", row["customer_id"])
            elif kind == "follows":
                known("social_accounts", row["account_id"])
                known(target_kinds[row["target_kind"]], row["target_id"])
            elif kind == "purchases":
                known("customers", row["customer_id"])
                known("brands", row["brand_id"])
                for item in row["items"]:
                    assert known("products", item["product_id"])["brand_id"] == row["brand_id"]
            elif kind == "posts":
                known(target_kinds[row["author_kind"]], row["author_id"])
                assert known("tags", row["content_type"])["category"] == "content_type"
                for tag_id in row["tag_ids"]:
                    assert known("tags", tag_id)["category"] in ("interest", "lifestyle")
            elif kind == "interactions":
                known("social_accounts", row["account_id"])
                known("posts", row["post_id"])
            elif kind == "customer_tags":
                known("customers", row["customer_id"])
                assert known("tags", row["tag_id"])["category"] in ("interest", "lifestyle")
            elif kind == "consents":
                known("customers", row["customer_id"])
                known("brands", row["brand_id"])
            elif kind == "complaints":
                known("customers", row["customer_id"])
                about = known(target_kinds[row["about_kind"]], row["about_id"])
                if row["about_kind"] == "purchase":
                    assert about["customer_id"] == row["customer_id"]
            elif kind == "customer_segments":
                known("customers", row["customer_id"])
                known("segments", row["segment_id"])
            if "id" in row:
                seen[kind][row["id"]] = row


def test_ids_and_composite_keys_are_unique(rows: dict[str, list[Row]]) -> None:
    keys = {
        "follows": ("account_id", "target_kind", "target_id"),
        "interactions": ("account_id", "post_id", "kind", "at"),
        "customer_tags": ("customer_id", "tag_id"),
        "consents": ("customer_id", "brand_id", "granted_at"),
        "customer_segments": ("customer_id", "segment_id"),
    }
    for kind in KINDS:
        key = keys.get(kind, ("id",))
        values = [tuple(row[k] for k in key) for row in rows[kind]]
        assert len(values) == len(set(values)), kind
    accounts = rows["social_accounts"]
    assert len({(a["platform"], a["handle"]) for a in accounts}) == len(accounts)
    customers = rows["customers"]
    assert len({c["external_id"] for c in customers}) == len(customers)
    for field in ("email", "phone"):
        present = [c[field] for c in customers if c[field] is not None]
        assert len(present) == len(set(present)), field
    assert not [f for f in rows["follows"] if f["account_id"] == f["target_id"]]


def test_times_fall_in_the_window_and_in_a_sensible_order(rows: dict[str, list[Row]]) -> None:
    config = SyntheticConfig()
    created = {
        row["id"]: row["created_at"]
        for kind in ("brands", "customers", "social_accounts")
        for row in rows[kind]
    }
    post_at = {post["id"]: post["at"] for post in rows["posts"]}
    for post in rows["posts"]:
        assert created[post["author_id"]] <= post["at"] <= config.end_ms
    for follow in rows["follows"]:
        assert created[follow["account_id"]] <= follow["since"] <= config.end_ms
        assert created[follow["target_id"]] <= follow["since"]
    for interaction in rows["interactions"]:
        assert post_at[interaction["post_id"]] <= interaction["at"] <= config.end_ms
        assert (interaction["text"] is not None) == (interaction["kind"] == "comment")
    for purchase in rows["purchases"]:
        assert created[purchase["customer_id"]] <= purchase["at"] <= config.end_ms
    for consent in rows["consents"]:
        assert config.start_ms <= consent["granted_at"] <= config.end_ms
        assert consent["withdrawn_at"] is None or consent["granted_at"] < consent["withdrawn_at"]
        assert consent["purposes"]
    for complaint in rows["complaints"]:
        times = [complaint[k] for k in ("opened_at", "first_response_at", "resolved_at")]
        present = [t for t in times if t is not None]
        assert present == sorted(present) and present[-1] <= config.end_ms
        resolved = complaint["status"] in ("resolved", "closed")
        assert (complaint["resolved_at"] is not None) == resolved
    for row in rows["customers"] + rows["social_accounts"] + rows["brands"]:
        assert config.start_ms <= row["created_at"] <= config.end_ms


def test_purchase_totals_equal_the_sum_of_their_items(rows: dict[str, list[Row]]) -> None:
    currency_of_brand: dict[str, set[str]] = defaultdict(set)
    for purchase in rows["purchases"]:
        items = purchase["items"]
        assert 1 <= len(items) <= 4
        assert all(item.keys() == {"product_id", "quantity", "unit_price"} for item in items)
        assert all(1 <= item["quantity"] <= 4 and item["unit_price"] > 0 for item in items)
        expected = sum(item["quantity"] * item["unit_price"] for item in items)
        assert math.isclose(purchase["total"], expected, abs_tol=0.005)
        currency_of_brand[purchase["brand_id"]].add(purchase["currency"])
    assert all(len(currencies) == 1 for currencies in currency_of_brand.values())


def test_brand_follows_concentrate_on_a_few_brands(rows: dict[str, list[Row]]) -> None:
    follows = Counter(f["target_id"] for f in rows["follows"] if f["target_kind"] == "brand")
    # Uniform popularity would give the top 10% of brands about 10% of the follows.
    assert top_share(follows, 0.10, len(rows["brands"])) > 0.40


def test_a_few_posts_draw_most_interactions(rows: dict[str, list[Row]]) -> None:
    interactions = Counter(i["post_id"] for i in rows["interactions"])
    # Uniform picks would give the top 1% of posts roughly 3% of the interactions.
    assert top_share(interactions, 0.01, len(rows["posts"])) > 0.15


def test_a_few_accounts_draw_many_followers(rows: dict[str, list[Row]]) -> None:
    follows = Counter(f["target_id"] for f in rows["follows"] if f["target_kind"] == "account")
    assert top_share(follows, 0.01, len(rows["social_accounts"])) > 0.15


def test_purchase_frequency_is_skewed(rows: dict[str, list[Row]]) -> None:
    per_customer = Counter(p["customer_id"] for p in rows["purchases"])
    counts = [per_customer[c["id"]] for c in rows["customers"]]
    assert sum(n <= 3 for n in counts) / len(counts) > 0.6
    assert sum(n >= 20 for n in counts) >= 5


def test_linked_and_unlinked_people_both_exist(rows: dict[str, list[Row]]) -> None:
    customers = {c["id"]: c for c in rows["customers"]}
    owners = Counter(a["customer_id"] for a in rows["social_accounts"])
    assert sum(owners[c] == 0 for c in customers) / len(customers) > 0.15
    assert owners[None] > 0.05 * len(rows["social_accounts"])
    for account in rows["social_accounts"]:
        method = account["link_method"]
        if account["customer_id"] is None:
            assert method is None and account["link_confidence"] is None
            continue
        assert account["link_confidence"] == CONFIDENCE[method]
        if method in ("email", "phone"):
            assert customers[account["customer_id"]][method] is not None


# Runs in a fresh interpreter per size, so each peak RSS belongs to one generation alone.
MEMORY_PROBE = """
import resource, sys
from loaders.synthetic import SyntheticConfig, generate
config = SyntheticConfig(customers=int(sys.argv[1]))
largest = max(len(batch) for _, batch in generate(config, batch_size=500))
print(largest, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="the probe reads POSIX peak RSS")
def test_memory_stays_flat_and_batches_stay_small() -> None:
    # Peak RSS rather than tracemalloc: tracemalloc slows the generator about eightfold, which
    # would make 20,000 customers take half a minute. Both sizes run side by side.
    sizes = (5_000, 20_000)
    probes = [
        subprocess.Popen(
            [sys.executable, "-c", MEMORY_PROBE, str(n)], stdout=subprocess.PIPE, text=True
        )
        for n in sizes
    ]
    results = {}
    for n, probe in zip(sizes, probes, strict=True):
        out, _ = probe.communicate(timeout=120)
        assert probe.returncode == 0
        largest_batch, peak_rss = map(int, out.split())
        assert largest_batch <= 500
        results[n] = peak_rss
    # Keeping every row would put 20,000 customers near 10x the 5,000-customer peak.
    assert results[20_000] < 1.5 * results[5_000]


def test_tiny_and_empty_customer_bases_work() -> None:
    for customers in (0, 1, 2):
        kinds = {kind for kind, _ in generate(SyntheticConfig(customers=customers))}
        assert {"brands", "tags", "segments", "products", "posts"} <= kinds


@pytest.mark.parametrize(
    "config",
    [
        {"customers": -1},
        {"brands": 0},
        {"start_ms": 0, "end_ms": DAY_MS},
    ],
)
def test_nonsense_configs_are_refused(config: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        SyntheticConfig(**config)


def test_a_zero_batch_size_is_refused() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        generate(SyntheticConfig(), batch_size=0)
