"""The summary comment (verdict, findings per file, plan, cut to the forge's limit), the plan,
and the lint configuration a pull request is judged by."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Config, parse_config
from app.forges.base import ChangedFile
from app.review.lint_config import review_lint_config, server_lint_table
from app.review.placement import PlacedFinding
from app.review.plan import pending_migrations, plan_section
from app.review.summary import SUMMARY_MARKER, SummaryFacts, counts_text, render_summary
from linters.config import rule_severity
from linters.finding import Finding, Severity, Span
from linters.registry import RULES


def _placed(path: str, line: int, severity: Severity = Severity.ERROR, **kw: str) -> PlacedFinding:
    finding = Finding(path, Span(line, 1, line, 9), "drop-table", severity, f"Drop `t{line}`", "x")
    return PlacedFinding(finding, f"fp{path}{line}", kw.get("placement", "inline"), None,  # type: ignore[arg-type]
                         kw.get("note", ""))  # fmt: skip


def _facts(**changes: object) -> SummaryFacts:
    values: dict[str, object] = {
        "head_sha": "0123456789abcdef0123",
        "base_branch": "main",
        "files": ["db/V2__a.sql", "db/V3__b.sql"],
        "review_url": "https://schemabot.example/reviews/4",
        "plan": "### Plan\nThe plan.",
    }
    values.update(changes)
    return SummaryFacts(**values)  # type: ignore[arg-type]


def test_summary_has_marker_verdict_files_and_plan() -> None:
    placed = [
        _placed("db/V2__a.sql", 3),
        _placed("db/V2__a.sql", 9, Severity.WARNING, placement="earlier"),
        _placed("db/V3__b.sql", 1, Severity.INFO, placement="summary", note="not in the diff"),
    ]
    body = render_summary(placed, _facts())
    lines = body.splitlines()
    assert lines[0] == SUMMARY_MARKER
    assert lines[1] == "### schemabot: 1 error, 1 warning, 1 note in 2 migration files"
    assert "Reviewed `0123456789ab` against `main`." in body
    assert "[Review details](https://schemabot.example/reviews/4)" in body
    assert "**Verdict: blocked.** 1 error must be fixed" in body
    assert "#### `db/V2__a.sql`" in body and "#### `db/V3__b.sql`" in body
    link = "[drop-table](https://schemabot.dev/rules/drop-table)"
    assert f"| 3 | error | {link} | Drop `t3` | commented inline |" in body
    assert "| 9 | warning |" in body and "commented at an earlier push |" in body
    assert "| 1 | info |" in body and "| not in the diff |" in body
    assert body.endswith("### Plan\nThe plan.")


def test_verdicts() -> None:
    warning = [_placed("db/V2__a.sql", 3, Severity.WARNING)]
    assert "**Verdict: no errors.**" in render_summary(warning, _facts())
    assert "**Verdict: all clear.** No findings." in render_summary([], _facts())
    fixed = render_summary([], _facts(earlier_findings=3))
    assert "**Verdict: all clear.** The findings of earlier pushes are fixed." in fixed
    assert "### schemabot: no findings in 2 migration files" in fixed


def test_config_problems_are_shown() -> None:
    body = render_summary([], _facts(config_problems=[".schemabot.toml: lint.x: unknown | y"]))
    assert "`.schemabot.toml` on `main` was not used (the server's rules apply):" in body
    assert "- .schemabot.toml: lint.x: unknown \\| y" in body


def test_long_summaries_are_cut_per_file_and_keep_marker_and_plan() -> None:
    placed = [_placed(f"db/V{f}__x.sql", line) for f in range(2, 12) for line in range(1, 400)]
    body = render_summary(placed, _facts(plan="### Plan\nEnd."), max_characters=20_000)
    assert len(body) <= 20_000
    assert body.startswith(SUMMARY_MARKER) and body.endswith("### Plan\nEnd.")
    assert body.count("more in this file: see the review page._") == 10
    assert "### schemabot: 3990 errors in 2 migration files" in body
    tiny = render_summary(placed, _facts(), max_characters=1_000)
    assert len(tiny) <= 1_000 and tiny.endswith("### Plan\nThe plan.")
    assert "_399 findings in this file: see the review page._" in tiny
    assert "more files: see the review page._" in tiny


def test_counts_text() -> None:
    assert counts_text([]) == ""
    assert counts_text([_placed("a", 1), _placed("a", 2)]) == "2 errors"


def _config(tmp_path: Path, extra: str = "") -> Config:
    return parse_config(
        f"""
