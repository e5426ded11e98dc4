"""Tag, untag, record a contact, a purchase or an interaction (apps and admins).

Input is validated by the loaders' own models (loaders/kinds.py), so a value an export
file may not hold is refused here too, with the same reason. Each write is one statement
(graph/customer_writes.py) run by resolvers/mutations.py; the result holds what was
written, so a replay returns the same.
"""

from collections.abc import Mapping
from typing import Any, TypeVar

from graphql import OperationDefinitionNode
from pydantic import BaseModel, ValidationError

from graph import customer_writes as q
from graph.traits import customers_touched, refresh_traits
from loaders import kinds
from resolvers.consent import key_of
from resolvers.context import Context
from resolvers.errors import ApiError, ErrorCode, bad_input, not_found
from resolvers.mutations import Outcome, Refusals, Write, new_id, run_write

M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: Mapping[str, Any], fields: Mapping[str, str]) -> M:
    """``data`` as ``model`` validates it. Raises BAD_USER_INPUT naming the input field
    (``fields`` maps model fields to GraphQL argument paths) and the loaders' reason."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        reason = kinds.reasons_of(e)[0].split(": ", 1)[-1]
        raise bad_input(reason, fields.get(field, "input")) from None


def restricted(_: Mapping[str, Any]) -> ApiError:
    return ApiError(
        "the customer's processing is restricted; only admins may write to it",
        ErrorCode.RESTRICTED,
    )


def _missing(kind: str, key: str | None, argument: str | None = None) -> ApiError:
    error = not_found(kind, key or "")
    if argument:
        error.extensions = {**(error.extensions or {}), "argument": argument}
    return error


def customer_refusals(customer: str) -> dict[str, Any]:
    return {"missing": lambda _: _missing("customer", customer, "input.customerId"),
            "restricted": restricted}  # fmt: skip


def _customer(value: str) -> str:
    return key_of("Customer", value, "input.customerId")


async def tag_customer(
    ctx: Context, operation: OperationDefinitionNode, customer_id: str, tag_id: str,
    weight: float | None, source: str | None, key: str | None,
) -> Outcome:  # fmt: skip
    """Tag the customer (again: the weight and source are replaced). Raises ApiError."""
    customer = _customer(customer_id)
    tag = key_of("Tag", tag_id, "input.tagId")
    row = validated(
        kinds.CustomerTag,
        {"customer_id": customer, "tag_id": tag, "weight": weight, "source": source},
        {"weight": "input.weight", "source": "input.source"},
    )
    done = {"customer_id": customer, "tag_id": tag, "weight": row.weight, "source": row.source}
    write = Write("tagCustomer", "customer.tagged", done, done, done, (customer,),
                  ("customer", customer))  # fmt: skip
    return await run_write(
        ctx, operation, q.TAG_CUSTOMER,
        {"customer": customer, "tag": {"id": tag, "weight": row.weight, "source": row.source}},
        write, key, customer_refusals(customer),
    )  # fmt: skip


async def untag_customer(
    ctx: Context, operation: OperationDefinitionNode, customer_id: str, tag_id: str, key: str | None
) -> Outcome:
    """Remove a tag from the customer; ``result["removed"]`` says whether it had it."""
    customer = _customer(customer_id)
    tag = key_of("Tag", tag_id, "input.tagId")
    asked = {"customer_id": customer, "tag_id": tag}
    write = Write("untagCustomer", "customer.untagged", asked, asked, asked, (customer,),
                  ("customer", customer))  # fmt: skip
    done = await run_write(
        ctx, operation, q.UNTAG_CUSTOMER, {"customer": customer, "tag": tag}, write, key,
        customer_refusals(customer),
    )  # fmt: skip
    if not done.replayed:
        done.result["removed"] = bool(done.facts["tagged"])
    return done


async def record_contact(
    ctx: Context, operation: OperationDefinitionNode, fields: Mapping[str, Any], key: str | None
) -> Outcome:
    """Record a contact with the customer; ``result`` is the contact as stored."""
    customer = _customer(fields["customer_id"])
    row = validated(
        kinds.Contact,
        {**fields, "customer_id": customer, "id": new_id("ct")},
        {name: "input." + camel(name) for name in kinds.Contact.model_fields},
    )
    props = {k: v for k, v in row.props().items() if v is not None}
    contact = {"contact_id": row.id, "customer_id": customer, **row.props()}
    about = {"brand": row.brand_id, "product": row.product_id, "purchase": row.purchase_id}
    # The request hash must not depend on the id made for it: a retry makes another.
    asked = {k: v for k, v in contact.items() if k != "contact_id"}
    event = {k: v for k, v in contact.items() if k != "summary"}  # free text stays here
    write = Write("recordContact", "contact.recorded", asked, contact, event, (customer,),
                  ("customer", customer))  # fmt: skip
    refusals: Refusals = {
        **customer_refusals(customer),
        "brand_missing": lambda _: _missing("brand", row.brand_id, "input.brandId"),
        "product_missing": lambda _: _missing("product", row.product_id, "input.productId"),
        "purchase_missing": lambda _: _missing(
            "purchase of this customer", row.purchase_id, "input.purchaseId"
        ),
    }
    outcome = await run_write(
        ctx, operation, q.RECORD_CONTACT,
        {"customer": customer, "about": about, "contact": {"id": row.id, "props": props}},
        write, key, refusals,
    )  # fmt: skip
    await _refresh_traits(ctx, "contacts", [{"customer_id": customer}])
    return outcome


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


async def record_purchase(
    ctx: Context, operation: OperationDefinitionNode, fields: Mapping[str, Any], key: str | None
) -> Outcome:
    """Record a purchase with its items, as a commerce export row would hold it."""
    customer = _customer(fields["customer_id"])
    row = validated(
        kinds.Purchase,
        {**fields, "customer_id": customer},
        {name: "input." + camel(name) for name in kinds.Purchase.model_fields},
    )
    prepared = row.row()
    items = prepared["items"]
    products = sorted({i["id"] for i in items})
    # The fingerprints stay out of the audit entry and the event: they stand for a card,
    # a device and an address, and only the fraud patterns need them.
    shown = {k: v for k, v in prepared["props"].items() if k not in kinds.PURCHASE_FINGERPRINTS}
    done = {"purchase_id": row.id, "customer_id": customer, "brand_id": row.brand_id,
            **shown, "items": items}  # fmt: skip
    write = Write("recordPurchase", "purchase.recorded", done, done, done, (customer,),
                  ("customer", customer))  # fmt: skip
    refusals: Refusals = {
        **customer_refusals(customer),
        "brand_missing": lambda _: _missing("brand", row.brand_id, "input.brandId"),
        "product_missing": lambda _: ApiError(
            "an item names a product the hub does not know", ErrorCode.NOT_FOUND,
            argument="input.items",
        ),
        "purchase_exists": lambda _: ApiError(
            f"purchase {row.id!r} is already recorded", ErrorCode.CONFLICT, argument="input.id"
        ),
    }  # fmt: skip
    purchase = {
        "id": row.id, "brand_id": row.brand_id, "product_ids": products, "items": items,
        "props": {k: v for k, v in prepared["props"].items() if v is not None},
    }  # fmt: skip
    outcome = await run_write(
        ctx, operation, q.RECORD_PURCHASE, {"customer": customer, "purchase": purchase}, write, key,
        refusals,
    )  # fmt: skip
    await _refresh_traits(ctx, "purchases", [{"customer_id": customer}])
    return outcome


async def record_interaction(
    ctx: Context, operation: OperationDefinitionNode, fields: Mapping[str, Any], key: str | None
) -> Outcome:
    """Record a social account's interaction with a post (again: the text is replaced)."""
    account = key_of("SocialAccount", fields["account_id"], "input.accountId")
    post = key_of("Post", fields["post_id"], "input.postId")
    row = validated(
        kinds.Interaction,
        {**fields, "account_id": account, "post_id": post},
        {name: "input." + camel(name) for name in kinds.Interaction.model_fields},
    )
    done = {"account_id": account, "post_id": post, "kind": row.kind, "at": row.at,
            "text": row.text}  # fmt: skip
    write = Write("recordInteraction", "interaction.recorded", done, done, done, (),
                  ("account", account))  # fmt: skip
    refusals: Refusals = {
        "account_missing": lambda _: _missing("social account", account, "input.accountId"),
        "post_missing": lambda _: _missing("post", post, "input.postId"),
        "restricted": restricted,
    }
    outcome = await run_write(
        ctx, operation, q.RECORD_INTERACTION, {"interaction": done}, write, key, refusals
    )
    await _refresh_traits(ctx, "interactions", [{"account_id": account}])
    return outcome


async def _refresh_traits(ctx: Context, kind: str, rows: list[dict[str, Any]]) -> None:
    """Recompute the computed traits of the customers a write touched (graph/traits.py),
    after it is committed: a failure here leaves the next refresh to catch up."""
    customers = await customers_touched(ctx.store, kind, rows)
    await refresh_traits(ctx.store, ctx.clock(), customers)
