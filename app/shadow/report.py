"""The shadow run's section of the summary comment, in markdown.

In reading order: whether the pull request's migrations apply (or the exact error and
statement), the schema diff they produce, then per statement its duration and the locks it took
on relations that existed before, with what each lock blocks. Long lists are collapsed in
``<details>`` and cut to a fixed size, so the section fits in the forge's comment limit.
"""

from __future__ import annotations

import posixpath
from itertools import groupby

from app.shadow.results import LockTaken, ShadowReport, StatementRun
from app.shadow.schema import SchemaChange

__all__ = ["SECTION_TITLE", "render_shadow_section"]

SECTION_TITLE = "### Shadow run"
#: More schema changes or statements than this are collapsed.
COLLAPSE_AFTER = 12
#: More than this are cut, with a note, so that the section leaves most of the summary's room
#: (65,000 characters) to the findings; the review page keeps everything else.
MAX_ROWS = 40
#: Locks listed per statement; a statement touching many relations names the first ones.
MAX_LOCKS = 5
_STATEMENT_WIDTH = 70
_ENGINES = {"postgres": "PostgreSQL", "mysql": "MariaDB/MySQL"}


def _code(text: str) -> str:
    """Inline code that survives backticks and table pipes in ``text``."""
    cleaned = " ".join(text.split()).replace("|", "\\|")
    fence = "``" if "`" in cleaned else "`"
    return f"{fence}{cleaned}{fence}" if fence == "`" else f"{fence} {cleaned} {fence}"


def _short(text: str, width: int = _STATEMENT_WIDTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _ms(value: float | None) -> str:
    if value is None:
        return "not run"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _collapsed(summary: str, body: str, lines: int) -> str:
    if lines <= COLLAPSE_AFTER:
        return body
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"


def _verdict(report: ShadowReport) -> str:
    engine = _ENGINES.get(report.engine or "", "scratch")
    base = report.base_migrations
    built = (
        f"a scratch {engine} database with the {base} migration{'s' if base != 1 else ''} of "
        "the base branch"
    )
    if report.seed is not None and report.seed.seeded:
        rows = max(report.seed.seeded.values())
        built += f" and {rows:,} generated rows per table"
    failure = report.failure
    if failure is None:
        noun = "migration" if len(report.files) == 1 else "migrations"
        return (
            f"**Applies cleanly.** The new {noun} ran on {built} "
            f"in {report.duration_ms / 1000:.1f} s."
        )
    where = f"`{failure.path}` line {failure.line}"
    lines = [
        f"**Fails** at {where}, on {built}:",
        "",
        "```sql",
        failure.text.strip().replace("```", "` ` `"),
        "```",
        "> " + " ".join((failure.error or "").split()),
    ]
    not_run = len(report.statements) - len(report.ran)
    if not_run:
        lines += ["", f"{not_run} statement{'s' if not_run != 1 else ''} after it not tried."]
    return "\n".join(lines)


def _change_line(change: SchemaChange) -> str:
    if change.object == "table":
        return f"- {change.kind} table `{change.table}`"
    what = f"{change.kind} {change.object} `{change.name}`"
    if change.kind == "changed":
        return f"  - {what}: {_code(change.before or '')} → {_code(change.after or '')}"
    shown = change.after if change.kind == "added" else change.before
    return f"  - {what}" + (f": {_code(shown)}" if shown else "")


def _schema_section(changes: list[SchemaChange]) -> str:
    if not changes:
        return "#### Schema diff\nNo change to tables, columns, indexes or constraints."
    lines: list[str] = []
    for table, items in groupby(changes, key=lambda change: change.table):
        group = list(items)
        if group[0].object != "table":
            lines.append(f"- table `{table}`")
        lines += [_change_line(change) for change in group]
    shown = lines[:MAX_ROWS]
    if len(lines) > MAX_ROWS:
        shown.append(f"- … {len(lines) - MAX_ROWS} more lines: see the review page")
    count = len(changes)
    summary = f"{count} schema change{'s' if count != 1 else ''}"
    return "#### Schema diff\n" + _collapsed(summary, "\n".join(shown), len(lines))


def _lock_text(lock: LockTaken) -> str:
    held = f", held {_ms(lock.held_ms)}" if lock.held_ms is not None else ""
    return f"**{lock.mode}** on `{lock.relation}`: {lock.meaning}{held}"


def _locks_cell(run: StatementRun) -> str:
    if run.duration_ms is None:
        return ""
    if not run.locks_captured:
        return f"_not captured: {run.locks_note}_" if run.locks_note else "_not captured_"
    parts = [_lock_text(lock) for lock in run.locks[:MAX_LOCKS]] or ["no new lock"]
    if len(run.locks) > MAX_LOCKS:
        parts.append(f"{len(run.locks) - MAX_LOCKS} more")
    parts += [f"rewrote `{rewrite.table}` ({rewrite.rows:,} rows)" for rewrite in run.rewrites]
    if run.locks_note and not run.locks:
        parts.append(f"_{run.locks_note}_")
    return "; ".join(parts)


def _statement_row(run: StatementRun) -> str:
    where = f"`{posixpath.basename(run.path)}:{run.line}`"
    time = "**failed**" if run.error is not None else _ms(run.duration_ms)
    return f"| {where} | {_code(_short(run.text))} | {time} | {_locks_cell(run)} |"


def _statements_section(report: ShadowReport) -> str:
    rows = [_statement_row(run) for run in report.statements[:MAX_ROWS]]
    if len(report.statements) > MAX_ROWS:
        rows.append(f"| | … {len(report.statements) - MAX_ROWS} more statements | | |")
    table = "\n".join(
        [
            "| Where | Statement | Time | Locks on relations that existed before |",
            "|---|---|---:|---|",
            *rows,
        ]
    )
    count = len(report.statements)
    summary = f"{count} statement{'s' if count != 1 else ''}: durations and locks"
    heading = "#### Statements"
    if report.engine == "postgres":
        heading += " (locks read from `pg_locks` inside each statement's transaction)"
    return f"{heading}\n" + _collapsed(summary, table, count)


def _seed_line(report: ShadowReport) -> str | None:
    seed = report.seed
    if seed is None:
        return None
    text = (
        f"Generated rows in {len(seed.seeded)} table{'s' if len(seed.seeded) != 1 else ''} "
        f"in {_ms(seed.duration_ms)} before the new migrations."
    )
    if seed.skipped:
        left = "; ".join(f"`{table}`: {why}" for table, why in sorted(seed.skipped.items())[:10])
        text += f" Left empty: {left}."
    return text


def render_shadow_section(report: ShadowReport) -> str:
    """The section for the summary comment; says why when there was no run."""
    if report.status == "skipped":
        return f"{SECTION_TITLE}\nNo shadow run: {report.reason}."
    if report.status == "unavailable":
        return f"{SECTION_TITLE}\n**Could not run.** {report.reason}"
    if report.status == "base-failed":
        return f"{SECTION_TITLE}\n**Not tried:** {report.reason}"
    parts = [SECTION_TITLE, _verdict(report)]
    seed = _seed_line(report)
    if seed:
        parts.append(seed)
    parts += [_schema_section(report.changes), _statements_section(report)]
    parts += [f"_{note}_" for note in report.notes]
    return "\n\n".join(parts)
