"""Which tables a statement locks, and how strongly.

PostgreSQL: the table lock mode each statement takes (the "Explicit Locking" chapter of the
manual; ALTER TABLE per action, the strongest action wins). MySQL/MariaDB: every DDL takes an
exclusive metadata lock on its table, at least briefly, even an ``ALGORITHM=INSTANT`` change.

Which of these locks queue the application's queries is ``session_state``'s to say
(``traffic_blocking_locks``).
"""

from __future__ import annotations

from enum import IntEnum
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

from sqlglot import exp
from sqlglot.tokenizer_core import Token, TokenType

from linters.rule import table_key
from linters.sql.alter_subcommands import AlterSubcommand, alter_subcommands
from linters.sql.object_names import qualified_name_tokens
from linters.sql.statement_kinds import is_temporary_table_statement

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = [
    "LockMode",
    "TableLock",
    "mysql_metadata_locks",
    "postgres_locks",
    "takes_row_locks_only",
]


class LockMode(IntEnum):
    """PostgreSQL's table lock modes, weakest first."""

    ACCESS_SHARE = 1
    ROW_SHARE = 2
    ROW_EXCLUSIVE = 3
    SHARE_UPDATE_EXCLUSIVE = 4
    SHARE = 5
    SHARE_ROW_EXCLUSIVE = 6
    EXCLUSIVE = 7
    ACCESS_EXCLUSIVE = 8

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")

    @property
    def blocks_writes(self) -> bool:
        """Conflicts with ROW EXCLUSIVE, the lock of INSERT, UPDATE, DELETE."""
        return self >= LockMode.SHARE

    @property
    def blocks_reads(self) -> bool:
        """Conflicts with ACCESS SHARE, the lock of a plain SELECT."""
        return self is LockMode.ACCESS_EXCLUSIVE


class TableLock(NamedTuple):
    table: exp.Table
    mode: LockMode
    #: The statement names an index; the lock falls on that index's table, unknown here.
    on_index: bool = False


_MODE_WORDS = {mode.label: mode for mode in LockMode}


def postgres_locks(statement: Statement) -> list[TableLock]:
    """Every table ``statement`` locks, once each, at the strongest mode it takes there
    (worked out once per statement)."""
    return statement.derived(_strongest_locks)


def _strongest_locks(statement: Statement) -> list[TableLock]:
    locks = _postgres_locks(statement, statement.tokens)
    strongest: dict[str, TableLock] = {}
    for lock in locks:
        key = table_key(lock.table)
        if key not in strongest or strongest[key].mode < lock.mode:
            strongest[key] = lock
    return list(strongest.values())


#: Queries and data changes: ``_data_locks`` reads their locks (unless a DDL word leads them).
_ROW_STATEMENTS = (exp.Query, exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Copy)
_DDL_WORDS = ("ALTER", "CREATE", "DROP", "LOCK", "REINDEX", "CLUSTER", "VACUUM", "REFRESH")
_DDL_LEADS = frozenset((word,) for word in _DDL_WORDS)


def takes_row_locks_only(statement: Statement) -> bool:
    """PostgreSQL: a query or data change, whose locks (ROW EXCLUSIVE, ACCESS SHARE) block
    neither reads nor writes; known without working the locks out."""
    return isinstance(statement.expression, _ROW_STATEMENTS) and (
        statement.words[:1] not in _DDL_LEADS
    )


