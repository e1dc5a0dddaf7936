"""The lexer and parser: tokens, values, escapes, precedence, quirks and error columns."""

from __future__ import annotations

import re

import pytest

from sysdive.errors import FilterError
from sysdive.filter import And, Check, CmpOp, Literal, Not, Or, parse, to_text
from sysdive.filter.lexer import TokenKind, tokenize
from sysdive.filter.parser import MAX_DEPTH


def check(text: str) -> Check:
    node = parse(text)
    assert isinstance(node, Check)
    return node


def values(text: str) -> list[str]:
    return [v.text for v in check(text).values]


def error_of(text: str) -> tuple[int, str]:
    with pytest.raises(FilterError) as info:
        parse(text)
    m = re.fullmatch(r"filter error at column (\d+): (.*)", str(info.value), re.S)
    assert m, str(info.value)
    return int(m.group(1)), m.group(2)


# -- checks and operators --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("a=1", CmpOp.EQ),
        ("a==1", CmpOp.EQEQ),
        ("a!=1", CmpOp.NE),
        ("a<1", CmpOp.LT),
        ("a<=1", CmpOp.LE),
        ("a>1", CmpOp.GT),
        ("a>=1", CmpOp.GE),
        ("a contains 1", CmpOp.CONTAINS),
        ("a icontains 1", CmpOp.ICONTAINS),
        ("a startswith 1", CmpOp.STARTSWITH),
        ("a endswith 1", CmpOp.ENDSWITH),
        ("a glob 1", CmpOp.GLOB),
        ("a in (1)", CmpOp.IN),
        ("a intersects (1)", CmpOp.INTERSECTS),
        ("a pmatch (1)", CmpOp.PMATCH),
        ("a exists", CmpOp.EXISTS),
        ("a bcontains 01", CmpOp.BCONTAINS),
        ("a bstartswith 01", CmpOp.BSTARTSWITH),
    ],
)
def test_every_operator(text: str, op: CmpOp) -> None:
    node = check(text)
    assert node.field == "a"
    assert node.op is op
    assert len(node.values) == (0 if op is CmpOp.EXISTS else 1)


def test_operators_are_prefixes_without_word_boundary() -> None:
    assert check("proc.name containsfoo").values[0].text == "foo"
    assert check("proc.name startswithcu").op is CmpOp.STARTSWITH
    assert check("proc.name =<x").values[0].text == "<x"
    assert check("evt.dir=>").values[0].text == ">"


def test_field_names_end_at_blank_or_special() -> None:
    assert check("evt.arg[1]=3").field == "evt.arg[1]"
    assert check("proc.aname[2] = bash").field == "proc.aname[2]"
    assert check("evt.rawarg.res<0").field == "evt.rawarg.res"
    assert check("a.b!=c").field == "a.b"
    assert check('"proc.name =x').field == "proc.name"  # 0.29.3 skips a leading quote
    assert check("'proc.name'=x").field == "proc.name'"


def test_columns() -> None:
    node = check("  proc.name  contains  x")
    assert node.column == 3
    assert node.op_column == 14
    assert node.values[0].column == 24


# -- values ------------------------------------------------------------------------------------


def test_bare_and_quoted_values() -> None:
    assert values("a=x") == ["x"]
    assert values('a="x y"') == ["x y"]
    assert values("a='x y'") == ["x y"]
    assert values("a='x\"") == ["x"]  # either quote closes
    assert values('a=x"y') == ['x"y']  # quotes inside a bare word are plain
    assert values("a=c=url") == ["c=url"]
    assert values("a=x,y") == ["x,y"]  # commas only separate inside lists
    assert check('a=""').values[0] == Literal("", 3, True)


def test_empty_values() -> None:
    assert values("a=") == [""]
    assert values("a= ") == [""]
    assert values("(a=)") == [""]
    assert values("a in ()") == [""]
    assert values("a in (,)") == ["", ""]
    assert values("a in (x,)") == ["x", ""]


