"""Event sources: saved captures, live capture and synthetic captures built in code."""
