"""Field classes ``user`` and ``group``: the thread's ids and their names from the capture.

libsinsp's ``sinsp_filter_check_user`` / ``_group``. Names come from the capture's user
list; uid/gid 0xFFFFFFFF (unknown threads) and ids missing from the list have no name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sysdive.fields.proc import thread_state_binder
from sysdive.fields.registry import FieldClass, FieldDef
from sysdive.schema.types import ParamType as PT
from sysdive.schema.types import PrintFormat as PF

if TYPE_CHECKING:
    from collections.abc import Callable

    from sysdive.scap.blocks import GroupEntry, UserEntry
    from sysdive.state.tables import State
    from sysdive.state.threads import ThreadInfo

__all__ = ["GROUP_CLASS", "USER_CLASS"]

_NONE = 0xFFFFFFFF


def _user(state: State, uid: int) -> UserEntry | None:
    uid &= _NONE
    return None if uid == _NONE else state.users.get(uid)


def _group(state: State, gid: int) -> GroupEntry | None:
    gid &= _NONE
    return None if gid == _NONE else state.groups.get(gid)


def _user_attr(attr: str) -> Callable[[ThreadInfo, State], str | None]:
    def get(t: ThreadInfo, state: State) -> str | None:
        entry = _user(state, t.uid)
        return None if entry is None else str(getattr(entry, attr))
    return get


def _loginname(t: ThreadInfo, state: State) -> str | None:
    entry = _user(state, t.loginuid)
    return None if entry is None else entry.name


def _loginuid(t: ThreadInfo, state: State) -> int:
    v = t.loginuid & _NONE
    return v - (1 << 32) if v & 0x80000000 else v


def _gid(t: ThreadInfo, state: State) -> int:
    # group.gid is declared 64-bit but libsinsp reads it from the 32-bit gid, picking up the
    # low half of the field stored right after it (the thread's child count).
    return (t.gid & _NONE) | ((t.nchilds & _NONE) << 32)


def _group_name(t: ThreadInfo, state: State) -> str | None:
    entry = _group(state, t.gid)
    return None if entry is None else entry.name


def _d(name: str, ptype: PT, fmt: PF, display: str, desc: str,
       get: Callable[[ThreadInfo, State], object]) -> FieldDef:
    return FieldDef(name, ptype, desc, thread_state_binder(get), fmt, display=display)


USER_CLASS = FieldClass(
    "user",
    "Information about the user executing the specific event.",
    (
        _d("user.uid", PT.UINT32, PF.ID, "User ID", "user ID.", lambda t, s: t.uid & _NONE),
        _d("user.name", PT.CHARBUF, PF.NA, "User Name", "user name.", _user_attr("name")),
        _d("user.homedir", PT.CHARBUF, PF.NA, "Home Directory", "home directory of the user.",
           _user_attr("homedir")),
        _d("user.shell", PT.CHARBUF, PF.NA, "Shell", "user's shell.", _user_attr("shell")),
        _d("user.loginuid", PT.INT32, PF.ID, "Login User ID", "audit user id (auid).",
           _loginuid),
        _d("user.loginname", PT.CHARBUF, PF.NA, "Login User Name", "audit user name (auid).",
           _loginname),
    ),
)

GROUP_CLASS = FieldClass(
    "group",
    "Information about the user group.",
    (
        _d("group.gid", PT.UINT64, PF.ID, "Group ID", "group ID.", _gid),
        _d("group.name", PT.CHARBUF, PF.NA, "Group Name", "group name.", _group_name),
    ),
)
