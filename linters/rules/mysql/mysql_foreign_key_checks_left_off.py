"""foreign_key_checks turned off and not turned back on in the same file.

## What it does
Reports `SET foreign_key_checks = 0` (also `OFF`, `FALSE`, `SET SESSION ...`, `SET @@...`)
when no later statement of the same file sets it back (`= 1`, `= DEFAULT`, or mysqldump's
`= @OLD_FOREIGN_KEY_CHECKS`). `SET GLOBAL` / `SET PERSIST foreign_key_checks = 0` is reported
unless the file sets the global value back. MariaDB's `SET STATEMENT foreign_key_checks = 0 FOR
...` covers one statement only and is not reported.

Statements inside mysqldump's executable comments (`/*!40014 SET ... */`) are comments to the
linter and are not seen.

## Why is this bad?
The session keeps the setting after the migration's last statement. Whatever runs next on that
connection (the runner's bookkeeping, the next migration, a pooled connection handed to the
application) writes rows that no foreign key checks. A global change reaches every new
connection of the server.

## Example
```sql
SET foreign_key_checks = 0;
ALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id);
-- foreign_key_checks stays 0 for the rest of the session
```

## Use instead
```sql
SET foreign_key_checks = 0;
ALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id);
SET foreign_key_checks = 1;
```
"""

from __future__ import annotations

from collections.abc import Iterator

from linters.dialects import MYSQL
from linters.finding import Severity
from linters.rule import FileRule, LintedFile, Violation
from linters.sql.session_settings import Scope, setting_changes
from linters.statement import Statement

_OFF = frozenset({"0", "OFF", "FALSE"})


def check(file: LintedFile) -> Iterator[Violation]:
    turned_off: dict[Scope, Statement | None] = {Scope.SESSION: None, Scope.GLOBAL: None}
    for statement in file.up_statements:
        for setting in setting_changes(statement):
            if setting.name != "foreign_key_checks" or setting.scope not in turned_off:
                continue
            off = (setting.value or "").upper() in _OFF
            turned_off[setting.scope] = statement if off else None
    session, global_ = turned_off[Scope.SESSION], turned_off[Scope.GLOBAL]
    if session is not None:
        yield Violation(
            message="Turn `foreign_key_checks` back on before the end of the file",
            help="Add SET foreign_key_checks = 1 after the statements that need it off",
            statement=session,
        )
    if global_ is not None:
        yield Violation(
            message="Do not turn off `foreign_key_checks` globally: every new connection "
            "writes unchecked rows",
            help="Use SET SESSION foreign_key_checks = 0 (and = 1 after), or MariaDB's "
            "SET STATEMENT foreign_key_checks = 0 FOR ...",
            statement=global_,
        )


RULE = FileRule(
    id="mysql-foreign-key-checks-left-off",
    severity=Severity.WARNING,
    dialects=MYSQL,
    doc=__doc__ or "",
    check=check,
)
