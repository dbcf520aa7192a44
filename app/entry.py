"""The ``schemabot`` console script: a lean first step before any heavy import.

``lint`` and ``rules`` go straight to the linter's own entry point, before typer, FastAPI or the
service are imported: a warm ``schemabot lint`` must start as fast as Python allows.
"""

from __future__ import annotations

import sys

__all__ = ["main"]

LINTER_COMMANDS = ("lint", "rules")


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in LINTER_COMMANDS:
        from linters.cli import main as linter_main

        sys.exit(linter_main(args))
    from app.cli import run

    run(args)
