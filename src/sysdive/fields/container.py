"""Field class ``container``: the thread's container id and the container's metadata.

libsinsp's ``sinsp_filter_check_container``. A thread with an empty ``container_id`` runs on
the host: ``container.id``, ``container.name`` and ``container.type`` are ``host`` and the
other fields are missing. Otherwise the metadata comes from a container table the state
keeps (``State.containers``: container id -> the ``container`` object of the container
JSON event, as parsed JSON); a state without the table behaves as if no metadata had
arrived yet.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sysdive.fields.evt import scan_int
from sysdive.fields.lineage import thread_of
from sysdive.fields.registry import (
    ArgKind,
    Binder,
    BoundField,
    FieldArg,
    FieldClass,
    FieldContext,
    FieldDef,
    FieldFlag,
    longest_prefix,
)
from sysdive.records import record
from sysdive.schema.types import ParamType as PT
from sysdive.schema.types import PrintFormat as PF

if TYPE_CHECKING:
    from collections.abc import Callable

    from sysdive.event import Event
    from sysdive.state.tables import State

__all__ = ["CONTAINER_CLASS", "CONTAINER_TYPE_NAMES", "ContainerMount", "record_mounts",
           "record_probes"]


@record
class ContainerMount:
    """One mount of a container (an entry of ``Mounts`` in the container JSON)."""

    source: str = ""
    dest: str = ""
    mode: str = ""
    rdwr: bool = False
    propagation: str = ""


def _json_str(value: object) -> str:
    # jsoncpp's asString() of the scalar types the JSON reader accepts as strings.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return ""


def _record_str(record: Mapping[str, Any], key: str) -> str:
    return _json_str(record.get(key))


def record_mounts(record: Mapping[str, Any]) -> list[ContainerMount]:
    """The mounts of a container record (JSON ``Mounts``), fields libsinsp would keep."""
    raw = record.get("Mounts")
    if not isinstance(raw, list):
        return []
    out = []
    for m in raw:
        m = m if isinstance(m, dict) else {}

        def text(key: str, m: dict[str, Any] = m) -> str:
            v = m.get(key)
            return v if isinstance(v, str) else ""
        rw = m.get("RW")
        out.append(ContainerMount(text("Source"), text("Destination"), text("Mode"),
                                  rw if isinstance(rw, bool) else False, text("Propagation")))
    return out


# libsinsp's probe_type order and the JSON keys it reads them from.
_PROBE_KEYS = ("None", "Healthcheck", "LivenessProbe", "ReadinessProbe")


def record_probes(record: Mapping[str, Any]) -> list[tuple[int, str, list[str]]]:
    """``(probe_type, exe, args)`` for each health probe of a container record."""
    out = []
    for ptype, key in enumerate(_PROBE_KEYS):
        probe = record.get(key)
        if not isinstance(probe, dict) or "exe" not in probe:
            continue
        exe = probe["exe"]
        if isinstance(exe, (dict, list)) or exe is None:
            continue
        args = probe.get("args")
        arglist = [_json_str(a) for a in args if not isinstance(a, (dict, list))] \
            if isinstance(args, list) else []
        out.append((ptype, _json_str(exe), arglist))
    return out


CONTAINER_TYPE_NAMES: dict[int, str] = {
    0: "docker", 1: "lxc", 2: "libvirt-lxc", 3: "mesos", 4: "rkt", 6: "cri", 7: "containerd",
    8: "cri-o", 9: "bpm",
}
"""``container.type`` names by ``sinsp_container_type``; custom (5), static (10) and podman
(11) have none in 0.29.3."""

# Types whose "privileged" flag libsinsp trusts (is_docker_compatible).
_DOCKER_COMPATIBLE = frozenset({0, 6, 7, 8, 11})
_PROBE_TYPES = {"container.healthcheck": 1, "container.liveness_probe": 2,
                "container.readiness_probe": 3}


Record = Mapping[str, Any]


def _containers(state: State) -> Mapping[str, Any]:
    table: Any = getattr(state, "containers", None)
    return table if table is not None else {}


def _record_type(record: Record) -> int:
    t = record.get("type")
    return t if isinstance(t, int) and not isinstance(t, bool) else 0


def mount_text(m: ContainerMount) -> str:
    """``source:dest:mode:true|false:propagation``."""
    return f"{m.source}:{m.dest}:{m.mode}:{'true' if m.rdwr else 'false'}:{m.propagation}"


def _record_binder(get: Callable[[Record, FieldArg], object]) -> Binder:
    """A field read from the container record; missing on the host or without metadata."""

    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        state = ctx.state

        def extract(evt: Event) -> object:
            t = thread_of(evt, state)
            if t is None or not t.container_id:
                return None
            record = _containers(state).get(t.container_id)
            return None if record is None else get(record, arg)
        return BoundField(fdef, name, extract)
    return bind


def _bind_id(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    state = ctx.state

    def extract(evt: Event) -> str | None:
        t = thread_of(evt, state)
        if t is None:
            return None
        return t.container_id or "host"
    return BoundField(fdef, name, extract)


def _bind_name(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    state = ctx.state

    def extract(evt: Event) -> str | None:
        t = thread_of(evt, state)
        if t is None:
            return None
        if not t.container_id:
            return "host"
        record = _containers(state).get(t.container_id)
        return None if record is None else (_record_str(record, "name") or None)
    return BoundField(fdef, name, extract)


def _bind_type(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
    state = ctx.state
    last = ""

    def extract(evt: Event) -> str | None:
        nonlocal last
        t = thread_of(evt, state)
        if t is None:
            return None
        if not t.container_id:
            last = "host"
            return last
        record = _containers(state).get(t.container_id)
        if record is None:
            return None
        # A type without a name leaves the previous answer of this field in place, as the
        # reused string buffer of libsinsp does.
        last = CONTAINER_TYPE_NAMES.get(_record_type(record), last)
        return last
    return BoundField(fdef, name, extract)


def _nonempty(key: str) -> Callable[[Record, FieldArg], str | None]:
    def get(record: Record, arg: FieldArg) -> str | None:
        return _record_str(record, key) or None
    return get


def _privileged(record: Record, arg: FieldArg) -> bool | None:
    if _record_type(record) not in _DOCKER_COMPATIBLE:
        return None
    value = record.get("privileged")
    return value if isinstance(value, bool) else False


def _mounts(record: Record, arg: FieldArg) -> str:
    return ",".join(mount_text(m) for m in record_mounts(record))


def _find_mount(record: Record, arg: FieldArg, by_dest: bool) -> ContainerMount | None:
    mounts = record_mounts(record)
    if arg.index is not None:
        return mounts[arg.index] if 0 <= arg.index < len(mounts) else None
    for m in mounts:
        if fnmatch.fnmatchcase(m.dest if by_dest else m.source, arg.name):
            return m
    return None


def _mount(record: Record, arg: FieldArg) -> str | None:
    m = _find_mount(record, arg, by_dest=False)
    return None if m is None else mount_text(m)


def _mount_part(part: str) -> Callable[[Record, FieldArg], str | None]:
    def get(record: Record, arg: FieldArg) -> str | None:
        # mount.source[PATH] looks the mount up by destination, the others by source.
        m = _find_mount(record, arg, by_dest=part == "source")
        if m is None:
            return None
        if part == "rdwr":
            return "true" if m.rdwr else "false"
        return str(getattr(m, part))
    return get


def _probe(kind: int) -> Callable[[Record, FieldArg], str]:
    def get(record: Record, arg: FieldArg) -> str:
        for ptype, exe, args in record_probes(record):
            if ptype == kind:
                return exe + "".join(" " + a for a in args)
        return "NONE"
    return get


def _mount_arg(text: str, base: int) -> tuple[FieldArg, int]:
    start = text.find("[", base)
    end = text.find("]", start) if start >= 0 else -1
    if start < 0 or end < 0:
        raise ValueError(f"filter syntax error: {text}")
    numstr = text[start + 1:end]
    index = scan_int(numstr)
    return (FieldArg(index=index) if index is not None else FieldArg(name=numstr)), end + 1


def _parse_container(fields: Mapping[str, FieldDef],
                     text: str) -> tuple[FieldDef, FieldArg, int] | None:
    if text.startswith("container.mount."):
        for part in ("source", "dest", "mode", "rdwr", "propagation"):
            if text.startswith(part, 16):
                arg, consumed = _mount_arg(text, 16)
                return fields["container.mount." + part], arg, consumed
        raise ValueError(f"filter syntax error: {text}")
    if text.startswith("container.mount") and text[15:16] != "s":
        arg, consumed = _mount_arg(text, 15)
        return fields["container.mount"], arg, consumed
    return longest_prefix(fields, text)


def _d(name: str, ptype: PT, display: str, desc: str, bind: Binder,
       argument: ArgKind = ArgKind.NONE) -> FieldDef:
    flags = FieldFlag.REQUIRES_ARGUMENT if argument is not ArgKind.NONE else FieldFlag.NONE
    return FieldDef(name, ptype, desc, bind, PF.NA, flags, argument, display)


_C = PT.CHARBUF
_IDX = ArgKind.INDEX_OR_PATH
_SPEC = "specified by number (e.g. container.mount.{0}[0]) or mount {1} ({2}). The pathname " \
        "can be a glob."

CONTAINER_CLASS = FieldClass(
    "container",
    "Container information. If the event is not happening inside a container, both id and "
    "name will be set to 'host'.",
    (
        _d("container.id", _C, "Container ID", "the container id.", _bind_id),
        _d("container.name", _C, "Container Name", "the container name.", _bind_name),
        _d("container.image", _C, "Image Name", "the container image name (e.g. "
           "falcosecurity/falco:latest for docker).", _record_binder(_nonempty("image"))),
        _d("container.image.id", _C, "Image ID", "the container image id (e.g. 6f7e2741b66b).",
           _record_binder(_nonempty("imageid"))),
        _d("container.type", _C, "Type", "the container type, eg: docker or rkt", _bind_type),
        _d("container.privileged", PT.BOOL, "Privileged", "true for containers running as "
           "privileged, false otherwise", _record_binder(_privileged)),
        _d("container.mounts", _C, "Mounts", "A space-separated list of mount information. "
           "Each item in the list has the format <source>:<dest>:<mode>:<rdrw>:<propagation>",
           _record_binder(_mounts)),
        _d("container.mount", _C, "Mount", "Information about a single mount, specified by "
           "number (e.g. container.mount[0]) or mount source (container.mount[/usr/local]). "
           "The pathname can be a glob (container.mount[/usr/local/*]), in which case the "
           "first matching mount will be returned. The information has the format "
           "<source>:<dest>:<mode>:<rdrw>:<propagation>. If there is no mount with the "
           "specified index or matching the provided source, returns the string \"none\" "
           "instead of a NULL value.", _record_binder(_mount), _IDX),
        _d("container.mount.source", _C, "Mount Source", "the mount source, " + _SPEC.format(
            "source", "destination", "container.mount.source[/host/lib/modules]"),
           _record_binder(_mount_part("source")), _IDX),
        _d("container.mount.dest", _C, "Mount Destination", "the mount destination, "
           + _SPEC.format("dest", "source", "container.mount.dest[/lib/modules]"),
           _record_binder(_mount_part("dest")), _IDX),
        _d("container.mount.mode", _C, "Mount Mode", "the mount mode, " + _SPEC.format(
            "mode", "source", "container.mount.mode[/usr/local]"),
           _record_binder(_mount_part("mode")), _IDX),
        _d("container.mount.rdwr", _C, "Mount Read/Write", "the mount rdwr value, "
           + _SPEC.format("rdwr", "source", "container.mount.rdwr[/usr/local]"),
           _record_binder(_mount_part("rdwr")), _IDX),
        _d("container.mount.propagation", _C, "Mount Propagation", "the mount propagation "
           "value, " + _SPEC.format("propagation", "source",
                                    "container.mount.propagation[/usr/local]"),
           _record_binder(_mount_part("propagation")), _IDX),
        _d("container.image.repository", _C, "Repository", "the container image repository "
           "(e.g. falcosecurity/falco).", _record_binder(_nonempty("imagerepo"))),
        _d("container.image.tag", _C, "Image Tag", "the container image tag (e.g. stable, "
           "latest).", _record_binder(_nonempty("imagetag"))),
        _d("container.image.digest", _C, "Registry Digest", "the container image registry "
           "digest (e.g. sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d27"
           ").", _record_binder(_nonempty("imagedigest"))),
        _d("container.healthcheck", _C, "Health Check", "The container's health check. Will "
           "be the null value (\"N/A\") if no healthcheck configured, \"NONE\" if configured "
           "but explicitly not created, and the healthcheck command line otherwise",
           _record_binder(_probe(_PROBE_TYPES["container.healthcheck"]))),
        _d("container.liveness_probe", _C, "Liveness", "The container's liveness probe. Will "
           "be the null value (\"N/A\") if no liveness probe configured, the liveness probe "
           "command line otherwise",
           _record_binder(_probe(_PROBE_TYPES["container.liveness_probe"]))),
        _d("container.readiness_probe", _C, "Readiness", "The container's readiness probe. "
           "Will be the null value (\"N/A\") if no readiness probe configured, the readiness "
           "probe command line otherwise",
           _record_binder(_probe(_PROBE_TYPES["container.readiness_probe"]))),
    ),
    parser=_parse_container,
)
