"""Market basket for data teams: products bought together, and association rules.
Definitions: docs/predictions.md, "Market basket"."""

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from analytics.basket import Rule
from resolvers import basket as b
from resolvers.context import Context
from schema.base import Connection
from schema.brand import Product
from schema.network import After, DateRange, First, Period, _page, _period, _value


@strawberry.enum(description="What the items of a basket are.")
class BasketLevel(Enum):
    PRODUCT = strawberry.enum_value("product", description="Products (their keys).")
    CATEGORY = strawberry.enum_value("category", description="Product categories.")
    BRAND = strawberry.enum_value("brand", description="The products' brands (their keys).")


@strawberry.enum(description="What one basket is.")
class BasketUnit(Enum):
    ORDER = strawberry.enum_value("order", description="One order (a purchase).")
    CUSTOMER = strawberry.enum_value(
        "customer", description="Everything one customer bought in the period."
    )


@strawberry.type(description="A product bought in the same orders as another.")
class BoughtWith:
    product: Product = strawberry.field(description="The product bought with it.")
    baskets: int = strawberry.field(description="Orders holding both.")
    support: float = strawberry.field(description="Orders holding both / all orders (N).")
    confidence: float = strawberry.field(
        description="Of the orders holding the first product, the share holding this one."
    )
    lift: float = strawberry.field(
        description="confidence / this product's support; 1 = as often as chance."
    )


@strawberry.type(
    description="An association rule: baskets holding `antecedent` also hold `consequent`."
)
class AssociationRule:
    antecedent: list[str] = strawberry.field(description="Items (keys or categories), sorted.")
    consequent: list[str] = strawberry.field(description="Items (keys or categories), sorted.")
    baskets: int = strawberry.field(description="Baskets holding every item of both sides.")
    support: float = strawberry.field(description="baskets / N.")
    antecedent_support: float = strawberry.field(description="Support of the antecedent alone.")
    consequent_support: float = strawberry.field(description="Support of the consequent alone.")
    confidence: float = strawberry.field(description="support / antecedent support.")
    lift: float = strawberry.field(
        description="confidence / consequent support; 1 = together as often as chance."
    )

    @classmethod
    def of(cls, r: Rule) -> "AssociationRule":
        return cls(
            antecedent=list(r.antecedent), consequent=list(r.consequent), baskets=r.baskets,
            support=r.support, antecedent_support=r.antecedent_support,
            consequent_support=r.consequent_support, confidence=r.confidence, lift=r.lift,
        )  # fmt: skip


def _rule_key(r: AssociationRule) -> tuple[float, float, float, list[str], list[str]]:
    return (-r.lift, -r.confidence, -r.support, r.antecedent, r.consequent)


@strawberry.type
class BasketQueries:
    @strawberry.field(
        description="Products bought in the same orders as a product, most often first, "
        "with support, confidence and lift."
    )
    async def products_bought_with(
        self, info: Info[Context, None],
        product_id: Annotated[strawberry.ID, strawberry.argument(
            description="Product global id or key.")],
        period: Period = None, first: First = 10, after: After = None,
    ) -> Connection[BoughtWith]:  # fmt: skip
        _, _, _, items = await b.products_bought_with(info.context, product_id, _period(period))
        nodes = [
            BoughtWith(product=Product.from_record(i["product"]), baskets=i["baskets"],
                       support=i["support"], confidence=i["confidence"], lift=i["lift"])
            for i in items
        ]  # fmt: skip
        return _page(
            info, nodes, lambda n: (-n.baskets, -n.lift, n.product.product_id), first, after,
            "bought-with",
        )  # fmt: skip

    @strawberry.field(
        description="Association rules among the items of baskets (pairs and triples) above a "
        "minimum support and confidence, strongest lift first."
    )
    async def basket_rules(
        self, info: Info[Context, None],
        brand_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="Only orders at this brand (global id or key); null: all brands.")
        ] = None,
        level: Annotated[BasketLevel, strawberry.argument(
            description="Items are products, categories or brands.")] = BasketLevel.PRODUCT,
        basket: Annotated[BasketUnit, strawberry.argument(
            description="A basket is an order or a customer's purchases.")] = BasketUnit.ORDER,
        period: Annotated[DateRange | None, strawberry.argument(
            description="Only orders placed in this window.")] = None,
        min_support: Annotated[float, strawberry.argument(
            description="Item sets in fewer baskets than this share are left out.")] = 0.01,
        min_confidence: Annotated[float, strawberry.argument(
            description="Rules below this confidence are left out.")] = 0.1,
        max_size: Annotated[int, strawberry.argument(
            description="Largest item set, 2 or 3.")] = 3,
        first: First = 20, after: After = None,
    ) -> Connection[AssociationRule]:  # fmt: skip
        found = await b.basket_rules(
            info.context, brand_id, _value(level), _value(basket), _period(period),
            min_support, min_confidence, max_size,
        )  # fmt: skip
        nodes = [AssociationRule.of(r) for r in found.rules]
        return _page(info, nodes, _rule_key, first, after, "basket-rules")
