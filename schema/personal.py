"""Personal data in the schema: fields marked `Personal()` are pseudonymised for analysts.

A string becomes a keyed pseudonym (`anon_...`, stable for the same value, so analysts can
still count and join), anything else becomes null. Other roles see the value.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.types import Info

from resolvers.principal import Role
from resolvers.privacy import pseudonym


class Personal(FieldExtension):
    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        return _masked(info, next_(source, info, **kwargs))

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        return _masked(info, await next_(source, info, **kwargs))


def _masked(info: Info, value: Any) -> Any:
    context = info.context
    if value is None or context.principal.role is not Role.ANALYST:
        return value
    if isinstance(value, str):
        return pseudonym(context.privacy.derived_key("analyst"), value, prefix="anon")
    return None
