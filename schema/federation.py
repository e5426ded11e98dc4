"""The hub as an Apollo Federation v2 subgraph (`HUB_FEDERATION=1`, `hub schema
--federation`; docs/api.md, "Federation"): Customer and Brand are entities keyed by `id`,
with `_service { sdl }` and `_entities(representations:)` added to Query.

The normal schema stays as it is: the `@key` directives are on the two types only while the
federated schema is built and printed; its SDL is kept as printed then.
Entities resolve through the root fields' own reads (`node`'s): the access rules, the
restriction of processing and the analysts' pseudonyms apply as they do there, and the
request guard lets the same roles call `_entities` as may read customers (partners none).
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.federation import Schema as FederationSchema
from strawberry.federation.schema import FederationAny
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet
from strawberry.printer import print_schema
from strawberry.types import Info

from resolvers.context import Context
from resolvers.customers import customer_360
from resolvers.errors import ApiError, bad_input
from resolvers.ids import key_for
from schema.brand import Brand
from schema.customer import Customer, customer_plans
from schema.nodes import brand_by_key

ENTITY_TYPES: tuple[type, ...] = (Customer, Brand)
Entity = Annotated[Customer | Brand, strawberry.union("_Entity")]


@contextmanager
def keyed(types: Sequence[type]) -> Iterator[None]:
    """While inside, ``types`` carry `@key(fields: "id")`; their directives as they were
    after. (Strawberry matches objects to types by the identity of their definitions, so
    the definitions themselves are changed, not copied.)"""
    definitions = [t.__strawberry_definition__ for t in types]  # type: ignore[attr-defined]
    saved = [d.directives for d in definitions]
    try:
        for definition in definitions:
            definition.directives = [*(definition.directives or ()), Key(fields=FieldSet("id"))]
        yield
    finally:
        for definition, directives in zip(definitions, saved, strict=True):
            definition.directives = directives


@strawberry.type(name="_Service", description="The subgraph's schema, for the gateway.")
class Service:
    sdl: str = strawberry.field(description="The SDL with the federation directives.")


async def _entity(info: Info[Context, None], representation: Any) -> Customer | Brand:
    """One representation's entity; raises ApiError (NOT_FOUND as `node` does for an
    unknown or hidden customer, BAD_USER_INPUT for a representation of another type)."""
    if not isinstance(representation, dict):
        raise bad_input("a representation is an object", "representations")
    typename, given = representation.get("__typename"), representation.get("id")
    if not isinstance(given, str):
        raise bad_input("a representation carries its `id`", "representations")
    # Each type's plan is made from its `... on Customer` / `... on Brand` selections.
    if typename == "Customer":
        (plan,) = customer_plans(info)
        key = key_for("Customer", given, "representations")
        return Customer.from_record(await customer_360(info.context, key, plan), plan)
    if typename == "Brand":
        return await brand_by_key(info, key_for("Brand", given, "representations"))
    raise bad_input("only Customer and Brand are entities", "representations")


def federated_query(query: type) -> type:
    """``query`` with the `_entities` field whose resolvers are the hub's own."""

    description = query.__strawberry_definition__.description  # type: ignore[attr-defined]

    @strawberry.type(name="Query", description=description)
    class FederatedQuery(query):  # type: ignore[misc]
        @strawberry.field(name="_service", description="The subgraph's schema (federation).")
        def federation_service(self, info: Info[Context, None]) -> Service:
            return Service(sdl=info.schema.as_str())

        @strawberry.field(
            name="_entities",
            description="Customers and brands by their `id` (federation), as `node` reads "
            "them: null with an error for one the caller may not see.",
        )
        async def federation_entities(
            self, info: Info[Context, None], representations: list[FederationAny]
        ) -> list[Entity | None]:
            out: list[Any] = []
            for representation in representations:
                try:
                    out.append(await _entity(info, representation))
                except ApiError as e:
                    out.append(e)  # graphql-core reports it at `_entities.<index>`
            return out

    return FederatedQuery


class PrintedFederationSchema(FederationSchema):
    """A federation schema whose SDL is the one printed while it was built (with the keys
    that were on its entity types then)."""

    printed = ""

    def as_str(self) -> str:
        return self.printed


def build_federated(
    query: type, mutation: type, subscription: type,
    extensions: Sequence[Callable[[], SchemaExtension]],
    schema_class: type[PrintedFederationSchema],
) -> PrintedFederationSchema:  # fmt: skip
    """The federation v2 schema of the hub's root types."""
    with keyed(ENTITY_TYPES):
        schema = schema_class(
            query=federated_query(query), mutation=mutation, subscription=subscription,
            extensions=list(extensions),
        )  # fmt: skip
        schema.printed = print_schema(schema)
    return schema
