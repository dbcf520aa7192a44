"""Names and limits of the runner, each with the reason for its value."""

from __future__ import annotations

__all__ = [
    "ADVISORY_LOCK_KEY",
    "APPLICATION_NAME",
    "CLIENT_CHECK_INTERVAL",
    "CONNECT_TIMEOUT_SECONDS",
    "DEFAULT_LOCK_WAIT_SECONDS",
    "DIRECTIVE_HINTS",
    "HISTORY_TABLE",
    "LOCK_NAME_PREFIX",
    "SQLITE_LOCK_SUFFIX",
    "URL_ENV",
]

#: The history table in each target database; the target's own record is the truth.
HISTORY_TABLE = "schemabot_history"

#: PostgreSQL advisory lock key, the first 8 bytes of sha256("schemabot migrate") as a signed
#: bigint. Advisory locks are per database, so one constant key means one runner per database;
#: a fixed arbitrary number keeps clear of keys applications pick (1, 42, table oids).
ADVISORY_LOCK_KEY = 0x1BCE89BB1EA7987B

#: MySQL/MariaDB GET_LOCK names are server-wide, so the database name is appended.
LOCK_NAME_PREFIX = "schemabot:"

#: SQLite has no session locks: an flock on this sidecar file dies with the process.
SQLITE_LOCK_SUFFIX = ".schemabot-lock"

#: How long a runner waits for another runner's lock by default. Long enough to queue behind a
#: short rollout, short enough that a stuck rollout is reported instead of hanging a job.
DEFAULT_LOCK_WAIT_SECONDS = 60.0

#: Connecting must fail fast when a host is wrong; the lock wait is the place for patience.
CONNECT_TIMEOUT_SECONDS = 10

#: PostgreSQL 14+ checks this often whether the client of a running statement is still there,
#: so a killed runner's long statement (and its locks) ends within seconds, not when it finishes.
CLIENT_CHECK_INTERVAL = "1s"

#: application_name of the runner's sessions, shown to the next runner as "locked by".
APPLICATION_NAME = "schemabot migrate"

#: Words that any no-transaction directive contains (ours, Atlas's, dbmate's). A file with none
#: of them is transactional without splitting it, which keeps the fast path free of parsing.
DIRECTIVE_HINTS = ("schemabot:", "txmode", "transaction:")

#: Where the command line reads the target when --url is not given.
URL_ENV = "SCHEMABOT_DATABASE_URL"
