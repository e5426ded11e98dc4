"""Deterministic, believable synthetic data for the customer-360 hub.

`generate(config)` streams `(kind, rows)` batches in dependency order: reference data first
(brands, tags, segments, products), then customers in chunks of `CHUNK_CUSTOMERS`, each chunk
yielding its kinds in `KINDS` order (the brands' own posts come with the first chunk's posts).
Every chunk draws from its own Random derived from (seed, chunk index), so the output does not
depend on the batch size, and only small bounded pools (influencer accounts, viral posts) carry
over from one chunk to the next, so memory stays flat however many customers are asked for.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, NamedTuple, TypeVar

Row = dict[str, Any]
T = TypeVar("T")

KINDS: tuple[str, ...] = (
    "brands",
    "tags",
    "segments",
    "products",
    "customers",
    "social_accounts",
    "follows",
    "purchases",
    "posts",
    "interactions",
    "customer_tags",
    "consents",
    "complaints",
    "customer_segments",
)
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
CHUNK_CUSTOMERS = 1000
_POOL_CAP = 2000  # influencers / viral posts remembered across chunks
_INFLUENCER_REACH = 10.0  # accounts whose heavy-tailed reach exceeds this act as influencers
_VIRAL_WEIGHT = 20.0  # customer posts above this virality stay interactable in later chunks
_SCRAMBLE = 7_654_321  # coprime with 10, so i -> (i * _SCRAMBLE) % 10**k is a bijection


@dataclass(frozen=True)
class SyntheticConfig:
    """How much to generate, from which seed, over which time window (epoch ms, UTC)."""

    customers: int = 2000
    brands: int = 20
    seed: int = 42
    start_ms: int = 1_704_067_200_000  # 2024-01-01T00:00:00Z
    end_ms: int = 1_793_404_800_000  # 2026-10-31T00:00:00Z

    def __post_init__(self) -> None:
        if self.customers < 0 or self.brands < 1 or self.end_ms - self.start_ms < 180 * DAY_MS:
            raise ValueError("need customers >= 0, brands >= 1 and a window of at least 180 days")


def generate(config: SyntheticConfig, batch_size: int = 1000) -> Iterator[tuple[str, list[Row]]]:
    """Stream `(kind, rows)` batches of at most `batch_size` rows, each after what it references.

    Kinds interleave chunk by chunk (customers of chunk 0, ..., then customers of chunk 1, ...).
    The same config always gives the same stream. Raises ValueError for a batch_size below 1.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return (
        (kind, rows[start : start + batch_size])
        for kind, rows in _World(config).stream()
        for start in range(0, len(rows), batch_size)
    )


class _Weighted(Generic[T]):
    """Items with cumulative weights, for many fast weighted picks."""

    def __init__(self, items: Sequence[T], weights: Iterable[float]) -> None:
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1] if self.cum else 0.0  # an empty table is fine until picked
        self.last = len(self.items) - 1

    @classmethod
    def of(cls, weights: Mapping[T, float]) -> _Weighted[T]:
        return cls(list(weights), weights.values())

    def pick(self, rng: random.Random) -> T:
        # hi=last guards against r * total rounding up to total itself
        return self.items[bisect_right(self.cum, rng.random() * self.total, 0, self.last)]


class _Country(NamedTuple):
    share: int  # relative share of customers
    culture: str  # which name table to use
    phone_code: str
    mobile_prefixes: tuple[str, ...]
    digits: int  # subscriber digits after the mobile prefix
    cities: tuple[tuple[str, str], ...]  # (city, region)


class _Category(NamedTuple):
    min_eur: float
    max_eur: float
    nouns: str  # product nouns, "|"-separated
    interests: tuple[str, ...]  # interest tags its buyers tend to have


