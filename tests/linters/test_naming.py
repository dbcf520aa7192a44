"""Migration file names in each scheme, scheme detection and dbmate sections."""

from __future__ import annotations

import pytest

from linters.naming import (
    MigrationName,
    MigrationNameError,
    detect_scheme,
    parse_name,
    split_dbmate,
    version_key,
)


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("V1__init.sql", MigrationName("V1__init.sql", "flyway", "1", (1,), "init", "up")),
        (
            "V1_2__add_email.sql",
            MigrationName("V1_2__add_email.sql", "flyway", "1.2", (1, 2), "add email", "up"),
        ),
        ("U3__drop.sql", MigrationName("U3__drop.sql", "flyway", "3", (3,), "drop", "down")),
        (
            "R__views.sql",
            MigrationName("R__views.sql", "flyway", None, None, "views", "repeatable"),
        ),
        (
            "0002_users.up.sql",
            MigrationName("0002_users.up.sql", "golang-migrate", "0002", (2,), "users", "up"),
        ),
        (
            "0002_users.down.sql",
            MigrationName("0002_users.down.sql", "golang-migrate", "0002", (2,), "users", "down"),
        ),
        (
            "20240101120000_create_users.sql",
            MigrationName(
                "20240101120000_create_users.sql",
                "plain",
                "20240101120000",
                (20240101120000,),
                "create users",
                "up",
            ),
        ),
        ("0001-init.sql", MigrationName("0001-init.sql", "plain", "0001", (1,), "init", "up")),
    ],
)
def test_parse_name_reads_every_scheme_in_auto_mode(filename: str, expected: MigrationName) -> None:
    assert parse_name(filename) == expected


@pytest.mark.parametrize(
    "filename",
    ["README.md", "init.sql", "V1_init.sql", "V__x.sql", "1.sql.bak", "v1__lower.sql", "x_1.sql"],
)
def test_parse_name_rejects_names_of_no_scheme(filename: str) -> None:
    assert parse_name(filename) is None


def test_plain_scheme_refuses_golang_migrate_down_files() -> None:
    # Read as plain, a down file would run as an up migration.
    assert parse_name("0001_users.down.sql", "plain") is None
    assert parse_name("0001_users.up.sql", "dbmate") is None
    assert parse_name("0001_users.sql", "dbmate") == MigrationName(
        "0001_users.sql", "dbmate", "0001", (1,), "users", "up"
    )


def test_parse_name_rejects_an_unknown_scheme() -> None:
    with pytest.raises(ValueError, match="liquibase"):
        parse_name("V1__x.sql", "liquibase")


def test_version_key_compares_numeric_parts_as_numbers() -> None:
    assert version_key("1.10") > version_key("1.9")
    assert version_key("1_10") == version_key("1.10")
    assert version_key("0010") > version_key("2")
    assert version_key("1.0") == version_key("1")
    assert sorted(["1.10", "1.9", "2", "1.9.1"], key=version_key) == ["1.9", "1.9.1", "1.10", "2"]


def test_detect_scheme_from_names() -> None:
    assert detect_scheme(["V1__a.sql", "U1__a.sql", "R__v.sql", "notes.txt"]) == "flyway"
    assert detect_scheme(["0001_a.up.sql", "0001_a.down.sql"]) == "golang-migrate"
    assert detect_scheme(["0001_a.sql", "0002_b.sql"]) == "plain"
    assert detect_scheme(["README.md"]) is None


def test_detect_scheme_tells_dbmate_by_content() -> None:
    sources = {"0001_a.sql": "-- migrate:up\nCREATE TABLE a (id int);\n", "0002_b.sql": "SELECT 1;"}
    assert detect_scheme(sources, sources) == "dbmate"


def test_detect_scheme_names_the_file_of_another_scheme() -> None:
    with pytest.raises(MigrationNameError, match=r"V2__b\.sql is flyway"):
        detect_scheme(["0001_a.up.sql", "V2__b.sql"])
    with pytest.raises(MigrationNameError, match=r"init\.sql"):
        detect_scheme(["0001_a.sql", "init.sql"])


def test_split_dbmate_keeps_offsets_lines_and_options() -> None:
    source = (
        "-- a header comment\n"
        "-- migrate:up transaction:false\n"
        "CREATE INDEX CONCURRENTLY ix ON t (a);\n"
        "\n"
        "-- migrate:down\n"
        "DROP INDEX ix;\n"
    )
    sections = split_dbmate(source)
    assert sections.up is not None and sections.down is not None
    assert sections.up.line == 2
    assert sections.up.text.startswith("-- migrate:up transaction:false\nCREATE INDEX")
    assert source[sections.up.offset :].startswith(sections.up.text)
    assert not sections.up.transaction
    assert sections.down.line == 5
    assert sections.down.text == "-- migrate:down\nDROP INDEX ix;\n"
    assert sections.down.transaction


def test_split_dbmate_without_sections_or_with_two_ups() -> None:
    assert split_dbmate("CREATE TABLE a (id int);").up is None
    with pytest.raises(MigrationNameError, match="more than one"):
        split_dbmate("-- migrate:up\nSELECT 1;\n-- migrate:up\nSELECT 2;\n")
