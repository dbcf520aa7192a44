"""Constraint on a domain type.

## What it does
Reports `CREATE DOMAIN ... CHECK (...)`, and on an existing domain `ALTER DOMAIN ... ADD
CONSTRAINT` (with or without `NOT VALID`), `ALTER DOMAIN ... VALIDATE CONSTRAINT` and
`ALTER DOMAIN ... SET NOT NULL`.

Ignores `ALTER DOMAIN` on a domain created earlier in the same file.

## Why is this bad?
A domain's constraint applies to every column of that type, in every table. Adding or
validating one scans all those columns while holding a SHARE lock on each table (writes
blocked), and unlike a table constraint, `NOT VALID` does not help for long: the later
`VALIDATE CONSTRAINT` takes the same SHARE locks. Changing the rule later means going through
the domain again, for all tables at once.

## Example
```sql
CREATE DOMAIN email AS text CHECK (VALUE ~ '^[^@]+@[^@]+$');
ALTER DOMAIN email ADD CONSTRAINT email_lower CHECK (VALUE = lower(VALUE));
-- SHARE lock on every table with an email column, each scanned in full
```

## Use instead
Keep domains free of constraints and put the checks on the columns, where each table can be
migrated on its own (`NOT VALID`, then `VALIDATE CONSTRAINT` under SHARE UPDATE EXCLUSIVE):
```sql
CREATE DOMAIN email AS text;
ALTER TABLE users ADD CONSTRAINT users_email_format CHECK (email ~ '^[^@]+@[^@]+$') NOT VALID;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import POSTGRES
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.object_names import qualified_name, qualified_name_tokens
from linters.sql.schema_facts import facts_before
from linters.statement import Statement

_CHECKING_CHANGES = (("ADD",), ("VALIDATE", "CONSTRAINT"), ("SET", "NOT", "NULL"))


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    words = statement.words
    if words[1:2] != ("DOMAIN",) or words[:1] not in (("CREATE",), ("ALTER",)):
        return
    domain, after_name = qualified_name_tokens(statement.tokens, 2)
    if domain is None:
        return
    name = qualified_name(domain)
    if words[0] == "CREATE":
        if "CHECK" in words[after_name:]:
            yield Violation(
                message=f"Put the CHECK on the columns instead of domain `{name}`",
                help="A domain constraint is checked and changed for every column of the type at "
                "once, under SHARE locks",
            )
        return
    action = words[after_name:]
    if not any(action[: len(change)] == change for change in _CHECKING_CHANGES):
        return
    if facts_before(statement, context).is_new_type(domain.name):
        return
    yield Violation(
        message=f"Do not add or validate constraints on domain `{name}` in use",
        help="It scans every column of the domain with SHARE locks (writes blocked), NOT VALID "
        "or not: constrain the columns instead",
    )


RULE = StatementRule(
    id="domain-check-constraint",
    severity=Severity.WARNING,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Command,),
    check=check,
)
