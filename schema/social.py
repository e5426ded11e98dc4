"""Social accounts, posts, tags and interactions."""

from datetime import datetime

import strawberry

from resolvers.context import Record
from resolvers.ids import to_global_id
from schema.base import Node, ms_to_datetime
from schema.brand import Brand
from schema.link_evidence import LinkEvidence
from schema.personal import Personal


@strawberry.type(description="A label on customers and posts: interest, lifestyle, content type.")
class Tag(Node):
    tag_id: str = strawberry.field(description="The tag's key in the hub, e.g. `t-running`.")
    name: str | None = strawberry.field(description="Human-readable name.")
    category: str | None = strawberry.field(
        description="interest, lifestyle or content_type (or a source's own category)."
    )

    @classmethod
    def from_record(cls, r: Record) -> "Tag":
        return cls(
            id=strawberry.ID(to_global_id("Tag", r["id"])),
            tag_id=r["id"],
            name=r.get("name"),
            category=r.get("category"),
        )


@strawberry.type(description="An account on a social platform (WeChat, Weibo, Instagram...).")
class SocialAccount(Node):
    account_id: str = strawberry.field(description="The account's key in the hub.")
    platform: str | None = strawberry.field(description="Platform: wechat, weibo, instagram...")
    handle: str | None = strawberry.field(
        description="Handle on the platform.", extensions=[Personal()]
    )
    display_name: str | None = strawberry.field(
        description="Name shown on the platform.", extensions=[Personal()]
    )
    created_at: datetime | None = strawberry.field(description="When the account was created.")

    @classmethod
    def from_record(cls, r: Record) -> "SocialAccount":
        return cls(
            id=strawberry.ID(to_global_id("SocialAccount", r["id"])),
            account_id=r["id"],
            platform=r.get("platform"),
            handle=r.get("handle"),
            display_name=r.get("display_name"),
            created_at=ms_to_datetime(r.get("created_at")),
        )


@strawberry.type(description="A customer's social account and how the hub linked it to them.")
class Identity:
    account: SocialAccount = strawberry.field(description="The linked account.")
    link_method: str | None = strawberry.field(
        description="How it was linked: crm_id, email, phone (exact evidence), "
        "probabilistic (the match model), accepted (a person accepted the model's "
        "candidate) or manual (a person linked it)."
    )
    link_confidence: float | None = strawberry.field(description="Confidence of the link, 0..1.")
    linked_at: datetime | None = strawberry.field(description="When the link was made.")
    link_model_version: str | None = strawberry.field(
        description="The match model behind a probabilistic or accepted link."
    )
    link_evidence: LinkEvidence | None = strawberry.field(
        description="Why it is linked: each comparison with its level and weight, the prior, "
        "and a person's decision (null for exact evidence: the method says it all)."
    )

    @classmethod
    def from_record(cls, r: Record) -> "Identity":
        return cls(
            account=SocialAccount.from_record(r),
            link_method=r.get("link_method"),
            link_confidence=r.get("link_confidence"),
            linked_at=ms_to_datetime(r.get("linked_at")),
            link_model_version=r.get("link_model_version"),
            link_evidence=LinkEvidence.from_json(r.get("link_evidence")),
        )


@strawberry.type(description="Content published by a brand or an account.")
class Post(Node):
    post_id: str = strawberry.field(description="The post's key in the hub.")
    at: datetime | None = strawberry.field(description="When it was published.")
    platform: str | None = strawberry.field(description="Platform it was published on.")
    content_type: str | None = strawberry.field(
        description="Content-type tag id: t-video, t-image, t-article, t-live..."
    )
    text: str | None = strawberry.field(description="The post's text.", extensions=[Personal()])
    tags: list[Tag] = strawberry.field(description="Tags the post is about (content type too).")
    author_brand: Brand | None = strawberry.field(description="The brand that posted it, if any.")
    author_account: SocialAccount | None = strawberry.field(
        description="The account that posted it, if any."
    )

    @classmethod
    def from_record(cls, r: Record) -> "Post":
        return cls(
            id=strawberry.ID(to_global_id("Post", r["id"])),
            post_id=r["id"],
            at=ms_to_datetime(r.get("at")),
            platform=r.get("platform"),
            content_type=r.get("content_type"),
            text=r.get("text"),
            tags=[Tag.from_record(t) for t in r.get("tags") or []],
            author_brand=Brand.from_record(r["author_brand"]) if r.get("author_brand") else None,
            author_account=(
                SocialAccount.from_record(r["author_account"]) if r.get("author_account") else None
            ),
        )


@strawberry.type(description="One interaction of an account with a post: who, when, what.")
class Interaction:
    kind: str | None = strawberry.field(description="like, comment, share, view...")
    at: datetime | None = strawberry.field(description="When it happened.")
    text: str | None = strawberry.field(
        description="The comment text, for comments.", extensions=[Personal()]
    )
    account: SocialAccount = strawberry.field(description="The account that interacted.")
    post: Post = strawberry.field(description="The post interacted with (without its tags).")

    @classmethod
    def from_record(cls, r: Record) -> "Interaction":
        return cls(
            kind=r.get("kind"),
            at=ms_to_datetime(r.get("at")),
            text=r.get("text"),
            account=SocialAccount.from_record(r["account"]),
            post=Post.from_record(r["post"]),
        )
