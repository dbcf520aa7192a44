"""The MySQL/MariaDB target's sessions: PyMySQL's own TLS mode, with one context for both."""

from __future__ import annotations

import ssl

import pymysql

from app.migrations.targets import open_target
from app.migrations.targets.mysql import MysqlTarget
from tests.app.migrations.conftest import MARIADB, Database


def _context(connection: object) -> ssl.SSLContext:
    context = vars(connection)["ctx"]  # set by PyMySQL's constructor; not in its type stubs
    assert isinstance(context, ssl.SSLContext)
    return context


def test_both_sessions_share_a_context_that_verifies_what_pymysqls_default_verifies(
    mariadb_db: Database,
) -> None:
    # PyMySQL's default (no TLS options): TLS when the server offers it. If a PyMySQL release
    # starts verifying certificates in that mode, the runner must not quietly stay behind.
    default = _context(pymysql.connections.Connection(**MARIADB, defer_connect=True))
    target = open_target(mariadb_db.url)
    assert isinstance(target, MysqlTarget)
    target.connect()
    try:
        target.lock(5)
        work, lock = _context(target.conn), _context(target._lock_conn)
    finally:
        target.close()

    assert work is lock
    assert (work.verify_mode, work.check_hostname) == (default.verify_mode, default.check_hostname)
    assert work.minimum_version >= default.minimum_version
    assert work.options & default.options == default.options
