"""Call to a function the policy does not allow in migrations.

## What it does
Reports calls to the functions listed in `deny`, anywhere in a statement: in column defaults,
in `UPDATE` / `INSERT ... SELECT`, in view queries, and inside function, procedure and `DO`
bodies. Names match as written, without regard to case (`uuid` matches `UUID()` but not
`gen_random_uuid()`). Off by default: a team policy.

## Why is this bad?
Some functions have no place in a schema migration: `sleep` / `pg_sleep` / `benchmark` hold
locks and the runner for nothing; non-deterministic functions (`uuid()`, `rand()`, `sysdate()`)
give different values on a MySQL statement-based replica than on the primary; functions with
side effects on the server (`load_file`, `dblink`, `lo_import`) reach outside the database.
Which ones a team forbids is its own decision.

## Example
```sql
UPDATE accounts SET token = uuid() WHERE token IS NULL;  -- replicas get other values (SBR)
```

## Use instead
```sql
-- generate the values in the application, or use row-based replication
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import pairwise

from sqlglot import exp
from sqlglot.errors import TokenError
from sqlglot.tokenizer_core import Token, TokenType

from linters.dialects import ALL, SQLGLOT_DIALECT
from linters.rule import Context, StatementRule, Violation
from linters.rule_options import StringListOption
from linters.sql.node_spans import span_at
from linters.sql.routine_bodies import routine_body
from linters.statement import Statement

RULE_ID = "function-denylist"
DENY = StringListOption(
    RULE_ID, "deny", ("sleep", "pg_sleep", "benchmark"), "The functions that may not be called."
)
#: Words after which `name (` is a table, index or declaration, not a call.
_NOT_CALLS = frozenset(
    {
        "TABLE",
        "INTO",
        "REFERENCES",
        "ON",
        "INDEX",
        "KEY",
        "EXISTS",
        "JOIN",
        "FROM",
        "UPDATE",
        "VIEW",
        "CONSTRAINT",
        "FUNCTION",
        "PROCEDURE",
        "TYPE",
        "ONLY",
        "UNIQUE",
    }
)


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    denied = {name.lower() for name in DENY.value(context.config)}
    if not denied:
        return
    called = _tree_calls(statement.expression)
    for token in _call_tokens(statement.tokens):
        name = token.text.lower()
        if name in denied and (called is None or name in called):
            yield _violation(statement, token, 0)
    body = routine_body(statement)
    if body is None:
        return
    try:
        tokens = _tokenize(body.text, context)
    except TokenError:
        return
    for token in _call_tokens(tokens):
        if token.text.lower() in denied:
            yield _violation(statement, token, body.offset)


def _tree_calls(expression: exp.Expression | None) -> set[str] | None:
    """Names of the functions sqlglot saw called; None for a generic command (no tree)."""
    if expression is None or isinstance(expression, exp.Command):
        return None
    names: set[str] = set()
    for function in expression.find_all(exp.Func):
        if isinstance(function, exp.Anonymous):
            names.add(function.name.lower())
        else:
            names.update(name.lower() for name in function.sql_names())
    return names


def _tokenize(text: str, context: Context) -> Sequence[Token]:
    from sqlglot import tokenize

    return tokenize(text, read=SQLGLOT_DIALECT[context.dialect])


def _call_tokens(tokens: Sequence[Token]) -> Iterator[Token]:
    previous: Token | None = None
    for token, following in pairwise(tokens):
        is_call = following.token_type == TokenType.L_PAREN and token.token_type not in (
            TokenType.STRING,
            TokenType.L_PAREN,
        )
        if is_call and (previous is None or previous.text.upper() not in _NOT_CALLS):
            yield token
        previous = token


def _violation(statement: Statement, token: Token, offset: int | None) -> Violation:
    span = None
    if offset is not None and statement.span.line != statement.span.end_line:
        span = span_at(statement, offset + token.start, offset + token.end)
    return Violation(
        message=f"Do not call `{token.text}()` in a migration",
        help="This repository's policy denies it: see `[lint.options.function-denylist]`",
        statement=statement,
        span=span,
    )


RULE = StatementRule(
    id=RULE_ID,
    severity=None,
    dialects=ALL,
    doc=__doc__ or "",
    on=(exp.Expression,),
    check=check,
    options=(DENY,),
)
