"""Field classes ``k8s`` and ``mesos``: orchestrator context of the thread's container.

libsinsp's ``sinsp_filter_check_k8s``. sysdig 0.29.3 can also ask an API server (``-k``);
sysdive cannot, so only what CRI/kubelet labels carry is known: ``k8s.pod.name``,
``k8s.pod.id``, ``k8s.ns.name`` from ``io.kubernetes.pod.*`` labels of the thread's
container, and ``k8s.pod.label[s]`` from the labels of the pod's sandbox container (found
through ``io.kubernetes.sandbox.id``). Every other field is missing, as in sysdig without
an API server. ``mesos`` (mesos.*, marathon.*) needs a Mesos master in sysdig: its fields
parse and are always missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sysdive.fields.lineage import thread_of
from sysdive.fields.registry import (
    ArgKind,
    BoundField,
    FieldArg,
    FieldClass,
    FieldContext,
    FieldDef,
    FieldFlag,
    longest_prefix,
)
from sysdive.schema.types import ParamType as PT
from sysdive.schema.types import PrintFormat as PF

if TYPE_CHECKING:
    from sysdive.event import Event
    from sysdive.state.tables import State

__all__ = ["K8S_CLASS", "MESOS_CLASS", "record_labels"]

Record = Mapping[str, Any]


def _label_text(value: object) -> str:
    # jsoncpp asString() of what a label can hold.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return ""


def record_labels(record: Record) -> dict[str, str]:
    """The labels of a container record, sorted by key as libsinsp's std::map holds them."""
    raw = record.get("labels")
    if not isinstance(raw, dict):
        return {}
    return {k: _label_text(raw[k]) for k in sorted(raw, key=lambda k: k.encode())}


def _labels_text(labels: Mapping[str, str]) -> str:
    # Annotations and the runtime's own io.kubernetes.* labels are left out.
    parts = []
    for key, value in labels.items():
        if key.startswith(("annotation.", "io.kubernetes.")):
            continue
        parts.append(key + (":" + value if value else ""))
    return ", ".join(parts)


def _container_labels(state: State, evt: Event) -> dict[str, str] | None:
    t = thread_of(evt, state)
    if t is None or not t.container_id:
        return None
    record = state.containers.get(t.container_id)
    if record is None:
        return None
    return record_labels(record) or None


def _sandbox_labels(state: State, labels: Mapping[str, str]) -> dict[str, str] | None:
    sandbox = labels.get("io.kubernetes.sandbox.id")
    if sandbox is None:
        return None
    record = state.containers.get(sandbox[:12])
    if record is None:
        return None
    return record_labels(record) or None


Getter = Callable[["State", Mapping[str, str], FieldArg], "str | None"]


def _from_label(key: str) -> Getter:
    def get(state: State, labels: Mapping[str, str], arg: FieldArg) -> str | None:
        return labels.get(key)
    return get


def _pod_label(state: State, labels: Mapping[str, str], arg: FieldArg) -> str | None:
    sandbox = _sandbox_labels(state, labels)
    return None if sandbox is None else sandbox.get(arg.name)


def _pod_labels(state: State, labels: Mapping[str, str], arg: FieldArg) -> str | None:
    sandbox = _sandbox_labels(state, labels)
    return None if sandbox is None else _labels_text(sandbox)


def _binder(get: Getter | None) -> Callable[[FieldContext, FieldDef, FieldArg, str], BoundField]:
    def bind(ctx: FieldContext, fdef: FieldDef, arg: FieldArg, name: str) -> BoundField:
        state = ctx.state

        def extract(evt: Event) -> str | None:
            if get is None:
                return None     # needs the API server
            labels = _container_labels(state, evt)
            return None if labels is None else get(state, labels, arg)
        return BoundField(fdef, name, extract)
    return bind


_LABEL_FIELDS = ("k8s.pod.label", "k8s.rc.label", "k8s.rs.label", "k8s.svc.label",
                 "k8s.ns.label", "k8s.deployment.label", "mesos.task.label",
                 "marathon.app.label")
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-.")


