"""The one typed settings object. Only hub/ reads it; lower layers get plain values."""

from dataclasses import fields
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.url import parse_graph_url
from resolvers.metrics import MetricsConfig

_METRICS = MetricsConfig()
DEFAULT_GRAPH_URL = "embedded://./.hub/graph"


class Settings(BaseSettings):
    """Every knob of the hub, read from HUB_* environment variables (or a .env file)."""

    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    graph_url: str = DEFAULT_GRAPH_URL
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    query_timeout_s: float = Field(default=30.0, gt=0, le=600)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    max_page_size: int = Field(default=100, ge=1, le=1000)
    graphiql: bool = True
    # Customer metrics (docs/metrics.md): HUB_METRICS_<FIELD>; breakpoints as JSON lists.
    # Defaults are MetricsConfig's own, so they are written in one place.
    metrics_recency_breakpoints_days: tuple[int, int, int, int] = _METRICS.recency_breakpoints_days
    metrics_frequency_breakpoints: tuple[int, int, int, int] = _METRICS.frequency_breakpoints
    metrics_monetary_breakpoints: tuple[float, float, float, float] = _METRICS.monetary_breakpoints
    metrics_gross_margin: float = _METRICS.gross_margin
    metrics_cost_per_complaint: float = _METRICS.cost_per_complaint
    metrics_cost_per_order: float = _METRICS.cost_per_order
    metrics_cost_per_interaction: float = _METRICS.cost_per_interaction
    metrics_default_purchase_gap_days: float = _METRICS.default_purchase_gap_days
    metrics_churn_ratio_at_half_risk: float = _METRICS.churn_ratio_at_half_risk
    metrics_churn_medium_risk: float = _METRICS.churn_medium_risk
    metrics_churn_high_risk: float = _METRICS.churn_high_risk
    metrics_high_potential_min_score: int = _METRICS.high_potential_min_score

    @field_validator("graph_url")
    @classmethod
    def _graph_url_is_usable(cls, value: str) -> str:
        parse_graph_url(value)  # raises InvalidGraphUrl (a ValueError) saying what to fix
        return value.strip()

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> "Settings":
        if (
            self.env == "production"
            and parse_graph_url(self.graph_url).engine == "neo4j"
            and self.neo4j_password.get_secret_value() in {"", "neo4j", "password"}
        ):
            raise ValueError("HUB_NEO4J_PASSWORD must be set to a real secret in production")
        return self

    @model_validator(mode="after")
    def _metrics_are_consistent(self) -> "Settings":
        self.metrics_config()  # raises ValueError naming the knob
        return self

    def metrics_config(self) -> MetricsConfig:
        """The metrics knobs as the resolvers take them."""
        return MetricsConfig(
            **{f.name: getattr(self, f"metrics_{f.name}") for f in fields(MetricsConfig)}
        )

    @property
    def neo4j_auth(self) -> tuple[str, str] | None:
        """None when no password is set (a Neo4j with auth disabled, e.g. scripts/neo4j-dev)."""
        password = self.neo4j_password.get_secret_value()
        return (self.neo4j_user, password) if password else None


class SettingsError(Exception):
    """A HUB_* value is wrong; the message is one line naming the variable."""


def load_settings(**overrides: object) -> Settings:
    """Read the environment; raise SettingsError with one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as e:
        problems = []
        for err in e.errors():
            field = str(err["loc"][0]) if err["loc"] else ""
            name = f"HUB_{field.upper()}" if field else "settings"
            message = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}: {message}")
        raise SettingsError("; ".join(problems)) from None
