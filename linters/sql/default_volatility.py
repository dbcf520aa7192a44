"""Whether a column default is volatile: computed per row, so adding the column rewrites the table.

From PostgreSQL 11, ``ADD COLUMN ... DEFAULT <expr>`` with a non-volatile expression evaluates it
once and stores the value in the catalog: no rewrite. ``now()`` and ``CURRENT_TIMESTAMP`` are
stable, so they qualify (every existing row gets the time of the ALTER). A volatile default
(``random()``, ``clock_timestamp()``, ``gen_random_uuid()``, ``nextval()``) has to be computed
for each existing row: the table is rewritten under ACCESS EXCLUSIVE.

Functions this module does not know are treated as volatile: ``CREATE FUNCTION`` makes a
function VOLATILE unless it says otherwise, and a user function's declaration is not in sight.
"""

from __future__ import annotations

from sqlglot import exp

__all__ = ["NON_VOLATILE_FUNCTIONS", "VOLATILE_FUNCTIONS", "is_null", "is_volatile"]

#: Built-in (and common extension) functions marked volatile in ``pg_proc`` that people use in
#: defaults. Listed so a reader sees them; unknown names are volatile anyway.
VOLATILE_FUNCTIONS = frozenset(
    {
        "clock_timestamp",
        "currval",
        "gen_random_bytes",
        "gen_random_uuid",
        "gen_salt",
        "lastval",
        "nextval",
        "random",
        "random_normal",
        "setval",
        "timeofday",
        "txid_status",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "uuidv4",
        "uuidv7",
    }
)

#: Stable or immutable built-ins (``pg_proc.provolatile`` ``s`` / ``i``) that sqlglot does not
#: model as a function class of its own, so they reach us by name.
NON_VOLATILE_FUNCTIONS = frozenset(
    {
        "age",
        "array_fill",
        "btrim",
        "concat_ws",
        "current_database",
        "current_schema",
        "current_setting",
        "date_part",
        "decode",
        "encode",
        "format",
        "inet_client_addr",
        "initcap",
        "json_build_array",
        "json_build_object",
        "jsonb_build_array",
        "jsonb_build_object",
        "localtime",
        "lpad",
        "make_date",
        "make_time",
        "make_timestamp",
        "make_timestamptz",
        "now",
        "pg_current_xact_id",
        "replace",
        "rpad",
        "session_user",
        "split_part",
        "statement_timestamp",
        "timezone",
        "to_date",
        "to_json",
        "to_jsonb",
        "to_timestamp",
        "transaction_timestamp",
        "txid_current",
    }
)

#: sqlglot's classes for the volatile built-ins it models (``random()``, ``gen_random_uuid()``).
_VOLATILE_NODES = (exp.Rand, exp.Randn, exp.Randstr, exp.Uuid)


def _is_volatile_call(node: exp.Func) -> bool:
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        return name in VOLATILE_FUNCTIONS or name not in NON_VOLATILE_FUNCTIONS
    # Any other class is a built-in sqlglot models (casts, lower(), date_trunc() ...).
    return isinstance(node, _VOLATILE_NODES)


def is_volatile(expression: exp.Expression) -> bool:
    """Whether evaluating ``expression`` once per row could give different values."""
    return any(_is_volatile_call(node) for node in expression.walk() if isinstance(node, exp.Func))


def is_null(expression: exp.Expression) -> bool:
    """``DEFAULT NULL`` (possibly cast): the same as no default at all."""
    while isinstance(expression, exp.Cast | exp.Paren):
        expression = expression.this
    return isinstance(expression, exp.Null)
