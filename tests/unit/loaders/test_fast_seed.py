"""`hub seed --fast` prepares the rows loaders.seed prepares, and links as generated."""

from loaders.export import ExportRows
from loaders.fast_seed import prepared_batches
from loaders.kinds import MODELS
from loaders.synthetic import SyntheticConfig, generate

CONFIG = SyntheticConfig(customers=120)


def test_fast_rows_are_the_models_rows():
    to_export = ExportRows()
    expected = [
        (kind, [MODELS[kind].model_validate(to_export(kind, row)).prepare() for row in batch])
        for kind, batch in generate(CONFIG, 500)
    ]
    got = [(b.kind, b.rows) for b in prepared_batches(CONFIG, 500)]
    assert got == expected
    assert {"interactions", "follows", "customer_tags", "consents"} <= {k for k, _ in got}


def test_accounts_are_linked_to_the_customer_they_were_made_for():
    generated = {
        row["id"]: row
        for kind, batch in generate(CONFIG, 500)
        if kind == "social_accounts"
        for row in batch
    }
    links = [link for b in prepared_batches(CONFIG, 500) for link in b.links]
    assert links and len(links) == sum(1 for r in generated.values() if r.get("link_method"))
    for link in links:
        row = generated[link["account_id"]]
        assert (link["customer_id"], link["method"]) == (row["customer_id"], row["link_method"])
