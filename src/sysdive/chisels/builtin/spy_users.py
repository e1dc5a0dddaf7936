"""spy_users: commands users run from shells and the directories they visit, indented by
depth below the shell (sysdig's spy_users.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel, ChiselContext
from sysdive.chisels.output import Colors, extend_string, lua_str, parse_number
from sysdive.event import Event

MAX_ANCESTOR_NAVIGATION = 16


class SpyUsers(Chisel):
    name = "spy_users"
    short_description = "Display interactive user activity"
    category = "Security"
    description = (
        "Lists every command that users launch interactively (e.g. from bash) and every "
        "directory users visit. This chisel is compatible with containers using the sysdig "
        "-pc or -pcontainer argument, otherwise no container information will be shown. "
        "(Blue represents a process running within a container, and Green represents a host "
        "process)")
    args = (
        Arg("max_depth", "the maximum depth to show in the hierarchy of processes", "int",
            optional=True),
        Arg("disable_color", "Set to 'disable_colors' if you want to disable color output",
            "string", optional=True),
    )

    colors = Colors.on()
    max_depth: float = -1

    def __init__(self, ctx: ChiselContext) -> None:
        super().__init__(ctx)
        # Kept across capture files, as the Lua's global table is.
        self.tree: dict[object, tuple[int, object]] = {}

    def on_set_arg(self, name: str, value: str) -> None:
        if name == "max_depth":
            self.max_depth = parse_number(value, name)
        elif name == "disable_color" and value == "disable_color":
            self.colors = Colors.off()

    def on_init(self) -> None:
        f = self.request_field
        self.etype = f("evt.type").value
        self.exe = f("proc.exe").value
        self.pargs = f("proc.args").value
        self.dir = f("evt.arg.path").value
        self.user = f("user.name").value
        self.dtime = f("evt.time.s").value
        self.pid = f("proc.pid").value
        self.ppid = f("proc.ppid").value
        self.cname = f("container.name").value
        self.set_filter("((evt.type=execve and evt.dir=<) or (evt.type=chdir and evt.dir=< and "
                        "proc.name contains sh and not proc.name contains sshd)) and "
                        "evt.failed=false")
        self.anames = [f(f"proc.aname[{j}]").value for j in range(MAX_ANCESTOR_NAVIGATION + 1)]
        self.apids = [f(f"proc.apid[{j}]").value for j in range(MAX_ANCESTOR_NAVIGATION + 1)]
        # The Lua chisel inserts a placeholder at the front of its ancestor field lists on
        # every chdir and never removes it: after k chdirs, slot j holds ancestor j - k (and
        # nothing below k). Kept, so the output stays sysdig's.
        self.shift = 0

    def _ancestor(self, fields: list, j: int, evt: Event) -> object:  # type: ignore[type-arg]
        return fields[j - self.shift](evt) if j >= self.shift else None

    def on_event(self, evt: Event) -> bool | None:
        c = self.colors
        color = c.green if self.ctx.print_container else ""
        user = self.user(evt)
        dtime = self.dtime(evt)
        pid = self.pid(evt)
        ppid = self.ppid(evt)
        ischdir = self.etype(evt) == "chdir"
        icorr = 1
        if ischdir:
            ppid = pid
            self.shift += 1
            icorr = 0
        if user is None:
            user = "<NA>"
        tree = self.tree
        if ppid not in tree:
            tree[ppid] = (-1, None)
            for j in range(1, MAX_ANCESTOR_NAVIGATION + 1):
                aname = self._ancestor(self.anames, j, evt)
                if aname is None:
                    if self._ancestor(self.apids, j, evt) is None:
                        break
                elif isinstance(aname, str) and len(aname) >= 2 and aname.endswith("sh"):
                    apid = self._ancestor(self.apids, j, evt)
                    tree[ppid] = (j - 1, apid) if apid in tree else (0, apid)
        depth_p, shell_p = tree[ppid]
        if depth_p == -1:
            return True
        if pid not in tree:
            tree[pid] = (1 + depth_p, shell_p)
        depth, shell = tree[pid]
        cont = ""
        if self.ctx.print_container:
            cname = lua_str(self.cname(evt))
            if cname != "host":
                color = c.blue
            cont = "@" + cname
        if ischdir:
            if self.max_depth != -1 and depth - icorr > self.max_depth:
                return True
            self.print(f"{color}{extend_string('', 4 * (depth - icorr))}{_concat(shell)} "
                       f"{_concat(dtime)} {user}{cont}) cd {_concat(self.dir(evt))}")
        else:
            if self.max_depth != -1 and depth - 1 > self.max_depth:
                return True
            # The Lua indents 4 per level with -pc and 3 without.
            indent = (4 if self.ctx.print_container else 3) * (depth - 1)
            self.print(f"{color}{extend_string('', indent)}{_concat(shell)} {_concat(dtime)} {user}{cont}) "
                       f"{_concat(self.exe(evt))} {_concat(self.pargs(evt))}")
        return True

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        self.print(self.colors.reset)


def _concat(value: object) -> str:
    # Lua's `..` on nil raises; so does this.
    if value is None:
        raise TypeError("attempt to concatenate a nil value")
    return lua_str(value)