def test_escapes() -> None:
    assert values(r"a=cu\\rl") == ["cu\\rl"]
    assert values(r'a="cu\"rl"') == ['cu"rl']
    assert values(r"a=cu\rl") == ["cu\\rl"]  # unknown escapes keep the backslash
    assert values(r'a="cu\'rl"') == ["cu\\'rl"]
    assert values(r"a=cu\x41rl") == ["cuArl"]
    assert values(r"a=\x00z") == ["\0z"]
    assert values(r"a=\xff") == ["\udcff"]  # a raw byte, as surrogateescape
    assert values(r'a="cu\ rl"') == ["cu\\ rl"]
    # An escape left open by the end of the filter is dropped.
    assert values("a=curl\\") == ["curl"]
    assert values("a=cu\\x4") == ["cu"]


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        (r"a=cu\x4g", 5, r"bad escape sequence '\\x4g'"),
        (r'a="cu\x4"', 6, r"bad escape sequence '\\x4'"),
        (r"a=cu\xzz", 5, r"bad escape sequence '\\xz'"),
        (r"a=cu\ rl", 5, r"bad escape sequence '\\'"),
        ('a="curl', 3, "unterminated string"),
        ('a="curl\\"', 3, "unterminated string"),
    ],
)
def test_value_errors(text: str, column: int, message: str) -> None:
    assert error_of(text) == (column, message)


def test_lists() -> None:
    node = check("proc.name in ( curl , 'b c',\"d\")")
    assert [v.text for v in node.values] == ["curl", "b c", "d"]
    assert [v.column for v in node.values] == [16, 23, 29]
    assert values('a in (x"y)') == ['x"y']
    assert values("a in('x,y')") == ["x,y"]


# -- boolean structure ---------------------------------------------------------------------------


def test_precedence() -> None:
    tree = parse("a=1 or b=2 and not c=3 or d=4")
    assert isinstance(tree, Or)
    assert len(tree.operands) == 3
    middle = tree.operands[1]
    assert isinstance(middle, And)
    assert isinstance(middle.operands[1], Not)
    assert to_text(tree) == '(a = "1" or (b = "2" and not (c = "3")) or d = "4")'


def test_not_binds_tighter_than_and() -> None:
    tree = parse("not a=1 and b=2")
    assert isinstance(tree, And)
    assert isinstance(tree.operands[0], Not)


def test_double_negation_cancels() -> None:
    assert isinstance(parse("not not a=1"), Check)
    assert isinstance(parse("not not not a=1"), Not)
    assert isinstance(parse("not " * 5001 + "a=1"), Not)


def test_parentheses() -> None:
    assert isinstance(parse("((a=1))"), Check)
    tree = parse("a=1 and (b=2 or c=3)")
    assert isinstance(tree, And)
    assert isinstance(tree.operands[1], Or)


def test_keyword_quirks_of_0_29_3() -> None:
    # keywords need no word boundary and may be spelled with blanks inside
    assert to_text(parse("a=1 andb=2")) == '(a = "1" and b = "2")'
    assert to_text(parse("a=1 orb=2")) == '(a = "1" or b = "2")'
    assert to_text(parse("a=1 a n d b=2")) == '(a = "1" and b = "2")'
    assert to_text(parse("notb=2")) == 'not (b = "2")'
    assert to_text(parse("n o t b=2")) == 'not (b = "2")'
    assert to_text(parse("a exists and b=1")) == '(a exists and b = "1")'
    assert to_text(parse("a existsand b=1")) == '(a exists and b = "1")'
    assert to_text(parse('a="x"and b=1')) == '(a = "x" and b = "1")'
    # tabs, newlines and carriage returns are blanks too
    assert to_text(parse("a=1\tand\nb=2\r")) == '(a = "1" and b = "2")'


