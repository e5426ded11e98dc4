import pytest

from hub.settings import Settings, SettingsError, load_settings


def test_defaults_are_the_embedded_engine(monkeypatch):
    monkeypatch.delenv("HUB_GRAPH_URL", raising=False)
    s = Settings(_env_file=None)
    assert s.graph_url == "embedded://./.hub/graph"
    assert s.neo4j_auth is None


def test_bad_values_name_the_variable_on_one_line(monkeypatch):
    monkeypatch.setenv("HUB_GRAPH_URL", "mysql://db")
    monkeypatch.setenv("HUB_PORT", "eighty")
    with pytest.raises(SettingsError) as e:
        load_settings(_env_file=None)
    message = str(e.value)
    assert "\n" not in message
    assert "HUB_GRAPH_URL: 'mysql://db': unknown scheme 'mysql'" in message
    assert "HUB_PORT:" in message


def test_production_refuses_default_secrets():
    with pytest.raises(SettingsError, match="HUB_NEO4J_PASSWORD must be set"):
        load_settings(_env_file=None, env="production", graph_url="bolt://db:7687")
    with pytest.raises(SettingsError, match="HUB_PSEUDONYM_KEY must be set to a secret"):
        load_settings(
            _env_file=None, env="production", graph_url="bolt://db:7687", neo4j_password="s3cr3t-x"
        )
    ok = load_settings(
        _env_file=None,
        env="production",
        graph_url="bolt://db:7687",
        neo4j_password="s3cr3t-x",
        pseudonym_key="k" * 40,
    )
    assert ok.neo4j_auth == ("neo4j", "s3cr3t-x")
    assert ok.privacy_config().pseudonym_key == b"k" * 40
    assert "s3cr3t" not in repr(ok) and "k" * 40 not in repr(ok)


def test_jwt_keys_need_issuer_audience_and_a_long_secret():
    with pytest.raises(SettingsError, match="HUB_JWT_ISSUER and HUB_JWT_AUDIENCE"):
        load_settings(_env_file=None, jwt_hs256_secret="x" * 40)
    with pytest.raises(SettingsError, match="at least 32 characters"):
        load_settings(_env_file=None, jwt_hs256_secret="short", jwt_issuer="i", jwt_audience="a")
    s = load_settings(_env_file=None, jwt_hs256_secret="x" * 40, jwt_issuer="i", jwt_audience="a")
    assert s.jwt_public_key() is None
    assert "x" * 40 not in repr(s)


def test_metrics_knobs_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HUB_METRICS_GROSS_MARGIN", "0.25")
    monkeypatch.setenv("HUB_METRICS_RECENCY_BREAKPOINTS_DAYS", "[7, 30, 60, 90]")
    config = load_settings(_env_file=None).metrics_config()
    assert config.gross_margin == 0.25
    assert config.recency_breakpoints_days == (7, 30, 60, 90)


def test_inconsistent_metrics_knobs_are_one_line_naming_the_problem(monkeypatch):
    monkeypatch.setenv("HUB_METRICS_FREQUENCY_BREAKPOINTS", "[5, 3, 2, 1]")
    with pytest.raises(SettingsError, match="frequency_breakpoints must be 4 strictly ascending"):
        load_settings(_env_file=None)


def test_request_limits_come_from_the_environment_with_sensible_defaults(monkeypatch):
    defaults = load_settings(_env_file=None)
    assert (defaults.max_body_bytes, defaults.jwt_max_lifetime_s) == (1024 * 1024, 24 * 3600)
    monkeypatch.setenv("HUB_MAX_BODY_BYTES", "65536")
    monkeypatch.setenv("HUB_JWT_MAX_LIFETIME_S", "3600")
    s = load_settings(_env_file=None)
    assert (s.max_body_bytes, s.jwt_max_lifetime_s) == (65536, 3600)
    monkeypatch.setenv("HUB_MAX_BODY_BYTES", "10")  # under 1 KiB no request fits
    monkeypatch.setenv("HUB_JWT_MAX_LIFETIME_S", "1e30")
    with pytest.raises(SettingsError) as e:
        load_settings(_env_file=None)
    assert "HUB_MAX_BODY_BYTES:" in str(e.value) and "HUB_JWT_MAX_LIFETIME_S:" in str(e.value)


def test_an_app_allow_list_must_hold_operations(tmp_path):
    with pytest.raises(SettingsError, match="HUB_APP_OPERATIONS_DIR"):
        load_settings(_env_file=None, app_operations_dir=tmp_path / "missing")
    with pytest.raises(SettingsError, match=r"not a directory of \.graphql operations"):
        load_settings(_env_file=None, app_operations_dir=tmp_path)  # empty
    (tmp_path / "one.graphql").write_text("query One { apiKeys { id } }")
    assert load_settings(_env_file=None, app_operations_dir=tmp_path).app_operations_dir


def test_an_app_allow_list_file_that_does_not_parse_is_a_settings_error_naming_it(tmp_path):
    """It was a traceback at start-up: the allow-list was first parsed by create_app."""
    (tmp_path / "one.graphql").write_text("query One { apiKeys { id } }")
    (tmp_path / "two.graphql").write_text("query Two { customer(id: 1 ")
    with pytest.raises(SettingsError) as e:
        load_settings(_env_file=None, app_operations_dir=tmp_path)
    assert "HUB_APP_OPERATIONS_DIR" in str(e.value) and "two.graphql" in str(e.value)
    assert "Syntax Error" in str(e.value)
