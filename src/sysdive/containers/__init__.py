"""Containers: which container a thread runs in (cgroups) and what the runtime says about it."""
