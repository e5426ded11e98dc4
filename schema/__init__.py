"""The public GraphQL contract, composed from one module per domain."""

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, cast

import strawberry
from graphql import GraphQLError, GraphQLObjectType
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import MaskErrors, ParserCache, SchemaExtension
from strawberry.types import ExecutionContext

from resolvers.errors import (
    GRAPH_UNAVAILABLE_MESSAGE,
    INTERNAL_MESSAGE,
    ApiError,
    ErrorCode,
    graph_unavailable,
    query_timed_out,
)
from resolvers.plan import check_catalog
from schema.admin import AdminMutations, AdminQueries
from schema.audiences import AudienceMutations, AudienceQueries
from schema.campaigns import CampaignMutations, CampaignQueries
from schema.compiled import CompiledExecutor
from schema.complaints import ComplaintMutations, ComplaintQueries
from schema.consent import ConsentMutations, ConsentQueries
from schema.customer_profile import ProfileMutations
from schema.customers import CustomerQueries
from schema.duplicates import DuplicateMutations, DuplicateQueries
from schema.federation import PrintedFederationSchema, build_federated
from schema.guard import RequestGuard, SchemaHolder
from schema.identity import IdentityMutations, IdentityQueries
from schema.loyalty import LoyaltyMutations, LoyaltyQueries
from schema.network import NetworkQueries
from schema.nodes import NodeQueries
from schema.partner_lists import PartnerServiceQueries
from schema.partner_onboarding import PartnerOnboardingMutations
from schema.partner_usage import PartnerUsageQueries
from schema.predictions import PredictionQueries
from schema.subject import SubjectMutations
from schema.subscriptions import Subscription
from schema.traits import TraitMutations, TraitQueries
from schema.validation_cache import TextValidationCache, results
from schema.webhooks import WebhookMutations, WebhookQueries
from schema.writes import WriteMutations

logger = logging.getLogger("hub.graphql")
DOCUMENT_CACHE_SIZE = 256  # documents whose parse, and whose validation, are kept


@strawberry.type(description="Read the customer-360 graph.")
class Query(
    CustomerQueries,
    NodeQueries,
    NetworkQueries,
    PartnerServiceQueries,
    PartnerUsageQueries,
    AdminQueries,
    ConsentQueries,
    DuplicateQueries,
    IdentityQueries,
    ComplaintQueries,
    TraitQueries,
    AudienceQueries,
    CampaignQueries,
    LoyaltyQueries,
    PredictionQueries,
    WebhookQueries,
):
    pass


@strawberry.type(
    description="Change the graph: what apps record (apps, admins); keys, partners, "
    "consents, data-subject rights, identity decisions, merges (admins); a partner's own "
    "key (partners)."
)
class Mutation(
    AdminMutations,
    PartnerOnboardingMutations,
    ConsentMutations,
    SubjectMutations,
    WriteMutations,
    ProfileMutations,
    ComplaintMutations,
    IdentityMutations,
    DuplicateMutations,
    TraitMutations,
    AudienceMutations,
    CampaignMutations,
    LoyaltyMutations,
    WebhookMutations,
):
    pass


def _is_client_error(error: GraphQLError) -> bool:
    """Errors the client may see as they are: ours, GraphQL's own parse and validation
    errors, and variables or inputs that do not coerce to their types."""
    original = error.original_error
    return original is None or isinstance(
        original, ApiError | GraphQLError | StrawberryInputCoercionError
    )


class HubParserCache(ParserCache):
    """ParserCache, except that a document that does not parse is left to Strawberry's own
    parse, which turns the error into a normal pre-execution result (so it gets a code)."""

    def on_parse(self) -> Iterator[None]:
        try:
            yield from super().on_parse()
        except GraphQLError:
            self.execution_context.graphql_document = None
            yield


class QuietErrors:
    """Errors logged without their text (a mixin for the schema classes)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # The default logs exception text and tracebacks, which may hold input values
        # (personal data): log only the kind of error and where it happened.
        for error in errors:
            if _is_client_error(error):
                continue
            original = error.original_error
            logger.error(
                "resolver failed: %s at %s",
                type(original).__name__,
                ".".join(str(p) for p in error.path or []),
            )


class HubSchema(QuietErrors, strawberry.Schema):
    pass


class HubFederatedSchema(QuietErrors, PrintedFederationSchema):
    pass


class HubMaskErrors(MaskErrors):
    """Mask unexpected errors for clients, keeping a code they can branch on."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        timed_out = query_timed_out(error.original_error)
        if timed_out is not None:
            return GraphQLError(
                timed_out.message, nodes=error.nodes, path=error.path,
                extensions=timed_out.extensions,
            )  # fmt: skip
        if graph_unavailable(error.original_error):
            message, code = GRAPH_UNAVAILABLE_MESSAGE, ErrorCode.GRAPH_UNAVAILABLE
        else:
            message, code = self.error_message, ErrorCode.INTERNAL
        return GraphQLError(
            message, nodes=error.nodes, path=error.path, extensions={"code": code.value}
        )


def build_schema(
    observers: Sequence[Callable[[], SchemaExtension]] = (),
    *,
    federation: bool = False,
    compiled_execution: bool = True,
) -> strawberry.Schema:
    """The schema; with ``federation``, as an Apollo Federation v2 subgraph
    (schema/federation.py); with ``compiled_execution``, running the queries it can
    compiled (schema/compiled.py). ``observers`` (extension factories: hub/observe.py's)
    come first, so they see every step and the errors as the others leave them."""
    holder = SchemaHolder()
    extensions: list[Callable[[], SchemaExtension]] = [
        *observers,
        # Who may ask what, and how much, before anything runs; the audit entry after.
        functools.partial(RequestGuard, holder),
        # Parsing and validating a customer-360 query costs more than running it; a
        # document's result depends on its text alone, so both are cached by text.
        # (Factories: the caches live at module level, shared by every request.)
        functools.partial(HubParserCache, maxsize=DOCUMENT_CACHE_SIZE),
        functools.partial(TextValidationCache, maxsize=DOCUMENT_CACHE_SIZE),
        functools.partial(
            HubMaskErrors,
            should_mask_error=lambda e: not _is_client_error(e),
            error_message=INTERNAL_MESSAGE,
        ),
    ]
    if federation:
        schema: strawberry.Schema = build_federated(
            Query, Mutation, Subscription, extensions, HubFederatedSchema
        )
    else:
        schema = HubSchema(
            query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions
        )
    holder.schema = schema._schema
    if compiled_execution:
        # Read by every execute (Strawberry passes it to graphql-core as executor_class).
        schema.execution_context_class = CompiledExecutor
    # A plan catalog entry naming a field the schema lacks would read nothing: fail here.
    check_catalog({name: t.fields for name, t in schema._schema.type_map.items()
                   if isinstance(t, GraphQLObjectType)})  # fmt: skip
    return schema


class _Cached(Protocol):
    def cache_info(self) -> "functools._CacheInfo": ...


def document_cache_stats() -> dict[str, tuple[int, int]]:
    """(hits, misses) of the parser and validation caches, which every schema of the
    process shares (both are kept at module level, by size)."""
    # Strawberry's parser cache is a functools.lru_cache wrapper (typed as a plain callable).
    parser = cast(_Cached, ParserCache(maxsize=DOCUMENT_CACHE_SIZE).cached_parse_document)
    parse, validate = parser.cache_info(), results(DOCUMENT_CACHE_SIZE)
    return {"parser": (parse.hits, parse.misses), "validation": (validate.hits, validate.misses)}
