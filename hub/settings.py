"""The one typed settings object. Only hub/ reads it; lower layers get plain values."""

from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from graphql import GraphQLError, parse
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.url import parse_graph_url
from resolvers.metrics import MetricsConfig
from resolvers.privacy import DEV_PSEUDONYM_KEY, PrivacyConfig
from resolvers.quotas import PartnerQuotas
from resolvers.retention import Retention

if TYPE_CHECKING:  # identity resolution is imported when a command needs it
    from loaders.resolution import ResolveOptions

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
    compute_workers: int = Field(default=1, ge=1, le=64)
    # The embedded engine's append-only file: fsync once a second (an OS crash or power
    # loss may lose the last second of acknowledged writes; a kill of the engine or the
    # hub loses nothing), or before every answer (slower writes, nothing lost).
    engine_fsync: Literal["everysec", "always"] = "everysec"
    host: str = "127.0.0.1"
    # `hub serve`'s worker processes on the one port (hub/serve.py); unset: one per core.
    workers: int | None = Field(default=None, ge=1, le=64)
    port: int = Field(default=8000, ge=0, le=65535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    max_page_size: int = Field(default=100, ge=1, le=1000)
    # Where a phone written without a country code is read, for a customer without a
    # `country` and an account of a platform of no one country (docs/loading.md).
    phone_region: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    graphiql: bool = True
    # Automatic persisted queries (docs/api.md): queries registered by their sha256, kept
    # per process, the most recently used this many.
    persisted_queries: bool = True
    persisted_query_cache: int = Field(default=1000, ge=1, le=1_000_000)
    # When set, app keys may run only the operations in this directory (one `.graphql`
    # file each), as partner keys run only the published ones: an allow-list for apps in
    # production (docs/security.md).
    app_operations_dir: Path | None = None
    # Serve the schema as an Apollo Federation v2 subgraph (docs/api.md, "Federation").
    federation: bool = False
    # Run queries compiled (schema/compiled.py; docs/api.md, "Compiled execution"); off:
    # every operation walks graphql-core's executor, to measure one against the other.
    compiled_execution: bool = True
    # The built browser console served at /console (hub/console.py); unset: the clone's
    # console/dist, where `make console` writes it.
    console_dir: Path | None = None
    # Operators (docs/observability.md). Prometheus: /metrics on the API's port for admin
    # keys, on a port of its own without credentials (bind it where only Prometheus
    # reaches), or off; batch commands (`hub load`) write theirs to a textfile.
    prometheus: Literal["admin", "port", "off"] = "admin"
    prometheus_port: int = Field(default=9464, ge=0, le=65535)
    prometheus_textfile_dir: Path | None = None
    # OpenTelemetry traces, exported over OTLP/HTTP to this endpoint (e.g.
    # http://collector:4318/v1/traces); no tracing at all when unset.
    otlp_endpoint: str | None = Field(default=None, pattern=r"^https?://")
    otel_service_name: str = "customer360-hub"
    # One JSON object a line (with the request id) instead of uvicorn's text lines.
    log_format: Literal["text", "json"] = "text"
    # Privacy and access (docs/security.md).
    pseudonym_key: SecretStr = SecretStr(DEV_PSEUDONYM_KEY)
    partner_min_group_size: int = Field(default=50, ge=2, le=100_000)
    # A partner's uploaded list is deleted this long after it was created (docs/partner.md).
    partner_list_ttl_s: int = Field(default=30 * 86_400, ge=60, le=366 * 86_400)
    # One list upload is read as it streams in (flat memory), up to this many bytes; a
    # 1M-entry list is about 65 MB.
    partner_list_max_bytes: int = Field(default=256 * 1_048_576, ge=1024, le=16 * 1024**3)
    # Default quotas per partner and UTC day; `hub partners quota` sets a partner's own.
    partner_requests_per_day: int = Field(default=10_000, ge=1, le=100_000_000)
    partner_matches_per_day: int = Field(default=100, ge=1, le=1_000_000)
    # A partner key replaced by `rotateMyKey` keeps working this long (0: stops at once),
    # so the partner can deploy its new key first (docs/partner.md, "Onboarding").
    partner_key_grace_s: int = Field(default=300, ge=0, le=7 * 86_400)
    jwt_hs256_secret: SecretStr | None = None
    jwt_rs256_public_key: str | None = None  # PEM text, or @path to a PEM file
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    rate_limit_per_minute: int = Field(default=600, ge=1, le=1_000_000)
    rate_limit_burst: int = Field(default=60, ge=1, le=1_000_000)
    api_key_cache_s: float = Field(default=5.0, ge=0, le=300)
    # A JWT may live at most this long: exp - iat, or exp - now when it has no iat.
    jwt_max_lifetime_s: int = Field(default=86_400, ge=60, le=366 * 86_400)
    # A larger request body is a 413, a longer query string a 414 (docs/security.md).
    max_body_bytes: int = Field(default=1_048_576, ge=1024, le=64 * 1_048_576)
    # POST /events (docs/operations.md): the most events one batch may hold.
    events_max_batch: int = Field(default=1000, ge=1, le=100_000)
    # The outbox dispatcher and webhooks (docs/operations.md): how often the outbox is
    # read when no write of this process woke the dispatcher; a webhook delivery's
    # attempts, the wait after the first failure (doubled after each), the request timeout.
    outbox_poll_s: float = Field(default=0.5, gt=0, le=60)
    # How often a process with subscribers reads the outbox for every process's events
    # (resolvers/outbox_feed.py); its own writes are read at once.
    subscription_poll_s: float = Field(default=0.25, gt=0, le=60)
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    webhook_retry_base_s: float = Field(default=5.0, gt=0, le=3600)
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=120)
    # Webhook URLs may resolve to internal addresses (loopback, private...): for a receiver
    # on the hub's own network, and tests (resolvers/webhook_urls.py).
    webhook_allow_internal: bool = False
    # Retention (resolvers/retention.py): receipts (idempotency keys and event ids) older
    # than this are pruned, and so are finished webhook deliveries and delivered outbox
    # events; the running hub prunes every `prune_every_s`, `hub prune` at once.
    receipt_retention_days: int = Field(default=30, ge=1, le=3660)
    delivery_retention_days: int = Field(default=30, ge=1, le=3660)
    prune_every_s: float = Field(default=3600.0, gt=0, le=7 * 86_400)
    # Identity resolution (docs/identity.md): the probabilities at which the model links an
    # account or queues it for review, and the model links one customer may get per
    # platform. (Phones without a country code are read in HUB_PHONE_REGION.)
    identity_auto_link: float = Field(default=0.95, gt=0, le=1)
    identity_review: float = Field(default=0.5, gt=0, le=1)
    identity_max_accounts_per_platform: int = Field(default=2, ge=1, le=100)
    # Predictions (docs/predictions.md): fit one model pair for all brands ("global") or
    # one per brand ("brand"), and the churn model's horizon in days.
    predict_scope: Literal["global", "brand"] = "global"
    # Where communities and account PageRank run (docs/network.md, "Where the algorithms
    # run"): "auto" uses the engine's own procedures where they compute on the same graph
    # (FalkorDB's algo.pageRank; Neo4j Graph Data Science when installed), "hub" always
    # computes in the hub with networkx (the reference).
    network_algorithms: Literal["auto", "hub"] = "auto"
    predict_churn_horizon_days: int = Field(default=90, ge=7, le=730)
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

    @field_validator("app_operations_dir")
    @classmethod
    def _app_operations_exist(cls, value: Path | None) -> Path | None:
        if value is not None and not any(value.glob("*.graphql")):
            raise ValueError(f"{value} is not a directory of .graphql operations")
        for path in sorted(value.glob("*.graphql")) if value is not None else ():
            try:
                parse(path.read_text())
            except (GraphQLError, OSError, UnicodeDecodeError) as e:
                reason = e.message if isinstance(e, GraphQLError) else type(e).__name__
                raise ValueError(f"{path}: the operation does not parse: {reason}") from None
        return value

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
    def _no_dev_pseudonym_key_in_production(self) -> "Settings":
        key = self.pseudonym_key.get_secret_value()
        if self.env == "production" and (key == DEV_PSEUDONYM_KEY or len(key) < 32):
            raise ValueError("HUB_PSEUDONYM_KEY must be set to a secret of 32+ characters")
        if len(key) < 16:
            raise ValueError("HUB_PSEUDONYM_KEY must be at least 16 characters")
        return self

    @model_validator(mode="after")
    def _jwt_is_complete(self) -> "Settings":
        if (self.jwt_hs256_secret or self.jwt_rs256_public_key) and not (
            self.jwt_issuer and self.jwt_audience
        ):
            raise ValueError("JWT keys need HUB_JWT_ISSUER and HUB_JWT_AUDIENCE too")
        secret = self.jwt_hs256_secret
        if secret is not None and len(secret.get_secret_value()) < 32:
            raise ValueError("HUB_JWT_HS256_SECRET must be at least 32 characters")
        return self

    def privacy_config(self) -> PrivacyConfig:
        return PrivacyConfig(
            min_group_size=self.partner_min_group_size,
            pseudonym_key=self.pseudonym_key.get_secret_value().encode(),
        )

    def retention(self) -> Retention:
        return Retention(self.receipt_retention_days, self.delivery_retention_days)

    def partner_quotas(self) -> PartnerQuotas:
        return PartnerQuotas(self.partner_requests_per_day, self.partner_matches_per_day)

    def jwt_public_key(self) -> str | None:
        """The RS256 verification key as PEM text (read from the file when given as @path)."""
        value = self.jwt_rs256_public_key
        if value and value.startswith("@"):
            return Path(value[1:]).read_text()
        return value

    @model_validator(mode="after")
    def _identity_thresholds_in_order(self) -> "Settings":
        if self.identity_review > self.identity_auto_link:
            raise ValueError("HUB_IDENTITY_REVIEW must not be above HUB_IDENTITY_AUTO_LINK")
        return self

    def resolve_options(self, **overrides: Any) -> "ResolveOptions":
        """Identity resolution's options from the settings, with ``overrides`` (the CLI's)."""
        from identity.decisions import Thresholds
        from loaders.resolution import ResolveOptions

        values: dict[str, Any] = {
            "thresholds": Thresholds(self.identity_auto_link, self.identity_review),
            "max_per_platform": self.identity_max_accounts_per_platform,
            "default_region": self.phone_region,
            "name_key": self.privacy_config().derived_key("identity-names"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return ResolveOptions(**values)

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
