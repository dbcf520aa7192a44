"""The server config file: repositories, their environments, gates, database URLs, forges.

This file, not the repositories, decides what runs where: a pull request cannot change the rules
that judge it nor the databases it reaches. Loading reports every problem at once, each with the
field path (``repositories[0].environments[1].url: environment variable X is not set``).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from app.config_forges import Forges, GitHubForge, GitLabForge
from app.config_types import ConfigError, Duration, OptionalSecret
from app.config_types import Section as _Section
from app.dsn import masked
from app.env_references import field_path, resolve_references

__all__ = [
    "ApiToken",
    "Config",
    "ConfigError",
    "Environment",
    "GitHubForge",
    "GitLabForge",
    "Repository",
    "ServerSection",
    "load_config",
]

DATABASE_SCHEMES = ("postgresql", "postgres", "mysql", "mariadb", "sqlite")


class ApiToken(_Section):
    """A named bearer token for the API and the dashboard; ``read`` sees, ``operate`` acts."""

    #: Shown in the audit log for everything done with this token.
    name: str = Field(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")
    #: At least 16 characters; use a ``${VAR}`` reference.
    token: SecretStr
    #: ``read``: see repositories, reviews, rollouts; ``operate``: also approve, retry, cancel.
    role: Literal["read", "operate"] = "read"

    @field_validator("token")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters (generate one: openssl rand -hex 32)")
        return value


class ServerSection(_Section):
    #: The service's own state: SQLite for one machine, PostgreSQL for several replicas.
    state_url: str = "sqlite:///schemabot.db"
    #: Empty: jobs run in-process (persisted in the state store); set: arq on Redis.
    redis_url: str = ""
    #: Where people reach the service: links in comments and commit statuses point here.
    public_url: str = "http://127.0.0.1:8080"
    #: The single operate token for the API and dashboard of small setups (named ``api_token``).
    api_token: OptionalSecret = None
    #: Named tokens with a role each; approvals are audited under the token's name.
    api_tokens: tuple[ApiToken, ...] = ()
    #: Key signing dashboard session cookies; the same on every replica. Unset: derived from
    #: the configured tokens (changing a token then signs every session out).
    session_secret: OptionalSecret = None
    #: Jobs run at once by the in-process queue or by one worker.
    job_concurrency: int = Field(default=4, ge=1, le=64)
    #: How long shutdown waits for running jobs before re-queueing them.
    shutdown_grace: Duration = timedelta(seconds=20)
    #: API replicas deployed with this config; more than one needs PostgreSQL state and Redis.
    replicas: int = Field(default=1, ge=1)

    @field_validator("state_url")
    @classmethod
    def _state_url(cls, value: str) -> str:
        scheme = value.split("://", 1)[0].split("+", 1)[0]
        if scheme not in ("sqlite", "postgresql", "postgres"):
            raise ValueError(f"expected sqlite:///PATH or postgresql://..., got {masked(value)!r}")
        return value

    @model_validator(mode="after")
    def _unique_tokens(self) -> ServerSection:
        names = [token.name for token in self.api_tokens]
        repeated = sorted({name for name in names if names.count(name) > 1 or name == "api_token"})
        if repeated:
            raise ValueError(f"api_tokens names must be unique (and not api_token): {repeated}")
        return self

    @model_validator(mode="after")
    def _replicas_need_shared_state(self) -> ServerSection:
        if self.replicas > 1 and self.state_url.startswith("sqlite"):
            raise ValueError(
                f"replicas = {self.replicas} needs a PostgreSQL state_url: a SQLite file cannot be"
                " shared by several replicas"
            )
        if self.replicas > 1 and not self.redis_url:
            raise ValueError(
                f"replicas = {self.replicas} needs redis_url: the in-process queue runs inside one"
                " replica"
            )
        return self

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"expected redis://HOST:PORT/DB, got {masked(value)!r}")
        return value


class Environment(_Section):
    #: Lower-case name used in statuses (``schemabot/<name>``) and commands.
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)
    #: The database, e.g. ``postgresql://migrator:${PASSWORD}@db/shop``; printed masked only.
    url: SecretStr
    #: How long a migration statement may wait for a lock (PostgreSQL ``lock_timeout``,
    #: MySQL/MariaDB ``lock_wait_timeout``) before it fails instead of queueing traffic.
    lock_timeout: Duration = timedelta(seconds=5)
    #: How long one statement may run; unset leaves the server's setting.
    statement_timeout: Duration | None = None
    #: Wait for an approval (comment command or dashboard) before applying here.
    approval: bool = False
    #: Forge usernames allowed to approve; empty: anyone with ``min_permission``.
    approvers: tuple[str, ...] = ()
    #: The least repository role an approver needs (checked on the forge when they approve).
    min_permission: Literal["write", "maintain", "admin"] = "write"
    #: Wait this long after the previous environment succeeded.
    soak: Duration | None = None
    #: Apply a pending migration older than the newest applied one instead of refusing.
    allow_out_of_order: bool = False

    @field_validator("url")
    @classmethod
    def _database_url(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        if not url:
            raise ValueError("is empty")
        scheme = url.split("://", 1)[0].split("+", 1)[0] if "://" in url else ""
        if scheme not in DATABASE_SCHEMES:
            raise ValueError(
                "expected a postgresql://, mysql://, mariadb:// or sqlite:/// URL,"
                f" got {masked(url)!r}"
            )
        return value

    @property
    def display_url(self) -> str:
        return masked(self.url.get_secret_value())


def _same_database_key(url: str) -> tuple[str, str, int | None, str]:
    """What identifies a database server and database, whatever the user, password or options."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    scheme = {"postgres": "postgresql", "mariadb": "mysql"}.get(parts.scheme, parts.scheme)
    default_port = {"postgresql": 5432, "mysql": 3306}.get(scheme)
    host = (parts.hostname or "localhost").lower()
    if host in ("127.0.0.1", "::1"):
        host = "localhost"
    return scheme, host, parts.port or default_port, parts.path.strip("/")


