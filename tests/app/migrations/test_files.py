"""Discovery of migration files: order, checksums, up/down pairs and errors naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.migrations.errors import MigrationFileError, UsageError
from app.migrations.files import checksum, discover


def _write(directory: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (directory / name).write_text(text)


def test_versions_are_ordered_numerically_with_repeatables_last(migrations_dir: Path) -> None:
    _write(
        migrations_dir,
        {
            "V1_10__c.sql": "SELECT 3;",
            "V1_9__b.sql": "SELECT 2;",
            "V1__a.sql": "SELECT 1;",
            "R__views.sql": "SELECT 4;",
            "U1_9__b.sql": "SELECT 5;",
            "notes.md": "not a migration",
        },
    )
    migrations = discover(migrations_dir)
    assert [m.filename for m in migrations] == [
        "V1__a.sql", "V1_9__b.sql", "V1_10__c.sql", "R__views.sql",
    ]  # fmt: skip
    assert [m.kind for m in migrations] == ["versioned"] * 3 + ["repeatable"]
    assert migrations[1].down is not None and migrations[1].down.filename == "U1_9__b.sql"
    assert migrations[0].down is None


def test_checksum_ignores_line_ending_style() -> None:
    assert checksum("SELECT 1;\r\nSELECT 2;\r\n") == checksum("SELECT 1;\nSELECT 2;\n")
    assert checksum("SELECT 1;") != checksum("SELECT 2;")


def test_dbmate_checksum_covers_only_the_up_section(migrations_dir: Path) -> None:
    up = "-- migrate:up\nCREATE TABLE a (id int);\n"
    _write(migrations_dir, {"20240101_a.sql": up + "-- migrate:down\nDROP TABLE a;\n"})
    first = discover(migrations_dir)[0]
    _write(migrations_dir, {"20240101_a.sql": up + "-- migrate:down\nDROP TABLE IF EXISTS a;\n"})
    second = discover(migrations_dir)[0]
    assert first.name.scheme == "dbmate"
    assert first.checksum == second.checksum == checksum(up)
    assert second.down is not None and "IF EXISTS" in second.down.source
    assert second.down.line_offset == 2


def test_dbmate_transaction_false_marks_the_script(migrations_dir: Path) -> None:
    _write(
        migrations_dir,
        {"1_a.sql": "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n"},
    )
    (migration,) = discover(migrations_dir)
    assert migration.up.no_transaction("postgres")


def test_schemabot_directive_marks_the_script(migrations_dir: Path) -> None:
    _write(migrations_dir, {"0001_a.sql": "-- schemabot:no-transaction\nVACUUM;\n"})
    _write(migrations_dir, {"0002_b.sql": "-- an ordinary transaction\nSELECT 1;\n"})
    first, second = discover(migrations_dir)
    assert first.up.no_transaction("postgres")
    assert not second.up.no_transaction("postgres")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"0001_a.up.sql": "", "0002_b.sql": ""}, r"0002_b\.sql is plain"),
        ({"0001_a.sql": "", "oops.sql": ""}, r"oops\.sql: not a migration file name"),
        ({"V1__a.sql": "", "V1_0__b.sql": ""}, r"V1__a\.sql: version 1 is also V1_0__b\.sql"),
        ({"0001_a.up.sql": "", "0002_b.down.sql": ""}, r"0002_b\.down\.sql: down migration"),
        ({"1_a.sql": "-- migrate:up\nSELECT 1;", "2_b.sql": "SELECT 2;"}, r"2_b\.sql: dbmate"),
        ({"R__a.sql": "", "R__a_.sql": ""}, r"R__a_?\.sql: same description"),
    ],
)
def test_bad_directories_are_refused_naming_the_file(
    migrations_dir: Path, files: dict[str, str], message: str
) -> None:
    _write(migrations_dir, files)
    with pytest.raises(MigrationFileError, match=message):
        discover(migrations_dir)


def test_a_configured_scheme_names_the_file_that_does_not_follow_it(
    migrations_dir: Path,
) -> None:
    _write(migrations_dir, {"V1__a.sql": "", "0002_b.sql": ""})
    with pytest.raises(MigrationFileError, match=r"0002_b\.sql: not a flyway migration name"):
        discover(migrations_dir, "flyway")


def test_missing_directory_and_files_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nowhere"):
        discover(tmp_path / "nowhere")
    with pytest.raises(UsageError, match=r"0001_x\.sql"):
        discover([tmp_path / "0001_x.sql"])


def test_an_explicit_file_list_is_ordered_by_version(migrations_dir: Path) -> None:
    _write(migrations_dir, {"0010_c.sql": "", "0002_b.sql": ""})
    migrations = discover([migrations_dir / "0010_c.sql", migrations_dir / "0002_b.sql"])
    assert [m.version for m in migrations] == ["0002", "0010"]


@pytest.mark.parametrize(
    "content",
    [
        b"SELECT 1;\n",
        b"\xef\xbb\xbfSELECT 1;\r\nSELECT 2;\r\n",
        b"SELECT 1;\rSELECT 2;\r\n\r",
        b"\xef\xbb\xbf\xef\xbb\xbfSELECT 1;",
        b"\xef\xbb",
        b"",
    ],
)
def test_files_read_as_text_mode_reads_them(migrations_dir: Path, content: bytes) -> None:
    path = migrations_dir / "0001_a.sql"
    path.write_bytes(content)
    script = discover(migrations_dir)[0].up
    assert script.source == path.read_text(encoding="utf-8-sig")


def test_a_file_that_is_not_utf8_is_named_with_the_reason(migrations_dir: Path) -> None:
    (migrations_dir / "0001_a.sql").write_bytes(b"SELECT '\xff';")
    with pytest.raises(MigrationFileError, match=r"0001_a\.sql: not UTF-8 text \(invalid start"):
        discover(migrations_dir)


def test_a_directory_gives_its_sql_files_with_paths_as_pathlib_prints_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "m"
    directory.mkdir()
    for name in ("0002_b.sql", "0001_a.sql", ".sql", "0003_c.SQL", "notes.sql.md"):
        (directory / name).write_text("")
    assert [m.filename for m in discover(directory)] == ["0001_a.sql", "0002_b.sql"]
    (directory / "0004_d.sql").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(IsADirectoryError, match=r"'m/0004_d\.sql'"):
        discover(Path("m"))
    monkeypatch.chdir(directory)
    with pytest.raises(IsADirectoryError, match=r"'0004_d\.sql'"):
        discover(Path("."))
