"""A content-hash cache of lint results, so that a second run over the same files is instant.

Two layers, both keyed by the code that lints (every module of ``linters`` and sqlglot's
version), the settings (config, CLI overrides, dialect) and file contents:

* per file, the outcome of the statement and file rules and the facts change rules read,
  keyed by path, content and the set of tables created by earlier files (lock rules exempt new
  tables), plus the tables the file creates, keyed by content alone;
* per run, the final findings of the whole change (after change rules and suppressions).

A run whose files are all unchanged reads one small file and never imports sqlglot, the engine
or the rules: keep this module's imports to the standard library and ``linters.finding``.
Concurrent runs are safe: every file is written to a temporary name and renamed into place,
and a lost race only loses cache entries. The cache is trusted like the working tree it sits
next to; the service never uses it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from hashlib import blake2b
from typing import TYPE_CHECKING, Any

from linters.finding import Finding, Severity, Span

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from linters.engine import FileOutcome, Source
    from linters.suppression import Suppression

__all__ = ["CACHE_DIR_NAME", "Cache", "content_key", "default_cache_dir"]

CACHE_DIR_NAME = ".schemabot-cache"
#: Bump when the layout or the meaning of an entry changes.
FORMAT = "2"
#: Per-file entries kept across runs (older ones are dropped first).
MAX_FILE_ENTRIES = 20_000
#: Whole-run records kept (one small file each).
MAX_RUNS = 16


def _digest(*parts: str | bytes) -> str:
    hasher = blake2b(digest_size=20)
    for part in parts:
        hasher.update(part if isinstance(part, bytes) else part.encode())
        hasher.update(b"\0")
    return hasher.hexdigest()


def content_key(text: str | bytes) -> str:
    return _digest(text)


def default_cache_dir(config_path: str | None) -> str:
    """Next to the config file when there is one (like Ruff), else the user's XDG cache."""
    if override := os.environ.get("SCHEMABOT_CACHE_DIR"):
        return override
    if config_path is not None:
        return os.path.join(os.path.dirname(os.path.abspath(config_path)), CACHE_DIR_NAME)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "schemabot")


def code_fingerprint() -> str:
    """Changes whenever the linter's code or the sqlglot version changes (stat only)."""
    stamps = [sys.version]
    package = os.path.dirname(os.path.abspath(__file__))
    for directory, _, names in os.walk(package):
        for name in names:
            if name.endswith(".py"):
                stat = os.stat(os.path.join(directory, name))
                stamps.append(f"{directory}/{name}:{stat.st_mtime_ns}:{stat.st_size}")
    for entry in sys.path:
        version_file = os.path.join(entry or ".", "sqlglot", "_version.py")
        if os.path.exists(version_file):
            stat = os.stat(version_file)
            stamps.append(f"sqlglot:{stat.st_mtime_ns}:{stat.st_size}")
            break
    return _digest(*sorted(stamps))


# -- plain JSON shapes (no pickle: a cache file is data, never code) -----------------------


def _finding_row(finding: Finding) -> list[Any]:
    span = finding.span
    return [
        finding.path,
        [span.line, span.column, span.end_line, span.end_column],
        finding.rule,
        finding.severity.value,
        finding.message,
        finding.help,
        finding.suggestion,
    ]


def _finding(row: list[Any]) -> Finding:
    path, span, rule, severity, message, help_, suggestion = row
    return Finding(path, Span(*span), rule, Severity(severity), message, help_, suggestion)


def _suppression_row(suppression: Suppression) -> list[Any]:
    def span(s: Span) -> list[int]:
        return [s.line, s.column, s.end_line, s.end_column]

    return [
        span(suppression.span),
        suppression.file_wide,
        list(suppression.rules),
        [list(pair) for pair in suppression.unknown],
        suppression.reason,
        [span(target) for target in suppression.targets],
        suppression.text,
    ]


def _suppression(row: list[Any]) -> Suppression:
    from linters.suppression import Suppression

    span, file_wide, rules, unknown, reason, targets, text = row
    return Suppression(
        span=Span(*span),
        file_wide=file_wide,
        rules=tuple(rules),
        unknown=tuple((name, closest) for name, closest in unknown),
        reason=reason,
        targets=tuple(Span(*target) for target in targets),
        text=text,
    )


def _read_json(path: str) -> Any:
    try:
        with open(path, "rb") as file:
            return json.loads(file.read())
    except (OSError, ValueError):
        return None


