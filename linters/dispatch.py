"""Which statement rules to ask about a statement.

By expression type first (``StatementRule.on``), then by what the statement holds: a rule that
needs words (``StatementRule.needs_words``) or ALTER TABLE actions
(``StatementRule.alter_actions``) the statement lacks is not asked at all. Each distinct
answer is worked out once per run; statements are told apart by their type, the needed words
they hold and their actions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from linters.rule import StatementRule
from linters.sql.alter_subcommands import alter_subcommands

if TYPE_CHECKING:
    from linters.statement import Statement

__all__ = ["StatementDispatch"]

_Key = tuple[type[exp.Expression], frozenset[str], frozenset[str] | None]


class StatementDispatch:
    """The statement rules of one run, found for each statement in registry order."""

    def __init__(self, rules: list[StatementRule]) -> None:
        self.rules = rules
        self._by_type: dict[type[exp.Expression], list[StatementRule]] = {}
        self._by_key: dict[_Key, list[StatementRule]] = {}
        #: Every word some rule needs: the words of a statement that matter here.
        self._needed_words = frozenset[str]().union(
            *(rule.needs_words for rule in rules if rule.needs_words)
        )
        self._by_actions = any(rule.alter_actions for rule in rules)

    def for_type(self, kind: type[exp.Expression]) -> list[StatementRule]:
        """Rules asking about ``kind`` or one of its base classes."""
        rules = self._by_type.get(kind)
        if rules is None:
            rules = [rule for rule in self.rules if any(issubclass(kind, on) for on in rule.on)]
            self._by_type[kind] = rules
        return rules

    def for_statement(
        self, statement: Statement, expression: exp.Expression
    ) -> list[StatementRule]:
        """``for_type`` the statement's ``expression``, but for rules that need words or ALTER
        TABLE actions the statement lacks."""
        kind = type(expression)
        try:
            words = self._needed_words.intersection(statement.words)
            altered = alter_subcommands(statement) if self._by_actions else None
        except Exception:  # every rule then runs, and reports the failure as its own
            return self.for_type(kind)
        actions = altered.actions if altered is not None else None
        key = (kind, words, actions)
        rules = self._by_key.get(key)
        if rules is None:
            rules = [rule for rule in self.for_type(kind) if rule.applies(words, actions)]
            self._by_key[key] = rules
        return rules
