"""One SQL statement of a migration file, with its exact place and what sqlglot made of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from linters.finding import Span

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.tokenizer_core import Token

    from linters.dialects import Dialect

__all__ = ["Statement"]


@dataclass(slots=False)
class Statement:
    """A statement as written in the file.

    ``expression`` is sqlglot's tree; an ``exp.Command`` when sqlglot fell back to a generic
    command (``VALIDATE CONSTRAINT``, ``ALTER TYPE ... ADD VALUE``, ``DO`` blocks...): rules then
    read ``words``. ``expression`` is None when nothing could parse it; ``error`` says why.
    """

    #: 0-based position of the statement in its file.
    index: int
    #: The exact source text, without the terminating delimiter.
    text: str
    span: Span
    #: Character offsets of ``text`` in the file's source.
    start: int
    end: int
    dialect: Dialect
    expression: exp.Expression | None = None
    error: str | None = None
    #: Comments directly before the statement (without ``--`` / ``/* */``), e.g. directives.
    leading_comments: list[str] = field(default_factory=list)

    @cached_property
    def tokens(self) -> list[Token]:
        """sqlglot's tokens of the statement; empty when the text cannot be tokenized."""
        from sqlglot import tokenize
        from sqlglot.errors import TokenError

        from linters.dialects import SQLGLOT_DIALECT

        try:
            return tokenize(self.text, read=SQLGLOT_DIALECT[self.dialect])
        except TokenError:
            return []

    @cached_property
    def words(self) -> tuple[str, ...]:
        """Upper-cased token texts (keywords and names; strings keep their case).

        The way to recognise statements sqlglot only knows as a generic command:
        ``("ALTER", "TABLE", "T", "VALIDATE", "CONSTRAINT", "C")``.
        """
        from sqlglot.tokenizer_core import TokenType

        return tuple(
            token.text if token.token_type == TokenType.STRING else token.text.upper()
            for token in self.tokens
        )

    def has_words(self, *sequence: str) -> bool:
        """Whether ``sequence`` (upper-case) occurs contiguously in ``words``."""
        words, n = self.words, len(sequence)
        return any(words[i : i + n] == sequence for i in range(len(words) - n + 1))

    @property
    def is_command(self) -> bool:
        from sqlglot import exp

        return isinstance(self.expression, exp.Command)
