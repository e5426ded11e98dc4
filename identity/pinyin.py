"""Pinyin: Han characters to pinyin, tone marks and numbers away, and run-together pinyin
("wangwei") split back into syllables.

Readings come from pypinyin (imported on first use: its dictionaries take a second to
load). What pypinyin lacks for names is added here: a surname is read as a surname (曾 is
Zeng, not Ceng; 单 is Shan), from the shipped table data/zh_surnames.tsv.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

# Every toneless syllable pypinyin 0.55 knows (ü written v), minus the interjections m, n,
# ng, hm, hng, which would let "wang" split as "wa"+"ng". Plus "lyu"/"nyu", the passport
# spellings of lü/nü.
_SYLLABLE_TEXT = """
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo
    bong bu ca cai can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng
    chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui
    cun cuo da dai dan dang dao de dei den deng di dia dian diao die din ding diu dong
    dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fiao fo fou fu ga
    gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai
    han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian
    jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken
    keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei len leng
    li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve ma mai
    man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang
    nao ne nei nen neng ni nia nian niang niao nie nin ning niu nong nou nu nuan nun nuo
    nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi
    qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng
    ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan
    shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo
    si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian tiao tie
    ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu xi xia
    xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin
    ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan
    zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun
    zhuo zi zong zou zu zuan zui zun zuo
    lyu nyu
"""
SYLLABLES = frozenset(_SYLLABLE_TEXT.split())
_LONGEST = max(len(s) for s in SYLLABLES)
# Spellings of one syllable (ü as v, yu, or u), made one: 吕 is Lü, Lyu, Lv or Lu.
ALIASES = {"lv": "lu", "nv": "nu", "lyu": "lu", "nyu": "nu", "lve": "lue", "nve": "nue"}
_ALIASED = re.compile("lv|nv|yu|ve")
_TONE_NUMBER = re.compile(r"(?<=[a-zü])[1-5](?![0-9])")


def strip_tones(text: str) -> str:
    """'Wáng Wěi' / 'wang2 wei3' / 'Lǚ' -> 'Wang Wei' / 'wang wei' / 'Lv' (ü is written v)."""
    text = text.replace("ü", "v").replace("Ü", "V")
    text = _TONE_NUMBER.sub("", text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def canonical_syllable(syllable: str) -> str:
    """'lyu' / 'lv' -> 'lu'; any other word is itself."""
    return ALIASES.get(syllable, syllable)


def canonical_spelling(letters: str) -> str:
    """Run-together pinyin with every syllable in its canonical spelling ('lyujing' ->
    'lujing'); other text unchanged."""
    if _ALIASED.search(letters) is None:
        return letters
    syllables = split_syllables(letters)
    return "".join(map(canonical_syllable, syllables)) if syllables else letters


def split_syllables(letters: str) -> tuple[str, ...] | None:
    """Lower-case run-together pinyin as syllables, fewest first ('xiaoming' -> xiao, ming);
    None when ``letters`` is not pinyin."""
    if not letters or len(letters) > 40:
        return None
    return _split(letters)


@lru_cache(maxsize=65536)
def _split(letters: str) -> tuple[str, ...] | None:
    n = len(letters)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for end in range(1, n + 1):
        for size in range(1, min(_LONGEST, end) + 1):
            head = best[end - size]
            piece = letters[end - size : end]
            if head is not None and piece in SYLLABLES:
                candidate = (*head, piece)
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[n]


@cache
def surnames() -> dict[str, tuple[str, ...]]:
    """Chinese surnames (one or two characters) -> their readings as a surname."""
    table: dict[str, tuple[str, ...]] = {}
    text = resources.files("identity.data").joinpath("zh_surnames.tsv").read_text("utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            han, readings = line.split("\t")
            table[han] = tuple(readings.split())
    return table


@cache
def pinyin_surnames() -> frozenset[str]:
    """Every reading of a surname in the table: 'wang', 'ouyang', 'zeng'..."""
    return frozenset(r for readings in surnames().values() for r in readings)


def split_han_name(han: str) -> tuple[str, str] | None:
    """'王伟' -> ('王', '伟'), '欧阳娜娜' -> ('欧阳', '娜娜'); None when the name does not
    start with a known surname or is not 2 to 4 characters long."""
    if not 2 <= len(han) <= 4:
        return None
    table = surnames()
    if len(han) >= 3 and han[:2] in table:
        return han[:2], han[2:]
    if han[0] in table:
        return han[0], han[1:]
    return None


def surname_readings(han: str) -> tuple[str, ...]:
    """The readings of a surname (from the table, else pypinyin's)."""
    return surnames().get(han) or (given_pinyin(han),)


@lru_cache(maxsize=65536)
def given_pinyin(han: str) -> str:
    """Toneless pinyin of Han text, syllables run together: '晓明' -> 'xiaoming'."""
    from pypinyin import Style, lazy_pinyin  # a second to load: on first use

    return "".join(lazy_pinyin(han, style=Style.NORMAL, errors="ignore")).replace("ü", "v")