def _write_json(path: str, data: object) -> None:
    """Write atomically: readers see the old file or the new one, never half of one."""
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    temporary = os.path.join(directory, f".tmp-{os.getpid()}-{time.monotonic_ns()}.json")
    try:
        with open(temporary, "x", encoding="utf-8") as file:
            json.dump(data, file, separators=(",", ":"))
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _mark_cache_dir(root: str) -> None:
    os.makedirs(root, exist_ok=True)
    ignore = os.path.join(root, ".gitignore")
    if not os.path.exists(ignore):
        with open(ignore, "w", encoding="utf-8") as file:
            file.write("# Created by schemabot: never commit the cache.\n*\n")
    tag = os.path.join(root, "CACHEDIR.TAG")
    if not os.path.exists(tag):
        with open(tag, "w", encoding="utf-8") as file:
            file.write(
                "Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by schemabot.\n"
            )


class Cache:
    """The cache of one code version and one set of settings."""

    def __init__(self, root: str | os.PathLike[str], settings: str) -> None:
        self.root = os.fspath(root)
        namespace = _digest(FORMAT, code_fingerprint(), settings)
        self.directory = os.path.join(self.root, f"v{FORMAT}", namespace)
        self._files: dict[str, Any] | None = None
        self._touched: dict[str, Any] = {}

    # -- whole runs: the warm path -----------------------------------------------------------

    @staticmethod
    def run_key(
        contents: Iterable[tuple[str, str]],
        base_files: dict[str, str] | None = None,
        other_paths: Sequence[str] = (),
    ) -> str:
        """``contents``: (path, content_key) of each file, in lint order."""
        parts = [f"{path}\0{key}" for path, key in contents]
        extra = json.dumps([sorted((base_files or {}).items()), list(other_paths)])
        return _digest(*parts, extra)

    def run(self, run_key: str) -> tuple[list[Finding], dict[str, str]] | None:
        """The findings of an identical earlier run, and the titles of their rules."""
        record = _read_json(os.path.join(self.directory, "runs", f"{run_key}.json"))
        if not isinstance(record, dict):
            return None
        try:
            return [_finding(row) for row in record["findings"]], dict(record["titles"])
        except (KeyError, TypeError, ValueError):
            return None

    def save_run(self, run_key: str, findings: list[Finding], titles: dict[str, str]) -> None:
        runs = os.path.join(self.directory, "runs")
        _mark_cache_dir(self.root)
        record = {"findings": [_finding_row(f) for f in findings], "titles": titles}
        _write_json(os.path.join(runs, f"{run_key}.json"), record)
        recent = sorted(
            (entry for entry in os.scandir(runs) if entry.name.endswith(".json")),
            key=lambda entry: entry.stat().st_mtime_ns,
            reverse=True,
        )
        for stale in recent[MAX_RUNS:]:
            os.unlink(stale.path)

    # -- per file: linters.schedule.OutcomeStore ---------------------------------------------

    def _entries(self) -> dict[str, Any]:
        if self._files is None:
            data = _read_json(os.path.join(self.directory, "files.json"))
            self._files = data if isinstance(data, dict) else {}
        return self._files

    def creates(self, source: Source) -> tuple[str, ...] | None:
        entry = self._entries().get("c" + content_key(source.text))
        return tuple(entry) if isinstance(entry, list) else None

    def outcome(self, source: Source, tables: str) -> FileOutcome | None:
        key = "o" + _digest(source.path, content_key(source.text), tables)
        entry = self._entries().get(key)
        if not isinstance(entry, list):
            return None
        from linters.engine import FileOutcome

        try:
            findings, creates, suppressions, facts = entry
            outcome = FileOutcome(
                [_finding(row) for row in findings],
                tuple(creates),
                [_suppression(row) for row in suppressions],
                dict(facts),
            )
        except (TypeError, ValueError):
            return None
        self._touched[key] = entry
        self._touched["c" + content_key(source.text)] = list(outcome.creates)
        return outcome

    def save(self, source: Source, tables: str, outcome: FileOutcome) -> None:
        content = content_key(source.text)
        self._touched["c" + content] = list(outcome.creates)
        self._touched["o" + _digest(source.path, content, tables)] = [
            [_finding_row(f) for f in outcome.findings],
            list(outcome.creates),
            [_suppression_row(s) for s in outcome.suppressions],
            outcome.facts,
        ]

    def write(self) -> None:
        """Merge this run's entries into what is on disk now (another run may have written)."""
        if not self._touched:
            return
        _mark_cache_dir(self.root)
        path = os.path.join(self.directory, "files.json")
        current = _read_json(path)
        entries: dict[str, Any] = current if isinstance(current, dict) else {}
        for key in self._touched:
            entries.pop(key, None)
        entries.update(self._touched)  # most recently used last
        if len(entries) > MAX_FILE_ENTRIES:
            entries = dict(list(entries.items())[-MAX_FILE_ENTRIES:])
        _write_json(path, entries)
