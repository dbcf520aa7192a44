"""The verified rules' pages in docs/shadow.md are generated from their docstrings."""

from __future__ import annotations

from pathlib import Path

from app.shadow.findings import VERIFIED_RULES
from app.shadow.rule_docs import BEGIN, DOC_PATH, REGENERATE, render, rule_page, stale


def test_the_verified_rules_pages_are_current() -> None:
    assert not stale(), f"{DOC_PATH.name} is stale: run {REGENERATE}"


def test_a_changed_page_is_stale_and_rendering_puts_every_rule_back(tmp_path: Path) -> None:
    page = tmp_path / "shadow.md"
    page.write_text(
        f"# Guide\n\n{BEGIN}\nold text\n<!-- End of the generated verified rules. -->\n"
    )
    assert stale(page)
    rendered = render(page.read_text())
    page.write_text(rendered)
    assert not stale(page)
    for rule in VERIFIED_RULES.values():
        assert rule_page(rule) in rendered
        assert f"### {rule.id}\n\n{rule.title}" in rendered
        assert "#### Why is this bad?" in rule_page(rule)
    assert "old text" not in rendered
