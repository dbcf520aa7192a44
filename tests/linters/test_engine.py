"""The engine: dispatch, new tables across files, down migrations, robustness, parallel runs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from linters import schedule
from linters.cache import Cache
from linters.config import LintConfig, config_from_table
from linters.dialects import ALL, DIALECTS, Dialect
from linters.engine import Linter, Source, enabled_rules, lint
from linters.finding import Finding, Severity
from linters.registry import RULES
from linters.rule import Context, Rule, StatementRule, Violation
from linters.statement import Statement


def _drop_of_old_table(statement: Statement, context: Context) -> Iterator[Violation]:
    table = statement.expression.find(exp.Table) if statement.expression else None
    kind = str(statement.expression.args.get("kind", "")) if statement.expression else ""
    if table is not None and kind.upper() == "TABLE" and not context.is_new_table(table):
        yield Violation(f"Keep table `{table.name}`", "Stop using it first")


def _explode(statement: Statement, context: Context) -> Iterator[Violation]:
    if "boom" in statement.text:
        raise ValueError("cannot cope")
    return iter(())


DROP_OLD = StatementRule(
    id="test-drop-old", severity=Severity.ERROR, dialects=ALL, doc="Drop.", on=(exp.Drop,),
    check=_drop_of_old_table,
)  # fmt: skip
# Asks about Drop twice (directly and through its base class): must still run once.
EXPLODE = StatementRule(
    id="test-explode", severity=Severity.WARNING, dialects=frozenset({"postgres"}), doc="Boom.",
    on=(exp.Expression, exp.Drop), check=_explode,
)  # fmt: skip
TEST_RULES: dict[str, Rule] = {
    "parse-error": RULES["parse-error"],
    "unused-suppression": RULES["unused-suppression"],
    DROP_OLD.id: DROP_OLD,
    EXPLODE.id: EXPLODE,
}


def _lint(
    files: Mapping[str, str | bytes], dialect: Dialect = "postgres", **kw: object
) -> list[str]:
    sources = [Source(path, text) for path, text in files.items()]
    findings = lint(sources, dialect=dialect, rules=TEST_RULES, **kw)  # type: ignore[arg-type]
    return [f"{f.path}:{f.span.line}:{f.span.column} {f.rule}" for f in findings]


def test_enabled_rules_follow_dialect_and_config() -> None:
    assert set(enabled_rules(LintConfig(), "postgres", TEST_RULES)) == set(TEST_RULES)
    assert "test-explode" not in enabled_rules(LintConfig(), "mysql", TEST_RULES)
    ignored = config_from_table({"ignore": ["test-drop-old"]}, rules=TEST_RULES)
    assert "test-drop-old" not in enabled_rules(ignored, "postgres", TEST_RULES)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_registry_gives_the_same_rules_when_it_imports_only_the_dialects_groups(
    dialect: Dialect,
) -> None:
    configs = [
        LintConfig(),
        config_from_table({"select": ["ALL"]}),
        config_from_table({"select": ["common"], "ignore": ["postgres"]}),
        config_from_table({"severity": {"naming-convention": "error", "drop-table": "off"}}),
    ]
    for config in configs:
        every_rule = {rule.id: rule for rule in RULES.values()}  # a plain table: no skipping
        lazily = enabled_rules(config, dialect)
        assert list(lazily.items()) == list(enabled_rules(config, dialect, every_rule).items())


def test_a_postgresql_run_imports_no_mysql_rule_nor_an_opt_in_rule_left_off() -> None:
    probe = (
        "import sys\nfrom linters.engine import Source, lint\n"
        "lint([Source('V1__a.sql', 'ALTER TABLE t ADD COLUMN c int;')], dialect='postgres')\n"
        "print(*sorted({m.split('.')[2] for m in sys.modules if m.startswith('linters.rules.')}))\n"
        "print('linters.rules.common.naming_convention' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["common", "files", "postgres", "False"]


def test_batches_take_every_file_once_in_order_and_stay_few() -> None:
    sizes = [1, 50, 3, 3, 900, 2, 2, 2, 40, 1] * 30
    indices = [index for index in range(len(sizes)) if index % 7]
    batches = schedule._batches(indices, sizes, 2)
    # In order, each file once, none empty, and no more batches than asked for.
    assert [index for batch in batches for index in batch] == indices
    assert all(batches)
    assert len(batches) <= 2 * schedule.BATCHES_PER_PROCESS


def test_statement_rules_are_dispatched_by_expression_type_once() -> None:
    linter = Linter(LintConfig(), "postgres", TEST_RULES)
    assert linter.rules_for(exp.Drop) == [DROP_OLD, EXPLODE]
    assert linter.rules_for(exp.Create) == [EXPLODE]
    assert _lint({"V1__a.sql": "CREATE TABLE keep (id int);\nDROP TABLE users;\n"}) == [
        "V1__a.sql:2:1 test-drop-old"
    ]


def test_tables_created_earlier_in_the_change_are_new() -> None:
    files = {
        "V1__create.sql": "CREATE TABLE public.orders (id bigint);",
        "V2__drop.sql": "DROP TABLE orders;\nDROP TABLE users;\n",
    }
    assert _lint(files) == ["V2__drop.sql:2:1 test-drop-old"]


def test_a_rule_that_raises_becomes_a_finding_naming_it() -> None:
    findings = lint(
        [Source("V1__a.sql", "SELECT 'boom';\nDROP TABLE users;\n")],
        dialect="postgres",
        rules=TEST_RULES,
    )
    assert [(f.rule, f.span.line) for f in findings] == [
        ("test-explode", 1),
        ("test-drop-old", 2),
    ]
    assert findings[0].message == "Internal error in rule `test-explode`: ValueError: cannot cope"
    assert findings[0].severity == Severity.WARNING


def test_dbmate_down_section_is_not_checked_by_statement_rules() -> None:
    sql = "-- migrate:up\nDROP TABLE a;\n\n-- migrate:down\nDROP TABLE b;\nCREAT TABLE c (i int);\n"
    assert _lint({"20240101000000_x.sql": sql}) == [
        "20240101000000_x.sql:2:1 test-drop-old",
        "20240101000000_x.sql:6:1 parse-error",
    ]


def test_down_files_are_checked_by_file_rules_only() -> None:
    down = "DROP TABLE a;\nCREAT TABLE c (i int);\n"
    files = {"1_x.down.sql": down, "U2__undo.sql": down, "V2__redo.sql": "DROP TABLE a;"}
    assert _lint(files) == [
        "1_x.down.sql:2:1 parse-error",
        "U2__undo.sql:2:1 parse-error",
        "V2__redo.sql:1:1 test-drop-old",
    ]


def test_bytes_that_are_not_utf8_give_a_parse_error_with_the_offset() -> None:
    findings = lint(
        [Source("V1__a.sql", b"SELECT 1;\n  SELECT '\xff';\n")],
        dialect="postgres",
        rules=TEST_RULES,
    )
    assert [(f.rule, f.span.line, f.span.column) for f in findings] == [("parse-error", 2, 11)]
    assert findings[0].path == "V1__a.sql"
    assert "file is not valid UTF-8 at byte 20" in findings[0].message


def test_a_byte_order_mark_is_not_part_of_the_first_line() -> None:
    assert _lint({"V1__a.sql": b"\xef\xbb\xbfDROP TABLE a;"}) == ["V1__a.sql:1:1 test-drop-old"]


def test_findings_are_sorted_by_path_line_and_column() -> None:
    files = {"b.sql": "DROP TABLE a; DROP TABLE b;", "a.sql": "SELECT 1;\nDROP TABLE c;"}
    assert _lint(files) == ["a.sql:2:1 test-drop-old", "b.sql:1:1 test-drop-old",
                            "b.sql:1:15 test-drop-old"]  # fmt: skip


ANY_RULE = config_from_table({"select": ["ALL"]})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300), dialect=st.sampled_from(DIALECTS))
def test_arbitrary_text_never_raises(text: str, dialect: Dialect) -> None:
    findings = lint([Source("V1__x.sql", text)], dialect=dialect, config=ANY_RULE)
    assert all(isinstance(finding, Finding) for finding in findings)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    findings = lint([Source("V1__x.sql", data)], dialect="postgres", config=ANY_RULE)
    assert all(isinstance(finding, Finding) for finding in findings)


def _change(count: int) -> dict[str, str | bytes]:
    """Each file creates a table, drops the previous file's (new: fine) and an old one."""
    files: dict[str, str | bytes] = {}
    for number in range(1, count + 1):
        files[f"V{number:03d}__step.sql"] = (
            f"-- step {number}\nCREATE TABLE t{number} (id bigint);\n"
            f"DROP TABLE t{number - 1};\nDROP TABLE old{number};\n"
        )
    files[f"V{count + 1:03d}__late.sql"] = "DROP TABLE t3;\nDROP TABLE t9999;\n"
    return files


