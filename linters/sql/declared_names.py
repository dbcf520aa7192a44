"""The names a statement gives to new things: tables, columns, indexes, constraints, types...

Naming rules judge names where they are chosen (CREATE, ADD, RENAME TO), never where they are
only referred to: a name that already exists is not this migration's choice.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import NamedTuple

from sqlglot import exp, tokenize
from sqlglot.errors import TokenError
from sqlglot.tokenizer_core import Token, TokenType

from linters.dialects import SQLGLOT_DIALECT
from linters.sql.column_definitions import column_definitions
from linters.sql.foreign_key_definitions import foreign_key_definitions
from linters.sql.index_definitions import index_definitions
from linters.statement import Statement

__all__ = ["DeclaredName", "declared_names"]

#: CREATE kinds sqlglot parses, by the kind of name they declare.
_CREATE_KINDS = {
    "TABLE": "table",
    "VIEW": "view",
    "SEQUENCE": "sequence",
    "TYPE": "type",
    "FUNCTION": "function",
    "PROCEDURE": "procedure",
    "TRIGGER": "trigger",
    "DATABASE": "database",
}
#: CREATE kinds sqlglot leaves as commands, read from the tokens.
_COMMAND_KINDS = {
    "DOMAIN": "type",
    "EVENT": "event",
    "TRIGGER": "trigger",
    "SCHEMA": "schema",
    "TYPE": "type",
    "TABLE": "table",
    "SEQUENCE": "sequence",
    "INDEX": "index",
    "VIEW": "view",
    "FUNCTION": "function",
    "PROCEDURE": "procedure",
}


class DeclaredName(NamedTuple):
    #: table, view, column, index, unique, primary_key, foreign_key, check, schema, sequence,
    #: type, function, procedure, trigger, event, database.
    kind: str
    name: str
    #: The identifier as parsed, with its offsets (for the finding's line).
    identifier: exp.Identifier
    #: The table a column, index or constraint belongs to, when known.
    table: str | None = None
    #: Columns of an index or constraint; None when not known (a rename).
    columns: tuple[str, ...] | None = None
    referenced_table: str | None = None
    referenced_columns: tuple[str, ...] | None = None

    @property
    def quoted(self) -> bool:
        return bool(self.identifier.args.get("quoted"))


def declared_names(statement: Statement) -> Iterator[DeclaredName]:
    expression = statement.expression
    if isinstance(expression, exp.Create):
        yield from _create(expression)
    elif isinstance(expression, exp.Alter):
        yield from _alter(expression)
    elif isinstance(expression, exp.Command):
        yield from _command(statement)
    yield from _columns_and_constraints(expression)


def _create(create: exp.Create) -> Iterator[DeclaredName]:
    kind = str(create.kind or "").upper()
    target = create.this
    if kind == "SCHEMA" and isinstance(target, exp.Table):
        schema = target.args.get("db")
        if isinstance(schema, exp.Identifier):
            yield DeclaredName("schema", schema.name, schema)
        return
    if kind not in _CREATE_KINDS:
        return
    if isinstance(target, exp.Schema | exp.UserDefinedFunction):
        target = target.this
    identifier = target.this if isinstance(target, exp.Table) else target
    if isinstance(identifier, exp.Identifier):
        yield DeclaredName(_CREATE_KINDS[kind], identifier.name, identifier)


def _alter(alter: exp.Alter) -> Iterator[DeclaredName]:
    table = alter.this.name.lower() if isinstance(alter.this, exp.Table) else None
    kind = str(alter.kind or "").upper()
    for action in alter.args.get("actions") or ():
        if isinstance(action, exp.AlterRename) and isinstance(action.this, exp.Table):
            new = action.this.this
            if isinstance(new, exp.Identifier) and kind in ("TABLE", "INDEX", "VIEW"):
                yield DeclaredName(kind.lower(), new.name, new)
        elif isinstance(action, exp.RenameColumn) and isinstance(action.args.get("to"), exp.Column):
            new = action.args["to"].this
            if isinstance(new, exp.Identifier):
                yield DeclaredName("column", new.name, new, table)
        elif isinstance(action, exp.RenameIndex) and isinstance(
            action.args.get("to"), exp.Identifier
        ):
            new = action.args["to"]
            yield DeclaredName("index", new.name, new, table)


def _columns_and_constraints(expression: exp.Expression | None) -> Iterator[DeclaredName]:
    for column in column_definitions(expression):
        if column.action != "retype":
            yield DeclaredName("column", column.name.name, column.name, column.table_name)
    for index in index_definitions(expression):
        if index.name is not None:
            kind = "primary_key" if index.primary else "unique" if index.unique else "index"
            yield DeclaredName(kind, index.name.name, index.name, index.table_name, index.keys)
    for key in foreign_key_definitions(expression):
        if key.name is not None:
            referenced = key.referenced_table.name.lower() if key.referenced_table else None
            yield DeclaredName(
                "foreign_key",
                key.name.name,
                key.name,
                key.table_name,
                key.columns,
                referenced,
                key.referenced_columns,
            )
    yield from _checks(expression)


def _checks(expression: exp.Expression | None) -> Iterator[DeclaredName]:
    if not isinstance(expression, exp.Create | exp.Alter):
        return
    table = expression.find(exp.Table)
    table_name = table.name.lower() if table is not None else None
    for constraint in expression.find_all(exp.Constraint, exp.ColumnConstraint):
        name = constraint.this
        check = (
            constraint.kind
            if isinstance(constraint, exp.ColumnConstraint)
            else next(iter(constraint.expressions), None)
        )
        if isinstance(name, exp.Identifier) and isinstance(check, exp.CheckColumnConstraint):
            columns = tuple(sorted({column.name.lower() for column in check.find_all(exp.Column)}))
            yield DeclaredName("check", name.name, name, table_name, columns)


def _command(statement: Statement) -> Iterator[DeclaredName]:
    """``CREATE DOMAIN d``, ``CREATE EVENT e``, MySQL ``RENAME TABLE a TO b``..."""
    tokens, words = statement.tokens, statement.words
    if words[:1] == ("CREATE",):
        # The kind is the first kind word: `CREATE OR REPLACE`, `CREATE DEFINER = u@h` come first.
        found = next((i for i, word in enumerate(words[:12]) if word in _COMMAND_KINDS), None)
        if found is None:
            return
        position = found + 1
        if words[position : position + 3] == ("IF", "NOT", "EXISTS"):
            position += 3
        # `schema.name`: the declared name is the last part.
        while position + 2 < len(tokens) and tokens[position + 1].token_type == TokenType.DOT:
            position += 2
        if position < len(tokens):
            yield from _named(_COMMAND_KINDS[words[found]], tokens[position], 0)
    elif words[:1] == ("RENAME",) and len(tokens) == 2:
        yield from _renamed_tables(statement, tokens[1])


def _named(kind: str, token: Token, offset: int) -> Iterator[DeclaredName]:
    if token.token_type not in (TokenType.VAR, TokenType.IDENTIFIER):
        return
    identifier = exp.Identifier(this=token.text, quoted=token.token_type == TokenType.IDENTIFIER)
    # Token offsets include the quotes, as sqlglot's identifier offsets do.
    identifier.meta.update(start=token.start + offset, end=token.end + offset)
    yield DeclaredName(kind, token.text, identifier)


def _renamed_tables(statement: Statement, rest: Token) -> Iterator[DeclaredName]:
    """sqlglot keeps ``TABLE a TO b, c TO d`` after RENAME as one string; read it again."""
    offset = statement.text.find(rest.text)
    try:
        tokens = tokenize(rest.text, read=SQLGLOT_DIALECT[statement.dialect])
    except TokenError:
        return
    if not tokens or tokens[0].text.upper() != "TABLE":
        return
    for previous, token in pairwise(tokens):
        if previous.text.upper() == "TO":
            yield from _named("table", token, max(offset, 0))
