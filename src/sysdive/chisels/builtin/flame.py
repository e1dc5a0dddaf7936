"""flame: the flame-graph page of sysdig tracers' spans (sysdig's flame.lua, which sysdig
0.29.3 ships hidden: ``-cl`` does not list it and ``-i flame`` does not know it, but
``-c flame`` runs).

Every tracer exit with a known duration adds its span to a tree per span id (one node per
tag, children under ``ch``; ``tt`` the total time, ``c`` set once the span itself ended,
``n`` the number of root spans). Lines the span's threads write to stdout, stderr or a file
whose name contains ``log`` while a span is open are attached to the innermost open span
(``logs``: time, seconds, nanoseconds, thread, buffer). At the end, the completed root spans
are merged into an average tree (``t`` is the time not spent in children, each tree
divided by its number of roots), and the spans with the smallest and the largest total are
kept as ``min`` and ``max``; the three go into an HTML page as JSON (dkjson's layout).

Where sysdig's Lua follows its hash order (LuaJIT seeds it per run), the result here follows
first-seen order: the order of the keys of every JSON object, and which child is kept when
children overlap in time.
"""

from __future__ import annotations

from typing import Any

from sysdive.chisels.api import Chisel
from sysdive.chisels.builtin._dkjson import encode
from sysdive.errors import ChiselError
from sysdive.event import Event

MAX_DEPTH = 256
_NS = 1_000_000_000
Node = dict[str, Any]

PAGE_HEADER = (
    '<!DOCTYPE html>\n'
    '<html>\n'
    '    <head>\n'
    '        <meta charset="utf-8">\n'
    '        <meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
    '        <title>Flame UI</title>\n'
    '        <meta name="description" content="">\n'
    '        <meta name="viewport" content="width=device-width, initial-scale=1">\n'
    '\n'
    '        \n'
    '<meta name="flame-ui/config/environment" content="%7B%22modulePrefix%22%3A%22fla'
    'me-ui%22%2C%22environment%22%3A%22development%22%2C%22baseURL%22%3A%22/%22%2C%22'
    'locationType%22%3A%22hash%22%2C%22EmberENV%22%3A%7B%22FEATURES%22%3A%7B%7D%7D%2C'
    '%22APP%22%3A%7B%22name%22%3A%22flame-ui%22%2C%22version%22%3A%220.0.0+3fc5f790%2'
    '2%7D%2C%22contentSecurityPolicy%22%3A%7B%22default-src%22%3A%22%27none%27%22%2C%'
    '22script-src%22%3A%22%27self%27%20%27unsafe-inline%27%22%2C%22style-src%22%3A%22'
    '%27self%27%20%27unsafe-inline%27%22%2C%22font-src%22%3A%22%27self%27%22%2C%22con'
    'nect-src%22%3A%22%27self%27%22%2C%22img-src%22%3A%22%27self%27%22%2C%22media-src'
    '%22%3A%22%27self%27%22%7D%2C%22contentSecurityPolicyHeader%22%3A%22Content-Secur'
    'ity-Policy-Report-Only%22%2C%22exportApplicationGlobal%22%3Atrue%7D" />\n'
    '\n'
    '        <link rel="stylesheet" href="https://cdn.rawgit.com/draios/flame-ui/mast'
    'er/build/assets/vendor.css">\n'
    '        <link rel="stylesheet" href="https://cdn.rawgit.com/draios/flame-ui/mast'
    'er/build/assets/flame-ui.css">\n'
    '\n'
    '        \n'
    '    </head>\n'
    '    <body>\n'
    '        \n'
    '\n'
    '        <script src="https://cdn.rawgit.com/draios/flame-ui/master/build/assets/'
    'vendor.js"></script>\n'
    '        <script src="https://cdn.rawgit.com/draios/flame-ui/master/build/assets/'
    'flame-ui.js"></script>\n'
    '\n'
    '        \n'
    '\n'
    '        <script>\n'
    '            window.transactions = {\n'
)

PAGE_TRAILER = (
    '            };\n'
    '        </script>\n'
    '    </body>\n'
    '</html>\n'
    '\n'
)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _key(value: object) -> int:
    # thread ids, span ids and durations: numbers (a missing one never gets here in practice)
    return value if isinstance(value, int) else 0


