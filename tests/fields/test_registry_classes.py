"""The registry imports a field class only when a name could be one of its fields: the name
starts it declares for each class (``_CLASS_TABLE``) must cover what the class claims, so
that binding a name gives what asking every class in sysdig's order gives."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from support import sample_capture, sysdive_env
from sysdive.fields.registry import (
    _CLASS_TABLE,
    BoundField,
    FieldClass,
    FieldDef,
    FieldRegistry,
    _all_classes,
)
from sysdive.state.tables import State

CLASSES = _all_classes()
NAMES = sorted({f.name for c in CLASSES for f in c.fields})
# Names with arguments and near misses, as -p tokens and filters write them.
TEXTS = [*NAMES, *(n + "x" for n in NAMES), *(n + "[1]" for n in NAMES),
         *(n + ".a" for n in NAMES), "evt.arg.fd", "evt.type.is.open", "proc.aname[2]",
         "thread.cgroup.cpu", "container.mount.dest[/x]", "k8s.pod.label.app",
         "span.tag[0]", "evtin.span.tag[1]", "args", "arg.x", "nosuch.field", "fdx", ""]


def _eager(text: str) -> tuple[str, str] | str:
    """What asking every class in order gives: (class, field) or the error."""
    for cls in CLASSES:
        try:
            found = cls.parser(cls.by_name(), text)
        except ValueError as err:
            return f"ValueError: {err}"
        if found is not None:
            return cls.name, found[0].name
    return "KeyError"


def _lazy(reg: FieldRegistry, text: str) -> tuple[str, str] | str:
    try:
        bound = reg.parse(text, for_filter=True)
    except KeyError:
        return "KeyError"
    except ValueError as err:
        return f"ValueError: {err}"
    assert isinstance(bound, BoundField)
    assert isinstance(bound.definition, FieldDef)
    owner = [c.name for c in CLASSES if bound.definition in c.fields]
    return owner[0], bound.definition.name


def test_the_table_lists_every_class_once_in_order() -> None:
    assert len(CLASSES) == len(_CLASS_TABLE)
    assert all(isinstance(c, FieldClass) for c in CLASSES)
    assert len({id(c) for c in CLASSES}) == len(CLASSES)
    assert [c.name for c in CLASSES] == ["evt", "evt", "process", "user", "group", "container",
                                         "fd", "k8s", "mesos", "span", "evtin"]


@pytest.mark.parametrize("index", range(len(_CLASS_TABLE)))
def test_every_field_name_starts_as_its_class_declares(index: int) -> None:
    starts = _CLASS_TABLE[index][2]
    bad = [f.name for f in CLASSES[index].fields if not f.name.startswith(starts)]
    assert bad == []


@pytest.mark.parametrize("index", range(len(_CLASS_TABLE)))
def test_no_class_claims_a_name_outside_its_starts(index: int) -> None:
    cls = CLASSES[index]
    starts = _CLASS_TABLE[index][2]
    fields = cls.by_name()
    for text in TEXTS:
        if text.startswith(starts):
            continue
        try:
            found = cls.parser(fields, text)
        except ValueError:
            found = None
            pytest.fail(f"{cls.name} raises for {text!r}")
        assert found is None, (cls.name, text)


def test_binding_matches_asking_every_class() -> None:
    reg = FieldRegistry(State())
    assert [(t, _lazy(reg, t)) for t in TEXTS] == [(t, _eager(t)) for t in TEXTS]


def test_a_filtered_quiet_read_imports_only_what_it_uses() -> None:
    capture = sample_capture("curl_google")
    code = ("import sys\n"
            "from sysdive.cli.main import main\n"
            f"status = main(['-r', {str(capture)!r}, '-q', 'fd.name contains libc'])\n"
            "print(status, sorted(m for m in sys.modules if m.startswith('sysdive.')),\n"
            "      file=sys.stderr)\n")  # main() closes stdout when done
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=sysdive_env()).stderr
    status, _, modules = out.partition(" ")
    assert status == "0"
    loaded = set(ast.literal_eval(modules))
    assert {"sysdive.fields.fd", "sysdive.filter.compiler", "sysdive.inspector"} <= loaded
    # no other field class, no chisel machinery, no writer, no printer
    assert not loaded & {"sysdive.fields.container", "sysdive.fields.span",
                         "sysdive.fields.orchestrator", "sysdive.fields.user",
                         "sysdive.fields.proc", "sysdive.fields.evt", "sysdive.chisels",
                         "sysdive.chisels.api", "sysdive.scap.writer", "sysdive.cli.summary"}