_COUNTRIES = {
    "CN": _Country(
        45,
        "zh",
        "+86",
        ("138", "139", "150", "186", "177"),
        8,
        (
            ("Shanghai", "East China"),
            ("Hangzhou", "East China"),
            ("Beijing", "North China"),
            ("Shenzhen", "South China"),
            ("Guangzhou", "South China"),
            ("Chengdu", "Southwest China"),
            ("Wuhan", "Central China"),
        ),
    ),
    "US": _Country(
        14,
        "en",
        "+1",
        ("415", "212", "312", "512", "310"),
        7,
        (
            ("San Francisco", "California"),
            ("Los Angeles", "California"),
            ("New York", "New York"),
            ("Austin", "Texas"),
        ),
    ),
    "FR": _Country(
        12,
        "fr",
        "+33",
        ("6", "7"),
        8,
        (
            ("Paris", "Ile-de-France"),
            ("Lyon", "Auvergne-Rhone-Alpes"),
            ("Marseille", "Provence-Alpes-Cote d'Azur"),
        ),
    ),
    "GB": _Country(
        7,
        "en",
        "+44",
        ("77", "79", "74"),
        8,
        (("London", "England"), ("Manchester", "England"), ("Edinburgh", "Scotland")),
    ),
    "DE": _Country(
        6, "de", "+49", ("151", "160", "176"), 8, (("Berlin", "Berlin"), ("Munich", "Bavaria"))
    ),
    "IT": _Country(
        5, "it", "+39", ("320", "333", "347"), 7, (("Milan", "Lombardy"), ("Rome", "Lazio"))
    ),
    "JP": _Country(6, "ja", "+81", ("90", "80"), 8, (("Tokyo", "Kanto"), ("Osaka", "Kansai"))),
    "KR": _Country(5, "ko", "+82", ("10",), 8, (("Seoul", "Seoul"), ("Busan", "Busan"))),
}
_NAMES: dict[str, tuple[str, str, str]] = {  # culture: (surnames, female given, male given)
    "zh": (
        "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Lin He",
        "Fang Min Jing Yan Xiu Na Hui Ting Xue Mei Yu Lan",
        "Wei Lei Jun Yong Jie Tao Ming Hao",
    ),
    "en": (
        "Smith Johnson Brown Taylor Miller Wilson Davis Clark Walker Young Hall Allen",
        "Emily Olivia Sarah Jessica Hannah Grace Chloe Amelia",
        "James Michael Daniel Ryan Jack",
    ),
    "fr": (
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Laurent",
        "Claire Camille Julie Manon Lea Sophie Emma Louise",
        "Lucas Hugo Louis Julien Antoine",
    ),
    "de": (
        "Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker",
        "Anna Lena Julia Laura",
        "Lukas Felix Jonas Leon",
    ),
    "it": (
        "Rossi Russo Ferrari Esposito Bianchi Romano Colombo",
        "Giulia Chiara Sara Francesca",
        "Marco Luca Matteo Andrea",
    ),
    "ja": (
        "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto",
        "Yui Hina Sakura Aoi Mei",
        "Haruto Sota Ren Yuto Riku",
    ),
    "ko": ("Kim Lee Park Choi Jung Kang", "Ji-woo Seo-yeon Min-ji Ha-eun", "Min-jun Seo-jun Ji-ho"),
}
_FAMILY_NAME_FIRST = frozenset({"zh", "ja", "ko"})
_EMAIL_DOMAINS = {
    "CN": ("qq.com", "163.com", "126.com"),
    "FR": ("gmail.com", "orange.fr"),
    "DE": ("gmail.com", "gmx.de"),
    "IT": ("gmail.com", "libero.it"),
    "JP": ("yahoo.co.jp", "gmail.com"),
    "KR": ("naver.com", "gmail.com"),
}
_DEFAULT_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com")
_CATEGORIES = {  # a brand's category: EUR price range, product nouns, its buyers' interests
    "fashion": _Category(
        30, 400, "Trench Coat|Silk Scarf|Denim Jacket|Sneakers|Tote Bag", ("fashion",)
    ),
    "beauty": _Category(
        10, 120, "Serum|Face Cream|Lipstick|Cleansing Oil|Sunscreen", ("skincare",)
    ),
    "sports": _Category(
        15, 200, "Running Shoes|Yoga Mat|Training Tee|Windbreaker", ("running", "fitness")
    ),
    "electronics": _Category(
        25,
        900,
        "Wireless Earbuds|Smartwatch|Action Camera|Bluetooth Speaker",
        ("tech", "gaming", "photography"),
    ),
    "food": _Category(
        3,
        60,
        "Green Tea|Coffee Beans|Dark Chocolate|Mooncake Gift Set",
        ("cooking", "coffee"),
    ),
    "home": _Category(
        15, 300, "Scented Candle|Linen Sheets|Ceramic Vase|Desk Lamp", ("cooking", "pets")
    ),
    "travel": _Category(
        15, 500, "Carry-On Suitcase|Travel Pillow|Weekender Bag", ("travel", "outdoors")
    ),
    "luxury": _Category(
        200, 5000, "Leather Handbag|Fine Watch|Cashmere Coat|Perfume", ("fashion", "art")
    ),
}
_NOUNS = {name: category.nouns.split("|") for name, category in _CATEGORIES.items()}
_BRAND_SYLLABLES = (
    ("Lu", "Van", "Ora", "Sel", "Ky", "Mae", "Bel", "Cor", "Ner", "Aur", "Ze", "Tal", "Vi", "Sol"),
    ("mo", "te", "li", "ra", "ve", "no", "si", "la"),
    ("ra", "lle", "na", "x", "on", "ia", "is", "eo", "ette", "ique"),
)
_LINES = ("Classic", "Aura", "Pro", "Lite", "Essential", "Signature", "Nova", "Heritage", "Bloom")
_CURRENCY = {"CN": "CNY", "FR": "EUR", "IT": "EUR", "DE": "EUR"}  # everything else sells in USD
_EUR_RATE = {"CNY": 7.8, "EUR": 1.0, "USD": 1.08}
_CONFIDENCE = {"crm_id": 1.0, "email": 0.95, "phone": 0.9}
_PURPOSES = (("marketing", 0.85), ("analytics", 0.6), ("partner_sharing", 0.3))
# Weighted draws: {outcome: relative weight}. "CN" / "other" tables split by customer country.
_CUSTOMER_COUNTRIES = _Weighted.of({code: country.share for code, country in _COUNTRIES.items()})
_BRAND_COUNTRIES = _Weighted.of(
    {"CN": 35, "FR": 18, "IT": 10, "US": 15, "JP": 8, "KR": 8, "GB": 3, "DE": 3}
)
_GENDERS = _Weighted.of({"female": 52, "male": 42, "other": 2, None: 4})
_FAVOURITE_BRANDS = _Weighted.of({1: 50, 2: 35, 3: 15})
_ACCOUNTS_PER_CUSTOMER = _Weighted.of({0: 25, 1: 40, 2: 20, 3: 8, 4: 4, 5: 2, 6: 1})
_BRANDS_FOLLOWED = _Weighted.of({0: 15, 1: 35, 2: 25, 3: 13, 4: 8, 5: 4})
_ACCOUNTS_FOLLOWED = _Weighted.of({0: 30, 1: 22, 2: 16, 3: 12, 5: 9, 8: 6, 13: 3, 21: 2})
_ITEMS_PER_PURCHASE = _Weighted.of({1: 55, 2: 28, 3: 12, 4: 5})
_QUANTITIES = _Weighted.of({1: 70, 2: 20, 3: 7, 4: 3})
_CHANNELS = {
    "CN": _Weighted.of({"wechat_mini_program": 35, "online": 30, "marketplace": 20, "store": 15}),
    "other": _Weighted.of({"online": 50, "store": 30, "marketplace": 20}),
}
_INTERACTION_KINDS = _Weighted.of({"view": 55, "like": 28, "comment": 9, "share": 8})
_TAG_SOURCES = _Weighted.of({"declared": 35, "inferred": 50, "crm": 15})
_CONSENT_SOURCES = {
    "CN": _Weighted.of({"wechat": 50, "app": 25, "web_form": 15, "store": 10}),
    "other": _Weighted.of({"web_form": 45, "app": 35, "store": 20}),
}
_COMPLAINTS_PER_FILER = _Weighted.of({1: 75, 2: 25})
_COMPLAINT_ABOUT = _Weighted.of({"purchase": 55, "product": 25, "brand": 20})
_COMPLAINT_CATEGORIES = _Weighted.of(
    {"delivery": 30, "quality": 25, "billing": 10, "service": 20, "returns": 15}
)
_COMPLAINT_CHANNELS = _Weighted.of(
    {"phone": 20, "email": 25, "chat": 30, "wechat": 10, "store": 15}
)
_STATUS_FRESH = _Weighted.of({"open": 50, "in_progress": 50})  # opened less than a week ago
_STATUS_RECENT = _Weighted.of({"open": 10, "in_progress": 40, "resolved": 40, "closed": 10})
_STATUS_OLD = _Weighted.of({"open": 2, "in_progress": 3, "resolved": 55, "closed": 40})
_POLICY_2025_03, _POLICY_2026_06 = 1_740_787_200_000, 1_780_272_000_000  # policy release dates
_INTERESTS = (
    "running",
    "skincare",
    "gaming",
    "travel",
    "coffee",
    "photography",
    "fashion",
    "fitness",
    "cooking",
    "tech",
    "music",
    "art",
    "outdoors",
    "pets",
    "reading",
)
_LIFESTYLES = (
    "urban_professional",
    "student",
    "young_family",
    "retiree",
    "eco_conscious",
    "luxury_seeker",
    "bargain_hunter",
    "frequent_traveller",
)
_TOPIC_TAGS = tuple(f"t-{slug}" for slug in _INTERESTS + _LIFESTYLES)
_CONTENT_TYPES = _Weighted.of(
    {
        "t-video": 30,
        "t-image": 35,
        "t-article": 5,
        "t-live": 5,
        "t-review": 10,
        "t-giveaway": 3,
        "t-tutorial": 7,
        "t-behind_the_scenes": 5,
    }
)
_PLATFORMS = {
    "CN": _Weighted.of({"wechat": 40, "weibo": 25, "xiaohongshu": 20, "tiktok": 15}),
    "other": _Weighted.of({"instagram": 45, "facebook": 25, "tiktok": 30}),
}
_BRAND_TEXTS = (
    "New {noun} just landed.",
    "Meet the {line} collection.",
    "Giveaway: win a {line} {noun}!",
    "How to style your {noun} this season.",
    "Limited edition {noun}, this week only.",
    "Behind the scenes: making the {line} {noun}.",
)
_CUSTOMER_TEXTS = (
    "Loving my new {noun}!",
    "Weekend {interest} vibes.",
    "Honest review of the {line} {noun}.",
    "Morning {interest} session done.",
    "Anyone tried the {line} {noun}?",
)
_COMMENTS = (
    "Love this!",
    "Where can I buy this?",
    "Need it.",
    "Is this in stores yet?",
    "Price?",
    "Gorgeous colour.",
    "Not for me, sorry.",
    "Ordered one yesterday!",
)
_COMPLAINTS = {
    "delivery": ("Parcel is two weeks late.", "Package arrived damaged."),
    "quality": ("It came apart after a week.", "Does not match the photos."),
    "billing": ("I was charged twice.", "My discount code was not applied."),
    "service": ("Nobody answers my messages.", "Store staff were rude."),
    "returns": ("Refund still not received.", "The return label does not work."),
}


