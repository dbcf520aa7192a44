"""One SQL statement of a migration file, with its exact place and what sqlglot made of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from sqlglot.expressions import Command
from sqlglot.tokenizer_core import TokenType

from linters.finding import Span

if TYPE_CHECKING:
    from sqlglot import exp
    from sqlglot.tokenizer_core import Token

    from linters.dialects import Dialect

__all__ = ["Statement"]

T = TypeVar("T")

#: Tokens whose text is a value, not a keyword or name: ``words`` keeps their case.
_STRING_TOKENS = frozenset(
    {
        TokenType.STRING,
        TokenType.HEREDOC_STRING,
        TokenType.BYTE_STRING,
        TokenType.NATIONAL_STRING,
        TokenType.RAW_STRING,
        TokenType.UNICODE_STRING,
        TokenType.BIT_STRING,
        TokenType.HEX_STRING,
    }
)


@cache
def _shape_parts(shape: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(part.split()) for part in shape.split("..."))


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
    #: The tokens the parser read, so that ``tokens`` need not tokenize again; None: tokenize
    #: on first use.
    prepared_tokens: list[Token] | None = field(default=None, repr=False, compare=False)
    #: What ``derived`` computed, by function.
    _derived: dict[Callable[[Statement], Any], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def derived(self, compute: Callable[[Statement], T]) -> T:
        """``compute(self)``, computed once per statement however many rules ask: for readings
        of a statement that several rules share (its ALTER TABLE subcommands, its columns)."""
        try:
            return self._derived[compute]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[compute] = compute(self)
            return value

    @cached_property
    def tokens(self) -> list[Token]:
        """sqlglot's tokens of the statement; empty when the text cannot be tokenized.

        Offsets, lines and columns count from the start of ``text``. What sqlglot folds into one
        string after a command keyword (``VACUUM FULL t``) is tokenized word by word.
        """
        if self.prepared_tokens is not None:
            return self.prepared_tokens
        from linters.parse import tokenize_statement

        return tokenize_statement(self.text, self.dialect)

    @cached_property
    def words(self) -> tuple[str, ...]:
        """Upper-cased token texts (keywords and names; strings keep their case), blanks inside
        a token folded: the tokenizer keeps ``PRIMARY  KEY`` as one token, read ``PRIMARY KEY``.

        The way to recognise statements sqlglot only knows as a generic command:
        ``("ALTER", "TABLE", "T", "VALIDATE", "CONSTRAINT", "C")``.
        """
        return tuple(
            [
                " ".join(token.text.upper().split())
                if token.token_type not in _STRING_TOKENS
                else token.text
                for token in self.tokens
            ]
        )

    def has_words(self, *sequence: str) -> bool:
        """Whether ``sequence`` (upper-case) occurs contiguously in ``words``."""
        words, n = self.words, len(sequence)
        if n and sequence[0] not in words:  # the usual answer, found without slicing
            return False
        return any(words[i : i + n] == sequence for i in range(len(words) - n + 1))

    def matches(self, shape: str) -> bool:
        """Whether ``words`` follow ``shape``: upper-case words that must lead the statement,
        then ``...`` for any words before the next ones: ``"ALTER TABLE ... VALIDATE CONSTRAINT"``.
        """
        lead, *rest = _shape_parts(shape)
        words = self.words
        if words[: len(lead)] != lead:
            return False
        position = len(lead)
        for part in rest:
            if not part:  # a trailing "...": anything may follow
                continue
            n, first = len(part), part[0]
            try:  # the next place of the part's first word, until the whole part is there
                found = words.index(first, position)
                while words[found : found + n] != part:
                    found = words.index(first, found + 1)
            except ValueError:
                return False
            position = found + n
        return True

    @property
    def is_command(self) -> bool:
        return isinstance(self.expression, Command)
