"""Builds the compiled modules (the batch loop's fast rejections, the framing of event
blocks); everything else is in pyproject.toml. Without a compiler they are left out and
sysdive runs the same code in Python and numpy (sysdive.fastloop, sysdive.scap.scan), only
slower."""

from setuptools import Extension, setup

setup(ext_modules=[
    Extension("sysdive.state._rowparse", ["src/sysdive/state/_rowparse.c"], optional=True),
    Extension("sysdive.scap._blockwalk", ["src/sysdive/scap/_blockwalk.c"], optional=True),
])
