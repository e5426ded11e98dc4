"""What a row of each kind of export must hold, and how a valid row becomes a graph write.

One pydantic model per kind validates a row (already renamed by the mapping, if any); its
``prepare()`` gives the row graph/writes.py expects: key and endpoint ids, the properties,
and a content hash so an unchanged row is skipped. The formats are documented, with an
example file each, in docs/loading.md and docs/examples/.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

import orjson
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from graph.identity_keys import KEY_VERSION
from loaders.contact_keys import (
    account_region,
    email_key,
    international_phone,
    phone_hash_agrees,
    phone_key,
)
from loaders.evidence import (
    BirthDate,
    MaskedEmail,
    MaskedPhone,
    Sha256,
    check_contact,
    default_region,
)

Row = dict[str, Any]

_MIN_MS = int(datetime(1900, 1, 1, tzinfo=UTC).timestamp() * 1000)
_MAX_MS = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp() * 1000)
# Numbers below 10^11 (1973-03-03 as ms) are epoch seconds or yyyymmdd far more often than
# real times in 1970-73, so they are refused rather than silently read as January 1970.
_SMALLEST_EPOCH_MS = 100_000_000_000


def parse_timestamp(value: object) -> int | None:
    """ISO 8601 (date, or date-time; no zone means UTC) or epoch milliseconds -> epoch ms."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("expected a date, got a boolean")
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            value = int(text)
        else:
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(
                    f"{value!r} is not a date: expected ISO 8601 (2024-05-01 or "
                    "2024-05-01T10:00:00Z) or epoch milliseconds"
                ) from None
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            value = int(parsed.timestamp() * 1000)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise ValueError(f"{value!r} is not a date")
    if 0 <= value < _SMALLEST_EPOCH_MS:
        raise ValueError(
            f"{value} looks like epoch seconds or a compact date, not epoch milliseconds; "
            "give ISO 8601, epoch milliseconds, or a [dates] format in a mapping"
        )
    if not _MIN_MS <= value < _MAX_MS:
        raise ValueError(f"{value} is outside 1900-2100 as epoch milliseconds")
    return value


def _split_list(value: object) -> object:
    """A CSV cell holds a list as 'a|b|c' (or a JSON array); JSONL holds a real array."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split("|") if part.strip()]
    return [] if value is None else value


Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]
Text = str | None  # stripped by the model config; a blank cell never gets here
# A key another system gives (indexed: Neo4j refuses index entries over ~8 KB).
ExternalId = Annotated[str, StringConstraints(max_length=256)] | None
Timestamp = Annotated[int | None, BeforeValidator(parse_timestamp)]
RequiredTimestamp = Annotated[int, BeforeValidator(parse_timestamp)]
Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None
IdList = Annotated[list[Id], BeforeValidator(_split_list)]

Platform = Literal[
    "wechat", "weibo", "xiaohongshu", "douyin", "tiktok", "instagram", "facebook", "x",
    "youtube", "linkedin", "line", "kakao", "other",
]  # fmt: skip
PurchaseChannel = Literal[
    "online", "store", "marketplace", "wechat_mini_program", "app", "phone", "other"
]
InteractionKind = Literal["view", "like", "comment", "share", "save", "click"]
ComplaintChannel = Literal[
    "phone", "email", "chat", "wechat", "store", "social", "web_form", "other"
]
ComplaintStatus = Literal["open", "in_progress", "resolved", "closed"]
Purpose = Literal["marketing", "analytics", "partner_sharing", "personalisation"]
TagSource = Literal["declared", "inferred", "crm"]
ContactKind = Literal[
    "call", "email", "chat", "visit", "promotion_sent", "promotion_opened", "survey_answer",
    "after_sales",
]  # fmt: skip


def content_hash(row: Row) -> str:
    """A short, stable digest of a prepared row (keys sorted), stored as ``row_hash``."""
    return hashlib.blake2b(
        orjson.dumps(row, option=orjson.OPT_SORT_KEYS), digest_size=12
    ).hexdigest()


def _drop_blanks(data: Any) -> Any:
    """A blank cell is a missing value (CSV has no null), so field defaults apply."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
    return data


