"""The built-in chisels, one module per chisel, named after it (``-c topscalls`` imports
``topscalls.py``). Each ports the sysdig 0.29.3 Lua chisel of the same name."""
