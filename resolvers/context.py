"""The per-request context every resolver receives (built fresh by hub/ per request)."""

from dataclasses import dataclass, field

from graph.store import GraphStore
from resolvers.audit import AuditTrail
from resolvers.loaders import Loaders
from resolvers.metrics import MetricsConfig
from resolvers.principal import Principal
from resolvers.privacy import PrivacyConfig


@dataclass
class Context:
    store: GraphStore
    principal: Principal
    max_page_size: int = 100
    default_page_size: int = 20
    metrics_config: MetricsConfig = field(default_factory=MetricsConfig)
    privacy: PrivacyConfig = field(default_factory=PrivacyConfig)
    loaders: Loaders = field(init=False)
    audit: AuditTrail = field(default_factory=AuditTrail)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.store)
