"""Typed reading of un-flattened request parameters, with errors that name the parameter.

Values arrive as the strings the SDK sent (`"2.0"`, `"true"`), lists as
Python lists in index order, objects as dicts. `Params` converts on demand
and refuses a bad value with `InvalidParameter` naming the full parameter path
(`Container.1.Cpu`), the value and what was expected.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from simulator.errors import InvalidParameter, MissingParameter

_INTEGER = re.compile(r"[+-]?[0-9]+")
"""An integer as ECI reads one: ASCII digits only (`int` would take `1_0`, `١٢`, spaces)."""
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A decimal number: ASCII digits, one point, an exponent; no `inf`, `nan`, `1_0`, hex."""
_TRUE = frozenset({"true", "True", "TRUE", "1"})
_FALSE = frozenset({"false", "False", "FALSE", "0"})


class Params:
    """A view over one level of the request, with its path prefix for error messages."""

    def __init__(self, raw: Mapping[str, Any], *, prefix: str = "") -> None:
        self._raw = raw
        self._prefix = prefix

    def path(self, name: str) -> str:
        return f"{self._prefix}{name}"

    def names(self) -> list[str]:
        """The parameter names given at this level."""
        return list(self._raw)

    def refuse_unknown(self, allowed: frozenset[str], *, action: str) -> None:
        """Refuse a parameter `action` does not have, naming it: nothing is dropped in silence."""
        if allowed.issuperset(self._raw):
            return  # the common case, without a Python-level pass over the names
        unknown = sorted(name for name in self._raw if name not in allowed)
        if unknown:
            raise InvalidParameter(
                f"{self.path(unknown[0])}: not a parameter of {action}"
                + (f" (nor {', '.join(self.path(n) for n in unknown[1:])})" if unknown[1:] else "")
            )

    def has(self, name: str) -> bool:
        return self._raw.get(name) not in (None, "")

    def text(self, name: str, *, required: bool = False, max_length: int = 256) -> str | None:
        value = self._raw.get(name)
        if value is None or value == "":
            if required:
                raise MissingParameter(f"{self.path(name)} is required")
            return None
        if not isinstance(value, str):
            raise InvalidParameter(f"{self.path(name)}: expected a single value, got {value!r}")
        if len(value) > max_length:
            raise InvalidParameter(
                f"{self.path(name)}: longer than {max_length} characters ({len(value)})"
            )
        return value

    def required_text(self, name: str, *, max_length: int = 256) -> str:
        value = self.text(name, required=True, max_length=max_length)
        assert value is not None
        return value

    def number(
        self, name: str, *, minimum: float | None = None, maximum: float | None = None
    ) -> float | None:
        value = self.text(name)
        if value is None:
            return None
        if not _DECIMAL.fullmatch(value):
            raise InvalidParameter(f'{self.path(name)}: "{value}" is not a number')
        number = float(value)
        if not math.isfinite(number):
            raise InvalidParameter(f'{self.path(name)}: "{value}" is not a finite number')
        self._check_range(name, value, number, minimum, maximum)
        return number

    def integer(
        self, name: str, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        if not _INTEGER.fullmatch(value) or len(value) > 19:
            raise InvalidParameter(f'{self.path(name)}: "{value[:32]}" is not an integer')
        number = int(value)
        self._check_range(name, value, number, minimum, maximum)
        return number

    def flag(self, name: str, *, default: bool = False) -> bool:
        value = self.text(name)
        if value is None:
            return default
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise InvalidParameter(f'{self.path(name)}: "{value}" is not a boolean (true or false)')

    def choice(self, name: str, *, allowed: tuple[str, ...], default: str) -> str:
        value = self.text(name)
        if value is None:
            return default
        if value not in allowed:
            raise InvalidParameter(
                f'{self.path(name)}: "{value}" is not one of {", ".join(allowed)}'
            )
        return value

    def items(self, name: str, *, max_items: int = 100) -> list[Params]:
        """A list of objects (`Container.N.*`) as `Params` with their own prefixes."""
        value = self._raw.get(name)
        if value is None:
            return []
        if isinstance(value, Mapping):
            value = [value]
        if not isinstance(value, list):
            raise InvalidParameter(f"{self.path(name)}: expected a list of objects")
        if len(value) > max_items:
            raise InvalidParameter(
                f"{self.path(name)}: at most {max_items} items, got {len(value)}"
            )
        result = []
        for index, item in enumerate(value, start=1):
            if item is None:
                item = {}
            if not isinstance(item, Mapping):
                raise InvalidParameter(f"{self.path(name)}.{index}: expected an object")
            result.append(Params(item, prefix=f"{self.path(name)}.{index}."))
        return result

    def child(self, name: str) -> Params:
        value = self._raw.get(name)
        if value is None:
            return Params({}, prefix=f"{self.path(name)}.")
        if not isinstance(value, Mapping):
            raise InvalidParameter(f"{self.path(name)}: expected an object")
        return Params(value, prefix=f"{self.path(name)}.")

    def strings(self, name: str, *, max_items: int = 100) -> list[str]:
        """A list of strings (`Image.N`, `Container.1.Command.N`)."""
        value = self._raw.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str | None) for v in value):
            raise InvalidParameter(f"{self.path(name)}: expected a list of strings")
        if len(value) > max_items:
            raise InvalidParameter(
                f"{self.path(name)}: at most {max_items} items, got {len(value)}"
            )
        return [v for v in value if v is not None]

    def json_strings(self, name: str, *, max_items: int = 100) -> list[str] | None:
        """A JSON array of strings sent as one string (`ContainerGroupIds`).

        At most 64 KiB of text, and nested at most one level: a flat array never needs
        more, and `'[' * 100000` must be refused before the JSON decoder recurses into it.
        """
        value = self.text(name, max_length=_MAX_JSON_TEXT)
        if value is None:
            return None
        if _nesting(value) > 1:
            raise InvalidParameter(
                f"{self.path(name)}: nested arrays or objects; expected a flat JSON array of"
                " strings"
            )
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            raise InvalidParameter(
                f'{self.path(name)}: "{value}" is not a JSON array of strings'
            ) from None
        if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
            raise InvalidParameter(f'{self.path(name)}: "{value}" is not a JSON array of strings')
        if len(parsed) > max_items:
            raise InvalidParameter(f"{self.path(name)}: at most {max_items} ids, got {len(parsed)}")
        return parsed

    def client_token(self) -> str | None:
        """`ClientToken`: ASCII only, at most 64 characters, as every ECI operation that takes
        one documents it (e.g. the SDK's DeleteContainerGroupRequest)."""
        token = self.text("ClientToken", max_length=64)
        if token is not None and not token.isascii():
            raise InvalidParameter(f'{self.path("ClientToken")}: "{token}" must be ASCII only')
        return token

    def tags(self, name: str = "Tag", *, max_items: int = 20) -> dict[str, str]:
        tags: dict[str, str] = {}
        for item in self.items(name, max_items=max_items):
            key = item.required_text("Key", max_length=128)
            tags[key] = item.text("Value", max_length=256) or ""
        return tags

    def _check_range(
        self, name: str, value: str, number: float, minimum: float | None, maximum: float | None
    ) -> None:
        if minimum is not None and number < minimum:
            raise InvalidParameter(f'{self.path(name)}: "{value}" is below the minimum {minimum}')
        if maximum is not None and number > maximum:
            raise InvalidParameter(f'{self.path(name)}: "{value}" is above the maximum {maximum}')


_MAX_JSON_TEXT = 64 * 1024
"""Characters of a JSON-valued parameter (`ContainerGroupIds`: 20 ids need about 600)."""


def _nesting(text: str) -> int:
    """The deepest bracket nesting of JSON `text`, outside strings (a linear scan)."""
    deepest = depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def page(params: Params, *, default_limit: int, max_limit: int) -> tuple[int, int]:
    """(offset, limit) from `NextToken` and `Limit`."""
    limit = params.integer("Limit", minimum=1, maximum=max_limit) or default_limit
    token = params.text("NextToken")
    offset = 0
    if token is not None:
        try:
            offset = int(token)
        except ValueError:
            raise InvalidParameter(
                f'NextToken: "{token}" is not a token this service issued'
            ) from None
        if offset < 0:
            raise InvalidParameter(f'NextToken: "{token}" is not a token this service issued')
    return offset, limit


def next_token(*, offset: int, limit: int, total: int) -> str:
    """The token of the next page, empty on the last page (as ECI answers)."""
    return str(offset + limit) if offset + limit < total else ""
