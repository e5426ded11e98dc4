"""Exact identity linking on the hub-shaped benchmark set: the loader's keys before key
version 2 (namespaced, digits-only phones, sha256 columns not read) against the keys of
identity resolution's normalisation (E.164 phones read in the record's or platform's
country, supplied SHA-256 columns).

Both run the loader's own decision (loaders/linking.decide: a claimed CRM id, or the one
customer sharing an email or phone key; several candidates are a conflict, no link) over
every account, in memory, from the rows `hub load` validates. Precision and recall are of
account-customer links against the truth (a link to any CRM record of the account's
person is right).

    .venv/bin/python -m bench.exact_links [--customers 20000 --accounts 25000 --seed 13]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from bench.common import write_results
from loaders.key_upgrade import legacy_email_key, legacy_phone_key
from loaders.kinds import Customer, SocialAccount
from loaders.linking import decide
from loaders.synthetic_identity import IdentityBenchConfig, generate

Row = dict[str, Any]
Keys = Callable[[Row, str], tuple[str | None, str | None]]


def old_keys(row: Row, kind: str) -> tuple[str | None, str | None]:
    email, phone = row.get("email"), row.get("phone")
    return (legacy_email_key(email) if email else None,
            legacy_phone_key(phone) if phone else None)  # fmt: skip


def new_keys(row: Row, kind: str) -> tuple[str | None, str | None]:
    model = Customer if kind == "customers" else SocialAccount
    props = model.model_validate(row).prepare()["props"]
    return props["email_hash"], props["phone_hash"]


def score(data: Any, keys: Keys) -> dict[str, float]:
    person = {(t["kind"], t["id"]): t["person_id"] for t in data.truth}
    by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in data.customers:
        for which, k in zip(("email", "phone"), keys(row, "customers"), strict=True):
            if k:
                by_key[which, k].append(row["id"])
    owned = {person["customer", c["id"]] for c in data.customers}
    names = {c["id"]: c.get("name") for c in data.customers}
    linked = right = 0
    for row in data.accounts:
        email, phone = keys(row, "social_accounts")
        by_phone = by_key.get(("phone", phone), []) if phone else []
        evidence = {
            "id": row["id"],
            "claimed": row.get("customer_id"),
            "by_email": by_key.get(("email", email), []) if email else [],
            "by_phone": by_phone,
            # What graph/linking.py's ACCOUNT_EVIDENCE gives for the phone's name check.
            "account": {k: row.get(k) for k in ("platform", "handle", "display_name")},
            "phone_names": [{"id": c, "name": names.get(c)} for c in by_phone],
        }
        decision = decide(evidence)
        if decision.customer_id:
            linked += 1
            right += person["customer", decision.customer_id] == person["social_account", row["id"]]
    truth = sum(1 for a in data.accounts if person["social_account", a["id"]] in owned)
    precision = right / linked if linked else 0.0
    recall = right / truth if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if right else 0.0
    return {"links": linked, "precision": precision, "recall": recall, "f1": f1}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--accounts", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    data = generate(IdentityBenchConfig(args.customers, args.accounts, seed=args.seed))
    results = {"old keys": score(data, old_keys), "identity keys": score(data, new_keys)}
    print(f"exact links, {args.customers:,} customers x {args.accounts:,} accounts")
    print(f"{'keys':<14} {'links':>6} {'P':>6} {'R':>6} {'F1':>6}")
    for name, r in results.items():
        print(f"{name:<14} {r['links']:>6.0f} {r['precision']:>6.3f} {r['recall']:>6.3f} "
              f"{r['f1']:>6.3f}")  # fmt: skip
    figures = {f"{'old' if n == 'old keys' else 'new'}_{m}": v
               for n, r in results.items() for m, v in r.items()}  # fmt: skip
    write_results("exact_links", figures, "none (in memory)", args.accounts,
                  "loaders/linking.decide over the benchmark set, old keys against identity "
                  "keys; recall of accounts whose person is in the CRM")  # fmt: skip


if __name__ == "__main__":
    main()
