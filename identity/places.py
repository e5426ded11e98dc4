"""Cities and regions in any of their names (上海 / 上海市 / Shanghai, 广东 / Guangdong),
from the shipped table data/places.tsv. A place not in the table is unknown, not
different: the comparison then has nothing to say."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from identity.text import clean, fold, han_runs, latin_words

_HAN_SUFFIXES = ("市", "省", "区", "县", "自治区")
_LONGEST_HAN = 5
_LONGEST_LATIN = 3  # words


@dataclass(frozen=True)
class Place:
    city: str  # table key, '' when unknown
    region: str  # table key, '' when unknown
    country: str  # ISO code, '' when unknown

    @property
    def usable(self) -> bool:
        return bool(self.city or self.region)


UNKNOWN = Place("", "", "")


@dataclass(frozen=True)
class _Entry:
    kind: str  # city | region
    key: str
    region: str
    country: str


@cache
def _table() -> dict[str, list[_Entry]]:
    """Every name (Han as written, Latin folded with single spaces) -> its entries."""
    names: dict[str, list[_Entry]] = {}
    text = resources.files("identity.data").joinpath("places.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        kind, key, region, country, spelled = line.split("\t")
        entry = _Entry(kind, key, key if kind == "region" else region.strip("-"), country)
        for name in spelled.split("|"):
            names.setdefault(_name_key(name), []).append(entry)
    return names


def _name_key(name: str) -> str:
    return name if any("\u4e00" <= ch <= "\u9fff" for ch in name) else " ".join(latin_words(name))


def parse_place(*texts: object) -> Place:
    """The city and region named in ``texts`` (a city field and a region field, or one
    free-text location); a city also gives its region. Never raises."""
    return _parse_place(tuple(t if isinstance(t, str) else None for t in texts))


@lru_cache(maxsize=16384)  # the same few hundred places come back again and again
def _parse_place(texts: tuple[str | None, ...]) -> Place:
    cities: list[_Entry] = []
    regions: list[_Entry] = []
    for text in texts:
        for entry in _entries(clean(text)):
            (cities if entry.kind == "city" else regions).append(entry)
    if cities:
        city = cities[0]
        return Place(city.key, city.region, city.country)
    if regions:
        return Place("", regions[0].key, regions[0].country)
    return UNKNOWN


def _entries(text: str) -> list[_Entry]:
    table = _table()
    found: list[_Entry] = []
    for run in han_runs(text):
        for suffix in _HAN_SUFFIXES:
            run = run.replace(suffix, " ")
        for part in run.split():
            start = 0
            while start < len(part):
                for size in range(min(_LONGEST_HAN, len(part) - start), 1, -1):
                    entries = table.get(part[start : start + size])
                    if entries:
                        found.extend(entries)
                        start += size
                        break
                else:
                    start += 1
    words = latin_words(fold(text).replace(",", " "))
    start = 0
    while start < len(words):
        for size in range(min(_LONGEST_LATIN, len(words) - start), 0, -1):
            entries = table.get(" ".join(words[start : start + size]))
            if entries:
                found.extend(entries)
                start += size
                break
        else:
            start += 1
    # A municipality is listed as a city and a region: the city entry says both.
    return sorted(found, key=lambda e: e.kind != "city")
