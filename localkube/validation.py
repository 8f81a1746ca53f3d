"""openAPIV3Schema handling for custom resources: prune, default, validate, as kube does.

Order matters and follows kube-apiserver: unknown fields are pruned (unless
`x-kubernetes-preserve-unknown-fields`), defaults are applied, then the object is validated
and every violation becomes one `details.causes` entry of a 422 Invalid. Messages follow
kube-openapi's wording (`spec.x in body should be greater than or equal to 20`).
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from localkube.errors import Cause
from localkube.shapes import JsonObject

ROOT_FIELDS = ("apiVersion", "kind", "metadata")


def _go_value(value: Any) -> str:
    """Render a value the way Go's field errors print it (`19`, `"text"`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"))


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def prune(value: Any, schema: JsonObject, *, root: bool = False) -> Any:
    """Drop fields the schema does not declare, keeping apiVersion/kind/metadata at the root."""
    if isinstance(value, dict):
        if schema.get("x-kubernetes-preserve-unknown-fields") and not schema.get("properties"):
            return value
        properties: JsonObject = schema.get("properties") or {}
        additional = schema.get("additionalProperties")
        pruned: JsonObject = {}
        for key, item in value.items():
            if root and key in ROOT_FIELDS:
                pruned[key] = item
            elif key in properties:
                pruned[key] = prune(item, properties[key])
            elif isinstance(additional, dict):
                pruned[key] = prune(item, additional)
            elif schema.get("x-kubernetes-preserve-unknown-fields") or additional is True:
                pruned[key] = item
        return pruned
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [prune(item, schema["items"]) for item in value]
    return value


def unknown_fields(value: Any, schema: JsonObject, *, path: str = "") -> list[str]:
    """Paths `prune` would drop, for `fieldValidation=Strict` (e.g. `spec.bogus`)."""
    found: list[str] = []
    if isinstance(value, dict):
        if schema.get("x-kubernetes-preserve-unknown-fields") and not schema.get("properties"):
            return found
        properties: JsonObject = schema.get("properties") or {}
        additional = schema.get("additionalProperties")
        for key, item in value.items():
            if not path and key in ROOT_FIELDS:
                continue
            if key in properties:
                found.extend(unknown_fields(item, properties[key], path=_child(path, key)))
            elif isinstance(additional, dict):
                found.extend(unknown_fields(item, additional, path=f"{path}[{key}]"))
            elif not (schema.get("x-kubernetes-preserve-unknown-fields") or additional is True):
                found.append(_child(path, key))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found.extend(unknown_fields(item, schema["items"], path=f"{path}[{index}]"))
    return found


def apply_defaults(value: Any, schema: JsonObject) -> Any:
    if isinstance(value, dict):
        result = dict(value)
        properties: JsonObject = schema.get("properties") or {}
        for key, sub_schema in properties.items():
            if key not in result and "default" in sub_schema:
                result[key] = copy.deepcopy(sub_schema["default"])
            if key in result:
                result[key] = apply_defaults(result[key], sub_schema)
        additional = schema.get("additionalProperties")
        if isinstance(additional, dict):
            for key in result:
                if key not in properties:
                    result[key] = apply_defaults(result[key], additional)
        return result
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [apply_defaults(item, schema["items"]) for item in value]
    return value


def _type_matches(value: Any, expected: str) -> bool:
    match expected:
        case "object":
            return isinstance(value, dict)
        case "array":
            return isinstance(value, list)
        case "string":
            return isinstance(value, str)
        case "boolean":
            return isinstance(value, bool)
        case "integer":
            return (isinstance(value, int) and not isinstance(value, bool)) or (
                isinstance(value, float) and value.is_integer()
            )
        case "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
    return True


def _invalid(path: str, value: Any, detail: str, *, reason: str = "FieldValueInvalid") -> Cause:
    return Cause(reason=reason, message=f"Invalid value: {_go_value(value)}: {detail}", field=path)


