"""Names and limits of the shadow run, each with the reason for its value."""

from __future__ import annotations

from datetime import timedelta

__all__ = [
    "DATABASE_PREFIX",
    "IDLE_GRACE",
    "LOCK_TIMEOUT",
    "SEED_TIMEOUT",
    "STALE_AFTER",
    "STATEMENT_TIMEOUT",
]

#: Every scratch database is named ``schemabot_shadow_<unix seconds>_<random>``: the sweeper
#: drops only names with this prefix, and reads the creation time from the name because neither
#: PostgreSQL nor MariaDB records when a database was created.
DATABASE_PREFIX = "schemabot_shadow_"

#: A pull request's statement may run this long on the scratch database. Short: the shadow run
#: sits inside the review job, and a statement slower than this on a few seeded rows is worth a
#: finding of its own.
STATEMENT_TIMEOUT = timedelta(seconds=10)

#: Nothing else uses a scratch database, so a lock wait means something is stuck (a statement
#: that waits on its own session's locks, a leftover session): fail fast instead of hanging.
LOCK_TIMEOUT = timedelta(seconds=2)

#: Filling the tables with ``shadow_rows`` rows may take longer than one migration statement.
SEED_TIMEOUT = timedelta(seconds=60)

#: A scratch database whose run holds no lock any more (the job was killed) is dropped once it
#: is older than this: long enough to cover the moment between creating the database and
#: taking its lock, so the sweeper never drops a database a run is still setting up.
IDLE_GRACE = timedelta(seconds=60)

#: A scratch database older than this is dropped even if a session still holds its lock: no
#: shadow run lasts that long, so the holder is a stuck job, not a running one.
STALE_AFTER = timedelta(minutes=30)
