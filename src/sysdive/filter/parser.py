"""Parse a filter into a :mod:`~sysdive.filter.ast` tree.

Grammar (the tokens come from :mod:`sysdive.filter.lexer`)::

    filter     := or_expr EOF
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" unary | primary
    primary    := "(" or_expr ")" | check
    check      := field "exists"
                | field op1 value
                | field op_list "(" value ("," value)* ")"
    op1        := "=" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "icontains"
                | "startswith" | "endswith" | "glob" | "bcontains" | "bstartswith"
    op_list    := "in" | "intersects" | "pmatch"
    field      := characters up to a blank or one of ( ) ! = < >, e.g. proc.name,
                  evt.arg.fd, evt.arg[1], proc.aname[2] (the resolver reads arguments)
    value      := bare word (ends at a blank, a bracket, or in a list a comma)
                | "..." or '...' (either quote ends it), possibly empty;
                  escapes \\\\ \\" \\xHH; any other backslash is kept as written

Precedence: ``not`` binds tighter than ``and``, which binds tighter than ``or``.

Relation to sysdig 0.29.3 (every row checked against the real binary, see
``tests/filter/test_sysdig_grammar.py``). Whatever 0.29.3 accepts we accept with the same
meaning, except in the rows marked *differs*.

============================================  ====================================================
0.29.3                                        sysdive
============================================  ====================================================
``a and b or c`` is an error ("mixes 'and'    **superset**: usual precedence, ``(a and b) or c``
and 'or' ... Please use brackets")
``evt.type==open``: ``=`` then the value      **superset**: ``==`` means ``=`` for fields that are
``=open`` (error: unknown event type);        not strings. For string/buffer fields ``==x`` keeps
``proc.name==x`` compares with ``=x``         0.29.3's meaning (compare with ``=x``) and
                                              ``== x`` (an error in 0.29.3) is an error
``proc.name == and b``: value ``=``, then     *differs*: an error (``==`` with a blank on a
``and b``                                     string field)
``intersects``: read as ``in`` followed by    **superset**: same as ``in`` (fields give one
garbage, always an error                      value, or any of several for tuple fields)
``bcontains``, ``bstartswith``: unknown       **superset** (as in later libs): the value is an
operators                                     even-length hex string, buffer fields only
``not not x`` means ``not x`` (the flag is    *differs*: ``x``
OR-ed in)
``a not b`` means ``a``; ``a and b not c``    *differs*: an error ("unexpected token 'not'")
means ``a and b and not c``
``() a``, ``(a and) b``, ``a) and b``: stray  *differs*: an error ("unexpected token ')'");
brackets accepted or crash (``a) and b``      0.29.3 gives the first two odd meanings
segfaults)
nesting depth unlimited                       *differs*: at most 50 levels of brackets
``""`` (empty): the sysdig CLI runs without   an error ("unexpected end of filter"): the CLI
a filter; blanks only: an error               must skip compiling an empty filter
============================================  ====================================================

The compiler (:mod:`sysdive.filter.compiler`) has its own table for values and operators.
"""

from __future__ import annotations

from sysdive.filter.ast import And, Node, Not, Or
from sysdive.filter.lexer import Lexer, Token, TokenKind, filter_error

__all__ = ["MAX_DEPTH", "parse"]

MAX_DEPTH = 50
"""Deepest bracket nesting accepted; keeps recursion (here and in the compiler) bounded."""


def parse(text: str) -> Node:
    """Parse ``text`` into a tree; raise :class:`~sysdive.errors.FilterError` if invalid."""
    return _Parser(Lexer(text)).parse_filter()


def _describe(token: Token) -> str:
    if token.kind is TokenKind.EOF:
        return "end of filter"
    text = token.text if len(token.text) <= 40 else token.text[:37] + "..."
    return repr(text)


class _Parser:
    def __init__(self, lexer: Lexer) -> None:
        # Tokens are pulled one at a time so that an error in the text is found only when
        # the parser gets there, and the first problem is the one reported.
        self.lexer = lexer
        self.lookahead: Token | None = None
        self.depth = 0

    def _peek(self) -> Token:
        if self.lookahead is None:
            self.lookahead = self.lexer.next_token()
        return self.lookahead

    def _take(self) -> Token:
        token = self._peek()
        if token.kind is not TokenKind.EOF:
            self.lookahead = None
        return token

    def _unexpected(self, token: Token) -> Exception:
        if token.kind is TokenKind.EOF:
            return filter_error(token.column, "unexpected end of filter")
        return filter_error(token.column, f"unexpected token {_describe(token)}")

    def parse_filter(self) -> Node:
        node = self._or_expr()
        token = self._peek()
        if token.kind is not TokenKind.EOF:
            raise self._unexpected(token)
        return node

    def _or_expr(self) -> Node:
        first = self._and_expr()
        operands = [first]
        while self._peek().kind is TokenKind.OR:
            self._take()
            operands.append(self._and_expr())
        if len(operands) == 1:
            return first
        return Or(tuple(operands), first.column)

    def _and_expr(self) -> Node:
        first = self._unary()
        operands = [first]
        while self._peek().kind is TokenKind.AND:
            self._take()
            operands.append(self._unary())
        if len(operands) == 1:
            return first
        return And(tuple(operands), first.column)

    def _unary(self) -> Node:
        # A run of "not"s is read in a loop, not recursively, so that "not not ... x" of any
        # length cannot exhaust the stack; an even number of them cancels out.
        nots: list[Token] = []
        while self._peek().kind is TokenKind.NOT:
            nots.append(self._take())
        operand = self._primary()
        if len(nots) % 2:
            return Not(operand, nots[0].column)
        return operand

    def _primary(self) -> Node:
        token = self._take()
        if token.check is not None:
            return token.check
        if token.kind is not TokenKind.LPAREN:
            raise self._unexpected(token)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise filter_error(token.column, f"brackets nested deeper than {MAX_DEPTH} levels")
        node = self._or_expr()
        closing = self._take()
        if closing.kind is not TokenKind.RPAREN:
            if closing.kind is TokenKind.EOF:
                raise filter_error(token.column, "'(' is never closed")
            raise self._unexpected(closing)
        self.depth -= 1
        return node
