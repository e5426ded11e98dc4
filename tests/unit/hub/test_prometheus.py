"""hub/prometheus.py: a load's figures as a textfile the node exporter reads back."""

from prometheus_client.parser import text_string_to_metric_families

from hub.prometheus import write_load_metrics


def test_load_metrics_are_written_as_a_textfile(tmp_path):
    path = tmp_path / "textfile" / "hub_load_customers.prom"
    rows = {"read": 10, "written": 7, "unchanged": 1, "rejected": 2}
    write_load_metrics(path, "customers", rows, 1.5, 1_700_000_000.0)
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(path.read_text())
        for s in family.samples
    }
    for outcome, count in rows.items():
        key = ("hub_loader_rows_total", (("kind", "customers"), ("outcome", outcome)))
        assert samples[key] == count
    assert samples[("hub_loader_duration_seconds", (("kind", "customers"),))] == 1.5
    assert list(tmp_path.joinpath("textfile").iterdir()) == [path]  # no temporary left
