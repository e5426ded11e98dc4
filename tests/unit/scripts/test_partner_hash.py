"""The partner-side hashing helper (scripts/partner_hash.py) gives exactly the keys the hub
stores for its customers (loaders/contact_keys.py), for every way a value may be written."""

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import phonenumbers
import pytest

from loaders.contact_keys import email_key, phone_key
from tests.doc_examples import find

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "partner_hash.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("partner_hash", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


partner_hash = _load()

EMAILS = ["wang.wei@163.com", "  Wang.Wei@163.COM ", "a@b.co", "ÉLODIE@exemple.fr",
          "no-at-sign", "two@@x.com", "sp ace@x.com", "", "x" * 250 + "@a.com"]  # fmt: skip
PHONES = [("13812345678", "CN"), ("+86 138 1234 5678", None), ("0086 138 1234 5678", "US"),
          ("138-1234-5678", "CN"), ("(415) 555-0134", "US"), ("07700 900123", "GB"),
          ("+44 7700 900123", None), ("06 12 34 56 78", "FR"), ("(415) 555-0134", None),
          ("abc", "GB"), ("+", None), ("1", "CN"), ("9" * 60, "CN"), ("00000000000", "CN"),
          ("+1 (212) 555-0188", "GB"), ("0044 20 7946 0018", None)]  # fmt: skip


@pytest.mark.parametrize("email", EMAILS)
def test_email_hash_is_the_hubs_key(email: str) -> None:
    assert partner_hash.email_hash(email) == email_key(email)


@pytest.mark.parametrize(("phone", "region"), PHONES)
def test_phone_hash_is_the_hubs_key(phone: str, region: str | None) -> None:
    assert partner_hash.phone_hash(phone, region) == phone_key(phone, region)


def test_known_answers() -> None:
    # SHA-256 of "wang.wei@163.com" and of "+447700900123" (sha256sum, by hand)
    assert partner_hash.email_hash(" Wang.Wei@163.com") == (
        "c31abfd999edc944a134249fcda9343dd1f878dd5037394b4e00a43343a94503"
    )
    assert partner_hash.phone_hash("07700 900123", "GB") == (
        "a8acc3a90a7b4e4dc65e93db9240ed26523050ef754d63b75b5161de76781436"
    )


def test_generated_numbers_of_many_countries_agree() -> None:
    rng = random.Random(19)
    regions = ["CN", "GB", "US", "FR", "DE", "JP", "IN", "BR", "AU", "SG", "HK", "KR"]
    for region in regions:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        assert example is not None
        national = str(example.national_number)
        for _ in range(30):
            digits = national[:2] + "".join(rng.choice("0123456789") for _ in national[2:])
            code = example.country_code
            for written, read_in in (
                (digits, region),
                (f"+{code} {digits}", None),
                (f"00{code}-{digits}", region),
                (f"0{digits}", region),
            ):
                assert partner_hash.phone_hash(written, read_in) == phone_key(written, read_in), (
                    written, read_in)  # fmt: skip


def test_script_reports_bad_lines_by_number_without_echoing(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", ["a@b.co\n", "secret-not-an-email\n", "\n", "C@D.io\n"])
    assert partner_hash.main(["email"]) == 1
    out, err = capsys.readouterr()
    assert out.split() == [email_key("a@b.co"), email_key("c@d.io")]
    assert "line 2" in err and "secret" not in err


def test_the_partner_docs_example_runs_as_written(monkeypatch) -> None:
    block = find("docs/partner.md", "from partner_hash import")
    monkeypatch.setitem(sys.modules, "partner_hash", partner_hash)
    exec(compile(block.text, block.where, "exec"), {})  # noqa: S102 - our own docs' example
