"""ALTER TABLE that the online schema change tool cannot run (gh-ost / pt-online-schema-change).

## What it does
For repositories whose ALTERs run through gh-ost or pt-online-schema-change, reports an
`ALTER TABLE` of an existing table that the tool refuses or needs a special flag for:

| | gh-ost | pt-online-schema-change |
|---|---|---|
| `RENAME TO` another name | refused | refused |
| foreign keys on the table (child side) | refused (`--discard-foreign-keys` drops them) | handled |
| other tables' foreign keys reference it | refused | needs `--alter-foreign-keys-method` |
| the ALTER adds a foreign key | refused | handled |
| triggers on the table | needs `--include-triggers` | needs `--preserve-triggers` |
| `DROP PRIMARY KEY`, no new one | needs another NOT NULL unique key | needs `--no-check-alter` |
| `CHANGE old new` renames a column | needs `--approve-renamed-columns` | needs `--no-check-alter` |

Both tools also refuse a table without a primary key or NOT NULL unique key; `require-primary-key`
reports such tables where they are created.

Foreign keys, triggers and keys must be visible in this change (created, added or declared in
an earlier statement); for an existing table the change does not describe, only what the ALTER
itself shows is judged. Tables created earlier in the same change are exempt: they are empty,
so their ALTERs need no online tool.

Off by default; enable it with `select = ["mysql-osc-incompatible"]`.

## Why is this bad?
gh-ost and pt-online-schema-change copy the table into a new one and swap them. They refuse
tables they cannot copy or swap safely, and some operations need an explicit flag. Finding out
when the production migration starts means a failed rollout, or a tool run with a flag nobody
reviewed.

## Example
```sql
CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW
    INSERT INTO audit (order_id) VALUES (NEW.id);
ALTER TABLE orders ADD COLUMN note varchar(255);
-- gh-ost: "found triggers on orders ... supported only when using include-triggers"
```

## Use instead
Run this ALTER with native online DDL (`ALGORITHM=INSTANT`, or `INPLACE, LOCK=NONE`), or
prepare the table for the tool: add a primary key, pass the flag, drop the triggers or foreign
keys first.

## References
- gh-ost: [Requirements and limitations](https://github.com/github/gh-ost/blob/master/doc/requirements-and-limitations.md)
- pt-online-schema-change: [documentation](https://docs.percona.com/percona-toolkit/pt-online-schema-change.html)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlglot import exp

from linters.dialects import MYSQL
from linters.rule import (
    Change,
    ChangedFile,
    ChangeRule,
    LintedFile,
    Violation,
    plain_span,
    span_from_plain,
    table_key,
)
from linters.rule_options import ChoiceOption
from linters.sql.mysql_alter import AlterTable, alter_table
from linters.sql.mysql_catalog import TableFacts, replay, table_changes

RULE_ID = "mysql-osc-incompatible"


def tool_option(rule_id: str) -> ChoiceOption:
    """The ``tool`` option of an online-schema-change rule: ``gh-ost`` or ``pt-osc``."""
    return ChoiceOption(
        rule_id,
        "tool",
        "gh-ost",
        "The tool your ALTERs run through (`pt-online-schema-change` is read as `pt-osc`).",
        choices=("gh-ost", "pt-osc"),
        aliases={"pt-online-schema-change": "pt-osc"},
    )


TOOL = tool_option(RULE_ID)


def _renames_table(alter: AlterTable) -> bool:
    if any(isinstance(action, exp.AlterRename) for action in alter.actions):
        return True
    words = alter.clause_words
    return alter.is_command and any(
        words[i] == "RENAME" and words[i + 1 : i + 2] not in (("COLUMN",), ("INDEX",), ("KEY",))
        for i in range(len(words))
    )


def osc_hazards(file: LintedFile) -> list[list[Any]]:
    """``[statement index, observation]`` for each ALTER TABLE: what it does that an online
    schema change tool cares about (the table's foreign keys and triggers come from the
    catalog)."""
    found: list[list[Any]] = []
    for statement in file.up_statements:
        alter = alter_table(statement)
        if alter is None:
            continue
        added = [item for _, item in alter.added_constraints()]
        observation = {
            "table": table_key(alter.table),
            "name": alter.table_name,
            "renames_table": _renames_table(alter),
            "adds_foreign_key": any(isinstance(item, exp.ForeignKey) for item in added),
            "drops_primary_key": alter.drops_primary_key
            and not any(isinstance(item, exp.PrimaryKey) for item in added),
            "renames_column": any(
                changed.old_name.lower() != changed.name.lower()
                for changed in alter.changed_columns()
            ),
            "at": plain_span(statement.span),
        }
        found.append([statement.index, observation])
    return found


def _reasons(alter: dict[str, Any], facts: TableFacts | None, tool: str) -> list[str]:
    gh_ost = tool == "gh-ost"
    reasons = []
    if alter["renames_table"]:
        reasons.append("it renames the table")
    if facts is not None and facts.foreign_keys and gh_ost:
        reasons.append("the table has foreign keys")
    if facts is not None and facts.referenced_by:
        needs = "" if gh_ost else " (needs --alter-foreign-keys-method)"
        tables = ", ".join(sorted(facts.referenced_by))
        reasons.append(f"foreign keys of {tables} reference it{needs}")
    if gh_ost and alter["adds_foreign_key"]:
        reasons.append("it adds a foreign key")
    if facts is not None and facts.triggers:
        flag = "--include-triggers" if gh_ost else "--preserve-triggers"
        reasons.append(f"the table has triggers (needs {flag})")
    if alter["drops_primary_key"]:
        needs = "another NOT NULL unique key" if gh_ost else "--no-check-alter"
        reasons.append(f"it drops the primary key (needs {needs})")
    if alter["renames_column"]:
        flag = "--approve-renamed-columns" if gh_ost else "--no-check-alter"
        reasons.append(f"it renames a column (needs {flag})")
    return reasons


def check(change: Change) -> Iterator[tuple[ChangedFile | None, Violation]]:
    tool = TOOL.value(change.config)
    for file, alter, catalog in replay(change, osc_hazards):
        facts = catalog.table(alter["table"])
        if facts is not None and facts.created_in_change:
            continue
        reasons = _reasons(alter, facts, tool)
        if reasons:
            yield (
                file,
                Violation(
                    message=f"Do not run this ALTER of `{alter['name']}` with {tool}: "
                    + "; ".join(reasons),
                    help="Use native online DDL (ALGORITHM=INSTANT, or INPLACE with LOCK=NONE), "
                    "or prepare the table for the tool first",
                    span=span_from_plain(alter["at"]),
                ),
            )


RULE = ChangeRule(
    id=RULE_ID,
    severity=None,
    dialects=MYSQL,
    doc=__doc__ or "",
    facts=(table_changes, osc_hazards),
    check=check,
    options=(TOOL,),
)
