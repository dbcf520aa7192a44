"""Building blocks of the config model: sections, durations, secrets, the error type."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, SecretStr

from app.durations import parse_duration

__all__ = ["ConfigError", "Duration", "OptionalSecret", "Section"]


def _duration(value: object) -> object:
    if isinstance(value, str):
        return parse_duration(value)
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]


class ConfigError(Exception):
    """The config file cannot be used; ``problems`` lists every reason with its field path."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


def _secret_or_none(value: SecretStr | None) -> SecretStr | None:
    return value if value is not None and value.get_secret_value() else None


#: An empty secret (``token = "${GITHUB_TOKEN:-}"`` with the variable unset) counts as absent.
OptionalSecret = Annotated[SecretStr | None, AfterValidator(_secret_or_none)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
