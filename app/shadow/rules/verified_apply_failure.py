"""Statement that fails on a database built from the base branch's migrations.

## What it does
Reports the first statement of the pull request's migrations that the database refuses when
they are applied to a scratch database holding the base branch's migrations (and, with
`shadow_rows`, generated rows): the database's own error, on the statement's lines. A
statement that runs past the shadow run's statement timeout is reported as a warning.

Statements after the failed one were not tried.

## Why is this bad?
The rollout would stop at this statement in the first environment. On MySQL and MariaDB,
where every DDL statement commits on its own, the statements before it stay applied and the
database is left half-migrated until a person resolves it.

## Example
```sql
-- the base branch has no column `customer_email`
CREATE INDEX ix_orders_email ON orders (customer_email);
-- ERROR: column "customer_email" does not exist
```

## Use instead
Fix the statement so that it applies on top of the base branch: name objects as they are
there, add what it depends on in an earlier statement, or rebase the pull request when the
base branch changed the objects it touches.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.shadow.results import ShadowReport
from app.shadow.verified_rule import VerifiedRule
from linters.finding import Finding, Severity

_ERROR_LIMIT = 300


def check(report: ShadowReport) -> Iterator[Finding]:
    run = report.failure
    if run is None or run.error is None:
        return
    error = run.error if len(run.error) <= _ERROR_LIMIT else run.error[: _ERROR_LIMIT - 1] + "…"
    if run.timed_out:
        yield Finding(
            run.path, run.span, RULE.id, Severity.WARNING,
            f"Speed up this statement: it ran past the shadow run's statement timeout ({error})",
            "Batch the work, or run it outside migrations; a real table is larger than the "
            "scratch one",
        )  # fmt: skip
        return
    yield Finding(
        run.path, run.span, RULE.id, RULE.severity,
        f"Fix this statement: the database refuses it on top of the base branch: {error}",
        "Make it apply after the base branch's migrations (names, order, dependencies)",
    )  # fmt: skip


RULE = VerifiedRule(
    id="verified-apply-failure", severity=Severity.ERROR, doc=__doc__ or "", check=check
)
