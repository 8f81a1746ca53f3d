"""Data files shipped inside the simulator package (the built-in image catalog).

A package so that setuptools installs its JSON and `importlib.resources` finds it.
"""
