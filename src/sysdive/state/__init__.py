"""State sysdig keeps while reading: threads, their fds, users, groups, interfaces,
containers; a faithful port of libsinsp's parser and thread/fd tables (sysdig 0.29.3).

* :class:`~sysdive.state.tables.State` - the tables and their lookups
  (``get_thread`` with the ``<NA>`` placeholder rule, ``main_thread``, ``fd_table``,
  ``get_fd``, ``cwd``, ``env``) and ``load_header`` for a section's header blocks.
* :class:`~sysdive.state.parser.Parser` - ``process_event``, the only code that changes the
  state while events flow; its module docstring lists the per-event order.
* :class:`~sysdive.state.threads.ThreadInfo`, :class:`~sysdive.state.fds.FdInfo` - records.

Private helpers: ``decode`` (param and path decoding), ``sockets`` (socket tuple rules),
``parse_fds``/``parse_io``/``parse_procs`` (the per-event parsers).
"""

from sysdive.state.fds import FdInfo, FdType
from sysdive.state.parser import Filter, Parser
from sysdive.state.tables import State
from sysdive.state.threads import ThreadInfo

__all__ = ["FdInfo", "FdType", "Filter", "Parser", "State", "ThreadInfo"]
