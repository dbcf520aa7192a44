"""Verify pull requests on a scratch ("shadow") database: does it apply, what schema results,
which locks each statement takes, which tables are rewritten."""

from app.shadow.apply import ShadowLimits
from app.shadow.database import scratch_database, shadow_server, sweep_stale_databases
from app.shadow.results import LockTaken, Rewrite, SeedResult, ShadowReport, StatementRun
from app.shadow.schema import SchemaChange
from app.shadow.verify import FORK_REASON, verify_pull_request

__all__ = [
    "FORK_REASON",
    "LockTaken",
    "Rewrite",
    "SchemaChange",
    "SeedResult",
    "ShadowLimits",
    "ShadowReport",
    "StatementRun",
    "scratch_database",
    "shadow_server",
    "sweep_stale_databases",
    "verify_pull_request",
]
