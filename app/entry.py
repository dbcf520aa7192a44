"""The ``schemabot`` console script: a lean first step before any heavy import.

``lint`` and ``rules`` go straight to the linter's own entry point, and ``migrate`` to the
runner's, before typer, FastAPI or the service are imported: a warm ``schemabot lint`` must
start as fast as Python allows, and a deploy job's ``schemabot migrate apply`` pays the start-up
on every run.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

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
        if argv is None:  # the whole process, short-lived: see _collect_rarely
            _collect_rarely()
        from app.migrations.command import main as migrate_main

        code = migrate_main(args[1:])
        if argv is None:  # the whole process: its sessions are closed, skip the teardown
            _exit_now(code)
        sys.exit(code)
    from app.cli import run

    run(args)


def _collect_rarely() -> None:
    """A young-generation collection every 100,000 net allocations instead of 700.

    A migrate run frees what it allocates by reference counting; the collector only walks the
    imported modules again and again (6 ms of a run's start-up). Cycles still get collected.
    """
    import gc

    gc.set_threshold(100_000, 20, 100)


def _exit_now(code: int) -> NoReturn:
    """End the process without the interpreter's teardown (freeing every module and object:
    10 ms after a migrate run, for memory the operating system takes back at once)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
