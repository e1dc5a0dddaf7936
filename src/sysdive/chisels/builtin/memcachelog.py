"""memcachelog: memcached get/set commands, one line each (sysdig's memcachelog.lua)."""

from __future__ import annotations

from sysdive.chisels.api import Arg, Chisel
from sysdive.chisels.builtin._lua import lua_match, lua_split, lua_text
from sysdive.chisels.output import parse_number
from sysdive.event import Event


def _tonumber(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return parse_number(text, "")
    except ValueError:
        return None


class MemcacheLog(Chisel):
    name = "memcachelog"
    short_description = "memcached requests log"
    category = "Application"
    description = "Show a log of memcached commands (get/set)"
    # The Lua declares no argtype: -i shows "[]".
    args = (Arg("method", "get/set", "", optional=True),
            Arg("size", "object size", "", optional=True))

    method: str | None = None
    min_size: float | None = None

    def on_set_arg(self, name: str, value: str) -> None:
        if name == "method":
            self.method = value
        elif name == "size":
            self.min_size = _tonumber(value)

    def on_init(self) -> None:
        # sysdig.set_filter in the Lua: the capture filter of the whole run.
        self.set_capture_filter("(fd.sport=11211 or proc.name=memcached) and evt.is_io=true")
        self.set_snaplen(4096)
        self.data = self.request_field("evt.arg[1]").value
        self.datetime = self.request_field("evt.datetime").value

    def on_event(self, evt: Event) -> bool | None:
        data = self.data(evt)
        if data is None:
            raise TypeError("attempt to concatenate a nil value")
        words = lua_split(lua_text(data), " ")
        if lua_match(words[0], "^[gs]et") is None:
            return True
        method = words[0]
        key = words[1] if len(words) > 1 else None
        size = (_tonumber(words[4]) if len(words) > 4 else None) or 0
        if key is None:
            return True
        if self.method is not None and self.method != method:
            return True
        if self.method == "set":
            if self.min_size is None:
                raise TypeError("attempt to compare nil with number")
            if size < self.min_size:
                return True
        self.print(f"{lua_text(self.datetime(evt))} method={method} size={int(size)}B key={key}")
        return True
