"""Brands and their products."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from resolvers.context import Context, Record
from resolvers.entities import part_page
from resolvers.ids import to_global_id
from resolvers.plan import EntityPlan
from resolvers.selection import Page
from schema.base import After, Connection, First, Node, keyset_connection, ms_to_datetime

if TYPE_CHECKING:
    from schema.social import Post


@strawberry.type(description="A product sold under a brand.")
class Product(Node):
    product_id: str = strawberry.field(description="The product's key in the hub.")
    name: str | None = strawberry.field(description="Product name.")
    category: str | None = strawberry.field(description="Product category.")
    price: float | None = strawberry.field(description="List price in the brand's currency.")
    created_at: datetime | None = strawberry.field(description="When the hub first saw it.")
    _brand: strawberry.Private[Record | None]

    @strawberry.field(description="The brand the product belongs to.")
    def brand(self) -> "Brand | None":
        return Brand.from_record(self._brand) if self._brand else None

    @classmethod
    def from_record(cls, r: Record) -> "Product":
        return cls(
            id=strawberry.ID(to_global_id("Product", r["id"])),
            product_id=r["id"],
            name=r.get("name"),
            category=r.get("category"),
            price=r.get("price"),
            created_at=ms_to_datetime(r.get("created_at")),
            _brand=r.get("brand"),
        )


@strawberry.type(description="A brand: a company or label whose customers the hub links.")
class Brand(Node):
    brand_id: str = strawberry.field(description="The brand's key in the hub.")
    name: str | None = strawberry.field(description="Brand name.")
    category: str | None = strawberry.field(description="Market category (fashion, beauty...).")
    country: str | None = strawberry.field(description="Home country, ISO 3166-1 alpha-2.")
    created_at: datetime | None = strawberry.field(description="When the brand was created.")
    _record: strawberry.Private[Record]
    # How `_record` was fetched; None for a brand met inside another read.
    _plan: strawberry.Private[EntityPlan | None]

    @classmethod
    def from_record(cls, r: Record, plan: EntityPlan | None = None) -> "Brand":
        """From a brand's record; ``plan``: the plan its statement was made from."""
        return cls(
            id=strawberry.ID(to_global_id("Brand", r["id"])),
            brand_id=r["id"],
            name=r.get("name"),
            category=r.get("category"),
            country=r.get("country"),
            created_at=ms_to_datetime(r.get("created_at")),
            _record=r,
            _plan=plan,
        )

    async def _count(self, info: Info[Context, None], name: str) -> int:
        if name not in self._record:  # a reference from another entity: fetch the brand
            full = await info.context.loaders.brands.load((self._record["id"], ()))
            self._record = {**self._record, **(full or {})}
        return int(self._record.get(name) or 0)

    @strawberry.field(description="Social accounts following the brand.")
    async def follower_count(self, info: Info[Context, None]) -> int:
        return await self._count(info, "follower_count")

    @strawberry.field(description="Products listed under the brand.")
    async def product_count(self, info: Info[Context, None]) -> int:
        return await self._count(info, "product_count")

    @strawberry.field(description="Posts published by the brand.")
    async def post_count(self, info: Info[Context, None]) -> int:
        return await self._count(info, "post_count")

    @strawberry.field(description="Purchases made at the brand.")
    async def purchase_count(self, info: Info[Context, None]) -> int:
        return await self._count(info, "purchase_count")

    async def _page(self, info: Info[Context, None]) -> tuple[list[Any], Page, int]:
        # The arguments were parsed once, into the plan: the page is the one fetched.
        return await part_page(info, "brand", self._record, self._plan)

    @strawberry.field(description="The brand's products, by name.")
    async def products(
        self, info: Info[Context, None], first: First = 20, after: After = None
    ) -> Connection[Product]:
        items, page, total = await self._page(info)
        return keyset_connection(items, page, total, "products", Product.from_record)

    @strawberry.field(description="The brand's posts, newest first.")
    async def posts(
        self, info: Info[Context, None], first: First = 20, after: After = None
    ) -> Connection[Annotated["Post", strawberry.lazy("schema.social")]]:
        from schema.social import Post

        items, page, total = await self._page(info)
        return keyset_connection(items, page, total, "posts", Post.from_record)