class Record(BaseModel):
    """A validated row of one kind. Subclasses say which fields are ids of other nodes."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_missing(cls, data: Any) -> Any:
        return _drop_blanks(data)

    # Row fields that name other nodes (or pick the statement); kept outside ``props``.
    endpoints: ClassVar[tuple[str, ...]] = ()
    # Row fields that identify a relationship among parallel ones (kept in the row too).
    keys: ClassVar[tuple[str, ...]] = ()

    def props(self) -> Row:
        # Field values as validated (plain values: only Purchase nests models, and it
        # prepares itself); reading __dict__ is several times cheaper than model_dump().
        skip = _skipped(type(self))
        return {k: v for k, v in self.__dict__.items() if k not in skip}

    def prepare(self) -> Row:
        """The row graph/writes.py expects, with the content hash of everything in it."""
        row = self.row()
        row["hash"] = content_hash(row)
        return row

    def row(self) -> Row:
        values = self.__dict__
        row: Row = {f: values[f] for f in self.endpoints + self.keys}
        if "id" in values:
            row["id"] = values["id"]
        row["props"] = self.props()
        return row


@cache
def _skipped(model: type[Record]) -> frozenset[str]:
    return frozenset({"id", *model.endpoints, *model.keys})


class Brand(Record):
    id: Id
    name: Text = None
    category: Text = None
    country: Country = None
    created_at: Timestamp = None


class Tag(Record):
    id: Id
    name: Text = None
    category: Text = None


class Segment(Record):
    id: Id
    name: Text = None


class Product(Record):
    endpoints = ("brand_id",)
    id: Id
    brand_id: Id
    name: Text = None
    category: Text = None
    price: Money | None = None


class Customer(Record):
    id: Id
    external_id: ExternalId = None
    name: Text = None
    email: Text = None
    phone: Text = None
    gender: Literal["female", "male", "other"] | None = None
    birth_year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    birth_date: BirthDate = None
    city: Text = None
    region: Text = None
    country: Country = None
    postcode: Text = None
    address: Text = None
    created_at: Timestamp = None

    # (email key, phone key), computed once the row is valid (the phone's region may come
    # from the validation context).
    _keys: tuple[str | None, str | None] = PrivateAttr(default=(None, None))

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Customer:
        check_contact(self.email, self.phone)
        if self.birth_date and self.birth_year and int(self.birth_date[:4]) != self.birth_year:
            raise ValueError("birth_date is in another year than birth_year")
        region = self.country or default_region(info)
        self._keys = (email_key(self.email), phone_key(self.phone, region))
        return self

    def props(self) -> Row:
        props = super().props()
        props["email_hash"], props["phone_hash"] = self._keys
        props["key_version"] = KEY_VERSION
        return props


class SocialAccount(Record):
    """An account on a platform. ``customer_id``, ``email`` and ``phone`` (or their
    SHA-256, given by the source) are evidence for exact linking: only their keys (and the
    claimed CRM id) are kept on the account. Masked values are kept as given: weak
    evidence for the match model, never an exact link."""

    id: Id
    platform: Platform
    handle: Text = None
    display_name: Text = None
    created_at: Timestamp = None
    location: Text = None
    customer_id: Text = None
    email: Text = None
    phone: Text = None
    email_sha256: Sha256 = None
    phone_sha256: Sha256 = None
    email_masked: MaskedEmail = None
    phone_masked: MaskedPhone = None

    _keys: tuple[str | None, str | None] = PrivateAttr(default=(None, None))

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> SocialAccount:
        check_contact(self.email, self.phone)
        region = account_region(self.platform, default_region(info))
        email = email_key(self.email)
        if self.email_sha256 and email and email != self.email_sha256:
            raise ValueError("email_sha256 is not the SHA-256 of email (trimmed, lower-cased)")
        phone = phone_key(self.phone, region)
        if self.phone_sha256 and self.phone:
            # Checked when the number is written with its country code; written nationally,
            # the hash is the key: it holds the country the number does not say.
            e164 = international_phone(self.phone)
            if e164 is None:
                phone = None
            elif not phone_hash_agrees(self.phone_sha256, e164):
                raise ValueError("phone_sha256 is not the SHA-256 of phone (E.164)")
        self._keys = (email or self.email_sha256, phone or self.phone_sha256)
        return self

    def props(self) -> Row:
        email, phone = self._keys
        return {
            "platform": self.platform,
            "handle": self.handle,
            "display_name": self.display_name,
            "created_at": self.created_at,
            "location": self.location,
            "claimed_customer_id": self.customer_id,
            "email_hash": email,
            "phone_hash": phone,
            "email_masked": self.email_masked,
            "phone_masked": self.phone_masked,
            "key_version": KEY_VERSION,
        }


class Follow(Record):
    endpoints = ("account_id", "target_kind", "target_id")
    account_id: Id
    target_kind: Literal["brand", "account"]
    target_id: Id
    since: Timestamp = None

    def props(self) -> Row:
        return {"since": self.since}


class LineItem(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_missing(cls, data: Any) -> Any:
        return _drop_blanks(data)

    product_id: Id
    quantity: Annotated[int, Field(ge=1)] = 1
    unit_price: Money | None = None


# A purchase's hashed fingerprints (the fraud patterns' ring evidence: graph/fraud.py).
PURCHASE_FINGERPRINTS = ("payment_hash", "device_hash", "address_hash")


class Purchase(Record):
    """An order with its line items (JSONL: ``items`` array; CSV: one row per item with
    ``product_id``, ``quantity``, ``unit_price`` columns, rows of one order adjacent).

    ``payment_hash``, ``device_hash``, ``address_hash``: the SHA-256 of the card
    fingerprint, the device and the delivery address, hashed by the source (a raw card
    number or address never reaches the hub; docs/loading.md says how to hash them), for
    the fraud patterns (graph/fraud.py). ``refunded_at``: when the order was refunded."""

    endpoints = ("customer_id", "brand_id")
    id: Id
    customer_id: Id
    brand_id: Id
    at: RequiredTimestamp
    channel: PurchaseChannel | None = None
    currency: Currency = None
    total: Money | None = None
    items: Annotated[list[LineItem], BeforeValidator(_split_list)] = []
    payment_hash: Sha256 = None
    device_hash: Sha256 = None
    address_hash: Sha256 = None
    refunded_at: Timestamp = None

    @model_validator(mode="after")
    def _total(self) -> Purchase:
        if self.total is None and self.items and all(i.unit_price is not None for i in self.items):
            total = round(sum(i.quantity * (i.unit_price or 0.0) for i in self.items), 2)
            object.__setattr__(self, "total", total)
        if self.refunded_at is not None and self.refunded_at < self.at:
            raise ValueError(
                "refunded_at is before at (the order was refunded before it was placed)"
            )
        return self

    def row(self) -> Row:
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "brand_id": self.brand_id,
            "props": {"at": self.at, "channel": self.channel, "currency": self.currency,
                      "total": self.total, "payment_hash": self.payment_hash,
                      "device_hash": self.device_hash, "address_hash": self.address_hash,
                      "refunded_at": self.refunded_at},
            "items": [{"id": i.product_id, "quantity": i.quantity, "unit_price": i.unit_price}
                      for i in self.items],
        }  # fmt: skip


class Post(Record):
    endpoints = ("author_kind", "author_id")
    id: Id
    author_kind: Literal["brand", "account"]
    author_id: Id
    at: RequiredTimestamp
    platform: Platform | None = None
    content_type: Text = None
    text: Text = None
    tag_ids: IdList = []

    def props(self) -> Row:
        return {"at": self.at, "platform": self.platform, "content_type": self.content_type,
                "text": self.text}  # fmt: skip

    def row(self) -> Row:
        row = super().row()
        tags = ([self.content_type] if self.content_type else []) + list(self.tag_ids)
        row["tag_ids"] = list(dict.fromkeys(tags))
        return row


class Interaction(Record):
    endpoints = ("account_id", "post_id")
    keys = ("kind", "at")
    account_id: Id
    post_id: Id
    kind: InteractionKind
    at: RequiredTimestamp
    text: Text = None


class Complaint(Record):
    endpoints = ("customer_id", "about_kind", "about_id")
    id: Id
    customer_id: Id
    about_kind: Literal["brand", "product", "purchase"]
    about_id: Id
    channel: ComplaintChannel | None = None
    category: Text = None
    status: ComplaintStatus = "open"
    opened_at: RequiredTimestamp
    first_response_at: Timestamp = None
    resolved_at: Timestamp = None
    text: Text = None

    @model_validator(mode="after")
    def _in_order(self) -> Complaint:
        for later in ("first_response_at", "resolved_at"):
            value = getattr(self, later)
            if value is not None and value < self.opened_at:
                raise ValueError(f"{later} is before opened_at")
        return self

    def props(self) -> Row:
        props = super().props()
        props["about_kind"] = self.about_kind
        return props


class Consent(Record):
    endpoints = ("customer_id", "brand_id")
    keys = ("granted_at",)
    customer_id: Id
    brand_id: Id
    granted_at: RequiredTimestamp
    withdrawn_at: Timestamp = None
    purposes: Annotated[list[Purpose], BeforeValidator(_split_list), Field(min_length=1)]
    source: Text = None
    policy_version: Text = None

    @model_validator(mode="after")
    def _in_order(self) -> Consent:
        if self.withdrawn_at is not None and self.withdrawn_at < self.granted_at:
            raise ValueError("withdrawn_at is before granted_at")
        return self


class CustomerTag(Record):
    endpoints = ("customer_id", "tag_id")
    customer_id: Id
    tag_id: Id
    weight: Annotated[float, Field(ge=0, le=1)] | None = None
    source: TagSource | None = None
    at: Timestamp = None


class Contact(Record):
    """A touchpoint an app records (resolvers/customer_writes.py; no export file yet)."""

    endpoints = ("customer_id",)
    id: Id
    customer_id: Id
    kind: ContactKind
    channel: Text = None
    at: RequiredTimestamp
    summary: Annotated[str, StringConstraints(max_length=2000)] | None = None
    brand_id: Id | None = None
    product_id: Id | None = None
    purchase_id: Id | None = None


class CustomerSegment(Record):
    endpoints = ("customer_id", "segment_id")
    customer_id: Id
    segment_id: Id


MODELS: dict[str, type[Record]] = {
    "brands": Brand, "tags": Tag, "segments": Segment, "products": Product,
    "customers": Customer, "social_accounts": SocialAccount, "follows": Follow,
    "purchases": Purchase, "posts": Post, "interactions": Interaction, "complaints": Complaint,
    "consents": Consent, "customer_tags": CustomerTag, "customer_segments": CustomerSegment,
}  # fmt: skip
KINDS: tuple[str, ...] = tuple(MODELS)


def reasons_of(error: ValidationError) -> list[str]:
    """One line per problem: 'field: message (got value)'."""
    reasons = []
    for e in error.errors(include_url=False):
        where = ".".join(str(p) for p in e["loc"]) or "row"
        message = e["msg"].removeprefix("Value error, ")
        got = e.get("input")
        plain = isinstance(got, dict) or e["type"] in ("missing", "value_error")
        shown = "" if plain else f" (got {got!r:.60})"
        reasons.append(f"{where}: {message}{shown}")
    return reasons