def test_forked_workers_give_the_same_findings_as_one_process() -> None:
    files = _change(200)
    serial = _lint(files, jobs=1)
    assert _lint(files, jobs=2) == serial
    assert len(serial) == 202  # 200 old tables, t0 (never created) and t9999
    assert serial[-1] == "V201__late.sql:2:1 test-drop-old"


def test_cached_outcomes_are_reused_and_rechecked_when_earlier_tables_change(
    tmp_path: Path,
) -> None:
    files: dict[str, str | bytes] = {
        "V1__a.sql": "CREATE TABLE t (i int);",
        "V2__b.sql": "DROP TABLE t;",
    }
    cache = Cache(tmp_path, "settings")
    assert _lint(files, store=cache) == []
    cache.write()
    # A rule table where nothing fires: a reused outcome still carries the old verdict.
    quiet = {"parse-error": RULES["parse-error"]}
    reused = lint([Source(p, t) for p, t in files.items()], dialect="postgres", rules=quiet,
                  store=Cache(tmp_path, "settings"))  # fmt: skip
    assert reused == []
    # V1 now only mentions the table in a comment: the regex guess still sees it, the engine
    # does not, so V2's cached outcome (checked when t was new) must be checked again.
    files["V1__a.sql"] = "-- CREATE TABLE t (i int);\nSELECT 1;"
    assert _lint(files, store=Cache(tmp_path, "settings")) == ["V2__b.sql:1:1 test-drop-old"]


