"""Every rule schemabot ships, by stable id: the one table the engine and the docs read.

Each group's section is kept in id order. A rule id is never reused for another meaning.
"""

from __future__ import annotations

from types import ModuleType

from linters.rule import Rule
from linters.rules.common import parse_error

__all__ = ["RULES", "rule_by_id"]

_TABLE: dict[str, ModuleType] = {
    # -- parsing and suppression ---------------------------------------------------------------
    "parse-error": parse_error,
    # -- files, transactions, session settings (RULES.md 1.1) ----------------------------------
    # -- destructive and backward-incompatible changes (1.2) -----------------------------------
    # -- DML inside migrations (1.6) -----------------------------------------------------------
    # -- PostgreSQL locks and rewrites (1.3) ---------------------------------------------------
    # -- MySQL / MariaDB online DDL (1.4) ------------------------------------------------------
    # -- types and schema design (1.5) ---------------------------------------------------------
    # -- naming and organisation policy, off by default (1.7) ----------------------------------
}


def _load() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for rule_id, module in _TABLE.items():
        rule: Rule = module.RULE
        if rule.id != rule_id:  # pragma: no cover - guards the table against typos
            raise RuntimeError(f"registry lists {rule_id!r} but {module.__name__} is {rule.id!r}")
        rules[rule_id] = rule
    return rules


RULES: dict[str, Rule] = _load()


def rule_by_id(rule_id: str) -> Rule | None:
    return RULES.get(rule_id)
