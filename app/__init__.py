"""schemabot: the service (API, jobs, forges, runner). The linter lives in ``linters``."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("schemabot")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"