def _rng(seed: int, *labels: object) -> random.Random:
    text = ":".join(str(part) for part in (seed, *labels))
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big"))


def _between(rng: random.Random, lo: int, hi: int) -> int:
    return lo if hi <= lo else rng.randint(lo, hi)


def _distinct(candidates: Iterable[T], n: int) -> list[T]:
    """The first `n` distinct candidates, in draw order (a dict keeps it deterministic)."""
    chosen: dict[T, None] = {}
    for candidate in candidates:
        if len(chosen) >= n:
            break
        chosen[candidate] = None
    return list(chosen)


def _ascii(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


@dataclass(slots=True, eq=False)
class _Post:
    id: str
    author_id: str
    at: int
    tags: frozenset[str]
    weight: float  # virality: how strongly this post attracts interactions


class _FollowTarget(NamedTuple):
    """An account as a follow target: all that later chunks keep of an influencer."""

    id: str
    created_at: int
    reach: float


@dataclass(slots=True, eq=False)
class _Account:
    id: str
    created_at: int
    reach: float  # heavy-tailed pull on followers and on interactions with its posts
    interests: tuple[str, ...]  # the owner's tag ids
    owner: _Person | None
    row: Row
    followed_brands: dict[str, int] = field(default_factory=dict)  # brand id -> since


@dataclass(slots=True, eq=False)
class _Purchase:
    id: str
    brand_id: str
    at: int
    product_ids: list[str]
    eur: float


@dataclass(slots=True, eq=False)
class _Person:
    row: Row
    given: str
    surname: str
    name: str
    favourites: list[str]
    tags: list[str]  # interest then lifestyle tag ids
    accounts: list[_Account] = field(default_factory=list)
    purchases: list[_Purchase] = field(default_factory=list)


class _World:
    """Reference data, plus the little state that carries from one chunk to the next."""

    def __init__(self, config: SyntheticConfig) -> None:
        self.cfg = config
        self.end_year = datetime.fromtimestamp(config.end_ms / 1000, UTC).year
        rng = _rng(config.seed, "reference")
        self.brands = [self._brand(rng, n) for n in range(1, config.brands + 1)]
        self.brand = {b["id"]: b for b in self.brands}
        ranks = list(range(1, config.brands + 1))
        rng.shuffle(ranks)  # popularity is Zipf-like, so a few brands are far more popular
        self.popularity = {
            b["id"]: 1 / rank**1.7 for b, rank in zip(self.brands, ranks, strict=True)
        }
        self.brand_pick = _Weighted.of(self.popularity)
        product_seq = itertools.count(1)
        self.products = [
            self._product(rng, b, next(product_seq))
            for b in self.brands
            for _ in range(rng.randint(10, 60))
        ]
        self.products_of: dict[str, list[Row]] = {b["id"]: [] for b in self.brands}
        for product in self.products:
            self.products_of[product["brand_id"]].append(product)
        self.post_seq = itertools.count(1)
        self.brand_posts = [
            self._brand_post(rng, b)
            for b in self.brands
            for _ in range(20 + int(180 * self.popularity[b["id"]]))
        ]
        self.brand_post_refs = [
            _Post(
                p["id"],
                p["author_id"],
                p["at"],
                frozenset(p["tag_ids"]),
                self.popularity[p["author_id"]] * rng.paretovariate(1.2),
            )
            for p in self.brand_posts
        ]
        self.brand_post_pick = _Weighted(
            self.brand_post_refs, (p.weight for p in self.brand_post_refs)
        )
        posts_by_brand: dict[str, list[_Post]] = {b["id"]: [] for b in self.brands}
        for post in self.brand_post_refs:
            posts_by_brand[post.author_id].append(post)
        self.posts_of = {
            brand_id: _Weighted(posts, (p.weight for p in posts))
            for brand_id, posts in posts_by_brand.items()
        }
        self.number_offset = rng.randrange(10**9)  # for CRM ids and phone numbers
        self.influencers: list[_FollowTarget] = []
        self.viral_posts: list[_Post] = []
        self.account_seq = itertools.count(1)
        self.purchase_seq = itertools.count(1)
        self.complaint_seq = itertools.count(1)

    def stream(self) -> Iterator[tuple[str, list[Row]]]:
        yield from self.reference()
        chunks = max(1, -(-self.cfg.customers // CHUNK_CUSTOMERS))  # chunk 0 has the brand posts
        for index in range(chunks):
            yield from self.chunk(index)

    def reference(self) -> Iterator[tuple[str, list[Row]]]:
        yield "brands", self.brands
        yield (
            "tags",
            [
                {
                    "id": f"t-{slug}",
                    "name": slug.replace("_", " ").capitalize(),
                    "category": category,
                }
                for category, slugs in (
                    ("interest", _INTERESTS),
                    ("lifestyle", _LIFESTYLES),
                    ("content_type", [t[2:] for t in _CONTENT_TYPES.items]),
                )
                for slug in slugs
            ],
        )
        yield (
            "segments",
            [
                {"id": f"s-{slug}", "name": name}
                for slug, name in (
                    ("vip", "VIP"),
                    ("loyal", "Loyal"),
                    ("new", "New"),
                    ("at_risk", "At risk"),
                    ("occasional", "Occasional"),
                )
            ],
        )
        yield "products", self.products

    def _brand(self, rng: random.Random, n: int) -> Row:
        name = "".join(rng.choice(syllables) for syllables in _BRAND_SYLLABLES)
        country = _BRAND_COUNTRIES.pick(rng)
        return {
            "id": f"b{n:04d}",
            "name": name,
            "category": rng.choice(list(_CATEGORIES)),
            "country": country,
            "created_at": self.cfg.start_ms + rng.randrange(20 * DAY_MS),
        }

    def _product(self, rng: random.Random, brand: Row, n: int) -> Row:
        category = _CATEGORIES[brand["category"]]
        price = (
            math.exp(rng.uniform(math.log(category.min_eur), math.log(category.max_eur)))
            * _EUR_RATE[_currency(brand)]
        )
        return {
            "id": f"p{n:05d}",
            "brand_id": brand["id"],
            "category": brand["category"],
            "name": f"{rng.choice(_LINES)} {rng.choice(_NOUNS[brand['category']])}",
            "price": round(round(price) - 0.01, 2) if price > 10 else round(price, 2),
        }

    def _brand_post(self, rng: random.Random, brand: Row) -> Row:
        market = _home(brand["country"])
        if rng.random() < 0.2:  # some posts go out on the other market's platforms
            market = "other" if market == "CN" else "CN"
        text = rng.choice(_BRAND_TEXTS).format(
            noun=rng.choice(_NOUNS[brand["category"]]), line=rng.choice(_LINES)
        )
        related = [f"t-{slug}" for slug in _CATEGORIES[brand["category"]].interests]
        return {
            "id": f"post{next(self.post_seq):09d}",
            "author_kind": "brand",
            "author_id": brand["id"],
            "at": _between(rng, brand["created_at"], self.cfg.end_ms),
            "platform": _PLATFORMS[market].pick(rng),
            "content_type": _CONTENT_TYPES.pick(rng),
            "text": text,
            "tag_ids": _post_tags(rng, related),
        }

    def chunk(self, index: int) -> Iterator[tuple[str, list[Row]]]:
        """One chunk of customers and everything about them, kind by kind in KINDS order."""
        rng = _rng(self.cfg.seed, "chunk", index)
        first = index * CHUNK_CUSTOMERS
        people = [
            self._person(rng, i)
            for i in range(first, min(first + CHUNK_CUSTOMERS, self.cfg.customers))
        ]
        yield "customers", [p.row for p in people]
        accounts = self._accounts(rng, people)
        yield "social_accounts", [a.row for a in accounts]
        yield "follows", self._follows(rng, accounts)
        yield "purchases", [row for p in people for row in self._purchases(rng, p)]
        posts, post_rows = self._customer_posts(rng, accounts)
        yield "posts", (self.brand_posts if index == 0 else []) + post_rows
        yield "interactions", self._interactions(rng, accounts, posts)
        yield "customer_tags", [row for p in people for row in self._customer_tags(rng, p)]
        yield "consents", [row for p in people for row in self._consents(rng, p)]
        yield "complaints", [row for p in people for row in self._complaints(rng, p)]
        yield "customer_segments", [row for p in people for row in self._segments(p)]
        # Remember this chunk's heavy hitters so that later chunks follow and interact with them.
        influencers = [a for a in accounts if a.reach > _INFLUENCER_REACH]
        _remember(
            rng, self.influencers, (_FollowTarget(a.id, a.created_at, a.reach) for a in influencers)
        )
        _remember(rng, self.viral_posts, (p for p in posts if p.weight > _VIRAL_WEIGHT))

    def _person(self, rng: random.Random, i: int) -> _Person:
        cfg = self.cfg
        country = _CUSTOMER_COUNTRIES.pick(rng)
        home = _COUNTRIES[country]
        gender = _GENDERS.pick(rng)
        given, surname, name = _name(rng, home.culture, gender)
        g, s = _ascii(given), _ascii(surname)
        local = rng.choice((f"{g}.{s}", f"{g}{s[:1]}", f"{s}{g}", f"{g}_{s}"))
        scrambled = (i * _SCRAMBLE + self.number_offset) % 10**9  # distinct per customer
        city, region = rng.choice(home.cities)
        birth_year = None if rng.random() < 0.08 else int(rng.triangular(1950, 2008.99, 1993))
        row = {
            "id": f"c{i + 1:07d}",
            "external_id": f"CRM-{scrambled:09d}",
            "name": name,
            # the customer number keeps emails unique: the name part carries no digits
            "email": None
            if rng.random() < 0.1
            else f"{local}{i + 1}@{rng.choice(_EMAIL_DOMAINS.get(country, _DEFAULT_DOMAINS))}",
            "phone": None
            if rng.random() < 0.3
            else f"{home.phone_code}{rng.choice(home.mobile_prefixes)}"
            f"{scrambled % 10**home.digits:0{home.digits}d}",
            "gender": gender,
            "birth_year": birth_year,
            "city": city,
            "region": region,
            "country": country,
            # skewed early: most customers predate the window's end by a long way
            "created_at": cfg.start_ms
            + int((cfg.end_ms - cfg.start_ms) * 0.97 * rng.random() ** 1.6),
        }
        n_favourites = _FAVOURITE_BRANDS.pick(rng)
        favourites = _distinct((self.brand_pick.pick(rng) for _ in range(12)), n_favourites)
        related = [t for b in favourites for t in _CATEGORIES[self.brand[b]["category"]].interests]
        interests = _distinct(
            (
                rng.choice(related) if rng.random() < 0.6 else rng.choice(_INTERESTS)
                for _ in range(12)
            ),
            rng.randint(1, 4),
        )
        age = self.end_year - birth_year if birth_year else 40
        fitting = {
            "student": age <= 24,
            "retiree": age >= 65,
            "young_family": 28 <= age <= 42,
            "urban_professional": 25 <= age <= 55,
            "eco_conscious": True,
            "luxury_seeker": any(self.brand[b]["category"] == "luxury" for b in favourites),
            "bargain_hunter": True,
            "frequent_traveller": "travel" in interests,
        }
        lifestyles = [slug for slug, fits in fitting.items() if fits and rng.random() < 0.3][:2]
        tags = [f"t-{slug}" for slug in interests + lifestyles][:5]
        return _Person(row, given, surname, name, favourites, tags)

    def _accounts(self, rng: random.Random, people: list[_Person]) -> list[_Account]:
        accounts: list[_Account] = []
        for p in people:
            platforms = _PLATFORMS[_home(p.row["country"])]
            for _ in range(_ACCOUNTS_PER_CUSTOMER.pick(rng)):
                methods = {
                    "crm_id": 3,
                    "email": 5 if p.row["email"] else 0,
                    "phone": 3 if p.row["phone"] else 0,
                }
                account = self._account(
                    rng,
                    platforms.pick(rng),
                    (p.given, p.surname, p.name),
                    p,
                    _Weighted.of(methods).pick(rng),
                )
                p.accounts.append(account)
                accounts.append(account)
        for _ in range(round(len(accounts) * 0.1)):  # people outside the CRM
            country = _CUSTOMER_COUNTRIES.pick(rng)
            platform = _PLATFORMS[_home(country)].pick(rng)
            name = _name(rng, _COUNTRIES[country].culture, rng.choice(("female", "male")))
            accounts.append(self._account(rng, platform, name, None, None))
        return accounts

    def _account(
        self,
        rng: random.Random,
        platform: str,
        name: tuple[str, str, str],
        owner: _Person | None,
        method: str | None,
    ) -> _Account:
        seq = next(self.account_seq)
        g, s = _ascii(name[0]), _ascii(name[1])
        base = rng.choice((f"{g}.{s[:1]}", f"{g}{s}", f"{s}_{g}", f"{g[:1]}{s}", f"its{g}"))
        created = _between(rng, self.cfg.start_ms, self.cfg.end_ms - 30 * DAY_MS)
        row: Row = {
            "id": f"a{seq:08d}",
            "platform": platform,
            "handle": f"@{base}{seq}",  # the name part has no digits, so handles stay unique
            "display_name": rng.choices((name[2], name[0], base), weights=(6, 3, 1))[0],
            "created_at": created,
            "customer_id": owner.row["id"] if owner else None,
            "link_method": method,
            "link_confidence": _CONFIDENCE[method] if method else None,
        }
        interests = tuple(owner.tags if owner else _post_tags(rng, ()))
        # Unlinked accounts include bloggers outside the CRM, hence a heavier tail.
        reach = rng.paretovariate(1.3 if owner else 1.0)
        return _Account(row["id"], created, reach, interests, owner, row)

    def _since(self, rng: random.Random, *created: int) -> int:
        base = max(created)
        return base + int((self.cfg.end_ms - base) * rng.random() ** 2)

    def _follows(self, rng: random.Random, accounts: list[_Account]) -> list[Row]:
        # Preferential attachment: targets are picked by reach, which is heavy-tailed.
        candidates = self.influencers + [
            _FollowTarget(a.id, a.created_at, a.reach) for a in accounts
        ]
        target_pick = _Weighted(candidates, (t.reach for t in candidates))
        rows: list[Row] = []
        for a in accounts:
            favourites = a.owner.favourites if a.owner else []
            n = _BRANDS_FOLLOWED.pick(rng)
            draws = [
                rng.choice(favourites)
                if favourites and rng.random() < 0.5
                else self.brand_pick.pick(rng)
                for _ in range(3 * n)
            ]
            for brand_id in _distinct(draws, n):
                since = self._since(rng, a.created_at, self.brand[brand_id]["created_at"])
                a.followed_brands[brand_id] = since
                rows.append(
                    {
                        "account_id": a.id,
                        "target_kind": "brand",
                        "target_id": brand_id,
                        "since": since,
                    }
                )
            n = _ACCOUNTS_FOLLOWED.pick(rng)
            for target in _distinct([target_pick.pick(rng) for _ in range(3 * n)], n):
                if target.id != a.id:
                    rows.append(
                        {
                            "account_id": a.id,
                            "target_kind": "account",
                            "target_id": target.id,
                            "since": self._since(rng, a.created_at, target.created_at),
                        }
                    )
        return rows

    def _purchases(self, rng: random.Random, p: _Person) -> list[Row]:
        if rng.random() < 0.3:
            return []
        gap = DAY_MS * rng.lognormvariate(math.log(250), 1.0)  # this customer's buying rhythm
        at = p.row["created_at"] + int(gap * rng.random())
        stop = self.cfg.end_ms if rng.random() < 0.7 else _between(rng, at, self.cfg.end_ms)
        rows: list[Row] = []
        while at < stop and len(rows) < 150:  # churned customers stop before the window ends
            rows.append(self._purchase(rng, p, at))
            at += int(gap * rng.uniform(0.5, 1.5))
        return rows

    def _purchase(self, rng: random.Random, p: _Person, at: int) -> Row:
        brand_id = (
            self.brand_pick.pick(rng)
            if rng.random() < 0.1
            else rng.choices(p.favourites, weights=(6, 3, 2)[: len(p.favourites)])[0]
        )
        shelf = self.products_of[brand_id]
        items = [
            {
                "product_id": product["id"],
                "quantity": _QUANTITIES.pick(rng),
                "unit_price": product["price"]
                if rng.random() < 0.8
                else round(product["price"] * rng.choice((0.7, 0.8, 0.9)), 2),
            }
            for product in rng.sample(shelf, min(len(shelf), _ITEMS_PER_PURCHASE.pick(rng)))
        ]
        total = round(sum(item["quantity"] * item["unit_price"] for item in items), 2)
        currency = _currency(self.brand[brand_id])
        purchase = _Purchase(
            f"o{next(self.purchase_seq):09d}",
            brand_id,
            at,
            [item["product_id"] for item in items],
            total / _EUR_RATE[currency],
        )
        p.purchases.append(purchase)
        channel = _CHANNELS[_home(p.row["country"])].pick(rng)
        return {
            "id": purchase.id,
            "customer_id": p.row["id"],
            "brand_id": brand_id,
            "at": at,
            "channel": channel,
            "currency": currency,
            "total": total,
            "items": items,
        }

    def _customer_posts(
        self, rng: random.Random, accounts: list[_Account]
    ) -> tuple[list[_Post], list[Row]]:
        posts: list[_Post] = []
        rows: list[Row] = []
        for a in accounts:
            influencer = a.reach > _INFLUENCER_REACH
            if rng.random() >= (0.8 if influencer else 0.1):
                continue
            count = min(40, int(a.reach)) if influencer else min(10, int(rng.paretovariate(2.0)))
            for _ in range(count):
                tags = _post_tags(rng, a.interests)
                interest = tags[0] if tags else rng.choice(_TOPIC_TAGS)
                text = rng.choice(_CUSTOMER_TEXTS).format(
                    noun=rng.choice(rng.choice(list(_NOUNS.values()))),
                    line=rng.choice(_LINES),
                    interest=interest[2:].replace("_", " "),
                )
                post = _Post(
                    f"post{next(self.post_seq):09d}",
                    a.id,
                    _between(rng, a.created_at, self.cfg.end_ms),
                    frozenset(tags),
                    a.reach * rng.paretovariate(1.5),
                )
                posts.append(post)
                rows.append(
                    {
                        "id": post.id,
                        "author_kind": "account",
                        "author_id": a.id,
                        "at": post.at,
                        "platform": a.row["platform"],
                        "content_type": _CONTENT_TYPES.pick(rng),
                        "text": text,
                        "tag_ids": tags,
                    }
                )
        return posts, rows

    def _interactions(
        self, rng: random.Random, accounts: list[_Account], posts: list[_Post]
    ) -> list[Row]:
        candidates = self.viral_posts + posts
        others = _Weighted(candidates, (p.weight for p in candidates)) if candidates else None
        rows: list[Row] = []
        for a in accounts:
            followed = list(a.followed_brands)
            seen: set[tuple[str, str, int]] = set()
            lurker = rng.random() < 0.2
            for _ in range(0 if lurker else min(200, int(3 * rng.paretovariate(1.2)))):
                post = self._choose_post(rng, a, followed, others)
                kind = _INTERACTION_KINDS.pick(rng)
                at = max(post.at, a.created_at) + int(rng.expovariate(1 / (2 * DAY_MS)))
                if post.author_id == a.id or at > self.cfg.end_ms or (post.id, kind, at) in seen:
                    continue
                seen.add((post.id, kind, at))
                rows.append(
                    {
                        "account_id": a.id,
                        "post_id": post.id,
                        "kind": kind,
                        "at": at,
                        "text": rng.choice(_COMMENTS) if kind == "comment" else None,
                    }
                )
        return rows

    def _choose_post(
        self, rng: random.Random, a: _Account, followed: list[str], others: _Weighted[_Post] | None
    ) -> _Post:
        """A post picked by virality, leaning to followed brands and the account's interests."""
        for _ in range(3):
            r = rng.random()
            if followed and r < 0.45:
                post = self.posts_of[rng.choice(followed)].pick(rng)
            elif others is None or r < 0.8:
                post = self.brand_post_pick.pick(rng)
            else:
                post = others.pick(rng)
            if not post.tags or not post.tags.isdisjoint(a.interests) or rng.random() < 0.4:
                break
        return post

    def _customer_tags(self, rng: random.Random, p: _Person) -> list[Row]:
        rows: list[Row] = []
        for tag_id in p.tags:
            source = _TAG_SOURCES.pick(rng)
            weight = rng.uniform(0.5, 1.0) if source == "declared" else rng.uniform(0.1, 0.9)
            rows.append(
                {
                    "customer_id": p.row["id"],
                    "tag_id": tag_id,
                    "weight": round(weight, 2),
                    "source": source,
                    "at": _between(rng, p.row["created_at"], self.cfg.end_ms),
                }
            )
        return rows

    def _consents(self, rng: random.Random, p: _Person) -> list[Row]:
        end = self.cfg.end_ms
        first_contact: dict[str, int] = {}  # brands bought from or followed, in a stable order
        for purchase in p.purchases:
            first_contact.setdefault(purchase.brand_id, purchase.at)
        for a in p.accounts:
            for brand_id, since in a.followed_brands.items():
                first_contact[brand_id] = min(since, first_contact.get(brand_id, since))
        rows: list[Row] = []
        for brand_id, first in first_contact.items():
            if rng.random() < 0.4:
                continue
            granted = _between(rng, first, min(end, first + 30 * DAY_MS))
            while True:  # granted, perhaps withdrawn, perhaps granted again later
                row = self._consent(rng, p, brand_id, granted)
                rows.append(row)
                if rng.random() >= 0.15 or granted + DAY_MS >= end:
                    break
                row["withdrawn_at"] = withdrawn = _between(rng, granted + DAY_MS, end)
                if rng.random() >= 0.25 or withdrawn + DAY_MS >= end:
                    break
                granted = _between(rng, withdrawn + DAY_MS, end)
        return rows

    def _consent(self, rng: random.Random, p: _Person, brand_id: str, granted: int) -> Row:
        purposes = [purpose for purpose, share in _PURPOSES if rng.random() < share]
        policy = (
            "2024-01"
            if granted < _POLICY_2025_03
            else "2025-03"
            if granted < _POLICY_2026_06
            else "2026-06"
        )
        return {
            "customer_id": p.row["id"],
            "brand_id": brand_id,
            "purposes": purposes or ["marketing"],
            "granted_at": granted,
            "withdrawn_at": None,
            "source": _CONSENT_SOURCES[_home(p.row["country"])].pick(rng),
            "policy_version": policy,
        }

    def _complaints(self, rng: random.Random, p: _Person) -> list[Row]:
        if not p.purchases or rng.random() >= 0.08:
            return []
        end = self.cfg.end_ms
        rows: list[Row] = []
        for _ in range(_COMPLAINTS_PER_FILER.pick(rng)):
            purchase = rng.choice(p.purchases)
            opened = purchase.at + _between(rng, DAY_MS, 30 * DAY_MS)
            if opened > end:
                continue
            about_kind = _COMPLAINT_ABOUT.pick(rng)
            about_id = (
                purchase.id
                if about_kind == "purchase"
                else purchase.brand_id
                if about_kind == "brand"
                else rng.choice(purchase.product_ids)
            )
            category = _COMPLAINT_CATEGORIES.pick(rng)
            age = end - opened
            statuses = (
                _STATUS_FRESH
                if age < 7 * DAY_MS
                else _STATUS_RECENT
                if age < 30 * DAY_MS
                else _STATUS_OLD
            )
            status = statuses.pick(rng)
            responded = (
                None
                if status == "open" and rng.random() < 0.6
                else min(end, opened + _between(rng, HOUR_MS, 72 * HOUR_MS))
            )
            resolved = (
                min(end, responded + _between(rng, HOUR_MS, 20 * DAY_MS))
                if responded is not None and status in ("resolved", "closed")
                else None
            )
            rows.append(
                {
                    "id": f"cmp{next(self.complaint_seq):08d}",
                    "customer_id": p.row["id"],
                    "about_kind": about_kind,
                    "about_id": about_id,
                    "channel": _COMPLAINT_CHANNELS.pick(rng),
                    "category": category,
                    "status": status,
                    "opened_at": opened,
                    "first_response_at": responded,
                    "resolved_at": resolved,
                    "text": rng.choice(_COMPLAINTS[category]),
                }
            )
        return rows

    def _segments(self, p: _Person) -> list[Row]:
        end, n = self.cfg.end_ms, len(p.purchases)
        last = p.purchases[-1].at if n else 0
        fitting = {
            "vip": n >= 15 or sum(x.eur for x in p.purchases) >= 3000,
            "loyal": n >= 5 and last >= end - 120 * DAY_MS,
            "at_risk": n >= 2 and last < end - 180 * DAY_MS,
            "new": p.row["created_at"] >= end - 90 * DAY_MS,
            "occasional": 1 <= n <= 4 and last >= end - 180 * DAY_MS,
        }
        slugs = [slug for slug, fits in fitting.items() if fits][:2]
        return [{"customer_id": p.row["id"], "segment_id": f"s-{slug}"} for slug in slugs]


def _name(rng: random.Random, culture: str, gender: str | None) -> tuple[str, str, str]:
    """(given name, surname, full name in the culture's usual order)."""
    surnames, female, male = _NAMES[culture]
    if gender == "female":
        given_names = female
    elif gender == "male":
        given_names = male
    else:
        given_names = rng.choice((female, male))
    given, surname = rng.choice(given_names.split()), rng.choice(surnames.split())
    return (
        given,
        surname,
        f"{surname} {given}" if culture in _FAMILY_NAME_FIRST else f"{given} {surname}",
    )


def _post_tags(rng: random.Random, preferred: Sequence[str]) -> list[str]:
    """0-3 interest or lifestyle tag ids, mostly drawn from `preferred`."""
    n = rng.choice((0, 1, 1, 2, 2, 3))
    draws = [
        rng.choice(preferred) if preferred and rng.random() < 0.75 else rng.choice(_TOPIC_TAGS)
        for _ in range(3 * n)
    ]
    return _distinct(draws, n)


def _home(country: str) -> str:
    """Which market's platforms, channels and habits apply: China's or everyone else's."""
    return "CN" if country == "CN" else "other"


def _currency(brand: Row) -> str:
    return _CURRENCY.get(brand["country"], "USD")


def _remember(rng: random.Random, pool: list[T], items: Iterable[T]) -> None:
    """Keep a bounded, slowly renewed sample of heavy hitters for later chunks."""
    for item in items:
        if len(pool) < _POOL_CAP:
            pool.append(item)
        else:
            pool[rng.randrange(_POOL_CAP)] = item