def _transaction_states(sql: str, dialect: Dialect = "postgres") -> list[str]:
    """Each non-transaction-control statement's first word with where it runs: ``X:explicit``,
    ``X:runner`` (the runner's transaction) or ``X:none`` (commits on its own)."""
    seen: list[str] = []

    def probe(statement: Statement, context: Context) -> Iterator[Violation]:
        # (The linter's warm-up before forking runs rules too: only this file counts.)
        if context.path == "V1__x.sql" and context.transaction_of(statement) is not None:
            where = "none"
            if context.in_explicit_transaction(statement):
                where = "explicit"
            elif context.in_transaction(statement):
                where = "runner"
            seen.append(f"{statement.text.split()[-1]}:{where}")
        return iter(())

    rule = StatementRule(
        id="test-probe", severity=Severity.INFO, dialects=ALL, doc="Probe.",
        on=(exp.Expression,), check=probe,
    )  # fmt: skip
    lint([Source("V1__x.sql", sql)], dialect=dialect, rules={rule.id: rule})
    return seen


def test_transaction_state_follows_every_spelling_of_begin_and_end() -> None:
    directive = "-- schemabot:no-transaction\n"
    assert _transaction_states(directive + "START TRANSACTION; SELECT a; COMMIT; SELECT b;") == [
        "a:explicit",
        "b:none",
    ]
    assert _transaction_states(directive + "BEGIN; SELECT a; ABORT; SELECT b;") == [
        "a:explicit",
        "b:none",
    ]
    assert _transaction_states(
        directive + "BEGIN; SAVEPOINT s; SELECT a; ROLLBACK TO SAVEPOINT s; SELECT b; END; "
        "SELECT c;"
    ) == ["a:explicit", "b:explicit", "c:none"]
    sqlite = directive + "BEGIN IMMEDIATE; SELECT a; END TRANSACTION; SELECT b;"
    assert _transaction_states(sqlite, "sqlite") == ["a:explicit", "b:none"]


