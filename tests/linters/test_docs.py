"""The rules reference in docs/rules/ is generated from the rule docstrings and kept current."""

from __future__ import annotations

from pathlib import Path

from linters.docs import REGENERATE, pages, rule_page, rules_index, stale, write
from linters.registry import RULES


def test_committed_rule_docs_are_current() -> None:
    outdated = stale()
    assert outdated == [], f"docs/rules is stale ({', '.join(outdated)}): run {REGENERATE}"


def test_a_rule_page_has_a_header_and_the_docstring_body() -> None:
    page = rule_page(RULES["unused-suppression"])
    assert page.startswith("# unused-suppression\n\nSuppression comment that suppresses nothing.\n")
    assert "| Group | Common (`common`) |" in page
    assert "| Default severity | warning |" in page
    assert "| Dialects | all |" in page
    assert "| Since | 0.1.0 |" in page
    assert "## Why is this bad?" in page


def test_the_index_lists_every_rule_by_group() -> None:
    index = rules_index()
    for rule in RULES.values():
        assert f"| [{rule.id}]({rule.id}.md) |" in index
    assert index.index("## Common") < index.index("| [unused-suppression]")


def test_write_creates_pages_and_removes_pages_of_removed_rules(tmp_path: Path) -> None:
    (tmp_path / "gone-rule.md").write_text("old")
    changed = write(tmp_path)
    assert "gone-rule.md" in changed
    assert {path.name for path in tmp_path.glob("*.md")} == set(pages())
    assert stale(tmp_path) == []
    assert write(tmp_path) == []


def test_declared_options_are_rendered_on_the_rule_page() -> None:
    page = rule_page(RULES["backfill-unbatched"])
    assert "## Options\n" in page
    assert "- `max_rows` (integer >= 1, default `1000`): " in page
    assert "[lint.options.backfill-unbatched]\nmax_rows = 1000\n" in page
    # Before the references, which close a page.
    naming = rule_page(RULES["naming-convention"])
    assert naming.index("## Options") < naming.index("## References")
    assert "## Options" not in rule_page(RULES["drop-table"])
