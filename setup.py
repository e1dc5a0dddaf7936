"""Builds the one compiled module (the batch loop's fast rejections); everything else is in
pyproject.toml. Without a compiler the module is left out and sysdive runs the same rejections
in Python (sysdive.fastloop), only slower."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("sysdive.state._rowparse", ["src/sysdive/state/_rowparse.c"],
                             optional=True)])
