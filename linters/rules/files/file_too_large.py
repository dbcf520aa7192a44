"""Migration file too large to review.

## What it does
Reports a migration file larger than a size limit (256 KiB by default).

## Why is this bad?
Nobody reviews a quarter of a megabyte of SQL line by line: forges collapse or refuse to render
such diffs, and a dangerous statement hides among thousands of harmless ones. Large files are
usually bulk data (seed rows, a dump) that belongs in a data load, not in a schema migration,
and they make every lint run and every rollout step slower.

## Example
```sql
-- V12__seed_postal_codes.sql: 40,000 INSERT statements, 3 MB
INSERT INTO postal_codes (code, city) VALUES ('01001', 'Agawam');
-- ... 39,999 more lines nobody reads; the diff does not even render
```

## Use instead
```sql
-- V12__create_postal_codes.sql: the schema change alone
CREATE TABLE postal_codes (code text PRIMARY KEY, city text NOT NULL);
-- load the rows with COPY / LOAD DATA from a data pipeline, or split the file
```
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import ALL
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.rule_options import IntegerOption

RULE_ID = "file-too-large"
MAX_BYTES = IntegerOption(
    RULE_ID,
    "max_bytes",
    # Far above any hand-written schema change, well below what forges stop rendering.
    256 * 1024,
    "The largest file size, in bytes of UTF-8, that passes.",
)


def check(file: LintedFile) -> Iterator[Violation]:
    limit = MAX_BYTES.value(file.context.config)
    size = len(file.source.encode("utf-8"))
    if size > limit:
        filename = file.path.rsplit("/", 1)[-1]
        yield Violation(
            message=f"Split `{filename}`: {size:,} bytes is more than the {limit:,} reviewable",
            help="Keep schema changes small; load bulk data outside the migration",
        )


RULE = FileRule(
    id=RULE_ID,
    severity=Severity.INFO,
    dialects=ALL,
    doc=__doc__ or "",
    check=check,
    options=(MAX_BYTES,),
)