def validate(value: Any, schema: JsonObject, *, path: str = "") -> list[Cause]:
    """Every violation of `schema` by `value`, with kube's field paths and wording."""
    causes: list[Cause] = []
    if value is None and schema.get("nullable"):
        return causes
    expected = schema.get("type")
    int_or_string = schema.get("x-kubernetes-int-or-string")
    if int_or_string:
        if not (_type_matches(value, "integer") or isinstance(value, str)):
            causes.append(
                _invalid(
                    path,
                    value,
                    f"{path} in body must be of type integer,string: {_go_value(value)}",
                    reason="FieldValueTypeInvalid",
                )
            )
            return causes
    elif isinstance(expected, str) and not _type_matches(value, expected):
        actual = _type_name(value)
        causes.append(
            _invalid(
                path,
                actual,
                f"{path} in body must be of type {expected}: {_go_value(actual)}",
                reason="FieldValueTypeInvalid",
            )
        )
        return causes
    if "enum" in schema and value not in schema["enum"]:
        supported = ", ".join(_go_value(v) for v in schema["enum"])
        causes.append(
            Cause(
                reason="FieldValueNotSupported",
                message=f"Unsupported value: {_go_value(value)}: supported values: {supported}",
                field=path,
            )
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        causes.extend(_validate_number(value, schema, path))
    if isinstance(value, str):
        causes.extend(_validate_string(value, schema, path))
    if isinstance(value, list):
        causes.extend(_validate_array(value, schema, path))
    if isinstance(value, dict):
        causes.extend(_validate_object(value, schema, path))
    return causes


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _validate_number(value: float, schema: JsonObject, path: str) -> list[Cause]:
    causes: list[Cause] = []
    minimum = schema.get("minimum")
    if minimum is not None:
        if schema.get("exclusiveMinimum") and value <= minimum:
            detail = f"{path} in body should be greater than {_number(minimum)}"
            causes.append(_invalid(path, value, detail))
        elif value < minimum:
            detail = f"{path} in body should be greater than or equal to {_number(minimum)}"
            causes.append(_invalid(path, value, detail))
    maximum = schema.get("maximum")
    if maximum is not None:
        if schema.get("exclusiveMaximum") and value >= maximum:
            detail = f"{path} in body should be less than {_number(maximum)}"
            causes.append(_invalid(path, value, detail))
        elif value > maximum:
            detail = f"{path} in body should be less than or equal to {_number(maximum)}"
            causes.append(_invalid(path, value, detail))
    return causes


def _validate_string(value: str, schema: JsonObject, path: str) -> list[Cause]:
    causes: list[Cause] = []
    if "minLength" in schema and len(value) < schema["minLength"]:
        detail = f"{path} in body should be at least {schema['minLength']} chars long"
        causes.append(_invalid(path, value, detail))
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        causes.append(
            Cause(
                reason="FieldValueTooLong",
                message=f"Too long: may not be more than {schema['maxLength']} bytes",
                field=path,
            )
        )
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, value):
        causes.append(_invalid(path, value, f"{path} in body should match '{pattern}'"))
    return causes


def _validate_array(value: list[Any], schema: JsonObject, path: str) -> list[Cause]:
    causes: list[Cause] = []
    if "minItems" in schema and len(value) < schema["minItems"]:
        detail = f"{path} in body should have at least {schema['minItems']} items"
        causes.append(_invalid(path, len(value), detail))
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        causes.append(
            Cause(
                reason="FieldValueTooMany",
                message=f"Too many: {len(value)}: must have at most {schema['maxItems']} items",
                field=path,
            )
        )
    items = schema.get("items")
    if isinstance(items, dict):
        for index, item in enumerate(value):
            causes.extend(validate(item, items, path=f"{path}[{index}]"))
    return causes


def _validate_object(value: JsonObject, schema: JsonObject, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for required in schema.get("required") or []:
        if required not in value:
            causes.append(
                Cause(
                    reason="FieldValueRequired",
                    message="Required value",
                    field=_child(path, required),
                )
            )
    properties: JsonObject = schema.get("properties") or {}
    for key, item in value.items():
        if not path and key in ROOT_FIELDS:
            continue
        if key in properties:
            causes.extend(validate(item, properties[key], path=_child(path, key)))
        elif isinstance(schema.get("additionalProperties"), dict):
            causes.extend(validate(item, schema["additionalProperties"], path=f"{path}[{key}]"))
    return causes
