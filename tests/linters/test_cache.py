"""The lint cache: warm runs give the same findings without importing sqlglot; stale or broken
entries are never trusted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from linters.cache import CACHE_DIR_NAME, Cache, content_key, default_cache_dir
from linters.engine import Source, lint
from linters.finding import Finding, Severity, Span

ROOT = Path(__file__).resolve().parents[2]
# Only this package's own rules: colleagues' rules must not change these findings.
ONLY_OURS = ["--ignore", "ALL", "--select", "parse-error,unused-suppression"]
#: Runs the CLI in a fresh interpreter and reports which heavy modules it imported.
PROBE = """
import json, sys
from linters.cli import main
code = main(sys.argv[1:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & {"sqlglot", "linters"} | {
    name for name in sys.modules if name in ("linters.engine", "linters.registry", "linters.parse")
})
sys.stderr.write(json.dumps({"code": code, "heavy": heavy}) + "\\n")
"""


def _run(directory: Path, cache: Path, *args: str) -> tuple[str, dict[str, object]]:
    env = {**os.environ, "SCHEMABOT_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "lint", ".", "--format", "json", *ONLY_OURS, *args],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout, json.loads(done.stderr.splitlines()[-1])


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    directory = tmp_path / "db"
    directory.mkdir()
    (directory / "V1__init.sql").write_text("CREATE TABLE users (id bigint PRIMARY KEY);\n")
    (directory / "V2__broken.sql").write_text("CREAT TABLE orders (id bigint);\n")
    (directory / "V3__note.sql").write_text("-- schemabot:ignore parse-error -- old\nSELECT 1;\n")
    return directory


def test_a_warm_run_gives_the_same_findings_without_importing_sqlglot(
    migrations: Path, tmp_path: Path
) -> None:
    cold, cold_probe = _run(migrations, tmp_path / "cache")
    warm, warm_probe = _run(migrations, tmp_path / "cache")
    assert json.loads(warm) == json.loads(cold)
    assert {finding["rule"] for finding in json.loads(cold)} >= {
        "parse-error",
        "unused-suppression",
    }
    assert cold_probe["code"] == warm_probe["code"] == 1
    assert "sqlglot" in cold_probe["heavy"]  # type: ignore[operator]
    assert warm_probe["heavy"] == ["linters"]


def test_a_changed_file_or_setting_is_linted_again(migrations: Path, tmp_path: Path) -> None:
    _run(migrations, tmp_path / "cache")
    (migrations / "V2__broken.sql").write_text("CREATE TABLE orders (id bigint);\n")
    fixed, probe = _run(migrations, tmp_path / "cache")
    assert "sqlglot" in probe["heavy"]  # type: ignore[operator]
    assert "parse-error" not in {finding["rule"] for finding in json.loads(fixed)}
    quiet, probe = _run(migrations, tmp_path / "cache", "--ignore", "unused-suppression")
    assert json.loads(quiet) == []
    assert "sqlglot" in probe["heavy"]  # type: ignore[operator]


def test_no_cache_neither_reads_nor_writes(migrations: Path, tmp_path: Path) -> None:
    _, probe = _run(migrations, tmp_path / "cache", "--no-cache")
    assert not (tmp_path / "cache").exists()
    _, probe = _run(migrations, tmp_path / "cache", "--no-cache")
    assert "sqlglot" in probe["heavy"]  # type: ignore[operator]


def test_broken_cache_files_are_ignored(migrations: Path, tmp_path: Path) -> None:
    cold, _ = _run(migrations, tmp_path / "cache")
    for path in (tmp_path / "cache").rglob("*.json"):
        path.write_text('{"findings": [["half a row"]], "titles": 3}')
    again, probe = _run(migrations, tmp_path / "cache")
    assert json.loads(again) == json.loads(cold)
    assert "sqlglot" in probe["heavy"]  # type: ignore[operator]


def test_the_cache_directory_keeps_itself_out_of_git(migrations: Path, tmp_path: Path) -> None:
    _run(migrations, tmp_path / "cache")
    assert (tmp_path / "cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (tmp_path / "cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f59")
    assert not list((tmp_path / "cache").rglob(".tmp-*"))


def test_runs_writing_the_same_cache_keep_each_others_entries(tmp_path: Path) -> None:
    first, second = Cache(tmp_path, "s"), Cache(tmp_path, "s")
    a, b = Source("V1__a.sql", "CREATE TABLE a (i int);"), Source("V2__b.sql", "SELECT 1;")
    lint([a], dialect="postgres", store=first)
    lint([b], dialect="postgres", store=second)
    first.write()
    second.write()
    reader = Cache(tmp_path, "s")
    assert reader.creates(a) == ("a",)
    assert reader.creates(b) == ()


def test_run_records_round_trip(tmp_path: Path) -> None:
    cache = Cache(tmp_path, "s")
    key = Cache.run_key([("a.sql", content_key(b"x"))])
    finding = Finding("a.sql", Span(1, 2, 3, 4), "r", Severity.INFO, "m", "h", "fix")
    cache.save_run(key, [finding], {"r": "Title."})
    assert Cache(tmp_path, "s").run(key) == ([finding], {"r": "Title."})
    assert Cache(tmp_path, "other settings").run(key) is None
    assert cache.run(Cache.run_key([("a.sql", content_key(b"y"))])) is None


def test_default_location_next_to_the_config_else_xdg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCHEMABOT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    config = tmp_path / "repo" / ".schemabot.toml"
    assert default_cache_dir(str(config)) == str(tmp_path / "repo" / CACHE_DIR_NAME)
    assert default_cache_dir(None) == str(tmp_path / "xdg" / "schemabot")
