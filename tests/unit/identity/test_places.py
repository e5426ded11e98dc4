"""Cities and regions across languages."""

from __future__ import annotations

import pytest

from identity.places import UNKNOWN, parse_place


@pytest.mark.parametrize(
    "written",
    ["上海", "上海市", "Shanghai", "SHANGHAI", "Shanghai, China", "中国·上海", "上海 浦东"],
)
def test_shanghai_in_any_language(written: str) -> None:
    place = parse_place(written)
    assert (place.city, place.region, place.country) == ("shanghai", "shanghai", "CN")


def test_a_city_gives_its_region_and_a_region_alone_is_a_region() -> None:
    assert parse_place("深圳").region == "guangdong"
    assert parse_place("广东深圳").city == "shenzhen"
    assert parse_place("Guangdong") == parse_place("广东省")
    assert parse_place("广东").city == ""
    assert parse_place("Xi'an").city == parse_place("西安").city == "xian"


def test_city_and_region_fields_together() -> None:
    assert parse_place("Manchester", "England").city == "manchester"
    assert parse_place(None, "Île-de-France").region == "ile_de_france"


@pytest.mark.parametrize("junk", [None, "", "Mars", "🌸" * 500, "x" * 100_000, 3.5])
def test_unknown_places_are_unknown_not_errors(junk: object) -> None:
    assert parse_place(junk) == UNKNOWN
