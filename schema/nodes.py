"""Root fields for brands and for any node by global id."""

from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers.context import Context
from resolvers.customers import customer_360
from resolvers.errors import not_found
from resolvers.ids import from_global_id, key_for
from resolvers.plan import plan_selected
from resolvers.selection import field_selections
from schema.base import Node
from schema.brand import Brand, Product
from schema.commerce import Purchase
from schema.customer import Customer, customer_plans
from schema.social import Post, SocialAccount, Tag
from schema.support import Complaint

_LEAF_TYPES = {
    "SocialAccount": SocialAccount,
    "Purchase": Purchase,
    "Post": Post,
    "Complaint": Complaint,
    "Product": Product,
    "Tag": Tag,
}


async def brand_by_key(info: Info[Context, None], key: str) -> Brand:
    """The brand ``key`` shaped for the field being resolved (its selections of Brand,
    fragments included); raises NOT_FOUND when there is none."""
    ctx = info.context
    raw = info._raw_info  # the document's nodes: Strawberry's conversion walks every level
    (plan,) = plan_selected(
        raw, "brand", [field_selections(raw)], ctx.default_page_size, ctx.max_page_size
    )
    record = await ctx.loaders.brands.load((key, plan.fetches))
    if record is None:
        raise not_found("brand", key)
    return Brand.from_record(record, plan)


@strawberry.type
class NodeQueries:
    @strawberry.field(description="One brand, by global id or brand key.")
    async def brand(
        self,
        info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="Global id or key.")],
    ) -> Brand | None:
        return await brand_by_key(info, key_for("Brand", id))

    @strawberry.field(description="Any object by its global id (Relay).")
    async def node(
        self,
        info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")],
    ) -> Node | None:
        type_name, key = from_global_id(id)
        if type_name == "Customer":
            (plan,) = customer_plans(info)
            return Customer.from_record(await customer_360(info.context, key, plan), plan)
        if type_name == "Brand":
            return await brand_by_key(info, key)
        record = await info.context.loaders.nodes.load((type_name, key))
        if record is None:
            raise not_found(type_name, key)
        node: Node = _LEAF_TYPES[type_name].from_record(record)  # type: ignore[attr-defined]
        return node
