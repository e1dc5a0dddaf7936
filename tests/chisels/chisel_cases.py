"""The chisel parity cases: ``sysdig ARGS`` and ``sysdive ARGS`` must print the same stdout.

To add a chisel, add its lines here (one per capture, plus one with a filter where the chisel
is usually run with one), then store sysdig's output with::

    SYSDIVE_REGEN=1 python -m pytest -q tests/chisels/test_chisel_parity.py -k NAME

``_c(name, capture, *args)`` runs ``-r CAPTURE ARGS``; ``capture=None`` runs ``ARGS`` alone
(``-i``). ``top=N`` (or a tuple of sizes) marks output with top-N tables: sysdig orders
equal values by LuaJIT's hash layout, which is seeded randomly per run, so two sysdig runs
disagree on the order of ties and on which tied rows make the cut. Such outputs are compared
with the rows of each run of equal values sorted, and the last run of a table that has N
rows compared by value and count only (``normalize`` in chisel_tables.py).

``xfail`` names a missing feature: the case must mismatch until the feature lands.
"""

from __future__ import annotations

from dataclasses import dataclass

CURL = "curl_google"
IPV6 = "single_ipv6_conn"
USER0 = "run_as_user_0_container"
CAPTURES = (CURL, IPV6, USER0)


@dataclass(frozen=True, slots=True)
class Case:
    """One chisel run against one sample capture (or none)."""

    name: str
    capture: str | None
    args: tuple[str, ...]
    top: int | tuple[int, ...] = 0
    xfail: str = ""


def _c(name: str, capture: str | None, *args: str, top: int | tuple[int, ...] = 0,
       xfail: str = "") -> Case:
    return Case(name, capture, tuple(args), top, xfail)


def _each(prefix: str, *args: str, top: int = 0) -> tuple[Case, ...]:
    """The same arguments on every sample capture."""
    short = {CURL: "curl", IPV6: "ipv6", USER0: "user0"}
    return tuple(_c(f"{prefix}_{short[cap]}", cap, *args, top=top) for cap in CAPTURES)


CASES: tuple[Case, ...] = (
    # --- topscalls ---------------------------------------------------------------------------
    *_each("topscalls", "-c", "topscalls", top=30),
    _c("topscalls_curl_filter", CURL, "-c", "topscalls", "proc.name=curl", top=30),
    _c("topscalls_user0_filter", USER0, "-c", "topscalls", "proc.name=bash or proc.name=ls",
       top=30),
    # --- topprocs_cpu ------------------------------------------------------------------------
    *_each("topprocs_cpu", "-c", "topprocs_cpu", top=10),
    _c("topprocs_cpu_user0_filter", USER0, "-c", "topprocs_cpu", "proc.name!=sysdig", top=10),
    # --- topfiles_bytes ----------------------------------------------------------------------
    *_each("topfiles_bytes", "-c", "topfiles_bytes", top=10),
    _c("topfiles_bytes_user0_filter", USER0, "-c", "topfiles_bytes", "proc.name=bash", top=10),
    # --- echo_fds ----------------------------------------------------------------------------
    *_each("echo_fds", "-c", "echo_fds"),
    _c("echo_fds_curl_filter", CURL, "-c", "echo_fds", "proc.name=curl and fd.type=file"),
    _c("echo_fds_user0_filter", USER0, "-c", "echo_fds", "fd.type=ipv4"),
    _c("echo_fds_nocolor", USER0, "-c", "echo_fds", "disable_color", "proc.name=bash"),
    _c("echo_fds_ascii", USER0, "-A", "-c", "echo_fds", "proc.name=sshd"),
    # --- spy_users ---------------------------------------------------------------------------
    *_each("spy_users", "-c", "spy_users"),
    _c("spy_users_depth", USER0, "-c", "spy_users", "1"),
    _c("spy_users_depth_nocolor", USER0, "-c", "spy_users", "0 disable_color"),
    _c("spy_users_filter", USER0, "-c", "spy_users", "proc.name=ls"),
    # --- engine: several chisels, the hidden table_generator, -i -----------------------------
    _c("two_chisels", CURL, "-c", "topfiles_bytes", "-c", "topscalls", top=(10, 30)),
    _c("table_generator", USER0, "-c", "table_generator",
       "proc.name,proc.pid Process,PID evt.rawarg.res Bytes evt.is_io_write=true 0 bytes",
       top=10_000),
    # --- interplay with sysdig's options -----------------------------------------------------
    _c("opt_n", CURL, "-n", "300", "-c", "topscalls", top=30),
    _c("opt_d", CURL, "-d", "-c", "topscalls", "proc.name=curl", top=30),
    _c("opt_pc_host", CURL, "-pc", "-c", "topscalls", top=30),
    _c("opt_pc_echo_fds", CURL, "-pc", "-c", "echo_fds", "fd.type=ipv6"),
    _c("opt_pc_spy_users", CURL, "-pc", "-c", "spy_users"),
    _c("opt_pc_user0_topscalls", USER0, "-pc", "-c", "topscalls", top=30),
    _c("opt_pc_user0_topprocs_cpu", USER0, "-pc", "-c", "topprocs_cpu", top=10),
    _c("opt_pc_user0_topfiles_bytes", USER0, "-pc", "-c", "topfiles_bytes", top=10),
    _c("opt_pc_user0_echo_fds", USER0, "-pc", "-c", "echo_fds"),
    _c("opt_pc_user0_spy_users", USER0, "-pc", "-c", "spy_users"),
    _c("opt_x_echo_fds", CURL, "-x", "-c", "echo_fds", "proc.name=curl"),
    _c("opt_chisel_args_before_r", None, "-c", "spy_users", "0", "-r", f"@{USER0}"),
    # --- several capture files: hooks per file, tables kept across files ---------------------
    _c("two_files_topscalls", IPV6, "-r", f"@{CURL}", "-c", "topscalls", top=30),
    _c("two_files_topprocs_cpu", USER0, "-r", f"@{IPV6}", "-c", "topprocs_cpu", top=10),
    _c("two_files_spy_users", USER0, "-r", f"@{CURL}", "-c", "spy_users"),
    _c("two_files_echo_fds", IPV6, "-r", f"@{IPV6}", "-c", "echo_fds"),
    _c("info_topscalls", None, "-i", "topscalls"),
    _c("info_topprocs_cpu", None, "-i", "topprocs_cpu"),
    _c("info_topfiles_bytes", None, "-i", "topfiles_bytes"),
    _c("info_echo_fds", None, "-i", "echo_fds"),
    _c("info_spy_users", None, "-i", "spy_users"),
)
