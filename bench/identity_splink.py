"""Splink 5 (DuckDB), unsupervised, at its fair best on each benchmark case.

Splink gets the same records as the hub, with the preprocessing a Splink user would
write (lower case, punctuation out, a first-name token, handle letters), and contact keys
as normalised as the hub's: email and phone as SHA-256 of the normalised value (phones
read into E.164 with the same `phonenumbers` call), so hashed evidence on either side
meets. What it does not get is what the hub adds: Han/pinyin transliteration, short
forms, handle parsing beyond its letters, masked values, places across languages.

On the hub-shaped set the display name and the handle are **one** comparison (so the same
evidence is not counted twice), with term-frequency adjustment on the exact name. FEBRL
uses the comparisons, blocking and training of Splink's own FEBRL3/FEBRL4 examples.
Training: u by random sampling, m by EM sessions on blocking rules, the prior from
deterministic rules, as Splink's documentation does. No labels anywhere.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

from bench.identity_tasks import Case, Scored, run_peer
from identity.contact import normalise_email, normalise_phone

_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def warm() -> None:
    import duckdb  # noqa: F401
    import splink  # noqa: F401


def run(case: Case) -> dict[str, Any]:
    warm()
    return run_peer(
        case, links=_hub_links, duplicates=_hub_duplicates, febrl=_febrl, threshold=0.95
    )


def _name(text: str | None) -> str | None:
    if not text:
        return None
    cleaned = _SPACES.sub(" ", _PUNCTUATION.sub(" ", text.lower())).strip()
    return cleaned or None


def _sha(text: str | None) -> str | None:
    return hashlib.sha256(text.encode()).hexdigest() if text else None


def _email_key(plain: str | None, digest: str | None) -> str | None:
    return (digest or "").lower() or _sha(normalise_email(plain))


def _phone_key(plain: str | None, digest: str | None, region: str | None) -> str | None:
    return (digest or "").lower() or _sha(normalise_phone(plain, region))


def _hub_rows(customers: list[dict[str, Any]], accounts: list[dict[str, Any]]) -> tuple[Any, Any]:
    import pandas as pd

    columns = ["unique_id", "name", "handle_letters", "email_key", "phone_key", "city"]

    def frame(rows: list[dict[str, Any]]) -> Any:
        df = pd.DataFrame(rows, columns=columns).astype({"name": "string"})
        df["name_ns"] = df["name"].str.replace(" ", "", regex=False)
        tokens = df["name"].str.split(" ")
        df["name1"] = tokens.str[0]
        df["name_key"] = tokens.str[0] + " " + tokens.str[1].str[:1].fillna("")
        return df

    c = frame(
        [
            {
                "unique_id": r["id"],
                "name": _name(r["name"]),
                "handle_letters": None,
                "email_key": _email_key(r["email"], None),
                "phone_key": _phone_key(r["phone"], None, r["country"] or "CN"),
                "city": _name(r["city"]),
            }
            for r in customers
        ]
    )
    a = frame(
        [
            {
                "unique_id": r["id"],
                "name": _name(r["display_name"]),
                "handle_letters": re.sub(r"[^a-z]", "", (r["handle"] or "").lower()) or None,
                "email_key": _email_key(r["email"], r["email_sha256"]),
                "phone_key": _phone_key(r["phone"], r["phone_sha256"], "CN"),
                "city": _name(r["location"]),
            }
            for r in accounts
        ]
    )
    return c, a


def _hub_links(customers: list[dict[str, Any]], accounts: list[dict[str, Any]]) -> list[Scored]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    c, a = _hub_rows(customers, accounts)
    # Only accounts have handles: the expressions read whichever side has one.
    handle = "coalesce(handle_letters_l, handle_letters_r)"
    name_of_other = (
        "coalesce(case when handle_letters_l is null then name_ns_l end, "
        "case when handle_letters_r is null then name_ns_r end)"
    )
    name_and_handle = {
        "output_column_name": "name_and_handle",
        "comparison_levels": [
            {
                "sql_condition": f"(name_l IS NULL OR name_r IS NULL) AND {handle} IS NULL",
                "label_for_charts": "null",
                "is_null_level": True,
            },
            {
                "sql_condition": "name_l = name_r",
                "label_for_charts": "name exact",
                "tf_adjustment_column": "name",
                "tf_adjustment_weight": 1.0,
            },
            {
                "sql_condition": f"contains({handle}, {name_of_other})",
                "label_for_charts": "handle holds the name",
            },
            {
                "sql_condition": "jaro_winkler_similarity(name_l, name_r) >= 0.92",
                "label_for_charts": "name JW >= 0.92",
            },
            {
                "sql_condition": f"jaro_winkler_similarity({handle}, {name_of_other}) >= 0.88",
                "label_for_charts": "handle JW >= 0.88",
            },
            {
                "sql_condition": "jaro_winkler_similarity(name_l, name_r) >= 0.8",
                "label_for_charts": "name JW >= 0.8",
            },
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    }
    blocking = [
        block_on("name"),
        block_on("name_key"),
        block_on("email_key"),
        block_on("phone_key"),
        "substr(l.name_ns, 1, 4) = substr(r.handle_letters, 1, 4)",
        "substr(r.name_ns, 1, 4) = substr(l.handle_letters, 1, 4)",
    ]
    settings = SettingsCreator(
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            name_and_handle,
            cl.ExactMatch("email_key"),
            cl.ExactMatch("phone_key"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        ],
    )
    db = DuckDBAPI()
    linker = Linker(
        [
            db.register(c, dataset_display_name="customers"),
            db.register(a, dataset_display_name="accounts"),
        ],
        settings,
        log_level=logging.WARNING,
    )
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("email_key"), block_on("phone_key"), block_on("name", "city")], recall=0.5
    )
    training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    training.estimate_parameters_using_expectation_maximisation(block_on("name"))
    training.estimate_parameters_using_expectation_maximisation(block_on("email_key"))
    rows = linker.inference.predict(threshold_match_probability=0.01).as_record_list()
    out = []
    for r in rows:
        if r["source_dataset_l"] == "accounts":
            out.append((r["unique_id_l"], r["unique_id_r"], float(r["match_probability"])))
        else:
            out.append((r["unique_id_r"], r["unique_id_l"], float(r["match_probability"])))
    return out


def _hub_duplicates(customers: list[dict[str, Any]]) -> list[Scored]:
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    c, _ = _hub_rows(customers, [])
    c["birth_year"] = pd.Series([r["birth_year"] for r in customers], dtype="string")
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("name"),
            block_on("email_key"),
            block_on("phone_key"),
            block_on("name_key", "birth_year"),
            block_on("name_key", "city"),
        ],
        comparisons=[
            cl.NameComparison("name").configure(term_frequency_adjustments=True),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("email_key"),
            cl.ExactMatch("phone_key"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
        ],
    )
    linker = Linker(DuckDBAPI().register(c), settings, log_level=logging.WARNING)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("email_key"), block_on("phone_key"), block_on("name", "birth_year")], recall=0.6
    )
    training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    training.estimate_parameters_using_expectation_maximisation(block_on("name"))
    training.estimate_parameters_using_expectation_maximisation(block_on("email_key"))
    rows = linker.inference.predict(threshold_match_probability=0.01).as_record_list()
    return [(r["unique_id_l"], r["unique_id_r"], float(r["match_probability"])) for r in rows]


def _febrl(dataset: str, frames: tuple[Any, ...]) -> list[Scored]:
    """Splink's own FEBRL3 (dedupe) and FEBRL4 (link) examples, as documented."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    def prepared(df: Any, prefix: str) -> Any:
        out = df.reset_index().rename(columns={"rec_id": "unique_id"})
        out["unique_id"] = prefix + out["unique_id"]
        for column in ("date_of_birth", "soc_sec_id", "postcode", "street_number"):
            out[column] = out[column].astype("string").str.strip()
        return out

    link = dataset == "febrl4"
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
        cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
    ]
    blocking = [
        block_on("soc_sec_id"),
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("postcode"),
    ]
    if link:
        blocking += [
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
        ]
    settings = SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=comparisons,
    )
    db = DuckDBAPI()
    if link:
        tables = [
            db.register(prepared(frames[0], "a:"), dataset_display_name="a"),
            db.register(prepared(frames[1], "b:"), dataset_display_name="b"),
        ]
        linker = Linker(tables, settings, log_level=logging.WARNING)
    else:
        linker = Linker(db.register(prepared(frames[0], "")), settings, log_level=logging.WARNING)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name "
            "and l.date_of_birth = r.date_of_birth",
        ],
        recall=0.9,
    )
    training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    rows = linker.inference.predict(threshold_match_probability=0.01).as_record_list()
    pairs = [(r["unique_id_l"], r["unique_id_r"], float(r["match_probability"])) for r in rows]
    return [(b, a, p) if a.startswith("b:") else (a, b, p) for a, b, p in pairs]  # A first
