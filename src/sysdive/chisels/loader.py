"""Finding chisels: user directories first, then the built-ins; ``-cl`` and ``-i`` text.

A chisel is a Python module named after it (``topscalls.py``) that defines one subclass of
:class:`~sysdive.chisels.api.Chisel`. Directories are searched in this order, the first
module of a name winning (sysdig's order, with its environment variable renamed):

1. each directory in ``$SYSDIVE_CHISEL_DIR`` (separated by ``;`` as sysdig's
   ``SYSDIG_CHISEL_DIR``, or by ``:``);
2. ``./chisels``;
3. ``~/.chisels``;
4. the built-ins, ``sysdive.chisels.builtin``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import re
import sys
from pathlib import Path
from types import ModuleType

from sysdive.chisels.api import Chisel
from sysdive.errors import ChiselError

__all__ = ["ENV_VAR", "all_chisels", "find_chisel", "render_chisel_info", "render_chisel_list",
           "search_dirs"]

ENV_VAR = "SYSDIVE_CHISEL_DIR"
_BUILTIN = "sysdive.chisels.builtin"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def search_dirs() -> list[Path]:
    """The user chisel directories, in search order (missing ones included)."""
    dirs: list[Path] = []
    env = os.environ.get(ENV_VAR, "")
    for part in re.split(r"[;:]", env):
        if part.strip():
            dirs.append(Path(part.strip()).expanduser())
    dirs.append(Path("chisels"))
    dirs.append(Path("~/.chisels").expanduser())
    return dirs


def _chisel_class(module: ModuleType, stem: str) -> type[Chisel]:
    found = [obj for obj in vars(module).values()
             if isinstance(obj, type) and issubclass(obj, Chisel) and obj is not Chisel
             and obj.__module__ == module.__name__]
    if not found:
        raise ChiselError(f"chisel {stem}: {module.__file__} defines no Chisel subclass")
    named = [c for c in found if (c.name or stem) == stem]
    cls = named[0] if named else found[0]
    if not cls.name:
        cls.name = stem
    return cls


def _load_file(path: Path) -> type[Chisel]:
    stem = path.stem
    modname = f"sysdive_user_chisel_{stem}_{abs(hash(str(path.resolve())))}"
    if modname in sys.modules:
        return _chisel_class(sys.modules[modname], stem)
    spec = importlib.util.spec_from_file_location(modname, path)
    if spec is None or spec.loader is None:
        raise ChiselError(f"chisel {stem}: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    try:
        spec.loader.exec_module(module)
    except Exception as err:
        del sys.modules[modname]
        raise ChiselError(f"chisel {stem}: failed to load {path}: "
                          f"{type(err).__name__}: {err}") from err
    return _chisel_class(module, stem)


def _load_builtin(name: str) -> type[Chisel] | None:
    try:
        module = importlib.import_module(f"{_BUILTIN}.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"{_BUILTIN}.{name}":
            return None
        raise
    return _chisel_class(module, name)


def find_chisel(name: str) -> type[Chisel]:
    """The class of chisel ``name``; ChiselError when there is none."""
    if _NAME.match(name):
        for d in search_dirs():
            path = d / f"{name}.py"
            if path.is_file():
                return _load_file(path)
        cls = _load_builtin(name)
        if cls is not None:
            return cls
    raise ChiselError(f"can't open chisel {name} (use -cl to list them)")


def all_chisels() -> list[type[Chisel]]:
    """Every chisel found (hidden ones too), the first of each name; user modules that fail
    to load are left out, as sysdig leaves out broken scripts."""
    seen: dict[str, type[Chisel]] = {}
    for d in search_dirs():
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.py")):
            if path.stem in seen or not _NAME.match(path.stem):
                continue
            try:
                seen[path.stem] = _load_file(path)
            except ChiselError:
                continue
    pkg = importlib.import_module(_BUILTIN)
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name not in seen and not info.name.startswith("_"):
            cls = _load_builtin(info.name)
            if cls is not None:
                seen[info.name] = cls
    return list(seen.values())


# -- -cl and -i (chisel_fields_info.cpp) --------------------------------------------------------

_DESC_START = 16
_LINE_LEN = 79


def render_chisel_list(chisels: list[type[Chisel]], verbose: bool = True) -> str:
    """``sysdig -cl``: chisels sorted by category then name, hidden ones left out."""
    out: list[str] = []
    last = None
    width = _LINE_LEN - _DESC_START
    for cls in sorted((c for c in chisels if not c.hidden), key=lambda c: (c.category, c.name)):
        if cls.category != last:
            title = "Category: " + cls.category
            out.append(f"\n{title}\n{'-' * len(title)}\n")
            last = cls.category
        name = cls.name
        if len(name) >= _DESC_START:
            out.append(name + "\n" + " " * _DESC_START)
        else:
            out.append(name + " " * (_DESC_START - len(name)))
        desc = cls.short_description
        out.append(f"\n{' ' * _DESC_START}".join(desc[i:i + width]
                                                 for i in range(0, len(desc), width)))
        out.append("\n")
    if verbose:
        out.append("\nUse the -i flag to get detailed information about a specific chisel\n")
    return "".join(out)


def render_chisel_info(cls: type[Chisel]) -> str:
    """``sysdig -i NAME``: the -cl entry, the description cut every 79 characters, the
    arguments."""
    out = [render_chisel_list([cls], verbose=False), "\n"]
    desc = cls.description
    out.append("\n".join(desc[i:i + _LINE_LEN] for i in range(0, len(desc), _LINE_LEN)))
    out.append("\n")
    astr = "Args:\n"
    if cls.args:
        astr += "".join(f"[{a.type}] {a.name} - {a.description}\n" for a in cls.args)
    else:
        astr += "(None)"
    width = _LINE_LEN - _DESC_START
    linepos = 0
    for c in astr:
        if c == "\n":
            linepos = -1
        elif linepos % width == 0 and linepos != 0:
            out.append("\n" + " " * _DESC_START)
        out.append(c)
        linepos += 1
    out.append("\n")
    return "".join(out)
