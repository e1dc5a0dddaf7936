"""Signal names exactly as sysdig 0.29.3 prints them for SIGTYPE values.

From ``sinsp_utils::signal_to_str`` (userspace/libsinsp/utils.cpp, numbers from
sinsp_signal.h) at falcosecurity/libs e5c53d64: the 31 classic Linux signals only; real-time
signals and 0 have no name.
"""

from __future__ import annotations

__all__ = ["SIGNAL_NAMES"]

SIGNAL_NAMES: dict[int, str] = {
    1: "SIGHUP",
    2: "SIGINT",
    3: "SIGQUIT",
    4: "SIGILL",
    5: "SIGTRAP",
    6: "SIGABRT",
    7: "SIGBUS",
    8: "SIGFPE",
    9: "SIGKILL",
    10: "SIGUSR1",
    11: "SIGSEGV",
    12: "SIGUSR2",
    13: "SIGPIPE",
    14: "SIGALRM",
    15: "SIGTERM",
    16: "SIGSTKFLT",
    17: "SIGCHLD",
    18: "SIGCONT",
    19: "SIGSTOP",
    20: "SIGTSTP",
    21: "SIGTTIN",
    22: "SIGTTOU",
    23: "SIGURG",
    24: "SIGXCPU",
    25: "SIGXFSZ",
    26: "SIGVTALRM",
    27: "SIGPROF",
    28: "SIGWINCH",
    29: "SIGIO",
    30: "SIGPWR",
    31: "SIGSYS",
}
"""Signal number to name; numbers not listed print without a name."""
