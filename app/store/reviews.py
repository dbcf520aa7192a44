"""Reviews of pull requests, and the inline comments each pull request already carries.

A review row is what the commit status links to (``/reviews/{id}``) and what the dashboard
shows. Comments are *claimed* by fingerprint before they are posted: two jobs for one pull
request, or a job run again after a crash, never post the same finding twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from app.store.tables import review_comments, reviews

__all__ = ["CommentClaim", "PullRequestRef", "ReviewRecord", "Reviews"]


@dataclass(frozen=True)
class ReviewRecord:
    id: int
    forge: str
    repository: str
    number: int
    head_sha: str
    base_sha: str
    state: str
    description: str
    findings: list[dict[str, Any]]
    files: list[str]
    summary_url: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PullRequestRef:
    """Which pull request: the forge, the repository as configured, the number (or iid)."""

    forge: str
    repository: str
    number: int


@dataclass(frozen=True)
class CommentClaim:
    fingerprint: str
    path: str
    line: int
    rule: str


def _now() -> datetime:
    return datetime.now(UTC)


def _record(row: Any) -> ReviewRecord:
    return ReviewRecord(
        id=row["id"],
        forge=row["forge"],
        repository=row["repository"],
        number=row["number"],
        head_sha=row["head_sha"],
        base_sha=row["base_sha"],
        state=row["state"],
        description=row["description"],
        findings=row["findings"],
        files=row["files"],
        summary_url=row["summary_url"],
        error=row["error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _comments_of(ref: PullRequestRef) -> Any:
    return and_(
        review_comments.c.forge == ref.forge,
        review_comments.c.repository == ref.repository,
        review_comments.c.number == ref.number,
    )


class Reviews:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _insert_ignoring_duplicates(
        self, connection: Connection, table: Any, **values: Any
    ) -> bool:
        """Insert a row unless its key exists; True when inserted. One statement, no error:
        a failed INSERT would abort the whole PostgreSQL transaction."""
        dialect = connection.dialect.name
        if dialect == "postgresql":
            statement: Any = postgresql.insert(table).values(**values).on_conflict_do_nothing()
        elif dialect == "sqlite":
            statement = sqlite.insert(table).values(**values).on_conflict_do_nothing()
        else:  # pragma: no cover - the store is SQLite or PostgreSQL (config validates it)
            raise RuntimeError(f"unsupported state store {dialect}")
        # RETURNING, not rowcount: SQLAlchemy reports rowcount -1 for this on psycopg.
        statement = statement.returning(*table.primary_key.columns)
        return connection.execute(statement).first() is not None

    def start(self, ref: PullRequestRef, *, head_sha: str, base_sha: str) -> int:
        """The review of this head and base: created, or found again when a job reruns."""
        key = and_(
            reviews.c.forge == ref.forge,
            reviews.c.repository == ref.repository,
            reviews.c.number == ref.number,
            reviews.c.head_sha == head_sha,
            reviews.c.base_sha == base_sha,
        )
        now = _now()
        with self._engine.begin() as connection:
            self._insert_ignoring_duplicates(
                connection,
                reviews,
                forge=ref.forge,
                repository=ref.repository,
                number=ref.number,
                head_sha=head_sha,
                base_sha=base_sha,
                state="running",
                description="",
                findings=[],
                files=[],
                created_at=now,
                updated_at=now,
            )
            connection.execute(
                update(reviews).where(key).values(state="running", error=None, updated_at=now)
            )
            return int(connection.execute(select(reviews.c.id).where(key)).scalar_one())

    def finish(
        self,
        review_id: int,
        *,
        state: str,
        description: str,
        findings: list[dict[str, Any]] | None = None,
        files: list[str] | None = None,
        summary_url: str | None = None,
        error: str | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "state": state,
            "description": description,
            "error": error,
            "updated_at": _now(),
        }
        if findings is not None:
            values["findings"] = findings
        if files is not None:
            values["files"] = files
        if summary_url is not None:
            values["summary_url"] = summary_url
        with self._engine.begin() as connection:
            connection.execute(update(reviews).where(reviews.c.id == review_id).values(**values))

    def get(self, review_id: int) -> ReviewRecord | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(reviews).where(reviews.c.id == review_id)).mappings()
            found = row.first()
        return _record(found) if found is not None else None

    def of_pull_request(self, ref: PullRequestRef) -> list[ReviewRecord]:
        """Every review of the pull request, oldest first."""
        query = (
            select(reviews)
            .where(
                and_(
                    reviews.c.forge == ref.forge,
                    reviews.c.repository == ref.repository,
                    reviews.c.number == ref.number,
                )
            )
            .order_by(reviews.c.id)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_record(row) for row in rows]

    def commented(self, ref: PullRequestRef) -> set[str]:
        """Fingerprints of the findings already commented on (or being commented on)."""
        query = select(review_comments.c.fingerprint).where(_comments_of(ref))
        with self._engine.connect() as connection:
            return set(connection.execute(query).scalars())

    def claim_comments(
        self, ref: PullRequestRef, *, review_id: int, claims: Iterable[CommentClaim]
    ) -> set[str]:
        """Reserve fingerprints before posting; returns those this caller got (not taken yet)."""
        now = _now()
        won: set[str] = set()
        with self._engine.begin() as connection:
            for claim in claims:
                if self._insert_ignoring_duplicates(
                    connection,
                    review_comments,
                    forge=ref.forge,
                    repository=ref.repository,
                    number=ref.number,
                    fingerprint=claim.fingerprint,
                    review_id=review_id,
                    path=claim.path,
                    line=claim.line,
                    rule=claim.rule,
                    claimed_at=now,
                ):
                    won.add(claim.fingerprint)
        return won

    def release_comments(self, ref: PullRequestRef, fingerprints: Iterable[str]) -> None:
        """Give back claims whose comments were not posted (refused, or the post failed)."""
        wanted = list(fingerprints)
        if not wanted:
            return
        with self._engine.begin() as connection:
            connection.execute(
                delete(review_comments).where(
                    and_(_comments_of(ref), review_comments.c.fingerprint.in_(wanted))
                )
            )
