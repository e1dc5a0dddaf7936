"""The command line: option parsing (options.py) and wiring (main.py)."""
