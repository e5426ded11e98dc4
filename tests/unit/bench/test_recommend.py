"""bench/recommend.py on a small generated set: the model beats the popularity baseline
on a time split, for products (both measured, neither a constant). Brands are not
asserted: the generator draws a customer's new brands by popularity, so popularity is as
good there (docs/recommendations.md, "Evaluation")."""

from analytics import recommend as rec
from bench.recommend import compare, synthetic_records
from loaders.synthetic import DAY_MS, SyntheticConfig, generate

CONFIG = SyntheticConfig(customers=400, brands=20, seed=3)


def test_the_model_beats_popularity_on_a_time_split():
    purchases, engagements, tags = synthetic_records(generate(CONFIG), "product")
    cut = CONFIG.end_ms - 180 * DAY_MS
    split = rec.time_split(purchases, engagements, tags, cut, CONFIG.end_ms)
    customers = sorted(split.test)
    assert len(customers) >= 50, "enough customers buy something new in the test period"
    found = compare(split, 10, customers)
    model, baseline = found["model"], found["popularity"]
    assert model.customers == baseline.customers == len(customers)
    assert model.hit_rate > baseline.hit_rate
    assert model.recall > baseline.recall
