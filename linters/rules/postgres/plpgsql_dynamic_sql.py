"""Dynamic SQL built by string concatenation.

## What it does
Looks inside PL/pgSQL functions, procedures and `DO` blocks for `EXECUTE` (including `RETURN
QUERY EXECUTE`) whose SQL text is built from unquoted values: a `||` concatenation or a
`concat(...)` with an operand that is neither a string literal nor wrapped in `quote_ident`,
`quote_literal` or `quote_nullable`; a `format(...)` that uses `%s`; or a variable assigned such
an expression earlier in the body. Off by default: a security policy. Passes: `format()` with only
`%I` / `%L`, values passed with `USING`, and constant strings. Functions in other languages are
not read.

## Why is this bad?
Whatever the concatenated value holds becomes SQL. A table name or a filter that comes from a
caller, a row or a setting can close the statement and run another one, with the privileges
of the function (and of its owner, for `SECURITY DEFINER`). Even without an attacker, a name
with a capital letter, a space or a quote breaks the statement at run time.

## Example
```sql
CREATE FUNCTION purge(tbl text, days int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- tbl = 'x; DROP TABLE users' runs the DROP
    EXECUTE 'DELETE FROM ' || tbl || ' WHERE created_at < now() - interval ''' || days || ' days''';
END $$;
```

## Use instead
```sql
CREATE FUNCTION purge(tbl text, days int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DELETE FROM %I WHERE created_at < now() - $1 * interval ''1 day''', tbl)
        USING days;
END $$;
```

## References
- [PostgreSQL: Executing dynamic commands](https://www.postgresql.org/docs/current/plpgsql-statements.html#PLPGSQL-STATEMENTS-EXECUTING-DYN)
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.errors import TokenError
from sqlglot.tokenizer_core import Token, TokenType

from linters.dialects import POSTGRES
from linters.rule import Context, StatementRule, Violation
from linters.sql.node_spans import span_at
from linters.sql.routine_bodies import routine_body
from linters.statement import Statement

_STRINGS = frozenset(
    {
        TokenType.STRING,
        TokenType.HEREDOC_STRING,
        TokenType.BYTE_STRING,
        TokenType.NATIONAL_STRING,
        TokenType.RAW_STRING,
        TokenType.UNICODE_STRING,
        TokenType.NUMBER,
    }
)
_QUOTING_FUNCTIONS = frozenset({"QUOTE_IDENT", "QUOTE_LITERAL", "QUOTE_NULLABLE"})
_CONCATENATING_FUNCTIONS = frozenset({"CONCAT", "CONCAT_WS"})
#: Keywords that end the SQL-text expression of an EXECUTE.
_EXECUTE_CLAUSES = frozenset({"USING", "INTO", "STRICT"})


class _BodyTokenizer(Postgres.Tokenizer):
    # sqlglot reads `EXECUTE ...` at the start of a statement as an opaque command; inside a
    # PL/pgSQL body its argument is the expression to judge, so tokenize it normally.
    COMMANDS = Postgres.Tokenizer.COMMANDS - {TokenType.EXECUTE, TokenType.COMMAND}


def check(statement: Statement, context: Context) -> Iterator[Violation]:
    body = routine_body(statement)
    if body is None or body.language != "plpgsql":
        return
    try:
        tokens: list[Token] = _BodyTokenizer().tokenize(body.text)
    except TokenError:
        return
    unsafe_variables: set[str] = set()
    for piece in _split(tokens, TokenType.SEMICOLON):
        assignment = next(
            (i for i, token in enumerate(piece) if token.token_type == TokenType.COLON_EQ), 0
        )
        if assignment:
            if _is_unsafe(piece[assignment + 1 :], unsafe_variables):
                # `q := ...` after BEGIN, or `q text := ...` in DECLARE: the name is one of the
                # two words before `:=`.
                names = piece[max(assignment - 2, 0) : assignment]
                unsafe_variables.update(token.text.lower() for token in names)
            continue
        for position, token in enumerate(piece):
            if token.token_type != TokenType.EXECUTE:
                continue
            argument = _until_clause(piece[position + 1 :])
            if argument and _is_unsafe(argument, unsafe_variables):
                span = None
                if body.offset is not None:
                    span = span_at(statement, body.offset + token.start, body.offset + token.end)
                yield Violation(
                    message=f"Quote the values in the dynamic SQL of `{body.name}` with "
                    "format() and %I / %L",
                    help="Use `EXECUTE format('... %I ...', name) USING value` "
                    "instead of concatenating",
                    statement=statement,
                    span=span,
                )


def _split(tokens: list[Token], separator: TokenType) -> Iterator[list[Token]]:
    """Split at ``separator`` outside parentheses."""
    piece: list[Token] = []
    depth = 0
    for token in tokens:
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
        if token.token_type == separator and depth == 0:
            yield piece
            piece = []
        else:
            piece.append(token)
    yield piece


def _until_clause(tokens: list[Token]) -> list[Token]:
    depth = 0
    for position, token in enumerate(tokens):
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
        if depth == 0 and token.text.upper() in _EXECUTE_CLAUSES:
            return tokens[:position]
    return tokens


def _is_unsafe(expression: list[Token], unsafe_variables: set[str]) -> bool:
    operands = list(_split(expression, TokenType.DPIPE))
    if len(operands) == 1:
        return _is_unsafe_operand(operands[0], unsafe_variables, concatenated=False)
    return any(_is_unsafe_operand(operand, unsafe_variables, True) for operand in operands)


def _is_unsafe_operand(
    operand: list[Token], unsafe_variables: set[str], concatenated: bool
) -> bool:
    if not operand:
        return False
    first = operand[0].text.upper()
    if len(operand) == 1:
        if operand[0].token_type in _STRINGS:
            return False
        # A lone variable is unsafe if it was built unsafely; concatenated, it is unsafe itself.
        return concatenated or operand[0].text.lower() in unsafe_variables
    called = len(operand) > 1 and operand[1].token_type == TokenType.L_PAREN
    if called and first in _QUOTING_FUNCTIONS:
        return False
    if called and first == "FORMAT":
        template = operand[2] if len(operand) > 2 else None
        return template is None or template.token_type not in _STRINGS or "%s" in template.text
    if called and first in _CONCATENATING_FUNCTIONS:
        arguments = list(_split(operand[2:-1], TokenType.COMMA))
        return any(_is_unsafe_operand(argument, unsafe_variables, True) for argument in arguments)
    # Casts, arithmetic, other calls: text the quoting functions did not see.
    return concatenated


RULE = StatementRule(
    id="plpgsql-dynamic-sql",
    severity=None,
    dialects=POSTGRES,
    doc=__doc__ or "",
    on=(exp.Create, exp.Command),
    check=check,
)