def test_a_commit_in_a_wrapped_file_ends_the_runners_transaction() -> None:
    assert _transaction_states("SELECT a; COMMIT; SELECT b; BEGIN; SELECT c;") == [
        "a:runner",
        "b:none",
        "c:explicit",
    ]
    # MySQL DDL commits implicitly: the ALTER runs outside the transaction BEGIN opened.
    mysql = "START TRANSACTION; SELECT a; ALTER TABLE t ADD COLUMN c int; SELECT b;"
    assert _transaction_states(mysql, "mysql") == ["a:explicit", "int:none", "b:none"]


def test_change_rules_read_cached_files_through_their_facts_without_parsing_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "V1__orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, shop_id bigint);\n"
        "CREATE INDEX orders_shop_status_ix ON orders (shop_id, status);\n",
        "V2__index.sql": "CREATE INDEX orders_shop_ix ON orders (shop_id);\n",
    }
    config = config_from_table({"select": ["index-redundant", "fk-without-index"]})

    def run(store: Cache | None) -> list[str]:
        sources = [Source(path, text) for path, text in files.items()]
        found = lint(sources, dialect="postgres", config=config, store=store)
        return [f"{f.path}:{f.span.line} {f.rule}" for f in found if f.rule in config.select]

    cache = Cache(tmp_path, "settings")
    assert run(cache) == ["V2__index.sql:1 index-redundant"]
    cache.write()
    read: list[str] = []
    original = Linter.read

    def counting_read(self: Linter, source: Source) -> object:
        read.append(source.path)
        return original(self, source)

    monkeypatch.setattr(Linter, "read", counting_read)
    files["V2__index.sql"] = "-- edited\n" + files["V2__index.sql"]
    assert run(Cache(tmp_path, "settings")) == ["V2__index.sql:2 index-redundant"]
    assert [path for path in read if path != "warm-up.sql"] == ["V2__index.sql"]
    assert run(None) == ["V2__index.sql:2 index-redundant"]


def _realistic_change(count: int) -> dict[str, str | bytes]:
    """Tables, foreign keys, indexes (some redundant), alters and drops across files."""
    files: dict[str, str | bytes] = {}
    for number in range(1, count + 1):
        parent = f"t{number - 1}" if number > 1 else "users"
        files[f"V{number:03d}__step.sql"] = (
            f"CREATE TABLE t{number} (id bigint PRIMARY KEY, {parent}_id int REFERENCES "
            f"{parent} (id), status text);\n"
            f"CREATE INDEX t{number}_status_ix ON t{number} (status);\n"
            f"CREATE INDEX t{number - 1}_status_id_ix ON t{number - 1} (status, id);\n"
            f"ALTER TABLE t{number - 1} ADD CONSTRAINT c{number} CHECK (status <> '');\n"
            f"DROP INDEX IF EXISTS t{number - 2}_status_ix;\n"
        )
    return files


@pytest.mark.parametrize("separate_files", [True, False])
def test_forked_workers_give_the_same_findings_with_every_default_rule(
    separate_files: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = [Source(path, text) for path, text in _realistic_change(160).items()]
    serial = lint(sources, dialect="postgres", jobs=1, separate_files=separate_files)
    forks: list[int] = []
    original = schedule._Work.in_parallel

    def counted(self: schedule._Work, chunks: list[list[int]]) -> object:
        forks.append(len(chunks))
        return original(self, chunks)

    monkeypatch.setattr(schedule._Work, "in_parallel", counted)
    forked = lint(sources, dialect="postgres", jobs=2, separate_files=separate_files)
    assert forks == [2]
    assert forked == serial
    rules = {finding.rule for finding in serial}
    assert {"index-redundant", "fk-without-index", "prefer-bigint"} <= rules