[lint]
postgres_version = "16"
severity = {{ "lock-timeout-missing" = "error" }}

[[repositories]]
forge = "github"
name = "acme/shop"
deploy_branch = "main"
lint = {{ severity = {{ "statement-timeout-missing" = "warning" }} }}
{extra}
  [[repositories.environments]]
  name = "staging"
  url = "sqlite:///{tmp_path}/s.db"

  [[repositories.environments]]
  name = "production"
  url = "sqlite:///{tmp_path}/p.db"
  approval = true
  approvers = ["dba-bob"]
  soak = "2h"
""",
        env={},
    )


def _severity(config: object, rule: str) -> Severity | None:
    return rule_severity(config, rule, RULES[rule].group, RULES[rule].severity)  # type: ignore[arg-type]


def test_repository_lint_table_is_laid_over_the_global_one(tmp_path: Path) -> None:
    config = _config(tmp_path)
    table = server_lint_table(config, config.repositories[0])
    assert table["severity"] == {
        "lock-timeout-missing": "error",
        "statement-timeout-missing": "warning",
    }
    assert table["postgres_version"] == "16"


def test_base_branch_config_can_only_strengthen(tmp_path: Path) -> None:
    config = _config(tmp_path)
    repository = config.repositories[0]
    weaker = '[lint]\nignore = ["create-index-not-concurrently"]\nseverity = { "lock-timeout-missing" = "off" }\n'  # noqa: E501
    merged, problems = review_lint_config(config, repository, weaker)
    assert problems == []
    assert _severity(merged, "create-index-not-concurrently") is Severity.ERROR
    assert _severity(merged, "lock-timeout-missing") is Severity.ERROR
    stronger = '[lint]\nseverity = { "statement-timeout-missing" = "error" }\n'
    merged, _ = review_lint_config(config, repository, stronger)
    assert _severity(merged, "statement-timeout-missing") is Severity.ERROR


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[lint\n", ".schemabot.toml: not valid TOML: "),
        ("lint = 3\n", ".schemabot.toml: lint: expected a table"),
        ('[lint]\nseverity = { "drop-tabel" = "error" }\n',
         ".schemabot.toml: lint.severity.drop-tabel: unknown rule id (did you mean drop-table?)"),
        ('[lint.options.index-too-many-columns]\nmax_columns = "x"\n',
         ".schemabot.toml: lint.options.index-too-many-columns.max_columns: expected an integer"),
    ],
)  # fmt: skip
def test_a_broken_base_config_is_reported_and_the_server_rules_apply(
    tmp_path: Path, text: str, problem: str
) -> None:
    config = _config(tmp_path)
    merged, problems = review_lint_config(config, config.repositories[0], text)
    assert len(problems) == 1 and problems[0].startswith(problem)
    assert _severity(merged, "lock-timeout-missing") is Severity.ERROR


def test_plan_lists_new_migrations_then_environments_with_gates(tmp_path: Path) -> None:
    repository = _config(tmp_path).repositories[0]
    files = [
        ChangedFile("db/V2__a.sql", "added"),
        ChangedFile("db/V1__old.sql", "modified"),
        ChangedFile("db/U2__a.sql", "added"),
        ChangedFile("db/R__views.sql", "modified"),
        ChangedFile("db/V3__b.sql", "renamed", previous_path="db/V9__b.sql"),
        ChangedFile("db/V0__gone.sql", "removed"),
    ]
    pending = pending_migrations(files, "flyway")
    assert pending == ["db/V2__a.sql", "db/R__views.sql", "db/V3__b.sql"]
    assert plan_section(repository, "main", pending) == "\n".join(
        [
            "### Plan",
            "After the merge into `main`, these migrations are applied in this order:",
            "1. `db/V2__a.sql`",
            "2. `db/R__views.sql`",
            "3. `db/V3__b.sql`",
            "",
            "to each environment in turn, stopping at the first failure:",
            "1. `staging`",
            "2. `production`: after a soak of 2h on the previous environment; "
            "**waits for approval** by @dba-bob",
        ]
    )


def test_plan_when_nothing_rolls_out(tmp_path: Path) -> None:
    repository = _config(tmp_path).repositories[0]
    assert "not the deploy branch `main`: merging it rolls nothing out" in plan_section(
        repository, "release", ["db/V2__a.sql"]
    )
    assert "No new migrations" in plan_section(repository, "main", [])
    bare = repository.model_copy(update={"environments": ()})
    assert "No environments are configured" in plan_section(bare, "main", ["db/V2__a.sql"])