def test_and_at_start_is_a_field() -> None:
    assert check("and=1").field == "and"
    assert check("or=1").field == "or"


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("", 1, "unexpected end of filter"),
        ("   ", 4, "unexpected end of filter"),
        ("not", 4, "unexpected end of filter"),
        ("a=1 and", 8, "unexpected end of filter"),
        ("()", 2, "unexpected token ')'"),
        ("(a=1", 1, "'(' is never closed"),
        ("a=1)", 4, "unexpected token ')'"),
        ("a=1) and b=2", 4, "unexpected token ')'"),
        ("() a=1", 2, "unexpected token ')'"),
        ("(a=1 and) b=2", 9, "unexpected token ')'"),
        ("(a=1) (b=2)", 7, "unexpected token '('"),
        ("a=1 (b=2)", 5, "unexpected token '('"),
        ("a=1 b=2", 5, "unexpected token 'b=2'"),
        ("a=1 xor b=2", 5, "unexpected token 'xor'"),
        ("a=1 andx", 9, "expected a comparison operator after 'x', found end of filter"),
        ("a=1 not b=2", 5, "unexpected token 'not'"),
        ("a=1 and b=2 not c=3", 13, "unexpected token 'not'"),
        ("a exists exists", 10, "unexpected token 'exists'"),
        ("a existsx", 9, "unexpected token 'x'"),
        ("=x", 1, "expected a field name, found '=x'"),
        ("(=x)", 2, "expected a field name, found '=x'"),
        ("a", 2, "expected a comparison operator after 'a', found end of filter"),
        ("a ~ b", 3, "expected a comparison operator after 'a', found '~'"),
        ("a!b", 2, "expected a comparison operator after 'a', found '!b'"),
        ("a in b", 6, "expected '(' after 'in', found 'b'"),
        ("a inx (b)", 5, "expected '(' after 'in', found 'x'"),
        ("a pmatch", 9, "expected '(' after 'pmatch', found end of filter"),
        ("a in (b", 8, "expected ',' or ')' in the 'in' list, found end of filter"),
        ("a in (b c)", 9, "expected ',' or ')' in the 'in' list, found 'c'"),
        ("a in ((b))", 7, "expected ',' or ')' in the 'in' list, found '('"),
        ('a in ("b"c)', 10, "expected ',' or ')' in the 'in' list, found 'c'"),
        ("a=(b)", 3, "unexpected token '('"),
        ("a=b c", 5, "unexpected token 'c'"),
        ('a="b"c', 6, "unexpected token 'c'"),
    ],
)
def test_syntax_errors(text: str, column: int, message: str) -> None:
    assert error_of(text) == (column, message)


def test_nesting_limit() -> None:
    ok = "(" * MAX_DEPTH + "a=1" + ")" * MAX_DEPTH
    assert isinstance(parse(ok), Check)
    column, message = error_of("(" * (MAX_DEPTH + 1) + "a=1" + ")" * (MAX_DEPTH + 1))
    assert column == MAX_DEPTH + 1
    assert "nested deeper" in message


# -- "==" --------------------------------------------------------------------------------------


def test_eqeq_keeps_the_0_29_3_reading_when_it_ends_at_the_same_place() -> None:
    assert check("a==x").values[0] == Literal("x", 4, False, "=x")
    assert check('a=="x y"').values[0].compat is None  # 0.29.3 reads ="x then y"
    assert check("a=='x'").values[0] == Literal("x", 4, True, "='x'")
    assert check("a==").values[0] == Literal("", 4, False, "=")
    assert check("(a==)").values[0].compat == "="
    assert check("a== x").values[0] == Literal("x", 5, False, None)


# -- tokens and rendering ----------------------------------------------------------------------


def test_tokens() -> None:
    kinds = [t.kind for t in tokenize("not (a=1 or b exists) and c in (1,2)")]
    assert kinds == [
        TokenKind.NOT,
        TokenKind.LPAREN,
        TokenKind.CHECK,
        TokenKind.OR,
        TokenKind.CHECK,
        TokenKind.RPAREN,
        TokenKind.AND,
        TokenKind.CHECK,
        TokenKind.EOF,
    ]


@pytest.mark.parametrize(
    "text",
    [
        "a=1",
        "a = 'x y' and (b exists or not c in (1, \"2\"))",
        r"a=\x00\xffq\\\"'",
        "a pmatch (/etc, /usr/) or b glob '*[ab]?'",
        "a=1 or b=2 and c=3",
    ],
)
def test_to_text_round_trips(text: str) -> None:
    tree = parse(text)
    assert parse(to_text(tree)) == _strip_columns_equal(tree, parse(to_text(tree)))


def _strip_columns_equal(a: object, b: object) -> object:
    # Columns differ after re-rendering; compare everything else.
    assert _shape(a) == _shape(b)
    return b


def _shape(node: object) -> object:
    if isinstance(node, Check):
        return (node.field, node.op, tuple(v.text for v in node.values))
    if isinstance(node, Not):
        return ("not", _shape(node.operand))
    if isinstance(node, And | Or):
        return (type(node).__name__, tuple(_shape(o) for o in node.operands))
    raise AssertionError(node)
