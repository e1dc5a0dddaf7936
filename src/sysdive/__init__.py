"""sysdive: read, filter and format sysdig ``.scap`` captures, in Python.

The public surface is small: :func:`sysdive.scap.open_capture` to iterate the events of a
capture, and the command line (``sysdive``), which mirrors sysdig 0.29.3.
"""

__version__ = "0.1.0"
