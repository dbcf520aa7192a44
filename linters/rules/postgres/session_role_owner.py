"""Migration not run as the owning role, or handing objects to another owner.

## What it does
Off by default: a policy for databases where one role owns the schema and migrations connect as
a different (login) user. Reports, per file:
- the first statement that creates or changes something before any `SET [SESSION | LOCAL]
  ROLE` (session settings, `SET ...` / `RESET ...` and `BEGIN` may come first);
- a `SET ROLE` to another role than `role`, when `role` is configured;
- `ALTER ... OWNER TO x` and `CREATE SCHEMA ... AUTHORIZATION x` where `x` is not the expected
  owner: `role` when configured, else the role the file switched to. `CURRENT_USER` /
  `CURRENT_ROLE` / `SESSION_USER` are accepted after a `SET ROLE`.

## Why is this bad?
An object belongs to the role that created it. A migration run as the login user `deploy_bot`
creates tables the application role cannot alter and that the next migration, run by another
user, cannot drop ("must be owner of table"); default privileges granted for the owning role
do not apply, so the application gets "permission denied" on the new table in production only.
An `OWNER TO` a personal account leaves objects behind when that person leaves.

## Example
```sql
CREATE TABLE invoices (id bigint PRIMARY KEY);  -- owned by whoever ran the migration
ALTER TABLE invoices OWNER TO alice;             -- owned by a person
```

## Use instead
```sql
SET ROLE app_owner;
CREATE TABLE invoices (id bigint PRIMARY KEY);
```
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp
from sqlglot.tokenizer_core import Token, TokenType

from linters.dialects import POSTGRES
from linters.rule import FileRule, LintedFile, Violation
from linters.rule_options import StringOption
from linters.statement import Statement

RULE_ID = "session-role-owner"
ROLE = StringOption(
    RULE_ID,
    "role",
    "",
    "The role migrations must switch to and objects must belong to; empty: any role.",
)
_SELF = frozenset({"current_user", "current_role", "session_user"})


def check(file: LintedFile) -> Iterator[Violation]:
    wanted = ROLE.value(file.context.config).lower()
    current: str | None = None
    for statement in file.statements:
        switched = _set_role(statement)
        if switched is not None:
            current = None if switched in ("none", "") else switched
            if wanted and current != wanted:
                yield Violation(
                    message=f"Switch to role `{wanted}`, not `{switched or 'NONE'}`",
                    help="Migrations run as the role that owns the schema",
                    statement=statement,
                )
            continue
        if current is None and not _is_preamble(statement):
            yield Violation(
                message=f"Start the file with `SET ROLE {wanted or '<owner role>'}`",
                help="Objects belong to the role that creates them; switch to the owning role",
                statement=statement,
            )
            current = ""  # say it once per file
        owner = _new_owner(statement)
        expected = wanted or current
        if owner is None or not expected:
            continue
        if owner != expected and not (current and owner in _SELF):
            yield Violation(
                message=f"Keep `{expected}` as the owner, not `{owner}`",
                help="Objects owned by other roles cannot be changed by later migrations",
                statement=statement,
            )


def _is_preamble(statement: Statement) -> bool:
    if isinstance(statement.expression, exp.Set | exp.Transaction):
        return True
    return statement.words[:1] in (("SET",), ("RESET",))


def _name(token: Token) -> str:
    return token.text if token.token_type == TokenType.IDENTIFIER else token.text.lower()


def _set_role(statement: Statement) -> str | None:
    """The role a ``SET ROLE`` / ``RESET ROLE`` switches to (``none`` for a reset)."""
    words, tokens = statement.words, statement.tokens
    if words[:2] == ("RESET", "ROLE"):
        return "none"
    if words[:1] != ("SET",):
        return None
    position = 2 if len(words) > 2 and words[1] in ("LOCAL", "SESSION") else 1
    if len(words) <= position + 1 or words[position] != "ROLE":
        return None
    return _name(tokens[position + 1]).strip("'")


def _new_owner(statement: Statement) -> str | None:
    words, tokens = statement.words, statement.tokens
    for position in range(len(words) - 1):
        pair = words[position : position + 2]
        if pair == ("OWNER", "TO") and position + 2 < len(tokens) and words[0] == "ALTER":
            return _name(tokens[position + 2])
        if words[:2] == ("CREATE", "SCHEMA") and words[position] == "AUTHORIZATION":
            return _name(tokens[position + 1])
    return None


RULE = FileRule(
    id=RULE_ID,
    severity=None,
    dialects=POSTGRES,
    doc=__doc__ or "",
    check=check,
    options=(ROLE,),
)