def _postgres_locks(statement: Statement, tokens: list[Token]) -> list[TableLock]:
    expression = statement.expression
    if expression is not None and takes_row_locks_only(statement):  # the last case below, at once
        return _data_locks(expression)
    alter = alter_subcommands(statement)
    if alter is not None:
        return [lock for action in alter.subcommands for lock in _alter_action_locks(action)]
    words = statement.words
    if _is_create_trigger(words) or words[:2] == ("CREATE", "POLICY"):
        mode = LockMode.ACCESS_EXCLUSIVE if "POLICY" in words[:2] else LockMode.SHARE_ROW_EXCLUSIVE
        return _locks(_name_after(tokens, "ON"), mode)
    if isinstance(expression, exp.Create):
        return _create_locks(expression, words)
    if words[:1] == ("DROP",):
        return _drop_locks(words, tokens, expression)
    if isinstance(expression, exp.TruncateTable):
        tables = [table for table in expression.expressions if isinstance(table, exp.Table)]
        return [TableLock(table, LockMode.ACCESS_EXCLUSIVE) for table in tables]
    if words[:1] == ("LOCK",):
        return _lock_table_locks(words, tokens)
    if words[:1] in (("REINDEX",), ("CLUSTER",), ("VACUUM",), ("REFRESH",)):
        return _maintenance_locks(words, tokens)
    if words[:2] == ("ALTER", "INDEX"):
        mode = LockMode.SHARE_UPDATE_EXCLUSIVE
        if ("SET", "TABLESPACE") in pairwise(words):
            mode = LockMode.ACCESS_EXCLUSIVE
        return _locks(_name_at(tokens, _skip_if_exists(words, 2)), mode, on_index=True)
    if words[:2] == ("ALTER", "VIEW") or words[:3] == ("ALTER", "MATERIALIZED", "VIEW"):
        start = _skip_if_exists(words, 2 if words[1] == "VIEW" else 3)
        return _locks(_name_at(tokens, start), LockMode.ACCESS_EXCLUSIVE)
    if isinstance(expression, exp.Comment):
        return _locks(
            expression.this if isinstance(expression.this, exp.Table) else None,
            LockMode.SHARE_UPDATE_EXCLUSIVE,
        )
    if isinstance(expression, _ROW_STATEMENTS):
        return _data_locks(expression)
    return []


def _alter_action_locks(action: AlterSubcommand) -> list[TableLock]:
    table, words, top = action.table, action.words, action.top_words
    referenced = _locks(
        _name_after(list(action.tokens), "REFERENCES"), LockMode.SHARE_ROW_EXCLUSIVE
    )
    if top[:2] == ("VALIDATE", "CONSTRAINT") or _storage_or_statistics(top, words):
        return [TableLock(table, LockMode.SHARE_UPDATE_EXCLUSIVE)]
    if top[:2] in (("ATTACH", "PARTITION"), ("DETACH", "PARTITION")):
        partition = _name_at(list(action.tokens), 2)
        online = top[0] == "ATTACH" or "CONCURRENTLY" in top or "FINALIZE" in top
        if online:
            parent = TableLock(table, LockMode.SHARE_UPDATE_EXCLUSIVE)
            # Attaching locks the attached table fully; a concurrent detach does not.
            mode = LockMode.ACCESS_EXCLUSIVE if top[0] == "ATTACH" else parent.mode
            return [parent, *_locks(partition, mode)]
        return [
            TableLock(table, LockMode.ACCESS_EXCLUSIVE),
            *_locks(partition, LockMode.ACCESS_EXCLUSIVE),
        ]
    if action.constraint_kind == "FOREIGN KEY" or (
        top[:1] in (("ENABLE",), ("DISABLE",)) and "TRIGGER" in top
    ):
        return [TableLock(table, LockMode.SHARE_ROW_EXCLUSIVE), *referenced]
    return [TableLock(table, LockMode.ACCESS_EXCLUSIVE), *referenced]


