"""Statement cannot be parsed.

## What it does
Reports a statement that the SQL parser cannot read, or reads only as an opaque command that no
rule understands.

## Why is this bad?
A statement nobody can read is a statement nobody checked. schemabot never lets one pass in
silence: either the syntax is wrong (and the migration would fail at run time), or it uses syntax
the linter does not know yet, and a person should look at it.

## Example
```sql
ALTER TABLE users ADD COLUM email text;  -- typo: fails when applied
```

## Use instead
```sql
ALTER TABLE users ADD COLUMN email text;
```
If the statement is valid for your server, suppress the finding on that statement with
`-- schemabot:ignore parse-error -- <why it is fine>`.
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation


def check(file: LintedFile) -> Iterator[Violation]:
    for statement in file.statements:
        if statement.error is not None:
            first_line = statement.text.strip().splitlines()[0][:60] if statement.text else ""
            yield Violation(
                message=f"Fix the statement `{first_line}`: {statement.error}",
                help="Correct the syntax, or suppress with a reason if the server accepts it",
                statement=statement,
            )


RULE = FileRule(
    id="parse-error",
    severity=Severity.ERROR,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
)
