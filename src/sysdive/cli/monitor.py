"""``sysdive-monitor``: the monitoring agent with its dashboard and ``/metrics``.

Parses options, builds the agent and the web server, and reports errors as one
``sysdive-monitor: ...`` line.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType

from sysdive.errors import SysdiveError, UsageError


def _default_db() -> str:
    if os.geteuid() == 0:
        return "/var/lib/sysdive/monitor.db"
    base = os.environ.get("XDG_DATA_HOME", os.path.expanduser("~/.local/share"))
    return os.path.join(base, "sysdive", "monitor.db")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:   # type: ignore[override]
        raise UsageError(message)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``sysdive-monitor``."""
    p = _Parser(prog="sysdive-monitor", description="Sample memory of the host, its "
                "containers and processes; serve a dashboard, a JSON API and /metrics.")
    p.add_argument("--bind", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; others need --token)")
    p.add_argument("--port", type=int, default=8970, help="port (default 8970; 0 = any free)")
    p.add_argument("--token", default=os.environ.get("SYSDIVE_MONITOR_TOKEN"),
                   help="require this token (Bearer header or ?token=); default "
                        "$SYSDIVE_MONITOR_TOKEN")
    p.add_argument("--interval", type=_positive, default=5.0,
                   help="seconds between samples (default 5, at least 1)")
    p.add_argument("--db", default=None, help=f"store file (default {_default_db()})")
    p.add_argument("--top", type=int, default=5, help="processes kept per container "
                   "(default 5; twice that for the host)")
    p.add_argument("--retention-raw", type=_positive, default=6.0,
                   help="hours of full-resolution samples (default 6)")
    p.add_argument("--retention-minutes", type=_positive, default=8.0,
                   help="days of one-minute data (default 8)")
    p.add_argument("--retention-hours", type=_positive, default=400.0,
                   help="days of one-hour data (default 400)")
    p.add_argument("--webhook", default=None, help="POST every alert as JSON to this URL")
    p.add_argument("--limit-share", type=_positive, default=0.9,
                   help="alert above this share of a container's limit (default 0.9)")
    p.add_argument("--growth-horizon", type=_positive, default=600.0,
                   help="alert when growth reaches the limit within this many seconds "
                        "(default 600)")
    p.add_argument("--growth-window", type=_positive, default=60.0,
                   help="seconds of history the growth is fitted over (default 60)")
    p.add_argument("--no-docker", action="store_true",
                   help="do not ask the runtimes (docker, podman) for names and images "
                        "(ids only)")
    return p


def run(argv: list[str]) -> int:
    """Start the agent and serve until SIGINT/SIGTERM."""
    args = build_parser().parse_args(argv)
    if args.interval < 1:
        raise UsageError("--interval must be at least 1 second")
    if not 0 < args.limit_share <= 1:
        raise UsageError("--limit-share must be in (0, 1]")
    from sysdive.monitor.agent import Agent, AgentConfig
    from sysdive.monitor.alerts import AlertRules
    from sysdive.monitor.store import Retention
    from sysdive.monitor.web import MonitorServer, check_bind

    check_bind(args.bind, args.token)
    db = args.db or _default_db()
    try:
        os.makedirs(os.path.dirname(os.path.abspath(db)), exist_ok=True)
    except OSError as err:
        raise UsageError(f"cannot create the directory of {db}: {err.strerror}") from err
    config = AgentConfig(
        db=db, interval=args.interval, top_n=max(args.top, 1), webhook=args.webhook,
        retention=Retention(raw=args.retention_raw * 3600, m1=args.retention_minutes * 86400,
                            h1=args.retention_hours * 86400),
        rules=AlertRules(share=args.limit_share, horizon=args.growth_horizon,
                         window=args.growth_window))
    describe = None
    if not args.no_docker:
        from sysdive.monitor.agent import RuntimeNames
        describe = RuntimeNames()
    try:
        agent = Agent(config, describe)
    except Exception as err:   # sqlite3.Error and OSError: a bad or unwritable store
        raise UsageError(f"cannot open the store {db}: {err}") from err
    try:
        server = MonitorServer(agent, args.bind, args.port, args.token)
    except OSError as err:
        raise UsageError(f"cannot listen on {args.bind}:{args.port}: {err.strerror}") from err
    host, port = str(server.server_address[0]), int(server.server_address[1])
    logging.getLogger("sysdive.monitor").info(
        "dashboard on http://%s:%s/ (store %s, every %g s)",
        f"[{host}]" if ":" in host else host, port, db, args.interval)
    web = threading.Thread(target=server.serve_forever, daemon=True, name="web")
    web.start()

    def _stop(signum: int, frame: FrameType | None) -> None:
        agent.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    agent.run()
    server.shutdown()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sysdive-monitor`` console script."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="sysdive-monitor: %(message)s")
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except SysdiveError as err:
        print(f"sysdive-monitor: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
