"""lscontainers: the containers the capture knows of when it starts (sysdig's
lscontainers.lua).

Like the Lua, it stops after the first event and prints the container table as it stands
then: type, image, name and id, or with ``desc`` the table as a Lua data structure.
"""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel
from sysdive.chisels.output import extend_string
from sysdive.event import Event

# The names libsinsp's chisel API gives container types; the others are "unknown".
_TYPE_NAMES = {0: "docker", 1: "lxc", 2: "libvirt_lxc", 3: "mesos", 4: "rkt", 6: "cri",
               7: "containerd", 8: "cri-o", 9: "bpm"}


class LsContainers(Chisel):
    name = "lscontainers"
    short_description = "List the running containers"
    category = "System State"
    description = "List the running containers and the metadata"
    args = (Arg("desc", "Prints the result set as a data structure", "string", optional=True),)

    desc = False
    capturing = False

    def on_set_arg(self, name: str, value: str) -> None:
        if name == "desc" and value == "desc":
            self.desc = True

    def on_capture_start(self) -> None:
        self.capturing = True

    def on_event(self, evt: Event) -> bool | None:
        self.end_capture()
        return True

    def _table(self) -> list[dict[str, str]]:
        state = self.ctx.state
        if state is None:
            return []
        return [{"id": str(c.get("id", "")), "name": str(c.get("name", "")),
                 "image": str(c.get("image", "")),
                 "type": _TYPE_NAMES.get(int(c.get("type", -1)), "unknown")}
                for c in state.containers.values()]

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        if not self.capturing:
            return
        table = self._table()
        if self.desc:
            # sysdig lists each entry's keys in its hash order, which varies between runs;
            # this is one of those orders.
            lines = ["{"]
            for i, entry in enumerate(table, 1):
                lines.append(f" {i} = {{")
                lines.extend(f"  {k} = {_quote(v)}," for k, v in entry.items())
                lines.append(" },")
            lines.append("}")
            self.print("\n".join(lines))
            return
        self.print(extend_string("container.type", 15) + extend_string("container.image", 16)
                   + extend_string("container.name", 20) + extend_string("container.id", 13))
        self.print(extend_string("-" * 15, 15) + extend_string("-" * 16, 16)
                   + extend_string("-" * 20, 20) + extend_string("-" * 13, 13))
        for entry in table:
            self.print(extend_string(entry["type"], 15) + extend_string(entry["image"], 16)
                       + extend_string(entry["name"], 20) + extend_string(entry["id"], 13))


def _quote(text: str) -> str:
    """Lua's ``%q``: quotes, backslashes and line ends escaped, control bytes as ``\\ddd``
    (three digits when a digit follows)."""
    out = ['"']
    for i, c in enumerate(text):
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\0" or c < " " or c == "\x7f":
            digit_next = text[i + 1:i + 2].isdigit()
            out.append(f"\\{ord(c):03d}" if digit_next else f"\\{ord(c)}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)