def _storage_or_statistics(top: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """SET STATISTICS, per-column and storage parameters, CLUSTER ON: SHARE UPDATE EXCLUSIVE."""
    if top[:2] in (("CLUSTER", "ON"), ("SET", "WITHOUT")):
        return True
    if words[:2] in (("SET", "("), ("RESET", "(")):
        return True
    if top[:1] != ("ALTER",):
        return False
    pairs = set(pairwise(words))
    return bool(pairs & {("SET", "STATISTICS"), ("SET", "("), ("RESET", "(")})


def _create_locks(create: exp.Create, words: tuple[str, ...]) -> list[TableLock]:
    kind = str(create.args.get("kind") or "").upper()
    if kind == "INDEX" and isinstance(create.this, exp.Index):
        table = create.this.args.get("table")
        mode = (
            LockMode.SHARE_UPDATE_EXCLUSIVE if create.args.get("concurrently") else LockMode.SHARE
        )
        return [TableLock(table, mode)] if isinstance(table, exp.Table) else []
    if kind != "TABLE" or ("REFERENCES" not in words and "PARTITION" not in words):
        return []  # sqlglot makes references and PARTITION OF from these words alone
    # One walk over the tree (a wide table's is large): references first, then PARTITION OF.
    locks, partition_locks = [], []
    for node in create.find_all(exp.Reference, exp.PartitionedOfProperty):
        if isinstance(node, exp.Reference):
            if (table := node.find(exp.Table)) is not None:
                locks.append(TableLock(table, LockMode.SHARE_ROW_EXCLUSIVE))
        elif isinstance(node.this, exp.Table):
            partition_locks.append(TableLock(node.this, LockMode.ACCESS_EXCLUSIVE))
    return locks + partition_locks


def _drop_locks(
    words: tuple[str, ...], tokens: list[Token], expression: exp.Expression | None
) -> list[TableLock]:
    if words[1:2] in (("TRIGGER",), ("POLICY",), ("RULE",)):
        return _locks(_name_after(tokens, "ON"), LockMode.ACCESS_EXCLUSIVE)
    if not isinstance(expression, exp.Drop):
        return []
    kind = str(expression.args.get("kind") or "").upper()
    objects = [
        table for table in expression.args.get("tables") or [] if isinstance(table, exp.Table)
    ]
    if kind == "INDEX":
        concurrently = expression.args.get("concurrently")
        mode = LockMode.SHARE_UPDATE_EXCLUSIVE if concurrently else LockMode.ACCESS_EXCLUSIVE
        return [TableLock(index, mode, on_index=True) for index in objects]
    if kind in ("TABLE", "VIEW") and not expression.args.get("temporary"):
        return [TableLock(table, LockMode.ACCESS_EXCLUSIVE) for table in objects]
    return []


def _lock_table_locks(words: tuple[str, ...], tokens: list[Token]) -> list[TableLock]:
    """``LOCK [TABLE] [ONLY] a, b [IN <mode> MODE] [NOWAIT]``; the default is ACCESS EXCLUSIVE."""
    mode = LockMode.ACCESS_EXCLUSIVE
    if "IN" in words and "MODE" in words:
        label = " ".join(words[words.index("IN") + 1 : words.index("MODE")])
        mode = _MODE_WORDS.get(label, mode)
    index = 2 if words[1:2] == ("TABLE",) else 1
    locks = []
    while index < len(tokens) and _word(tokens[index]) not in ("IN", "NOWAIT"):
        if _word(tokens[index]) in ("ONLY", ",", "*"):
            index += 1
            continue
        table, index = qualified_name_tokens(tokens, index)
        if table is None:
            break
        locks.append(TableLock(table, mode))
    return locks


def _maintenance_locks(words: tuple[str, ...], tokens: list[Token]) -> list[TableLock]:
    """REINDEX, CLUSTER, VACUUM, REFRESH MATERIALIZED VIEW."""
    concurrently = "CONCURRENTLY" in words
    index = _after_options(tokens, 1)
    if words[0] == "REFRESH":
        mode = LockMode.EXCLUSIVE if concurrently else LockMode.ACCESS_EXCLUSIVE
        return _locks(_name_at(tokens, index + 2), mode)
    if words[0] == "REINDEX":
        target = _word(tokens[index]) if index < len(tokens) else ""
        if target not in ("TABLE", "INDEX"):
            return []  # SCHEMA, DATABASE, SYSTEM: every table, names unknown here
        mode = LockMode.SHARE_UPDATE_EXCLUSIVE if concurrently else LockMode.SHARE
        return _locks(_name_at(tokens, index + 1), mode, target == "INDEX")
    full = "FULL" in words or words[0] == "CLUSTER"
    mode = LockMode.ACCESS_EXCLUSIVE if full else LockMode.SHARE_UPDATE_EXCLUSIVE
    options = ("FULL", "FREEZE", "VERBOSE", "ANALYZE", "ANALYSE", "SKIP_LOCKED")
    while index < len(tokens) and _word(tokens[index]) in options:
        index += 1
    return _locks(_name_at(tokens, index), mode)


def _data_locks(expression: exp.Expression) -> list[TableLock]:
    """INSERT/UPDATE/DELETE/MERGE/COPY FROM write their target; every statement reads the rest."""
    target: exp.Table | None = None
    writes = isinstance(expression, exp.Insert | exp.Update | exp.Delete | exp.Merge)
    if writes or (isinstance(expression, exp.Copy) and expression.args.get("kind")):
        found = expression.this.find(exp.Table) if expression.this is not None else None
        target = found if isinstance(found, exp.Table) else None
    ctes: set[str] = set()
    tables: list[exp.Table] = []
    for node in expression.find_all(exp.Table, exp.CTE):  # one walk: tables in the same order
        if not isinstance(node, exp.Table):
            ctes.add(node.alias_or_name.lower())
        elif node is not target and node.name:
            tables.append(node)
    locks = [TableLock(target, LockMode.ROW_EXCLUSIVE)] if target is not None else []
    locks += [TableLock(t, LockMode.ACCESS_SHARE) for t in tables if t.name.lower() not in ctes]
    return locks


def mysql_metadata_locks(statement: Statement) -> list[exp.Table]:
    """Tables whose exclusive metadata lock a MySQL/MariaDB DDL statement takes."""
    if is_temporary_table_statement(statement):
        return []
    tokens, words = statement.tokens, statement.words
    expression = statement.expression
    alter = alter_subcommands(statement)
    if alter is not None:
        referenced = [
            table
            for action in alter.subcommands
            if (table := _name_after(list(action.tokens), "REFERENCES")) is not None
        ]
        return [alter.table, *referenced]
    if _is_create_trigger(words) or words[:2] == ("DROP", "INDEX"):
        return _tables(_name_after(tokens, "ON"))
    if isinstance(expression, exp.Create):
        return [lock.table for lock in _create_locks(expression, words) if not lock.on_index]
    if isinstance(expression, exp.Drop) and str(expression.args.get("kind")).upper() == "TABLE":
        return [
            table for table in expression.args.get("tables") or [] if isinstance(table, exp.Table)
        ]
    if isinstance(expression, exp.TruncateTable):
        return [table for table in expression.expressions if isinstance(table, exp.Table)]
    if words[:2] in (("RENAME", "TABLE"), ("OPTIMIZE", "TABLE")) or words[:1] == ("LOCK TABLES",):
        return _renamed_or_listed(words, tokens)
    return []


def _renamed_or_listed(words: tuple[str, ...], tokens: list[Token]) -> list[exp.Table]:
    """``RENAME TABLE a TO b, c TO d`` -> a, c; ``OPTIMIZE TABLE a, b`` -> a, b."""
    index = 1 if words[0] == "LOCK TABLES" else 2
    tables: list[exp.Table] = []
    expect_name = True
    while index < len(tokens):
        word = _word(tokens[index])
        if word == ",":
            expect_name, index = True, index + 1
        elif expect_name:
            table, index = qualified_name_tokens(tokens, index)
            if table is None:
                break
            tables.append(table)
            expect_name = False
        else:
            index += 1
    return tables


def _word(token: Token) -> str:
    return token.text.upper()


def _is_create_trigger(words: tuple[str, ...]) -> bool:
    start = 3 if words[1:3] == ("OR", "REPLACE") else 1
    if words[start : start + 1] == ("CONSTRAINT",):
        start += 1
    return words[:1] == ("CREATE",) and words[start : start + 1] == ("TRIGGER",)


def _skip_if_exists(words: tuple[str, ...], index: int) -> int:
    return index + 2 if words[index : index + 2] == ("IF", "EXISTS") else index


def _after_options(tokens: list[Token], index: int) -> int:
    """Skip a parenthesised option list such as ``VACUUM (FULL, ANALYZE)``."""
    if index < len(tokens) and tokens[index].token_type == TokenType.L_PAREN:
        depth = 0
        for position in range(index, len(tokens)):
            kind = tokens[position].token_type
            depth += (kind == TokenType.L_PAREN) - (kind == TokenType.R_PAREN)
            if depth == 0:
                return position + 1
    return index


def _name_at(tokens: list[Token], index: int) -> exp.Table | None:
    while index < len(tokens) and _word(tokens[index]) in ("IF", "EXISTS", "ONLY", "CONCURRENTLY"):
        index += 1
    return qualified_name_tokens(tokens, index)[0]


def _name_after(tokens: list[Token], word: str) -> exp.Table | None:
    words = [token.text.upper() for token in tokens]  # ``_word`` of each, without a call each
    return _name_at(tokens, words.index(word) + 1) if word in words else None


def _locks(table: exp.Table | None, mode: LockMode, on_index: bool = False) -> list[TableLock]:
    return [TableLock(table, mode, on_index)] if table is not None else []


def _tables(table: exp.Table | None) -> list[exp.Table]:
    return [table] if table is not None else []
