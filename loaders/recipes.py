"""Where the recipes' public data sets are: files shipped inside installed Python packages.

The recipes in ``recipes/`` load data that comes with two packages of the ``dev`` extra
instead of copies kept in this repository:

* ``lifetimes``: ``datasets/CDNOW_master.txt``, the CDNOW purchase history (69,659
  purchases by 23,570 customers, January 1997 to June 1998).
* ``recordlinkage``: ``datasets/febrl/dataset*.csv``, synthetic Australian person records
  made by the FEBRL generator.

Files are found through the package's import spec, without importing it: ``lifetimes``
and ``recordlinkage`` pull in pandas, scipy and scikit-learn, which take seconds to import
and are not needed to read a text file.

    hub load customers "$(python -m loaders.recipes cdnow)" --mapping recipes/cdnow/customers.toml
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

# import name -> name to give pip (they differ for some packages).
PIP_NAMES: dict[str, str] = {"lifetimes": "Lifetimes", "recordlinkage": "recordlinkage"}

CDNOW: tuple[str, ...] = ("lifetimes", "datasets", "CDNOW_master.txt")
# The 1/10 sample of Fader, Hardie and Lee (2005): 2,357 customers, 6,919 purchases.
CDNOW_SAMPLE: tuple[str, ...] = ("lifetimes", "datasets", "CDNOW_sample.txt")
FEBRL_DIR: tuple[str, ...] = ("recordlinkage", "datasets", "febrl")
FEBRL_DATASETS: tuple[str, ...] = ("dataset1", "dataset2", "dataset3", "dataset4a", "dataset4b")
FEBRL: tuple[str, ...] = (*FEBRL_DIR, "dataset1.csv")

# Records in each file, as shipped (checked by the recipes' tests).
CDNOW_PURCHASES = 69_659
CDNOW_CUSTOMERS = 23_570
FEBRL_RECORDS: dict[str, int] = {
    "dataset1": 1_000,
    "dataset2": 5_000,
    "dataset3": 5_000,
    "dataset4a": 5_000,
    "dataset4b": 5_000,
}


class PackageDataError(LookupError):
    """A package's data file cannot be found: the package is missing, or lacks the file."""


def package_data_path(package: str, *parts: str) -> Path:
    """The path of ``parts`` inside the installed ``package``, which is not imported.

    Raises PackageDataError naming what to ``pip install`` when the package is missing, or
    the path looked for when the package is there but the file is not.
    """
    if not package or "." in package:
        raise ValueError(f"package must be a top-level package name, not {package!r}")
    pip_name = PIP_NAMES.get(package, package)
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        detail = "is not installed" if spec is None else "is a module, not a package"
        raise PackageDataError(
            f"the Python package {package!r} {detail}: "
            f"pip install {pip_name} (it is in this project's dev extra: "
            f"pip install -c constraints.txt -e '.[dev]')"
        )
    for location in locations:
        candidate = Path(location).joinpath(*parts)
        if candidate.exists():
            return candidate
    tried = ", ".join(str(Path(loc).joinpath(*parts)) for loc in locations)
    raise PackageDataError(
        f"the package {package!r} is installed but has no {'/'.join(parts) or 'directory'} "
        f"(looked for {tried}); is it the version pinned in constraints.txt?"
    )


def cdnow_path() -> Path:
    """``CDNOW_master.txt`` in the installed ``lifetimes``."""
    return package_data_path(*CDNOW)


def cdnow_sample_path() -> Path:
    """``CDNOW_sample.txt`` (the 2,357-customer sample) in the installed ``lifetimes``."""
    return package_data_path(*CDNOW_SAMPLE)


def febrl_path(dataset: str = "dataset1") -> Path:
    """A FEBRL data set (``dataset1``, ``2``, ``3``, ``4a`` or ``4b``) in ``recordlinkage``."""
    if dataset not in FEBRL_DATASETS:
        raise ValueError(f"no FEBRL data set {dataset!r} (known: {', '.join(FEBRL_DATASETS)})")
    return package_data_path(*FEBRL_DIR, f"{dataset}.csv")


def main(argv: list[str]) -> int:
    """``python -m loaders.recipes cdnow`` or ``febrl [datasetN]``: print the file's path."""
    usage = "usage: python -m loaders.recipes cdnow | febrl [" + "|".join(FEBRL_DATASETS) + "]"
    try:
        match argv:
            case ["cdnow"]:
                path = cdnow_path()
            case ["febrl"]:
                path = febrl_path()
            case ["febrl", dataset]:
                path = febrl_path(dataset)
            case _:
                print(usage, file=sys.stderr)
                return 2
    except (PackageDataError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
