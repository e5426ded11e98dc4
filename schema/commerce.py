"""Purchases and their line items."""

from datetime import datetime

import strawberry

from resolvers.context import Record
from resolvers.ids import to_global_id
from schema.base import Node, ms_to_datetime
from schema.brand import Brand, Product


@strawberry.type(description="One product line of a purchase.")
class LineItem:
    product: Product = strawberry.field(description="The product bought.")
    quantity: int | None = strawberry.field(description="Units bought.")
    unit_price: float | None = strawberry.field(description="Price paid per unit.")


@strawberry.type(description="An order a customer placed at a brand.")
class Purchase(Node):
    purchase_id: str = strawberry.field(description="The order's key in the hub.")
    at: datetime | None = strawberry.field(description="When the order was placed.")
    channel: str | None = strawberry.field(description="Where: online, store, mini program...")
    currency: str | None = strawberry.field(description="ISO 4217 currency of the amounts.")
    total: float | None = strawberry.field(description="Order total.")
    brand: Brand | None = strawberry.field(description="The brand the order was placed at.")
    items: list[LineItem] = strawberry.field(description="The order's line items.")

    @classmethod
    def from_record(cls, r: Record) -> "Purchase":
        return cls(
            id=strawberry.ID(to_global_id("Purchase", r["id"])),
            purchase_id=r["id"],
            at=ms_to_datetime(r.get("at")),
            channel=r.get("channel"),
            currency=r.get("currency"),
            total=r.get("total"),
            brand=Brand.from_record(r["brand"]) if r.get("brand") else None,
            items=[
                LineItem(
                    product=Product.from_record(i["product"]),
                    quantity=i.get("quantity"),
                    unit_price=i.get("unit_price"),
                )
                for i in r.get("items") or []
            ],
        )
