"""Why a runner command stopped, each with the exit code the command line gives it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.migrations.history import DirtyState
    from app.migrations.plan import Problem

__all__ = [
    "DatabaseDirty",
    "MigrationError",
    "MigrationFileError",
    "RunnerLocked",
    "TargetUrlError",
    "UsageError",
    "ValidationRefused",
]


class MigrationError(Exception):
    """Base of the runner's refusals; ``exit_code`` is what ``schemabot migrate`` exits with."""

    exit_code = 1


class UsageError(MigrationError):
    """Bad input from the caller: a missing directory, an unknown option value."""

    exit_code = 2


class TargetUrlError(UsageError):
    """A database URL the runner cannot use (the message never contains the password)."""


class MigrationFileError(MigrationError):
    """A migration file that cannot be run: bad name, duplicate version, missing section."""


class ValidationRefused(MigrationError):
    """Files and history disagree (changed checksum, vanished file, out of order)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem.message}" for problem in problems)
        super().__init__(f"refusing to apply: the files disagree with the history\n{lines}")


class DatabaseDirty(MigrationError):
    """A migration failed or was interrupted half-way; a person must look before going on."""

    def __init__(self, dirty: DirtyState) -> None:
        self.dirty = dirty
        super().__init__(dirty.explanation)


class RunnerLocked(MigrationError):
    """Another runner holds the database's lock beyond the wait limit."""

    exit_code = 3

    def __init__(self, holder: str, waited_seconds: float) -> None:
        self.holder = holder
        self.waited_seconds = waited_seconds
        super().__init__(
            f"locked by another runner ({holder}); waited {waited_seconds:g}s. A runner that was "
            "killed releases the lock when the server drops its connection."
        )