class Flame(Chisel):
    name = "flame"
    short_description = "Sysdig trace flame graph builder"
    category = "Performance"
    hidden = True     # flame.lua has only a "disabled_description"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.full_tree: dict[int, Node] = {}
        self.logs_tree: dict[int, dict[int, Node]] = {}
        self.avg_tree: Node = {}
        self.max_tree: Node = {}
        self.min_tree: Node = {}
        # collect_log in the Lua walks with a global "v": its last value survives calls.
        self.lua_v: Node | None = None

    def on_set_arg(self, name: str, value: str) -> None:
        pass

    def on_init(self) -> None:
        f = self.request_field
        self.spans = [f(f"span.tag[{j}]").value for j in range(MAX_DEPTH + 1)]
        self.fid = f("span.id").value
        self.flatency = f("span.duration").value
        self.fcontname = f("container.name").value
        self.fexe = f("proc.exeline").value
        self.fbuf = f("evt.buffer").text     # the printed text, as Lua gets it
        self.fdir = f("evt.dir").value
        self.ftid = f("thread.tid").value
        self.ftime = f("evt.time").value
        self.set_filter("(evt.type=tracer) or (evt.is_io_write=true and evt.dir=< and "
                        "(fd.num=1 or fd.num=2 or fd.name contains log))")

    # -- events ------------------------------------------------------------------------------

    def _collect_log(self, evt: Event, tid_tree: dict[int, Node]) -> None:
        for entry in list(tid_tree.values()):
            while True:
                lastv = self.lua_v
                self.lua_v = next(iter(entry.values()), None)
                if self.lua_v is None:
                    if lastv is None:
                        raise ChiselError("flame.lua: attempt to index local 'lastv' "
                                          "(a nil value)")
                    logs = lastv.setdefault("l", [])
                    logs.append({"t": self.ftime(evt), "th": evt.ts // _NS,
                                 "tl": evt.ts % _NS, "tid": self.ftid(evt),
                                 "b": self.fbuf(evt)})
                    return
                entry = self.lua_v["ch"]

    @staticmethod
    def _enter(cur: Node, hr: list[str]) -> None:
        for j, mv in enumerate(hr, 1):
            node = cur.get(mv)
            if node is None:
                node = cur[mv] = {"ch": {}}
            if j == len(hr):
                node["r"] = True
            cur = node["ch"]

    @staticmethod
    def _exit(mrk: Node, logs: Node | None, hr: list[str], latency: int,
              cont: object, exe: object, sid: int) -> bool:
        res = False
        parent_has_logs = False
        n = len(hr)
        for j, mv in enumerate(hr, 1):
            has_entry = logs is not None and logs.get(mv) is not None
            node = mrk.get(mv)
            if j == n:
                llogs = logs[mv].get("l") if has_entry and logs is not None else None
                if node is None:
                    node = mrk[mv] = {"t": latency, "tt": latency}
                    if j == 1:
                        node["n"] = 0
                else:
                    node["tt"] = node["tt"] + latency
                # a Lua table holds no nil: a missing value removes the key
                for key, value in (("cont", cont), ("exe", exe), ("c", 1), ("logs", llogs)):
                    if value is None:
                        node.pop(key, None)
                    else:
                        node[key] = value
                if has_entry and not parent_has_logs:
                    res = True
                else:
                    if logs is None:
                        raise ChiselError("flame.lua: attempt to index local 'logtable_cur' "
                                          "(a nil value)")
                    logs.pop(mv, None)
                    has_entry = False
                    logs = None
            elif node is None:
                node = mrk[mv] = {"tt": 0}
                if j == 1:
                    node["n"] = 0
                    if j != n - 1:
                        node["id"] = sid
            if "ch" not in node or node["ch"] is None:
                node["ch"] = {}
            if n == 1:
                node["n"] = node["n"] + 1
            if has_entry and logs is not None:
                parent_has_logs = logs[mv].get("r") is not None
            mrk = node["ch"]
            if logs is not None:
                sub = logs.get(mv)
                if sub is None:
                    raise ChiselError("flame.lua: attempt to index field '?' (a nil value)")
                logs = sub["ch"]
        return res

    def on_event(self, evt: Event) -> bool | None:
        tid = _key(self.ftid(evt))
        if evt.info.name != "tracer":
            tid_tree = self.logs_tree.get(tid)
            if tid_tree is not None:
                self._collect_log(evt, tid_tree)
            return None
        latency = self.flatency(evt)
        cont = self.fcontname(evt)
        sid = _key(self.fid(evt))
        exe = self.fexe(evt)
        direction = self.fdir(evt)
        hr: list[str] = []
        for get in self.spans:
            tag = get(evt)
            if tag is None:
                break
            hr.append(str(tag))
        if direction == ">":
            self._enter(self.logs_tree.setdefault(tid, {}).setdefault(sid, {}), hr)
            return True
        if latency is None:
            return True
        tree = self.full_tree.setdefault(sid, {})
        ids_of_tid = self.logs_tree.get(tid)
        logs = None if ids_of_tid is None else ids_of_tid.get(sid)
        if self._exit(tree, logs, hr, _key(latency), cont, exe, sid) and ids_of_tid is not None:
            ids_of_tid.pop(sid, None)
            if not ids_of_tid:
                del self.logs_tree[tid]
        return True

    # -- the end -------------------------------------------------------------------------------

    def _t_in_node(self, node: Node) -> Any:
        totch: Any = 0
        maxch: Any = 0
        keep: Node | None = None
        nconc = 0
        ch = node.get("ch")
        if ch:
            for d in list(ch.values()):
                nv = self._t_in_node(d)
                totch = totch + nv
                if nv > maxch:
                    maxch = nv
                    keep = d
                nconc += 1
        if node["tt"] >= totch:
            node["t"] = node["tt"] - totch
        else:
            node["t"] = node["tt"] - maxch
            node["nconc"] = nconc
            assert ch is not None
            for k in [k for k, d in ch.items() if d is not keep]:
                del ch[k]
        return node["tt"]

    def _normalize(self, node: Node, factor: Any) -> None:
        node["t"] = node["t"] / factor
        node["tt"] = node["tt"] / factor
        for d in (node.get("ch") or {}).values():
            self._normalize(d, factor)

    def _complete(self, node: Node) -> bool:
        if node.get("c") != 1:
            return False
        return all(self._complete(d) for d in (node.get("ch") or {}).values())

    def _update_avg(self, dst: Node, key: str, val: Node) -> None:
        if key not in dst:
            dst[key] = _copy(val)
            return
        cur = dst[key]
        cur["tt"] = cur["tt"] + val["tt"]
        if cur.get("n") is not None:
            cur["n"] = cur["n"] + 1
        if val.get("logs") is not None:
            if cur.get("logs") is None:
                cur["logs"] = []
            cur["logs"].extend(val["logs"])
        if val.get("ch") is not None:
            if cur.get("ch") is None:
                cur["ch"] = {}
            for k, d in val["ch"].items():
                self._update_avg(cur["ch"], k, d)

    def on_capture_end(self, ts_s: int, ts_ns: int, delta: int) -> None:
        for roots in self.full_tree.values():
            for key, val in roots.items():
                if self._complete(val):
                    self._update_avg(self.avg_tree, key, val)
                    if key not in self.max_tree or val["tt"] > self.max_tree[key]["tt"]:
                        self.max_tree[key] = val
                    if key not in self.min_tree or val["tt"] < self.min_tree[key]["tt"]:
                        self.min_tree[key] = val
        for v in self.avg_tree.values():
            self._t_in_node(v)
        for v in self.avg_tree.values():
            self._normalize(v, v.get("n"))
        self.print(PAGE_HEADER)
        self.print('"avg": ' + encode({"": {"ch": self.avg_tree, "t": 0, "tt": 0}}) + ",")
        for v in self.min_tree.values():
            self._t_in_node(v)
        self.print('"min": ' + encode({"": {"ch": self.min_tree, "t": 0, "tt": 0}}) + ",")
        for v in self.max_tree.values():
            self._t_in_node(v)
        self.print('"max": ' + encode({"": {"ch": self.max_tree, "t": 0, "tt": 0}}) + ",")
        self.print(PAGE_TRAILER)
