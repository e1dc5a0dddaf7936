"""Small helpers for the Python functions sysdive generates for its hot print paths.

Output formats (:mod:`sysdive.format.formatter`) and ``evt.info`` per event type
(:mod:`sysdive.fields.info`) are each compiled once into the source of one function: direct
calls, locals and one f-string are several times cheaper per event in CPython than a loop
over a list of parts with a call and a check per part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

__all__ = ["COMPILE_AFTER", "Globals", "bind_names", "compile_function", "fstring_literal",
           "string_literal"]

COMPILE_AFTER = 100
"""Events of one type go through generic code until this many have been seen: compiling a
function costs about as much as printing a few hundred events its way, which a short
capture never earns back."""


class Globals:
    """The globals of one generated function: each object gets a name once."""

    def __init__(self) -> None:
        self.env: dict[str, object] = {}
        self._ids: dict[int, str] = {}

    def name(self, obj: object) -> str:
        """A global name for ``obj`` in the generated code."""
        key = id(obj)
        found = self._ids.get(key)
        if found is None:
            # The env keeps obj alive, so its id cannot be reused by another object.
            found = self._ids[key] = f"_g{len(self._ids)}"
            self.env[found] = obj
        return found


def bind_names(code: str, env: Mapping[str, object], g: Globals) -> str:
    """``code`` with each name of ``env`` replaced by the global ``g`` gives its object."""
    if not env:
        return code
    names = sorted(env, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
    return pattern.sub(lambda m: g.name(env[m[1]]), code)


def string_literal(text: str) -> str:
    """The inside of a double-quoted literal for ``text``; braces are left as they are."""
    out = []
    for ch in text:
        if " " <= ch <= "~":
            out.append("\\" + ch if ch in "\"\\" else ch)
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


def fstring_literal(text: str) -> str:
    """``text`` as literal text inside a double-quoted f-string."""
    return string_literal(text).replace("{", "{{").replace("}", "}}")


def compile_function(name: str, source: str, env: Mapping[str, object],
                     label: str = "") -> Callable[..., object]:
    """Execute ``source`` (which defines ``name``) with globals ``env``; return the function.

    ``label`` names the code in tracebacks and profiles (``<sysdive label>``).
    """
    namespace = dict(env)
    exec(compile(source, f"<sysdive {label or name}>", "exec"), namespace)
    fn = namespace[name]
    assert callable(fn)
    return fn
