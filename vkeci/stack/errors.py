"""Errors of the demo and benchmark stack: each says what failed and what to do about it.

The CLI prints `StackError` messages as they are, never a traceback, so every message must
stand on its own (name the object, the value and the next step).
"""

from __future__ import annotations


class StackError(Exception):
    """Something the demo or a benchmark needs did not happen; the message says what."""


class StackTimeout(StackError):
    """A wait ran past its deadline; the message names what was awaited and what was seen."""