class Repository(_Section):
    #: The forge the repository lives on.
    forge: Literal["github", "gitlab"]
    #: ``owner/name`` on GitHub, ``group/project`` on GitLab.
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$")
    #: The migrations directory inside the repository.
    migrations: str = "migrations"
    #: The databases' SQL dialect, for the linter and the runner.
    dialect: Literal["postgres", "mysql", "mariadb", "sqlite"] = "postgres"
    #: Only commits merged into this branch are ever applied.
    deploy_branch: str = "main"
    #: Applied in this order; a failure or a gate stops the rollout there.
    environments: tuple[Environment, ...] = ()
    #: A scratch PostgreSQL or MariaDB server where pull requests' migrations are tried on a
    #: fresh database (created and dropped per review; never for forks). Never an environment.
    shadow_url: SecretStr | None = None
    #: Rows generated in each table before the pull request's migrations run on the shadow
    #: database, so rewrites and long scans show as durations.
    shadow_rows: int = Field(default=0, ge=0, le=1_000_000)
    #: This repository's lint settings; its ``.schemabot.toml`` on the base branch may add to them.
    lint: dict[str, Any] = Field(default_factory=dict)

    @field_validator("migrations")
    @classmethod
    def _relative_dir(cls, value: str) -> str:
        cleaned = value.strip("/")
        if not cleaned or ".." in cleaned.split("/"):
            raise ValueError("must be a directory path inside the repository")
        return cleaned

    @field_validator("shadow_url")
    @classmethod
    def _shadow_server(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        url = value.get_secret_value()
        if not url.startswith(("postgresql://", "postgres://", "mysql://", "mariadb://")):
            raise ValueError(
                f"expected a postgresql://, mysql:// or mariadb:// server URL, got {masked(url)!r}"
            )
        return value

    @model_validator(mode="after")
    def _shadow_is_not_an_environment(self) -> Repository:
        if self.shadow_url is None:
            return self
        shadow = _same_database_key(self.shadow_url.get_secret_value())
        for environment in self.environments:
            if _same_database_key(environment.url.get_secret_value()) == shadow:
                raise ValueError(
                    f"shadow_url is the database of environment {environment.name!r}: the shadow"
                    " server gets databases created and dropped, it must never be an environment"
                )
        return self

    @model_validator(mode="after")
    def _unique_environments(self) -> Repository:
        names = [environment.name for environment in self.environments]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"environment names must be unique: {', '.join(duplicates)} repeated")
        return self


class Config(_Section):
    server: ServerSection = ServerSection()
    forges: Forges = Forges()
    repositories: tuple[Repository, ...] = ()
    #: Lint settings for every repository (the floor a repository cannot lower).
    lint: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique_repositories(self) -> Config:
        keys = [(repository.forge, repository.name.lower()) for repository in self.repositories]
        repeated = sorted({f"{f}:{n}" for f, n in keys if keys.count((f, n)) > 1})
        if repeated:
            raise ValueError(f"repositories must be unique: {', '.join(repeated)} repeated")
        return self

    def repository(self, forge: str, name: str) -> Repository | None:
        for repository in self.repositories:
            if repository.forge == forge and repository.name.lower() == name.lower():
                return repository
        return None


def _lint_problems(data: Mapping[str, Any]) -> list[str]:
    """Validate every ``lint`` table with the linter's own rules, naming each field path."""
    from linters.config import config_from_table

    tables: list[tuple[str, object]] = [("lint", data.get("lint", {}))]
    for index, repository in enumerate(data.get("repositories") or []):
        if isinstance(repository, dict) and "lint" in repository:
            tables.append((f"repositories[{index}].lint", repository["lint"]))
    problems: list[str] = []
    for prefix, table in tables:
        if not isinstance(table, dict):
            problems.append(f"{prefix}: expected a table")
            continue
        try:
            config_from_table(table)
        except (ValueError, TypeError) as error:
            for problem in getattr(error, "problems", None) or [str(error)]:
                problem = str(problem)
                problems.append(problem if problem.startswith("lint") else f"{prefix}: {problem}")
    return problems


def parse_config(
    text: str, *, path: str = "<config>", env: Mapping[str, str] | None = None
) -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, [f"not valid TOML: {error}"]) from None
    problems: list[str] = []
    resolved = resolve_references(raw, os.environ if env is None else env, problems)
    assert isinstance(resolved, dict)
    reported = {problem.split(":", 1)[0] for problem in problems}
    try:
        config = Config.model_validate(resolved)
    except ValidationError as error:
        for item in error.errors(include_url=False):
            where = field_path(tuple(item["loc"]))
            if where in reported:
                continue  # the unset variable already explains this field
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}: {message}" if where else message)
        config = None
    problems.extend(_lint_problems(resolved))
    if problems or config is None:
        raise ConfigError(path, problems)
    return config


def load_config(path: str | Path, *, env: Mapping[str, str] | None = None) -> Config:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(str(file), [f"cannot read the config file: {error.strerror}"]) from None
    except UnicodeDecodeError:
        raise ConfigError(str(file), ["the config file is not UTF-8 text"]) from None
    return parse_config(text, path=str(file), env=env)
