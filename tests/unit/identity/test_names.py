"""Names across scripts, tones, spaces, order, short forms and decoration."""

from __future__ import annotations

import pytest

from identity.names import EMPTY, parse_name


@pytest.mark.parametrize(
    "written",
    ["王伟", "Wang Wei", "Wei Wang", "wangwei", "WANG Wei", "Wáng Wěi", "wang2 wei3",
     "王 伟", "✨王伟✨", "『王伟』🌸", "王伟 | 摄影",
     "\uff57\uff41\uff4e\uff47 \uff57\uff45\uff49"],  # the last in full-width letters
)  # fmt: skip
def test_one_chinese_name_in_every_script_and_spelling_shares_a_key(written: str) -> None:
    assert "wangwei" in parse_name(written).full
    assert parse_name(written).canonical == "wang|wei"


def test_han_is_kept_and_homophones_differ_in_han_only() -> None:
    wang, other_wang = parse_name("王伟"), parse_name("汪伟")
    assert wang.han == "王伟" and other_wang.han == "汪伟"
    assert not wang.full.isdisjoint(other_wang.full)  # same pinyin, another character


def test_surnames_are_read_as_surnames_not_as_words() -> None:
    assert "zengxiaoxian" in parse_name("曾小贤").full  # pypinyin alone reads 曾 as ceng
    assert "shanxiaoming" in parse_name("单晓明").full  # 单 is Shan as a surname
    assert "ouyangnana" in parse_name("欧阳娜娜").full  # a two-character surname
    assert parse_name("欧阳娜娜").family == {"ouyang"}


def test_lu_with_umlaut_in_any_spelling() -> None:
    for written in ("吕布", "Lü Bu", "Lyu Bu", "Lv Bu", "Lu Bu"):
        assert "lubu" in parse_name(written).full, written


def test_short_forms_share_keys_with_the_formal_name() -> None:
    pairs = (("Bob Smith", "Robert Smith"), ("Liz Taylor", "Elizabeth Taylor"),
             ("Bill Clark", "William Clark"), ("Kate Hall", "Katherine Hall"))  # fmt: skip
    for short, formal in pairs:
        assert not parse_name(short).full.isdisjoint(parse_name(formal).full)
        assert parse_name(short).canonical == parse_name(formal).canonical


def test_different_given_names_do_not_share_full_keys() -> None:
    assert parse_name("Robert Smith").full.isdisjoint(parse_name("Richard Smith").full)
    assert parse_name("王伟").full.isdisjoint(parse_name("王芳").full)


def test_initials_are_an_abbreviated_form() -> None:
    bob = parse_name("Bob S.")
    assert bob.abbreviated and not bob.full
    assert "bobs" in bob.initials and "bobs" in parse_name("Robert Smith").initials
    assert "bsmith" in parse_name("B. Smith").initials


def test_pet_names_name_one_character() -> None:
    assert parse_name("阿伟").pet == "伟"
    assert parse_name("小明").pet == "明"
    assert parse_name("王晓明").pet == "明"


def test_accents_fold() -> None:
    assert parse_name("Léa Martin").full == parse_name("Lea MARTIN").full


@pytest.mark.parametrize(
    "junk",
    [None, "", "   ", "🌸🌸🌸", "★☆★", "快乐的小鱼", "12345", "x" * 10_000, "a b c d e f g",
     "王" * 5000, "\x00\ud800", 42],
)  # fmt: skip
def test_junk_is_no_name_and_never_raises(junk: object) -> None:
    form = parse_name(junk)
    assert form == EMPTY or not form.full
