"""Tokens of a filter, read character by character the way sysdig 0.29.3 reads them.

0.29.3 has no separate tokenizer: its compiler walks the text with a two-state machine
(``sinsp_filter_compiler::compile_`` and ``next_operand`` in libsinsp ``filter.cpp``), and what
a character means depends on the state. This lexer keeps that state too, so that every
filter 0.29.3 accepts is split into the same pieces:

* *expecting an expression* (at the start, after ``(``, ``and``, ``or``, ``not``): ``(``, the
  keyword ``not``, or a whole comparison, returned as one :data:`TokenKind.CHECK` token;
* *after an expression* (after a comparison or ``)``): ``)``, ``and``, ``or``, ``not``.

Quirks kept on purpose, because 0.29.3 accepts these filters and gives them a meaning:

* Keywords are recognised by their first letter in the right state, need no word boundary
  and may have blanks between their letters: ``a=1 andb=2`` and ``a=1 a n d b=2`` both read
  as ``a=1 and b=2``; ``notproc.name=x`` is ``not proc.name=x``.
* Operators are recognised as prefixes with no word boundary: ``proc.name containsfoo`` is
  ``proc.name contains foo``.
* A quote before a field name is skipped (``"proc.name =x`` is ``proc.name = x``).
* An empty value is allowed where a value would end at once: ``proc.name=`` at the end,
  before a bracket, or in a list (``in ()`` holds one empty string).
* A dangling ``\\`` or ``\\x`` escape at the very end of an unquoted value is dropped.

Blanks are exactly space, tab, newline and carriage return.
"""

from __future__ import annotations

from enum import Enum

from sysdive.errors import FilterError
from sysdive.filter.ast import Check, CmpOp, Literal
from sysdive.records import record

__all__ = ["Lexer", "Token", "TokenKind", "filter_error", "tokenize"]

BLANKS = frozenset(" \t\n\r")
# Characters that end a field name (with the blanks).
FIELD_END = frozenset("()!=<>") | BLANKS
QUOTES = frozenset("\"'")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")

# Tried in order at the operator position; the first prefix that matches wins. 0.29.3's order
# is kept, with the superset spellings placed where they cannot shadow an accepted filter:
# "==" before "=" (see the parser docstring), "intersects" before "in" (0.29.3 matched "in"
# and then always failed for want of a "("), "bcontains"/"bstartswith" last.
_OPERATORS: tuple[tuple[str, CmpOp], ...] = (
    ("==", CmpOp.EQEQ),
    ("=", CmpOp.EQ),
    ("!=", CmpOp.NE),
    ("<=", CmpOp.LE),
    ("<", CmpOp.LT),
    (">=", CmpOp.GE),
    (">", CmpOp.GT),
    ("contains", CmpOp.CONTAINS),
    ("icontains", CmpOp.ICONTAINS),
    ("startswith", CmpOp.STARTSWITH),
    ("endswith", CmpOp.ENDSWITH),
    ("glob", CmpOp.GLOB),
    ("intersects", CmpOp.INTERSECTS),
    ("in", CmpOp.IN),
    ("pmatch", CmpOp.PMATCH),
    ("exists", CmpOp.EXISTS),
    ("bcontains", CmpOp.BCONTAINS),
    ("bstartswith", CmpOp.BSTARTSWITH),
)

_KEYWORD_AFTER_EXPR = {"a": "and", "o": "or", "n": "not"}


class TokenKind(Enum):
    """What a token is."""

    LPAREN = "("
    RPAREN = ")"
    AND = "and"
    OR = "or"
    NOT = "not"
    CHECK = "check"
    EOF = "end of filter"


@record
class Token:
    """One token: its kind, the text as written, its 1-based column and, for CHECK, the check."""

    kind: TokenKind
    text: str
    column: int
    check: Check | None = None


def filter_error(column: int, message: str) -> FilterError:
    """The one shape of every filter error message: ``filter error at column N: ...``."""
    return FilterError(f"filter error at column {column}: {message}")