def _parse_labelled(fields: Mapping[str, FieldDef],
               text: str) -> tuple[FieldDef, FieldArg, int] | None:
    for name in _LABEL_FIELDS:
        if name in fields and text.startswith(name) and not text.startswith(name + "s"):
            if text[len(name):len(name) + 1] != ".":
                raise ValueError(f"filter syntax error: {text}")
            end = len(name) + 1
            while end < len(text) and text[end] in _LABEL_CHARS:
                end += 1
            return fields[name], FieldArg(name=text[len(name) + 1:end]), end
    return longest_prefix(fields, text)


_GETTERS: dict[str, Getter] = {
    "k8s.pod.name": _from_label("io.kubernetes.pod.name"),
    "k8s.pod.id": _from_label("io.kubernetes.pod.uid"),
    "k8s.pod.label": _pod_label,
    "k8s.pod.labels": _pod_labels,
    "k8s.ns.name": _from_label("io.kubernetes.pod.namespace"),
}

_LABELS_DESC = "comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."


def _fields() -> tuple[FieldDef, ...]:
    out = []
    for kind, display, desc in (
            ("pod", "Pod", "Kubernetes pod"),
            ("rc", "Replication Controller", "Kubernetes replication controller"),
            ("svc", "Service", "Kubernetes service"),
            ("ns", "Namespace", "Kubernetes namespace"),
            ("rs", "Replica Set", "Kubernetes replica set"),
            ("deployment", "Deployment", "Kubernetes deployment")):
        multi = " (can return more than one value, concatenated)" if kind == "svc" else ""
        example = "rs" if kind == "deployment" else kind
        specs = (
            ("name", "Name", f"{desc} name{multi}."),
            ("id", "ID", f"{desc} id{multi}."),
            ("label", "Label", f"{desc} label. E.g. 'k8s.{example}.label.foo'"
             + (f"{multi}." if multi else ".")),
            ("labels", "Labels", f"{desc} {_LABELS_DESC}"),
        )
        for suffix, dsuffix, text in specs:
            name = f"k8s.{kind}.{suffix}"
            arg = ArgKind.NAME if suffix == "label" else ArgKind.NONE
            flags = FieldFlag.REQUIRES_ARGUMENT if suffix == "label" else FieldFlag.NONE
            out.append(FieldDef(name, PT.CHARBUF, text, _binder(_GETTERS.get(name)), PF.NA,
                                flags, arg, f"{display} {dsuffix}"))
    return tuple(out)


K8S_CLASS = FieldClass(
    "k8s",
    "Kubernetes related context. Available when configured to fetch k8s meta-data from API "
    "Server.",
    _fields(),
    parser=_parse_labelled,
)


def _mesos_fields() -> tuple[FieldDef, ...]:
    specs = (
        ("mesos.task.name", "Task Name", "Mesos task name."),
        ("mesos.task.id", "Task ID", "Mesos task id."),
        ("mesos.task.label", "Task Label", "Mesos task label. E.g. 'mesos.task.label.foo'."),
        ("mesos.task.labels", "Task Labels", "Mesos task " + _LABELS_DESC),
        ("mesos.framework.name", "Framework Name", "Mesos framework name."),
        ("mesos.framework.id", "Framework ID", "Mesos framework id."),
        ("marathon.app.name", "App Name", "Marathon app name."),
        ("marathon.app.id", "App ID", "Marathon app id."),
        ("marathon.app.label", "App Label", "Marathon app label. E.g. "
         "'marathon.app.label.foo'."),
        ("marathon.app.labels", "App Labels", "Marathon app " + _LABELS_DESC),
        ("marathon.group.name", "Group Name", "Marathon group name."),
        ("marathon.group.id", "Group ID", "Marathon group id."),
    )
    out = []
    for name, display, desc in specs:
        labelled = name.endswith(".label")
        out.append(FieldDef(name, PT.CHARBUF, desc, _binder(None), PF.NA,
                            FieldFlag.REQUIRES_ARGUMENT if labelled else FieldFlag.NONE,
                            ArgKind.NAME if labelled else ArgKind.NONE, display))
    return tuple(out)


MESOS_CLASS = FieldClass("mesos", "Mesos related context.", _mesos_fields(),
                         parser=_parse_labelled)
