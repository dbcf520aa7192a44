"""Migration files and the runner: apply, status, rollback, baseline and resolve.

The rollout job and the command line call these keyword-only functions; database drivers are
imported only when a URL of their engine is used.
"""

from app.migrations.baseline import baseline, resolve
from app.migrations.durations import Timeouts, parse_duration
from app.migrations.errors import (
    DatabaseDirty,
    MigrationError,
    MigrationFileError,
    RunnerLocked,
    UsageError,
    ValidationRefused,
)
from app.migrations.report import ApplyReport, MigrationFailure, Progress, Status
from app.migrations.runner import apply, rollback, status

__all__ = [
    "ApplyReport",
    "DatabaseDirty",
    "MigrationError",
    "MigrationFailure",
    "MigrationFileError",
    "Progress",
    "RunnerLocked",
    "Status",
    "Timeouts",
    "UsageError",
    "ValidationRefused",
    "apply",
    "baseline",
    "parse_duration",
    "resolve",
    "rollback",
    "status",
]
