"""Process settings from the environment (``SCHEMABOT_*``), separate from the config file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEMABOT_", extra="ignore")

    #: The server config file; ``--config`` overrides it.
    config: Path | None = None
    #: Log verbosity.
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    #: ``json`` lines for log collectors, ``console`` for people.
    log_format: Literal["json", "console"] = "json"
    #: Address ``schemabot serve`` listens on (``--host`` overrides it).
    host: str = "127.0.0.1"
    #: Port ``schemabot serve`` listens on (``--port`` overrides it).
    port: int = 8080
