"""``schemabot lint`` and ``schemabot rules``: the linter's own lean entry point.

``app.cli`` hands these subcommands here before importing the service. Start-up time is the
point: at module level import only what the warm (fully cached) path needs; sqlglot, the engine
and the rules load only when a file really has to be checked.

Exit codes: 0 no error-severity finding, 1 at least one, 2 bad usage, configuration or input.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from collections.abc import Sequence

    from linters.config import LintConfig
    from linters.dialects import Dialect
    from linters.finding import Finding

__all__ = ["EXIT_ERRORS", "EXIT_OK", "EXIT_USAGE", "main", "migration_files", "run"]

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2
CONFIG_FILE = ".schemabot.toml"
#: Net new container objects between two young-generation collections in a lint run (Python's
#: default: 700). A cold run over a thousand files stays below it: no collection at all.
COLLECT_EVERY = 1_000_000
DIALECTS = ("postgres", "mysql", "mariadb", "sqlite")
#: Directories never walked for migrations (tool caches, dependencies, VCS).
SKIPPED_DIRECTORIES = ("node_modules", "__pycache__")


class UsageError(Exception):
    """Bad input: the message says which path or setting, and the exit code is 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="schemabot", description="Lint SQL migration files.")
    commands = parser.add_subparsers(dest="command", required=True)
    lint = commands.add_parser("lint", help="lint migration files")
    lint.add_argument(
        "paths", nargs="*", metavar="PATH", help="files, directories (walked for *.sql), - (stdin)"
    )
    lint.add_argument("--dialect", choices=DIALECTS, help="default: the config's, else postgres")
    lint.add_argument(
        "--format", choices=("text", "json", "sarif", "github", "gitlab"), default="text"
    )
    lint.add_argument("--config", metavar="FILE", help="TOML file with a [lint] table")
    lint.add_argument("--select", action="append", default=[], metavar="RULES",
                      help="rule ids or groups to enable, comma separated")  # fmt: skip
    lint.add_argument("--ignore", action="append", default=[], metavar="RULES",
                      help="rule ids or groups to disable, comma separated")  # fmt: skip
    lint.add_argument(
        "--one-change",
        action="store_true",
        help="the files are deployed together (a pull request's new files): a table created"
        " in one is new in the files after it. Default: each file is deployed on its own",
    )
    lint.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    lint.add_argument("--stdin-filename", default="-", help="the name to report stdin as")
    lint.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help=argparse.SUPPRESS)
    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    return parser


