"""Object of a kind the policy does not allow in migrations.

## What it does
Reports the creation of objects whose kind is listed in `deny`: `partitioned_table` (`CREATE
TABLE ... PARTITION BY`, MySQL `ALTER TABLE ... PARTITION BY`), `trigger`, `function`,
`procedure`, `event` (MySQL), `view`, `materialized_view`, `sequence`, `type`, `domain`, `rule`,
`extension`. Off by default: a team policy. Only creation is reported; dropping such an object
passes.

## Why is this bad?
Logic in the database is logic outside code review of the application: triggers and functions
run invisibly on every write, are not covered by the application's tests, and make online
schema-change tools (gh-ost, pt-online-schema-change) unusable or unsafe; MySQL events run on a
schedule nobody watches. Partitioned tables restrict unique keys and foreign keys. Where a team
has decided against them, each one should be a visible exception.

## Example
```sql
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();  -- hidden write path
```

## Use instead
```sql
-- set updated_at in the application's write path
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.rule import Context, StatementRule, Violation
from linters.rule_options import StringListOption
from linters.statement import Statement

RULE_ID = "object-kind-denylist"
KINDS = (
    "partitioned_table",
    "trigger",
    "function",
    "procedure",
    "event",
    "view",
    "materialized_view",
    "sequence",
    "type",
    "domain",
    "rule",
    "extension",
)
DENY = StringListOption(
    RULE_ID,
    "deny",
    ("trigger", "function", "procedure", "event"),
    "The kinds to report, from the list above.",
    choices=KINDS,
)
#: The word after CREATE [OR REPLACE] [DEFINER = ...] ... that names the kind.
_KIND_WORDS = {
    "TABLE": "table",
    "TRIGGER": "trigger",
    "FUNCTION": "function",
    "PROCEDURE": "procedure",
    "EVENT": "event",
    "VIEW": "view",
    "MATERIALIZED": "materialized_view",
    "SEQUENCE": "sequence",
    "TYPE": "type",
    "DOMAIN": "domain",
    "RULE": "rule",
    "EXTENSION": "extension",
    "INDEX": "index",
    "SCHEMA": "schema",
}


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    denied = {kind.lower() for kind in DENY.value(context.config)}
    kind = created_kind(statement)
    if kind in denied:
        name = kind.replace("_", " ")
        yield Violation(
            message=f"Do not create a {name} in a migration",
            help=f"This repository's policy denies: {', '.join(sorted(denied))}",
        )


def created_kind(statement: Statement) -> str | None:
    """The kind of object the statement creates (or partitions), as named in ``KINDS``."""
    phrase = " " + " ".join(" ".join(statement.words).split()) + " "
    words = phrase.split()
    if words[:2] == ["ALTER", "TABLE"] and " PARTITION BY " in phrase:
        return "partitioned_table"
    if words[:1] != ["CREATE"]:
        return None
    kind = next((_KIND_WORDS[word] for word in words[1:12] if word in _KIND_WORDS), None)
    expression = statement.expression
    if kind == "table":
        partitioned = (
            expression.find(exp.PartitionedByProperty) is not None
            if isinstance(expression, exp.Create)
            else " PARTITION BY " in phrase
        )
        return "partitioned_table" if partitioned else None
    return kind


RULE = StatementRule(
    id=RULE_ID,
    severity=None,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Create, exp.Alter, exp.Command),
    check=check,
    options=(DENY,),
)
