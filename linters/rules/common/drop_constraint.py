"""Constraint dropped without a replacement.

## What it does
Reports `ALTER TABLE ... DROP CONSTRAINT` (foreign keys, checks, unique and primary keys) and
MySQL/MariaDB's `DROP FOREIGN KEY`, `DROP CHECK` and `DROP PRIMARY KEY`, on a table that existed
before this change, unless the same constraint is added back.

## Why is this bad?
The database stops enforcing the rule at once, silently: orphaned rows, out-of-range values and
duplicates can be written from that moment, and nothing reports them. Cleaning them up later is
far harder than keeping them out.

## Example
```sql
ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;
-- orders may now point at customers that do not exist; nothing will say so
```

## Use instead
Make sure the rule is really obsolete. To change a constraint, add its replacement under the
same name in the same statement, or later in the same file (on PostgreSQL as `NOT VALID`, then
`VALIDATE CONSTRAINT` in a later migration):
```sql
ALTER TABLE orders
  DROP CONSTRAINT orders_customer_id_fkey,
  ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id)
    REFERENCES customers (id) ON DELETE RESTRICT NOT VALID;
```
Exempt: tables created earlier in the same change; a constraint added back under the same name
(or a primary key added back) on the same table later in the same statement or file.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import Context, StatementRule, Violation
from linters.sql.ddl_targets import (
    alter_actions,
    altered_table,
    command_actions,
    drop_kind,
    dropped_objects,
)
from linters.sql.node_spans import span_of
from linters.sql.object_names import qualified_name, same_table
from linters.sql.statement_order import following_statements
from linters.statement import Statement

#: Stands for "the primary key" where MySQL drops and adds it without a name.
_PRIMARY_KEY = "PRIMARY KEY"
_CONSTRAINT_KINDS = ("CONSTRAINT", "FOREIGN KEY", "CHECK")


def _dropped_constraints(statement: Statement) -> Iterator[tuple[str, exp.Expression | None]]:
    for action in alter_actions(statement.expression):
        if isinstance(action, exp.DropPrimaryKey):
            yield _PRIMARY_KEY, None
        elif isinstance(action, exp.Drop) and drop_kind(action) in _CONSTRAINT_KINDS:
            for constraint in dropped_objects(action):
                yield constraint.name, constraint
    for subcommand in command_actions(statement):
        tokens, words = subcommand.tokens, subcommand.words
        if words[:2] == ("DROP", "CONSTRAINT"):
            named = 4 if words[2:4] == ("IF", "EXISTS") else 2
            if len(tokens) > named:
                yield tokens[named].text, None


def _added_constraints(statement: Statement) -> set[str]:
    added: set[str] = set()
    for action in alter_actions(statement.expression):
        if not isinstance(action, exp.AddConstraint):
            continue
        for constraint in action.expressions:
            if constraint.find(exp.PrimaryKey):
                added.add(_PRIMARY_KEY)
            if constraint.name:
                added.add(constraint.name.lower())
    for subcommand in command_actions(statement):
        tokens, words = subcommand.tokens, subcommand.words
        if words[:2] == ("ADD", "CONSTRAINT") and len(tokens) > 2:
            added.add(tokens[2].text.lower())
        if words[:1] == ("ADD",) and "PRIMARY KEY" in words:
            added.add(_PRIMARY_KEY)
    return added


def _added_back(statement: Statement, context: Context, table: exp.Table) -> set[str]:
    """Constraints added to ``table`` by this statement or a later one in the file."""
    added = _added_constraints(statement)
    for later in following_statements(statement, context):
        later_table = altered_table(later)
        if later_table is not None and same_table(later_table, table):
            added |= _added_constraints(later)
    return added


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    table = altered_table(statement)
    if table is None or context.is_new_table(table):
        return
    dropped = list(_dropped_constraints(statement))
    if not dropped:
        return
    added = _added_back(statement, context, table)
    for name, node in dropped:
        if (name if name == _PRIMARY_KEY else name.lower()) in added:
            continue
        what = "the primary key" if name == _PRIMARY_KEY else f"constraint `{name}`"
        yield Violation(
            message=f"Do not drop {what} of `{qualified_name(table)}` without a replacement",
            help="Keep it, or add its replacement under the same name (NOT VALID on PostgreSQL)",
            span=span_of(statement, node),
        )


RULE = StatementRule(
    id="drop-constraint",
    severity=Severity.WARNING,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Alter, exp.Command),
    needs_words=frozenset({"DROP"}),
    check=check,
)