def _byte_char(value: int) -> str:
    # A \xHH escape stands for one byte. Bytes that are not ASCII are kept as the
    # surrogate escape of that byte, the way Python decodes such bytes from argv, so that
    # encoding with "surrogateescape" gives the byte back.
    return chr(value) if value < 0x80 else chr(0xDC00 + value)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with one EOF token.

    Raises :class:`~sysdive.errors.FilterError` for text that cannot be split (a bad
    escape, an unterminated string, a missing operator, a stray word after an expression).
    The parser reads tokens one at a time through :class:`Lexer` instead, so that the first
    error in the text is the one reported.
    """
    lexer = Lexer(text)
    tokens = [lexer.next_token()]
    while tokens[-1].kind is not TokenKind.EOF:
        tokens.append(lexer.next_token())
    return tokens


class Lexer:
    """Hands out the tokens of one filter, in order; EOF repeats at the end."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.expecting_expr = True

    # -- helpers ---------------------------------------------------------------------------

    def _at(self, pos: int) -> str:
        return self.text[pos] if pos < len(self.text) else ""

    def _skip_blanks(self, pos: int) -> int:
        text = self.text
        while pos < len(text) and text[pos] in BLANKS:
            pos += 1
        return pos

    def _word_at(self, pos: int) -> str:
        """The run of non-blank characters at ``pos``, to name it in an error."""
        text = self.text
        if text[pos] in "()":
            return text[pos]
        end = pos
        while end < len(text) and text[end] not in BLANKS and text[end] not in "()":
            end += 1
        word = text[pos:end]
        return word if len(word) <= 40 else word[:37] + "..."

    def _describe(self, pos: int) -> str:
        return "end of filter" if pos >= len(self.text) else repr(self._word_at(pos))

    def _keyword(self, word: str, pos: int) -> int | None:
        """End of ``word`` spelled at ``pos``, letters possibly split by blanks, else None."""
        text = self.text
        for i, letter in enumerate(word):
            if i:
                pos = self._skip_blanks(pos)
            if pos >= len(text) or text[pos] != letter:
                return None
            pos += 1
        return pos

    # -- the two states --------------------------------------------------------------------

    def next_token(self) -> Token:
        """The next token; raises FilterError where the text cannot be split."""
        text = self.text
        pos = self.pos = self._skip_blanks(self.pos)
        if pos >= len(text):
            return Token(TokenKind.EOF, "", pos + 1)
        ch = text[pos]
        if ch in "()":
            self.pos = pos + 1
            self.expecting_expr = ch == "("
            return Token(TokenKind(ch), ch, pos + 1)
        if self.expecting_expr:
            # 0.29.3 reads an "n" here as "not" whatever follows; where "not" cannot be
            # read we try a field name, which can only fail too (no field starts with n).
            end = self._keyword("not", pos) if ch == "n" else None
            if end is not None:
                self.pos = end
                return Token(TokenKind.NOT, text[pos:end], pos + 1)
            check = self._check()
            self.expecting_expr = False
            return Token(TokenKind.CHECK, text[pos : self.pos], pos + 1, check)
        keyword = _KEYWORD_AFTER_EXPR.get(ch)
        end = self._keyword(keyword, pos) if keyword else None
        if keyword is None or end is None:
            raise filter_error(pos + 1, f"unexpected token {self._describe(pos)}")
        self.pos = end
        self.expecting_expr = True
        return Token(TokenKind(keyword), text[pos:end], pos + 1)

    # -- one comparison --------------------------------------------------------------------

    def _check(self) -> Check:
        text = self.text
        start = self.pos
        pos = start + 1 if text[start] in QUOTES else start
        field_start = pos
        while pos < len(text) and text[pos] not in FIELD_END:
            pos += 1
        field = text[field_start:pos]
        if not field:
            raise filter_error(start + 1, f"expected a field name, found {self._describe(pos)}")
        pos = self._skip_blanks(pos)
        found = next(((s, o) for s, o in _OPERATORS if text.startswith(s, pos)), None)
        if found is None:
            raise filter_error(
                pos + 1,
                f"expected a comparison operator after {field!r}, found {self._describe(pos)}",
            )
        spelling, op = found
        op_column = pos + 1
        pos += len(spelling)
        values: tuple[Literal, ...]
        if op is CmpOp.EXISTS:
            values = ()
        elif op.takes_list:
            values, pos = self._value_list(pos, spelling)
        elif op is CmpOp.EQEQ:
            value, pos = self._eqeq_value(pos)
            values = (value,)
        else:
            value, pos = self._value(pos, in_list=False)
            values = (value,)
        self.pos = pos
        return Check(field, op, values, start + 1, op_column)

    def _value_list(self, pos: int, spelling: str) -> tuple[tuple[Literal, ...], int]:
        pos = self._skip_blanks(pos)
        if self._at(pos) != "(":
            raise filter_error(
                pos + 1, f"expected '(' after {spelling!r}, found {self._describe(pos)}"
            )
        pos += 1
        values: list[Literal] = []
        while True:
            value, pos = self._value(pos, in_list=True)
            values.append(value)
            pos = self._skip_blanks(pos)
            ch = self._at(pos)
            if ch == ")":
                return tuple(values), pos + 1
            if ch != ",":
                raise filter_error(
                    pos + 1,
                    f"expected ',' or ')' in the {spelling!r} list, found {self._describe(pos)}",
                )
            pos += 1

    def _eqeq_value(self, pos: int) -> tuple[Literal, int]:
        """Read the value after ``==`` both ways: as the superset and as 0.29.3 does.

        ``pos`` is just after ``==``. 0.29.3 matched ``=`` and read an unquoted value from the
        second ``=``. That reading is kept in ``compat`` when it ends where ours does (so the
        rest of the filter splits the same either way); the compiler then picks a reading.
        """
        try:
            compat: Literal | None
            compat, compat_end = self._value(pos - 1, in_list=False)
        except FilterError:
            compat, compat_end = None, -1
        value, end = self._value(pos, in_list=False)
        same_extent = compat_end == end or (not value.text and not value.quoted)
        return (
            Literal(
                value.text,
                value.column,
                value.quoted,
                compat.text if compat is not None and same_extent else None,
            ),
            end,
        )

    def _value(self, pos: int, *, in_list: bool) -> tuple[Literal, int]:
        """Read one value starting at ``pos`` (blanks first skipped); return it and its end.

        Mirrors 0.29.3's ``next_operand``: a value is quoted when it starts with ``"`` or
        ``'`` and then ends at the next quote of *either* kind that is not escaped; unquoted
        it ends at a blank, a bracket, or (in a list) a comma. Escapes, quoted or not:
        ``\\\\`` and ``\\"`` stand for the character, ``\\xHH`` for a byte, and a backslash
        before anything else is kept with that character.
        """
        text = self.text
        pos = self._skip_blanks(pos)
        column = pos + 1
        quoted = pos < len(text) and text[pos] in QUOTES
        if quoted:
            pos += 1
        out: list[str] = []
        escape_at = -1  # position of the pending backslash, -1 when none
        hex_digits = ""
        in_hex = False
        while pos < len(text):
            ch = text[pos]
            if quoted:
                at_end = ch in QUOTES and not (escape_at >= 0 and not in_hex)
            else:
                at_end = ch in BLANKS or ch in "()" or (in_list and ch == ",")
            if at_end:
                if escape_at >= 0:
                    raise self._bad_escape(escape_at, pos)
                return Literal("".join(out), column, quoted), pos + 1 if quoted else pos
            if escape_at < 0:
                if ch == "\\":
                    escape_at = pos
                else:
                    out.append(ch)
            elif in_hex:
                if ch not in _HEX_DIGITS:
                    raise self._bad_escape(escape_at, pos + 1)
                hex_digits += ch
                if len(hex_digits) == 2:
                    out.append(_byte_char(int(hex_digits, 16)))
                    escape_at, in_hex, hex_digits = -1, False, ""
            elif ch == "x":
                in_hex = True
            else:
                if ch not in '\\"':
                    out.append("\\")
                out.append(ch)
                escape_at = -1
            pos += 1
        if quoted:
            raise filter_error(column, "unterminated string")
        # 0.29.3 drops an escape left open by the end of the filter.
        return Literal("".join(out), column, False), pos

    def _bad_escape(self, start: int, end: int) -> FilterError:
        return filter_error(start + 1, f"bad escape sequence {self.text[start:end]!r}")
