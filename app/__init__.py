"""schemabot: the service (API, jobs, forges, runner). The linter lives in ``linters``."""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # Lazy: importlib.metadata costs ~25 ms, and `schemabot lint` passes through this package.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("schemabot")
        except PackageNotFoundError:  # running from a source tree without installing
            return "0.0.0"
    raise AttributeError(name)
