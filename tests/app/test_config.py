"""The server config: every problem reported at once, with its field path; secrets stay secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).parents[2]

VALID = """
[server]
api_token = "${API_TOKEN}"

[forges.github]
token = "${GITHUB_TOKEN:-}"
webhook_secret = "${GITHUB_WEBHOOK_SECRET:-}"

[[repositories]]
forge = "github"
name = "acme/shop"
migrations = "db/migrations"

  [[repositories.environments]]
  name = "staging"
  url = "${STAGING_DATABASE_URL}"
  lock_timeout = "5s"
  statement_timeout = "15min"

  [[repositories.environments]]
  name = "production"
  url = "${PRODUCTION_DATABASE_URL}"
  approval = true
"""

ENV = {
    "API_TOKEN": "tok-123",
    "STAGING_DATABASE_URL": "postgresql://migrator:s3cret@db/staging",
    "PRODUCTION_DATABASE_URL": "postgresql://migrator:s3cret@db/prod",
}


def problems(text: str, env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        parse_config(text, env=env)
    return raised.value.problems


def test_the_example_config_loads_with_no_environment_variable() -> None:
    config = load_config(ROOT / "schemabot.example.toml", env={})
    assert config.server.redis_url == ""
    assert config.server.state_url.startswith("sqlite:///")
    assert not config.forges.github.enabled
    assert not config.forges.gitlab.enabled
    assert [e.name for e in config.repositories[0].environments] == ["staging", "production"]


def test_references_are_resolved_and_durations_parsed() -> None:
    config = parse_config(VALID, env=ENV)
    staging, production = config.repositories[0].environments
    assert staging.url.get_secret_value() == "postgresql://migrator:s3cret@db/staging"
    assert staging.lock_timeout.total_seconds() == 5
    assert staging.statement_timeout is not None
    assert staging.statement_timeout.total_seconds() == 15 * 60
    assert production.approval is True
    assert config.server.api_token is not None
    assert config.server.api_token.get_secret_value() == "tok-123"


def test_an_unset_variable_is_named_with_its_field_path() -> None:
    env = {k: v for k, v in ENV.items() if k != "PRODUCTION_DATABASE_URL"}
    assert problems(VALID, env) == [
        "repositories[0].environments[1].url: environment variable PRODUCTION_DATABASE_URL"
        " is not set"
    ]


def test_defaults_and_escaped_dollars() -> None:
    text = VALID.replace("${STAGING_DATABASE_URL}", "${NOPE:-sqlite:///staging.db}").replace(
        "${PRODUCTION_DATABASE_URL}", "sqlite:///pr$${NOT_A_REFERENCE}.db"
    )
    config = parse_config(text, env=ENV)
    staging, production = config.repositories[0].environments
    assert staging.url.get_secret_value() == "sqlite:///staging.db"
    assert production.url.get_secret_value() == "sqlite:///pr${NOT_A_REFERENCE}.db"


def test_every_problem_is_reported_at_once() -> None:
    text = VALID.replace('lock_timeout = "5s"', 'lock_timeout = "5 parsecs"').replace(
        'forge = "github"', 'forge = "bitbucket"'
    )
    text += '\n[forges.gitlab]\ntoken = "glpat"\n'
    found = problems(text, {"STAGING_DATABASE_URL": "mysql://x@y/z"})
    assert found == [
        "server.api_token: environment variable API_TOKEN is not set",
        "repositories[0].environments[1].url: environment variable PRODUCTION_DATABASE_URL"
        " is not set",
        "forges.gitlab: webhook_secret is empty: refusing to accept unsigned webhooks (set it,"
        " or remove the token to disable the forge)",
        "repositories[0].forge: Input should be 'github' or 'gitlab'",
        "repositories[0].environments[0].lock_timeout: expected a duration like 500ms, 5s,"
        " 15min or 2h, got '5 parsecs'",
    ]


def test_an_enabled_forge_without_webhook_secret_is_refused() -> None:
    env = {**ENV, "GITHUB_TOKEN": "ghp_x"}
    assert problems(VALID, env) == [
        "forges.github: webhook_secret is empty: refusing to accept unsigned webhooks (set it,"
        " or remove the credentials to disable the forge)"
    ]
    config = parse_config(VALID, env={**env, "GITHUB_WEBHOOK_SECRET": "whsec"})
    assert config.forges.github.enabled


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('name = "staging"', 'name = "Staging Env"'),
            "repositories[0].environments[0].name: String should match pattern",
        ),
        (
            ('name = "production"', 'name = "staging"'),
            "repositories[0]: environment names must be unique: staging repeated",
        ),
        (('migrations = "db/migrations"', 'migrations = "../x"'), "repositories[0].migrations:"),
        (("approval = true", "aproval = true"), "repositories[0].environments[1].aproval: Extra"),
        (("[server]", "[server]\nstate_url = 'mysql://x'"), "server.state_url: expected sqlite"),
        (("[forges.github]", "[forges.github]\napp_id = 5"), "forges.github: app_id and"),
        (
            ("[server]", "[server]\nreplicas = 2"),
            "server: replicas = 2 needs a PostgreSQL state_url",
        ),
        (
            ("[server]", "[server]\nreplicas = 3\nstate_url = 'postgresql://db/s'"),
            "server: replicas = 3 needs redis_url",
        ),
    ],
)
def test_field_problems_name_their_path(change: tuple[str, str], expected: str) -> None:
    found = problems(VALID.replace(*change), ENV)
    assert len(found) == 1
    assert found[0].startswith(expected), found


def test_environment_urls_must_be_databases() -> None:
    found = problems(VALID, {**ENV, "STAGING_DATABASE_URL": "http://user:pw@host/x"})
    assert found == [
        "repositories[0].environments[0].url: expected a postgresql://, mysql://, mariadb:// or"
        " sqlite:/// URL, got 'http://user:***@host/x'"
    ]


def test_invalid_toml_names_the_line() -> None:
    found = problems("[server\n", {})
    assert len(found) == 1
    assert found[0].startswith("not valid TOML:") and "line 1" in found[0]


def test_secrets_never_print() -> None:
    config = parse_config(VALID, env=ENV)
    dumped = repr(config) + str(config) + config.model_dump_json()
    assert "s3cret" not in dumped
    assert "tok-123" not in dumped
    assert config.repositories[0].environments[0].display_url == (
        "postgresql://migrator:***@db/staging"
    )


def test_an_unreadable_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "missing.toml")
    assert raised.value.path.endswith("missing.toml")
    assert raised.value.problems == ["cannot read the config file: No such file or directory"]


def test_a_shadow_url_equal_to_an_environment_is_refused() -> None:
    text = VALID.replace(
        'migrations = "db/migrations"',
        'migrations = "db/migrations"\nshadow_url = "postgresql://other:pw@DB:5432/staging?x=1"',
    )
    found = problems(text, ENV)
    assert found == [
        "repositories[0]: shadow_url is the database of environment 'staging': the shadow server"
        " gets databases created and dropped, it must never be an environment"
    ]
    ok = VALID.replace(
        'migrations = "db/migrations"',
        'migrations = "db/migrations"\nshadow_url = "postgresql://scratch@shadow-db/postgres"',
    )
    config = parse_config(ok, env=ENV)
    assert config.repositories[0].shadow_url is not None
