"""Which command-line words are a chisel's arguments (``parse_chisel_args`` in sysdig.cpp).

sysdig decides while getopt runs, looking at the raw word after ``-c NAME``:

* a chisel without arguments takes nothing;
* a chisel with a required argument takes the next word, whatever it is;
* a chisel with only optional arguments takes the next word unless it starts with ``-`` or
  the rest of the command line (raw, options included) compiles as a filter; a chisel whose
  only argument has type ``filter`` always takes it.

That one word holds all the chisel's arguments, split on blanks by the chisel engine
(quote with ``'`` or `````). The words taken are removed before option parsing; what is left
after the options is the filter. (sysdig counts the taken words off the front of the
permuted non-options, which goes wrong when a filter word comes before ``-c``; sysdive
removes exactly the word it took.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sysdive.errors import FilterError, UsageError
from sysdive.records import record

if TYPE_CHECKING:  # the chisel machinery is imported only when a -c asks for it
    from sysdive.chisels.api import Chisel


@record
class ChiselSpec:
    """One ``-c NAME [ARGS]``: the chisel's class and its argument word (None: none)."""

    cls: type[Chisel]
    args: str | None


def _compiles(text: str) -> bool:
    from sysdive.fields.registry import FieldRegistry
    from sysdive.filter import compile_filter
    from sysdive.state.tables import State

    try:
        compile_filter(text, FieldRegistry(State()))
    except (FilterError, ValueError, KeyError):
        return False
    return True


def _takes(cls: type[Chisel], rest: list[str]) -> bool:
    nargs = len(cls.args)
    if nargs == 0:
        return False
    if not rest:
        if cls.n_required_args():
            raise UsageError(f"missing arguments for chisel {cls.name}")
        return False
    if cls.n_required_args():
        return True
    if rest[0].startswith("-"):
        return False
    if nargs == 1 and cls.args[0].type == "filter":
        return True
    return not _compiles(" ".join(rest))


def _needs_value(letter: str, short: str) -> bool:
    i = short.find(letter)
    return i >= 0 and i + 1 < len(short) and short[i + 1] == ":"


def extract_chisels(argv: list[str], short: str,
                    long_with_value: set[str]) -> tuple[list[str], list[ChiselSpec], bool]:
    """Split ``argv`` into the words getopt should see, the chisels in order, and whether
    ``-cl``/``--list-chisels`` asks for the list (which ends the scan, as in sysdig)."""
    out: list[str] = []
    specs: list[ChiselSpec] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        out.append(word)
        i += 1
        if word == "--":
            out.extend(argv[i:])
            break
        name: str | None = None
        if word.startswith("--"):
            opt, eq, val = word[2:].partition("=")
            full = [n for n in long_with_value if n == opt] or \
                [n for n in long_with_value if n.startswith(opt)]
            if opt == "list-chisels":
                return out + argv[i:], specs, True
            if len(full) == 1 and not eq and i < len(argv):
                if full[0] == "chisel":
                    name = argv[i]
                out.append(argv[i])
                i += 1
            elif len(full) == 1 and full[0] == "chisel":
                name = val
        elif word.startswith("-") and len(word) > 1:
            for k in range(1, len(word)):
                letter = word[k]
                if _needs_value(letter, short):
                    if k + 1 < len(word):
                        val = word[k + 1:]
                    elif i < len(argv):
                        val = argv[i]
                        out.append(val)
                        i += 1
                    else:
                        break
                    if letter == "c":
                        name = val
                    break
        if name is None:
            continue
        if name == "l":
            return out + argv[i:], specs, True
        from sysdive.chisels.loader import find_chisel

        cls = find_chisel(name)
        if _takes(cls, argv[i:]):
            specs.append(ChiselSpec(cls, argv[i]))
            i += 1
        else:
            specs.append(ChiselSpec(cls, None))
    return out, specs, False
