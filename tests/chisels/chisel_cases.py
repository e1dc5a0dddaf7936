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
    # --- group B: stdio, spy_*, around ----------------------------------------------------
    *_each("stdout", "-c", "stdout"),
    _c("stdout_curl_filter", CURL, "-c", "stdout", "proc.name=curl"),
    _c("stdout_user0_ascii", USER0, "-A", "-c", "stdout"),
    *_each("stdin", "-c", "stdin"),
    *_each("stderr", "-c", "stderr"),
    _c("stderr_pc", USER0, "-pc", "-c", "stderr"),
    _c("stderr_pc_nocolor", USER0, "-pc", "-c", "stderr", "disable_color"),
    *_each("spy_file", "-c", "spy_file"),
    _c("spy_file_write", USER0, "-c", "spy_file", "W"),
    _c("spy_file_read_one", CURL, "-c", "spy_file", "R /etc/resolv.conf"),
    _c("spy_file_filter", CURL, "-c", "spy_file", "proc.name=curl"),
    _c("spy_ip_curl", CURL, "-c", "spy_ip", "2607:f8b0:4004:802::2004"),
    _c("spy_ip_ipv6", IPV6, "-c", "spy_ip", "2001:db8::3"),
    _c("spy_ip_user0", USER0, "-c", "spy_ip", "10.0.2.2"),
    _c("spy_ip_nocolor", USER0, "-c", "spy_ip", "10.0.2.2 disable_colors"),
    _c("spy_ip_none", CURL, "-c", "spy_ip", "10.9.9.9"),
    _c("spy_port_curl", CURL, "-c", "spy_port", "80"),
    _c("spy_port_ipv6", IPV6, "-c", "spy_port", "1234"),
    _c("spy_port_user0", USER0, "-c", "spy_port", "22"),
    _c("spy_port_ascii", USER0, "-A", "-c", "spy_port", "22"),
    _c("spy_port_hex_nocolor", USER0, "-X", "-c", "spy_port", "22 disable_colors"),
    _c("spy_port_filter", CURL, "-c", "spy_port", "53", "proc.name=curl"),
    *_each("spy_logs", "-c", "spy_logs"),
    _c("spy_logs_pc", USER0, "-pc", "-c", "spy_logs"),
    _c("spy_logs_filter", USER0, "-c", "spy_logs", "evt.buffer contains ls"),
    _c("spy_logs_dump", USER0, "-c", "spy_logs", "logs_around.scap 100"),
    _c("around_curl", CURL, "-c", "around", "around.scap", "evt.type=connect"),
    _c("around_ipv6", IPV6, "-c", "around", "around.scap 5", "fd.type=ipv6"),
    _c("around_user0", USER0, "-c", "around", "around.scap 10", "proc.name=ls"),
    _c("around_nomatch", CURL, "-c", "around", "around.scap", "proc.name=nothing"),
    _c("info_stdout", None, "-i", "stdout"),
    _c("info_stdin", None, "-i", "stdin"),
    _c("info_stderr", None, "-i", "stderr"),
    _c("info_spy_file", None, "-i", "spy_file"),
    _c("info_spy_ip", None, "-i", "spy_ip"),
    _c("info_spy_port", None, "-i", "spy_port"),
    _c("info_spy_logs", None, "-i", "spy_logs"),
    _c("info_around", None, "-i", "around"),
    # --- group B: list_login_shells, http*, ps ---------------------------------------------
    *_each("list_login_shells", "-c", "list_login_shells"),
    _c("list_login_shells_cmd", CURL, "-c", "list_login_shells", "cu.l"),
    _c("list_login_shells_args", CURL, "-c", "list_login_shells", "* -6"),
    _c("list_login_shells_nomatch", CURL, "-c", "list_login_shells", "xyz"),
    _c("list_login_shells_pc", USER0, "-pc", "-c", "list_login_shells"),
    *_each("httplog", "-c", "httplog"),
    _c("httplog_pc", CURL, "-pc", "-c", "httplog"),
    *_each("httptop", "-c", "httptop", top=30),
    _c("httptop_time", CURL, "-c", "httptop", "time", top=30),
    _c("httptop_bytes_pc", CURL, "-pc", "-c", "httptop", "bytes", top=30),
    *_each("ps", "-c", "ps"),
    _c("ps_fd_filter", USER0, "-c", "ps", "fd.type=ipv4"),
    _c("ps_quoted_filter", USER0, "-c", "ps", "'fd.name contains /etc'"),
    _c("ps_later", USER0, "-c", "ps", "'fd.num>10 and proc.name=bash'", "evt.num>5000"),
    _c("ps_arg_proc", CURL, "-c", "ps", "proc.name=curl"),
    _c("ps_nomatch", CURL, "-c", "ps", "", "proc.name=nothing"),
    _c("info_list_login_shells", None, "-i", "list_login_shells"),
    _c("info_httplog", None, "-i", "httplog"),
    _c("info_httptop", None, "-i", "httptop"),
    _c("info_ps", None, "-i", "ps"),
    # --- group B: memcachelog, spy_syslog, udp_extract, shellshock_detect -----------------
    # (these find nothing in the sample captures; test_chisel_synthetic.py runs them on
    # captures built for them, shellshock_detect included)
    *_each("memcachelog", "-c", "memcachelog"),
    *_each("spy_syslog", "-c", "spy_syslog"),
    _c("spy_syslog_pc", USER0, "-pc", "-c", "spy_syslog"),
    *_each("udp_extract", "-c", "udp_extract"),
    _c("info_memcachelog", None, "-i", "memcachelog"),
    _c("info_spy_syslog", None, "-i", "spy_syslog"),
    _c("info_udp_extract", None, "-i", "udp_extract"),
    _c("info_shellshock_detect", None, "-i", "shellshock_detect"),
    # --- group B: lsof, netstat (pairs order of sysdig's Lua tables, see _luaorder.py) ----
    *_each("lsof", "-c", "lsof"),
    _c("lsof_ipv4", IPV6, "-c", "lsof", "fd.type=ipv4"),
    _c("lsof_quoted_filter", USER0, "-c", "lsof", "'proc.name=dockerd and fd.type=unix'"),
    _c("lsof_late", CURL, "-c", "lsof", "", "evt.num>1381"),
    _c("lsof_late_net", USER0, "-c", "lsof", "'fd.type=ipv4 or fd.type=ipv6'", "evt.num>4043"),
    *_each("netstat", "-c", "netstat"),
    _c("netstat_filter", USER0, "-c", "netstat", "proc.name=sshd"),
    _c("netstat_late", CURL, "-c", "netstat", "", "evt.num>1381"),
    _c("netstat_nomatch", USER0, "-c", "netstat", "", "evt.num>99999"),
    _c("info_lsof", None, "-i", "lsof"),
    _c("info_netstat", None, "-i", "netstat"),
)
