"""`hub seed --fast` prepares the rows loaders.seed prepares, and links as generated."""

import pytest

from loaders.export import ExportRows
from loaders.fast_seed import prepared_batches
from loaders.kinds import MODELS
from loaders.synthetic import SyntheticConfig, generate

CONFIG = SyntheticConfig(customers=80)


@pytest.fixture(scope="module")
def generated():
    return list(generate(CONFIG, 500))


@pytest.fixture(scope="module")
def fast():
    return list(prepared_batches(CONFIG, 500))


def test_fast_rows_are_the_models_rows(generated, fast):
    to_export = ExportRows()
    expected = [
        (kind, [MODELS[kind].model_validate(to_export(kind, row)).prepare() for row in batch])
        for kind, batch in generated
    ]
    assert [(b.kind, b.rows) for b in fast] == expected
    assert {"interactions", "follows", "customer_tags", "consents"} <= {b.kind for b in fast}


def test_accounts_are_linked_to_the_customer_they_were_made_for(generated, fast):
    accounts = {row["id"]: row for kind, batch in generated if kind == "social_accounts"
                for row in batch}  # fmt: skip
    links = [link for b in fast for link in b.links]
    assert links and len(links) == sum(1 for r in accounts.values() if r.get("link_method"))
    for link in links:
        row = accounts[link["account_id"]]
        assert (link["customer_id"], link["method"]) == (row["customer_id"], row["link_method"])
