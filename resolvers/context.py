"""The per-request context every resolver receives (built fresh by hub/ per request)."""

from dataclasses import dataclass, field

from graph.store import GraphStore
from resolvers.loaders import Loaders


@dataclass
class Context:
    store: GraphStore
    max_page_size: int = 100
    default_page_size: int = 20
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.store)
