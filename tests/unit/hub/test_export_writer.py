"""hub/export_writer.py: flattening GraphQL objects to rows, and Parquet and CSV files
written a page at a time, read back with pyarrow."""

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from hub.export_writer import TableFormat, TableSink, flatten


def test_flatten_dots_nested_objects_and_writes_lists_as_json():
    item = {"id": "p1", "brand": {"brandId": "b1", "owner": {"name": None}}, "items": [1, "x"]}
    assert flatten(item) == {
        "id": "p1",
        "brand.brandId": "b1",
        "brand.owner.name": None,
        "items": '[1,"x"]',
    }


def test_parquet_keeps_types_across_pages_and_a_column_empty_on_the_first_page(tmp_path):
    path = tmp_path / "out.parquet"
    sink = TableSink(path, TableFormat.parquet)
    sink.write([{"id": "a", "n": 1, "x": 1.5, "ok": True, "later": None}])
    sink.write([{"id": "b", "n": 2, "x": 2, "ok": False, "later": 7}])
    sink.close()
    table = pq.read_table(path)
    assert table.num_rows == sink.rows == 2
    assert [str(t) for t in table.schema.types] == ["string", "int64", "double", "bool", "string"]
    assert table.column("x").to_pylist() == [1.5, 2.0]
    assert table.column("later").to_pylist() == [None, "7"]  # typed by the first page: text


def test_csv_round_trip(tmp_path):
    path = tmp_path / "out.csv"
    sink = TableSink(path, TableFormat.csv)
    sink.write([{"id": "a", "name": 'Zoë, "Z"', "n": 3}])
    sink.close()
    table = pa_csv.read_csv(path)
    assert table.to_pylist() == [{"id": "a", "name": 'Zoë, "Z"', "n": 3}]


def test_a_later_page_with_a_new_column_is_refused(tmp_path):
    sink = TableSink(tmp_path / "out.parquet", TableFormat.parquet)
    sink.write([{"id": "a"}])
    with pytest.raises(ValueError, match="columns the first did not"):
        sink.write([{"id": "b", "extra": 1}])
    sink.close()


@pytest.mark.parametrize("fmt", list(TableFormat))
def test_no_rows_still_writes_a_file(tmp_path, fmt):
    path = tmp_path / f"empty.{fmt.value}"
    sink = TableSink(path, fmt)
    sink.close()
    assert path.is_file()
    if fmt is TableFormat.parquet:
        assert pq.read_table(path).num_rows == 0
