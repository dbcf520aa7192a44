"""The ``schemabot`` console script: a lean first step before any heavy import.

``lint`` and ``rules`` go straight to the linter's own entry point, and ``migrate`` to the
runner's, before typer, FastAPI or the service are imported: a warm ``schemabot lint`` must
start as fast as Python allows, and a deploy job's ``schemabot migrate apply`` pays the start-up
on every run.
"""

from __future__ import annotations

import sys

__all__ = ["main"]

LINTER_COMMANDS = ("lint", "rules")
MIGRATE_COMMAND = "migrate"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in LINTER_COMMANDS:
        import linters.cli

        if argv is None:  # the whole process: skip the interpreter's teardown of parsed trees
            linters.cli.run(args)
        sys.exit(linters.cli.main(args))
    if args and args[0] == MIGRATE_COMMAND:
        from app.migrations.command import main as migrate_main

        sys.exit(migrate_main(args[1:]))
    from app.cli import run

    run(args)
