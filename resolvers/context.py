"""The per-request context every resolver receives (built fresh by hub/ per request)."""

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

# Record: the row type schema/ builds its objects from (schema/ does not import graph/).
from graph.store import GraphStore
from graph.store import Record as Record
from resolvers.audit import AuditBatcher, AuditTrail
from resolvers.clock import Clock, now_ms
from resolvers.compute import Compute
from resolvers.loaders import Loaders
from resolvers.metrics import MetricsConfig
from resolvers.outbox import Broker
from resolvers.partner_policy import PartnerPolicy
from resolvers.principal import Principal
from resolvers.privacy import PrivacyConfig
from resolvers.quotas import PartnerQuotas

T = TypeVar("T")


@dataclass
class Context:
    store: GraphStore
    principal: Principal
    max_page_size: int = 100
    default_page_size: int = 20
    metrics_config: MetricsConfig = field(default_factory=MetricsConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    partner_quotas: PartnerQuotas = field(default_factory=PartnerQuotas)
    # What the calling partner was onboarded with: read by the request guard with its
    # quota (schema/guard.py); None before that, or for callers that are not partners.
    partner_policy: PartnerPolicy | None = None
    # How long a partner's key still works after `rotateMyKey` replaced it.
    key_rotation_grace_s: int = 300
    # The app's worker processes; a context built alone (tests, CLI) gets its own, which
    # keeps no worker after a computation.
    compute: Compute = field(default_factory=lambda: Compute(keep_workers=False))
    loaders: Loaders = field(init=False)
    audit: AuditTrail = field(default_factory=AuditTrail)
    # Commits this request's audit entry together with concurrent ones (resolvers/audit.py);
    # None: written alone (the CLI, tests).
    audit_batcher: AuditBatcher | None = None
    # What "now" is for writes and SLA flags (a fixed clock in tests).
    clock: Clock = now_ms
    # The app's outbox broker, which subscriptions listen on (None outside a server).
    broker: Broker | None = None
    # Hashes of the operations app keys may run (schema/guard.py document_hash), when the
    # hub is set to an allow-list for apps; None: apps may run any operation.
    app_operations: frozenset[str] | None = None
    # Webhook URLs may resolve to internal addresses (HUB_WEBHOOK_ALLOW_INTERNAL).
    webhook_allow_internal: bool = False
    # Where communities and account PageRank run (HUB_NETWORK_ALGORITHMS,
    # resolvers/network_algorithms.py): the engine's procedures where it has them, or
    # always the hub.
    network_algorithms: Literal["auto", "hub"] = "auto"
    _once: dict[Hashable, "asyncio.Future[Any]"] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.store)

    async def once(self, key: Hashable, work: Callable[[], Awaitable[T]]) -> T:
        """``work()``'s result, computed once per request for ``key``: fields asking the
        same thing (aliases) share it. A field cancelled meanwhile leaves it running for
        the others."""
        if key not in self._once:
            self._once[key] = asyncio.ensure_future(work())
        result: T = await asyncio.shield(self._once[key])
        return result
