"""``@record`` behaves as ``@dataclass(frozen=True, slots=True)`` (or its ``frozen=False`` /
``eq=False`` variants): the same fields, constructor, repr, comparison, hashing, frozenness,
``replace``/``asdict``/pickle, for classes like the ones sysdive declares."""

from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest

from support import SRC, sysdive_env
from sysdive.records import record


def _pair(**kw: Any) -> tuple[type[Any], type[Any]]:
    """The same class body under @record and under @dataclass(slots=True, ...)."""
    made = []
    for deco in (record(**kw), dataclass(slots=True, frozen=kw.get("frozen", True), **{
            k: v for k, v in kw.items() if k != "frozen"})):
        class Entry:
            """An entry."""

            kind: ClassVar[str] = "entry"
            pid: int
            name: str
            args: tuple[str, ...] = ()
            env: dict[str, str] = field(default_factory=dict, compare=False)
            note: str = field(default="", repr=False, compare=False)

            def label(self) -> str:
                return f"{self.name}[{self.pid}]"

        made.append(deco(Entry))
    return made[0], made[1]


def test_fields_constructor_and_repr_match_dataclass() -> None:
    rec, dc = _pair()
    assert [(f.name, f.default, f.repr, f.compare) for f in dataclasses.fields(rec)] == \
        [(f.name, f.default, f.repr, f.compare) for f in dataclasses.fields(dc)]
    a, b = rec(1, "sh", ("-c",), {"A": "1"}, "x"), dc(1, "sh", ("-c",), {"A": "1"}, "x")
    assert repr(a).replace("Entry", "X") == repr(b).replace("Entry", "X")
    assert rec(pid=2, name="x").env == {} and rec(2, "x").env is not rec(2, "x").env
    assert a.label() == "sh[1]" and rec.kind == "entry"
    assert rec.__slots__ == dc.__slots__ and not hasattr(a, "__dict__")
    assert rec.__match_args__ == dc.__match_args__
    assert rec.__doc__ == "An entry." and rec.__qualname__.endswith("Entry")
    with pytest.raises(TypeError):
        rec(1)


def test_comparison_and_hash_use_the_compared_fields() -> None:
    rec, _ = _pair()
    a, b = rec(1, "sh", note="one"), rec(1, "sh", note="two")
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != rec(2, "sh") and a != (1, "sh")
    other, _ = _pair()
    assert a != other(1, "sh")  # another class with the same fields


def test_frozen_and_replace_asdict_pickle() -> None:
    rec, _ = _pair()
    a = rec(1, "sh", ("x",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.pid = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del a.name
    assert dataclasses.replace(a, pid=5) == rec(5, "sh", ("x",))
    assert dataclasses.asdict(a) == {"pid": 1, "name": "sh", "args": ("x",), "env": {},
                                     "note": ""}
    assert dataclasses.is_dataclass(a)


@record
class Picklable:
    """Module level, for pickle."""

    a: int
    b: str = "b"


def test_pickle_round_trip() -> None:
    p = Picklable(3)
    assert pickle.loads(pickle.dumps(p)) == p


def test_mutable_and_identity_variants() -> None:
    rec, dc = _pair(frozen=False)
    a = rec(1, "sh")
    a.pid = 4
    assert a.pid == 4 and a == rec(4, "sh")
    assert rec.__hash__ is None and dc.__hash__ is None  # unhashable, as dataclasses
    ident, _ = _pair(eq=False)
    x, y = ident(1, "sh"), ident(1, "sh")
    assert x != y and x == x and len({x, y}) == 2


def test_inheritance_keeps_base_slots() -> None:
    @record
    class Base:
        a: int

    @record
    class Sub(Base):
        b: int = 0

    s = Sub(1, 2)
    assert (s.a, s.b) == (1, 2) and Sub.__slots__ == ("b",)
    assert [f.name for f in dataclasses.fields(Sub)] == ["a", "b"]


def test_a_plain_subclass_constructs_through_the_record_init() -> None:
    @record
    class Base:
        a: int
        b: str = "x"

    class Plain(Base):
        def twice(self) -> int:
            return 2 * self.a

    p = Plain(3)  # the first instance: compiles Base.__init__
    assert (p.a, p.b, p.twice()) == (3, "x", 6)
    assert Base(4, "y") == Base(4, "y") and Base.__init__.__qualname__.endswith("Base.__init__")
    assert "__init__" not in vars(Plain)  # compiled onto Base, where it belongs
    with pytest.raises(TypeError):
        Base()  # type: ignore[call-arg]


def test_unsupported_forms_are_refused() -> None:
    with pytest.raises(TypeError, match="__post_init__"):
        @record
        class Post:
            a: int

            def __post_init__(self) -> None:
                pass


def test_mypy_reads_a_record_as_a_frozen_dataclass(tmp_path: Path) -> None:
    src = tmp_path / "use.py"
    src.write_text(
        "from dataclasses import field\n"
        "from sysdive.records import record\n\n"
        "@record\nclass P:\n    a: int\n    b: list[int] = field(default_factory=list)\n\n"
        "p = P(1)\np.a = 2\nP('x')\n"
        "@record(frozen=False)\nclass M:\n    a: int\n\nm = M(1)\nm.a = 2\n")
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                          str(src)], capture_output=True, text=True, check=False,
                         cwd=tmp_path, env=sysdive_env({"MYPYPATH": str(SRC)})).stdout
    errors = [line.split(": error: ")[1] for line in out.splitlines() if ": error: " in line]
    assert len(errors) == 2, out
    assert "read-only" in errors[0] or "frozen" in errors[0]
    assert "incompatible type" in errors[1]
