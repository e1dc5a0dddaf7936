"""``@record``: slotted dataclasses at a fraction of ``@dataclass``'s class-creation cost.

``@record`` makes a real dataclass (``dataclasses.fields``, ``replace`` and ``asdict`` work,
``mypy`` checks it as one), with ``__slots__``; frozen unless ``frozen=False``; compared and
hashed by its fields (those with ``compare=True``) unless ``eq=False``::

    @record
    class Token:
        kind: str
        text: str = ""

Why: ``@dataclass(frozen=True, slots=True)`` compiles six small functions per class
(``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``),
about a millisecond per class on a small machine, and sysdive creates dozens of classes
before it reads its first event. Here only ``__init__`` is compiled (it runs for every
instance and stays as fast as the standard one), when the class is first instantiated; the
other methods are shared functions over the field names. ``__post_init__``, ``InitVar`` and
keyword-only fields are not supported (use ``@dataclass`` for those).
"""

from __future__ import annotations

import dataclasses
import operator
import reprlib
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

__all__ = ["record"]

_T = TypeVar("_T")
_MISSING: Any = dataclasses.MISSING


@overload
def record(cls: type[_T], /) -> type[_T]: ...


@overload
def record(*, frozen: bool = True, eq: bool = True) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: type[_T] | None = None, /, *, frozen: bool = True,
           eq: bool = True) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """Make ``cls`` a slotted dataclass (see the module docstring)."""
    def wrap(c: type[_T]) -> type[_T]:
        return _make(c, frozen, eq)
    return wrap if cls is None else wrap(cls)


def _make(cls: type[_T], frozen: bool, eq: bool) -> type[_T]:
    if "__slots__" in cls.__dict__:
        raise TypeError(f"{cls.__name__} already specifies __slots__")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: @record does not run __post_init__")
    documented = bool(cls.__dict__.get("__doc__"))
    if not documented:  # else dataclass() computes one with inspect.signature, before __init__
        cls.__doc__ = cls.__name__
    # The standard decorator with every method turned off only collects the fields (and
    # sets __dataclass_fields__, __match_args__): nothing is compiled.
    plain: Any = dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
    fields = dataclasses.fields(plain)
    if any(f.kw_only is True for f in fields) or any(
            "InitVar" in str(f.type) for f in plain.__dataclass_fields__.values()):
        raise TypeError(f"{cls.__name__}: @record does not take keyword-only or InitVar fields")

    ns = dict(plain.__dict__)
    inherited = {s for base in plain.__mro__[1:-1] for s in _slots(base)}
    ns["__slots__"] = tuple(f.name for f in fields if f.name not in inherited)
    for f in fields:
        ns.pop(f.name, None)  # the defaults live in the fields (and __init__)
    ns.pop("__dict__", None)
    ns.pop("__weakref__", None)
    own = cls.__dict__

    def put(name: str, value: object) -> None:
        if name not in own:  # a method the class writes itself stays, as with dataclasses
            ns[name] = value

    put("__init__", _lazy_init(fields, frozen))
    put("__repr__", _repr(tuple(f.name for f in fields if f.repr)))
    if eq:
        compared = tuple(f.name for f in fields if f.compare)
        put("__eq__", _eq(operator.attrgetter(*compared) if compared else _no_key))
        # (a class that defines __eq__ gets __hash__ = None from Python: not its own)
        if "__hash__" not in own or (own["__hash__"] is None and "__eq__" in own):
            hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
            ns["__hash__"] = (_hash(operator.attrgetter(*hashed) if hashed else _no_key)
                              if frozen else None)  # mutable, compared by value: unhashable
    if frozen:
        if "__setattr__" in own or "__delattr__" in own:
            raise TypeError(f"{cls.__name__}: a frozen record cannot define __setattr__")
        ns["__setattr__"] = _frozen_setattr
        ns["__delattr__"] = _frozen_delattr
        put("__getstate__", _getstate)
        put("__setstate__", _setstate)
    made: Any = type(plain)(plain.__name__, plain.__bases__, ns)
    made.__qualname__ = plain.__qualname__
    if not documented:
        made.__doc__ = made.__name__ + "(" + ", ".join(f.name for f in fields) + ")"
    result: type[_T] = made
    return result


def _slots(cls: type) -> tuple[str, ...]:
    slots = cls.__dict__.get("__slots__", ())
    return (slots,) if isinstance(slots, str) else tuple(slots)


def _lazy_init(fields: tuple[dataclasses.Field[Any], ...],
               frozen: bool) -> Callable[..., None]:
    # __init__ is compiled when the class is first instantiated: many classes of a run
    # (filter nodes, parts of features not in use) never are.
    def __init__(self: object, *args: object, **kwargs: object) -> None:
        cls = _owner(type(self), __init__)
        real = _init(cls, fields, frozen)
        cls.__init__ = real  # type: ignore[misc]
        real(self, *args, **kwargs)
    return __init__


def _owner(cls: type, method: object) -> type:
    """The class in ``cls``'s MRO whose own ``__init__`` is ``method``."""
    for klass in cls.__mro__:
        if klass.__dict__.get("__init__") is method:
            return klass
    raise TypeError(f"{cls.__name__}: record __init__ not found")


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...],
          frozen: bool) -> Callable[..., None]:
    env: dict[str, Any] = {"_rec_set": object.__setattr__, "_rec_none": _MISSING}
    params: list[str] = []
    body: list[str] = []
    for i, f in enumerate(fields):
        value = f.name
        if f.default is not _MISSING:
            env[f"_rec_d{i}"] = f.default
            default = f"_rec_d{i}"
        elif f.default_factory is not _MISSING:
            env[f"_rec_f{i}"] = f.default_factory
            default = "_rec_none"
            value = f"_rec_f{i}() if {f.name} is _rec_none else {f.name}"
        else:
            default = ""
        if not f.init:
            value = f"_rec_f{i}()" if default == "_rec_none" else default
            if not value:
                raise TypeError(f"{cls.__name__}.{f.name}: init=False needs a default")
        else:
            params.append(f"{f.name}={default}" if default else f.name)
        body.append(f"    _rec_set(self, {f.name!r}, {value})" if frozen
                    else f"    self.{f.name} = {value}")
    src = "def __init__(self{}) -> None:\n{}\n".format(
        "".join(", " + p for p in params), "\n".join(body) or "    pass")
    exec(src, env)  # our own text, built from the field names above
    fn: Callable[..., None] = env["__init__"]
    fn.__qualname__ = f"{cls.__qualname__}.__init__"
    fn.__module__ = cls.__module__
    return fn


def _no_key(obj: object) -> tuple[()]:
    return ()


def _repr(names: tuple[str, ...]) -> Callable[[object], str]:
    @reprlib.recursive_repr()
    def __repr__(self: object) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{type(self).__qualname__}({inner})"
    return __repr__


def _eq(key: Callable[[object], object]) -> Callable[[object, object], bool]:
    def __eq__(self: object, other: object) -> bool:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented
    return __eq__


def _hash(key: Callable[[object], object]) -> Callable[[object], int]:
    def __hash__(self: object) -> int:
        return hash(key(self))
    return __hash__


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self: object) -> list[object]:
    return [getattr(self, f.name) for f in dataclasses.fields(self)]  # type: ignore[arg-type]


def _setstate(self: object, state: list[object]) -> None:
    for f, value in zip(dataclasses.fields(self), state, strict=True):  # type: ignore[arg-type]
        object.__setattr__(self, f.name, value)
