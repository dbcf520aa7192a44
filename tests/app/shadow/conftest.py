"""Shadow servers for the tests: the real PostgreSQL and MariaDB on 127.0.0.1.

Each run creates and drops its own ``schemabot_shadow_*`` database, so tests on several xdist
workers share the servers safely. ``ShadowCase`` builds a repository for one engine and says
which scratch databases the server has now.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from app.config import Repository
from app.shadow import ShadowLimits, ShadowReport, shadow_server, verify_pull_request

POSTGRES_SHADOW = "postgresql://postgres@127.0.0.1:5432/postgres"
MARIADB_SHADOW = "mysql://root@127.0.0.1:3306/"
MIGRATIONS = "db/migrations"
#: Short limits keep the tests fast; the seed gets enough for a few thousand rows.
TEST_LIMITS = ShadowLimits(statement_timeout=5, lock_timeout=1, seed_timeout=30)


@dataclass(frozen=True)
class ShadowCase:
    engine: str
    shadow_url: str
    dialect: str

    def repository(self, *, rows: int = 0, shadow_url: str | None = None) -> Repository:
        return Repository(
            forge="github",
            name="acme/shop",
            migrations=MIGRATIONS,
            dialect=self.dialect,  # type: ignore[arg-type]
            shadow_url=shadow_url or self.shadow_url,  # type: ignore[arg-type]
            shadow_rows=rows,
        )

    def databases(self) -> dict[str, bool]:
        """Scratch databases on the server now, each with whether a run holds it."""
        return shadow_server(self.shadow_url).scratch_databases()

    def verify(
        self,
        base: Mapping[str, str],
        new: Mapping[str, str],
        *,
        rows: int = 0,
        fork: bool = False,
        limits: ShadowLimits = TEST_LIMITS,
    ) -> ShadowReport:
        """Verify migrations given by file name (placed in the migrations directory)."""
        return verify_pull_request(
            repository=self.repository(rows=rows),
            base_files={f"{MIGRATIONS}/{name}": text for name, text in base.items()},
            new_files={f"{MIGRATIONS}/{name}": text for name, text in new.items()},
            forge_is_fork=fork,
            limits=limits,
        )


POSTGRES = ShadowCase("postgres", POSTGRES_SHADOW, "postgres")
MARIADB = ShadowCase("mysql", MARIADB_SHADOW, "mariadb")


@pytest.fixture(params=[POSTGRES, MARIADB], ids=["postgres", "mariadb"])
def shadow(request: pytest.FixtureRequest) -> ShadowCase:
    case: ShadowCase = request.param
    return case
