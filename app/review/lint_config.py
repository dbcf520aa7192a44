"""The lint configuration a pull request is judged by.

Three tables, in order of trust: the server config's ``[lint]`` (every repository), the
repository's ``lint`` table in the server config (the operator's word for this repository: it
overrides the global table key by key), and the repository's ``.schemabot.toml`` read from the
**base** commit, merged by ``linters.config.merge`` so that it can only make the rules stricter.
The pull request's own ``.schemabot.toml`` is never read: it cannot weaken the rules judging it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from typing import Any

from app.config import Config, Repository
from linters.config import ConfigError, LintConfig, config_from_table, merge
from linters.engine import Linter

__all__ = ["REPOSITORY_CONFIG_PATH", "review_lint_config", "server_lint_table"]

#: The repository's own lint settings, read at the base commit.
REPOSITORY_CONFIG_PATH = ".schemabot.toml"
#: Keys whose tables merge entry by entry (a repository adds a rule's severity or option
#: without repeating the global ones); other keys are replaced whole.
_MERGED_KEYS = ("severity", "options")


def server_lint_table(config: Config, repository: Repository) -> dict[str, Any]:
    """The global ``[lint]`` with the repository's ``lint`` table from the server config on top."""
    table: dict[str, Any] = dict(config.lint)
    for key, value in repository.lint.items():
        current = table.get(key)
        if key in _MERGED_KEYS and isinstance(current, Mapping) and isinstance(value, Mapping):
            table[key] = {**current, **value}
        else:
            table[key] = value
    return table


def _repository_table(base_file: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(base_file)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"not valid TOML: {error}"]) from None
    table = data.get("lint", {})
    if not isinstance(table, dict):
        raise ConfigError(["lint: expected a table"])
    return table


def review_lint_config(
    config: Config, repository: Repository, base_file: str | None
) -> tuple[LintConfig, list[str]]:
    """The merged config, and the problems of ``.schemabot.toml`` (then it is not used)."""
    server = merge(config_from_table(server_lint_table(config, repository)), LintConfig())
    if base_file is None:
        return server, []
    try:
        merged = merge(server, config_from_table(_repository_table(base_file)))
        # Rule options are checked against each rule's schema when a linter is built.
        Linter(merged, repository.dialect)
    except ConfigError as error:
        return server, [f"{REPOSITORY_CONFIG_PATH}: {problem}" for problem in error.problems]
    return merged, []