def run(argv: list[str]) -> NoReturn:
    """``main`` as the whole process: exit with its code, skipping the interpreter's teardown.

    After a cold run the heap holds the parsed trees of every file (cycles, through their parent
    links) and all of sqlglot: collecting and freeing it all at exit costs 50-100 ms, a fifth of
    a run over a few hundred files, for memory the operating system takes back at once.
    """
    code = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str]) -> int:
    """Run ``lint`` or ``rules``; ``argv`` starts with the subcommand."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage or the help
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        if args.command == "rules":
            from linters.docs import rules_listing

            sys.stdout.write(rules_listing(args.format))
            return EXIT_OK
        return _lint(args)
    except UsageError as error:
        sys.stderr.write(f"schemabot: {error}\n")
        return EXIT_USAGE


# -- input ---------------------------------------------------------------------------------


def _find_config(explicit: str | None) -> str | None:
    if explicit is not None:
        return explicit
    directory = os.getcwd()
    while True:
        candidate = os.path.join(directory, CONFIG_FILE)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _read_table(path: str | None) -> dict[str, Any]:
    if path is None:
        return {}
    import tomllib

    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        raise UsageError(f"cannot read config {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path} is not valid TOML: {error}") from None
    table = data.get("lint", {})
    if not isinstance(table, dict):
        raise UsageError(f"{path}: lint: expected a table")
    return table


def _sql_files(directory: str) -> list[str]:
    """The ``*.sql`` files under ``directory``, by path (the cache key needs no more)."""
    found: list[str] = []
    for root, directories, names in os.walk(directory, onerror=_walk_error):
        directories[:] = sorted(
            name for name in directories
            if not name.startswith(".") and name not in SKIPPED_DIRECTORIES
        )  # fmt: skip
        found.extend(
            os.path.normpath(os.path.join(root, name)) for name in names if name.endswith(".sql")
        )
    return sorted(found)


def in_migration_order(paths: list[str], naming: str = "auto") -> list[str]:
    """Versioned files by version, then the others (Flyway repeatables, unversioned) by path."""
    from linters.naming import parse_name

    def order(path: str) -> tuple[int, tuple[int, ...], str]:
        try:
            name = parse_name(os.path.basename(path), naming)
        except ValueError:
            name = None
        if name is None or name.version_key is None:
            return (1, (), path)
        return (0, name.version_key, path)

    return sorted(paths, key=order)


def migration_files(directory: str, naming: str = "auto") -> list[str]:
    """The ``*.sql`` files under ``directory``, in migration order."""
    return in_migration_order(_sql_files(directory), naming)


def _walk_error(error: OSError) -> None:
    raise UsageError(f"cannot read {error.filename}: {error.strerror or error}")


def _read(path: str, stdin_name: str) -> tuple[str, bytes]:
    if path == "-":
        return stdin_name, sys.stdin.buffer.read()
    try:
        with open(path, "rb") as file:
            return path, file.read()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None


Inputs = list[tuple[str, bytes]]


def _inputs(paths: Sequence[str], stdin_name: str) -> list[tuple[bool, Inputs]]:
    """Each argument's files with their content; a directory's by path (ordered later, only
    when they have to be linted: the cache key needs no migration order)."""
    groups = []
    for path in paths or ["."]:
        if path != "-" and os.path.isdir(path):
            groups.append((True, [_read(file, stdin_name) for file in _sql_files(path)]))
        else:
            groups.append((False, [_read(path, stdin_name)]))
    return groups


def _in_order(groups: list[tuple[bool, Inputs]], naming: object) -> Inputs:
    ordered: Inputs = []
    for walked, files in groups:
        if walked:
            content = dict(files)
            scheme = naming if isinstance(naming, str) else "auto"
            ordered.extend(
                (path, content[path]) for path in in_migration_order(list(content), scheme)
            )
        else:
            ordered.extend(files)
    return ordered


def _names(values: list[str]) -> list[str]:
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


# -- the run -------------------------------------------------------------------------------


def _config(
    table: dict[str, Any], config_path: str | None, select: list[str], ignore: list[str]
) -> LintConfig:
    from dataclasses import replace

    from linters.config import ConfigError, config_from_table

    problems: list[str] = []
    try:
        config = config_from_table(table)
    except ConfigError as error:
        problems.extend(f"{config_path}: {problem}" for problem in error.problems)
        config = config_from_table({})
    try:
        extra = config_from_table({"select": select, "ignore": ignore})
    except ConfigError as error:
        problems.extend(p.replace("lint.select", "--select").replace("lint.ignore", "--ignore")
                        for p in error.problems)  # fmt: skip
        extra = config_from_table({})
    if problems:
        raise UsageError("invalid configuration:\n  " + "\n  ".join(problems))
    # The command line wins where it disagrees with the file.
    severity = {
        rule: level for rule, level in config.severity.items()
        if not (level == "off" and rule in extra.select)
    }  # fmt: skip
    return replace(
        config,
        select=(config.select - extra.ignore) | extra.select,
        ignore=(config.ignore - extra.select) | extra.ignore,
        severity=severity,
    )


def _lint(args: argparse.Namespace) -> int:
    import gc
    import json

    # A cold run imports sqlglot and the rules (set before: their imports collect too), then
    # allocates millions of objects freed by reference counting. Only the parsed trees of the
    # files it is done with (cycles, through parent links) wait for the collector: about 15 MB
    # a thousand files, in a process that ends within seconds. Collecting every 50,000 net
    # allocations still took 5-7% of a run; below a thousand files none happens now, and a far
    # larger input still gets its memory back.
    gc.set_threshold(COLLECT_EVERY, 20, 100)
    config_path = _find_config(args.config)
    table = _read_table(config_path)
    dialect: Dialect = args.dialect or table.get("dialect") or "postgres"
    select, ignore = _names(args.select), _names(args.ignore)
    groups = _inputs(args.paths, args.stdin_filename)
    inputs = [item for _, files in groups for item in files]

    cache = run_key = None
    if not args.no_cache:
        from linters.cache import Cache, content_key, default_cache_dir

        settings = json.dumps(
            [table, select, ignore, dialect, args.one_change], sort_keys=True, default=str
        )
        root = default_cache_dir(config_path)
        cache = Cache(root, settings)
        run_key = cache.run_key((path, content_key(data)) for path, data in inputs)
        if (cached := cache.run(run_key)) is not None:
            findings, titles = cached
            return _report(args.format, findings, titles, inputs)

    from linters.engine import Source, lint
    from linters.registry import RULES

    config = _config(table, config_path, select, ignore)
    sources = [Source(path, data) for path, data in _in_order(groups, table.get("naming"))]
    findings = lint(
        sources,
        dialect=dialect,
        config=config,
        jobs=args.jobs,
        store=cache,
        separate_files=not args.one_change,
    )
    rules = dict.fromkeys(finding.rule for finding in findings)  # each once, in order
    titles = {rule: RULES[rule].title for rule in rules if rule in RULES}
    if cache is not None and run_key is not None:
        try:
            cache.write()
            cache.save_run(run_key, findings, titles)
        except OSError as error:  # a read-only checkout still lints
            sys.stderr.write(f"schemabot: cache not written: {error}\n")
    return _report(args.format, findings, titles, inputs)


def _report(
    format_name: str,
    findings: list[Finding],
    titles: dict[str, str],
    inputs: list[tuple[str, bytes]],
) -> int:
    from linters.finding import Severity
    from linters.reporters import Report, render

    sources = {}
    if format_name == "text":
        paths = {finding.path for finding in findings}
        sources = {
            p: data.decode("utf-8-sig", errors="replace") for p, data in inputs if p in paths
        }
    report = Report(findings, sources, titles, files_checked=len(inputs))
    sys.stdout.write(render(format_name, report))
    failed = any(finding.severity == Severity.ERROR for finding in findings)
    return EXIT_ERRORS if failed else EXIT_OK
