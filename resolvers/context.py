"""The per-request context every resolver receives (built fresh by hub/ per request)."""

from dataclasses import dataclass, field

from graph.store import GraphStore
from resolvers.loaders import Loaders
from resolvers.metrics import MetricsConfig


@dataclass
class Context:
    store: GraphStore
    max_page_size: int = 100
    default_page_size: int = 20
    metrics_config: MetricsConfig = field(default_factory=MetricsConfig)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.store)
