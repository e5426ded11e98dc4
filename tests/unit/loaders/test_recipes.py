"""Recipes: finding data files in installed packages, and the recipes' mapping files."""

import sys
from itertools import islice
from pathlib import Path

import pytest

from loaders.kinds import MODELS
from loaders.mapping import load_mapping
from loaders.recipes import (
    FEBRL_DATASETS,
    PackageDataError,
    cdnow_path,
    febrl_path,
    main,
    package_data_path,
)
from loaders.sources import read_rows

RECIPES = Path(__file__).resolve().parents[3] / "recipes"


def test_package_data_path_finds_a_shipped_file_without_importing_the_package():
    already = "lifetimes" in sys.modules
    path = package_data_path("lifetimes", "datasets", "CDNOW_master.txt")
    assert path.is_file() and path == cdnow_path()
    assert path.parent.parent.name == "lifetimes"
    if not already:
        assert "lifetimes" not in sys.modules
    for dataset in FEBRL_DATASETS:
        assert febrl_path(dataset).is_file()


def test_a_missing_package_names_what_to_pip_install():
    with pytest.raises(PackageDataError, match=r"'no_such_pkg_xyz' is not installed: pip install"):
        package_data_path("no_such_pkg_xyz", "data.csv")


def test_a_missing_file_or_a_plain_module_is_a_clear_error():
    with pytest.raises(PackageDataError, match=r"installed but has no datasets/nope\.txt"):
        package_data_path("lifetimes", "datasets", "nope.txt")
    with pytest.raises(PackageDataError, match="is a module, not a package"):
        package_data_path("six", "x")  # six is one file, six.py
    with pytest.raises(ValueError, match="top-level"):
        package_data_path("lifetimes.datasets", "x")
    with pytest.raises(ValueError, match="no FEBRL data set 'dataset9'"):
        febrl_path("dataset9")


def test_main_prints_the_path_or_says_why_not(capsys):
    assert main(["febrl", "dataset4b"]) == 0
    assert capsys.readouterr().out.strip() == str(febrl_path("dataset4b"))
    assert main(["febrl", "nope"]) == 1
    assert "no FEBRL data set" in capsys.readouterr().err
    assert main([]) == 2


def records(kind: str, path: Path, mapping_file: str, n: int) -> list[dict[str, object]]:
    """The first ``n`` records of ``path`` mapped and validated as ``kind``."""
    mapping = load_mapping(RECIPES / mapping_file)
    out = []
    for row in islice(read_rows(path, mapping.dialect), n):
        assert row.errors == []
        fields, errors = mapping.apply(row.fields, row.line, path.name.split(".")[0])
        assert errors == []
        out.append(MODELS[kind].model_validate(fields).prepare())
    return out


def test_cdnow_mappings_make_customers_and_purchases():
    customers = records("customers", cdnow_path(), "cdnow/customers.toml", 3)
    assert [(c["id"], c["props"]["external_id"]) for c in customers] == [
        ("cdnow-00001", "00001"), ("cdnow-00002", "00002"), ("cdnow-00002", "00002"),
    ]  # fmt: skip
    purchases = records("purchases", cdnow_path(), "cdnow/purchases.toml", 3)
    assert [(p["id"], p["customer_id"], p["brand_id"], p["items"]) for p in purchases] == [
        ("cdnow-00001-19970101-2", "cdnow-00001", "cdnow", []),
        ("cdnow-00002-19970112-3", "cdnow-00002", "cdnow", []),
        ("cdnow-00002-19970112-4", "cdnow-00002", "cdnow", []),
    ]
    assert purchases[0]["props"] == {
        "at": 852076800000, "channel": "online", "currency": "USD", "total": 11.77,
        # CDNOW has no fingerprints or refunds: empty, so a re-load would remove them
        "payment_hash": None, "device_hash": None, "address_hash": None, "refunded_at": None,
    }  # fmt: skip


def test_cdnow_brand_is_one_row_of_the_brands_format():
    rows = list(read_rows(RECIPES / "cdnow" / "brand.csv"))
    assert len(rows) == 1
    brand = MODELS["brands"].model_validate(rows[0].fields).prepare()
    assert brand["id"] == "cdnow" and brand["props"]["name"] == "CDNOW"


def test_febrl_mapping_makes_customers():
    first = records("customers", febrl_path("dataset1"), "febrl/customers.toml", 2)
    assert first[0]["id"] == "febrl-dataset1-rec-223-org"
    props = first[0]["props"]
    assert (props["name"], props["city"], props["region"], props["country"]) == (
        "waller", "st james", "WA", "AU",
    )  # fmt: skip
    assert (props["birth_year"], props["external_id"]) == (1908, "6988048")
