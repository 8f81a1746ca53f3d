"""The three patch formats kube-apiserver accepts: JSON merge, strategic merge, JSON patch.

Strategic merge needs to know, per list field, whether lists merge (and by which key) or
are replaced; kube reads that from Go struct tags. We keep the tags of the fields clients
actually patch on Pods, Nodes and object metadata in `MERGE_KEYS` and treat every other list
as atomic (replaced), which is what kube does for lists without a patch strategy, e.g.
`status.containerStatuses` and `spec.taints`. Custom resources never take strategic merge
(kube answers 415), which the server checks before it gets here.
"""

from __future__ import annotations

import json
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from localkube.errors import ApiError, Reason, bad_request

MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "conditions": "type",
    "ports": "containerPort",
    "env": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "volumes": "name",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "podIPs": "ip",
    "hostIPs": "ip",
    "addresses": "type",
    "ownerReferences": "uid",
    "topologySpreadConstraints": "topologyKey",
    "secrets": "name",
}
PRIMITIVE_SETS = frozenset({"finalizers"})
"""Lists of scalars with `patchStrategy: merge`: patched lists are unioned."""

DIRECTIVE = "$patch"
SET_ORDER_PREFIX = "$setElementOrder/"
DELETE_PRIMITIVES_PREFIX = "$deleteFromPrimitiveList/"
RETAIN_KEYS = "$retainKeys"


class PatchType(StrEnum):
    JSON = "application/json-patch+json"
    MERGE = "application/merge-patch+json"
    STRATEGIC = "application/strategic-merge-patch+json"
    APPLY = "application/apply-patch+yaml"


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-shaped data: objects and lists are copied, strings, numbers,
    booleans and null (immutable) are shared. Several times faster than `copy.deepcopy`,
    which patches of Pod statuses (lists of conditions and container statuses) spent time in."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


def json_merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy_json(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = json_merge_patch(result.get(key), value)
    return result


def go_json(value: Any) -> str:
    """`value` as Go's encoding/json writes a decoded document: compact, object keys sorted,
    and `<`, `>`, `&`, U+2028 and U+2029 escaped."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.translate(_GO_JSON_ESCAPES)


_GO_JSON_ESCAPES: Final = {ord(c): f"\\u{ord(c):04x}" for c in ("<", ">", "&", "\u2028", "\u2029")}


def go_value(value: Any) -> str:
    """`value` (decoded JSON) as Go's `fmt` prints it with `%+v`: `map[k:v]` with keys
    sorted, `[a b]`, strings bare, numbers shortest `%g`, `<nil>`, as kube shows a
    strategic merge patch it could not apply."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_value(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_value(item) for item in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _go_float(float(value))
    return str(value)


def _go_float(number: float) -> str:
    """Go's `%v` of a float64: the shortest digits that read back as it, in exponent form
    (two exponent digits at least) below 1e-4 and from 1e6 on, as `fmt` prints it."""
    if number == 0:
        return "0"
    sign, digits, exponent = Decimal(repr(number)).normalize().as_tuple()
    assert isinstance(exponent, int)  # a finite float
    leading = len(digits) - 1 + exponent
    if -4 <= leading < 6:
        return format(Decimal(repr(number)).normalize(), "f")
    text = "".join(map(str, digits))
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{leading:+03d}"


def strategic_merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        raise _not_json(patch, "map[string]interface {}")
    return _merge_map(target if isinstance(target, dict) else {}, patch)


def _merge_map(original: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any] | None:
    directive = patch.get(DIRECTIVE)
    if directive == "delete":
        return None
    body = {k: v for k, v in patch.items() if k != DIRECTIVE}
    if directive == "replace":
        return {k: copy_json(v) for k, v in body.items() if not k.startswith("$")}
    if directive is not None:
        raise bad_request(f"Unknown patch type: {directive}")
    result = dict(original)
    retain = body.pop(RETAIN_KEYS, None)
    orders: dict[str, list[Any]] = {}
    for key, value in body.items():
        if key.startswith(SET_ORDER_PREFIX):
            orders[key[len(SET_ORDER_PREFIX) :]] = value
        elif key.startswith(DELETE_PRIMITIVES_PREFIX):
            field = key[len(DELETE_PRIMITIVES_PREFIX) :]
            result[field] = [v for v in result.get(field) or [] if v not in value]
    for key, value in body.items():
        if key.startswith("$"):
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            existing = result.get(key)
            merged = _merge_map(existing if isinstance(existing, dict) else {}, value)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list):
            merged_list = _merge_list(key, result.get(key), value)
            if key not in orders and _merges(key, value):
                merged_list = _normalize_order(key, merged_list, value, original.get(key))
            result[key] = merged_list
        else:
            result[key] = value
    for key, order in orders.items():
        if isinstance(result.get(key), list):
            result[key] = _normalize_order(key, result[key], order, original.get(key))
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _merge_list(field: str, original: Any, patch: list[Any]) -> list[Any]:
    current = list(original) if isinstance(original, list) else []
    if field in PRIMITIVE_SETS:
        return current + [v for v in patch if v not in current]
    merge_key = MERGE_KEYS.get(field)
    if merge_key is None or not all(isinstance(item, dict) for item in patch):
        return [copy_json(item) for item in patch]
    if any(item.get(DIRECTIVE) == "replace" for item in patch):
        return [copy_json(item) for item in patch if item.get(DIRECTIVE) != "replace"]
    for item in patch:
        key_value = item.get(merge_key)
        index = next(
            (
                i
                for i, existing in enumerate(current)
                if isinstance(existing, dict) and existing.get(merge_key) == key_value
            ),
            None,
        )
        if item.get(DIRECTIVE) == "delete":
            if index is not None:
                del current[index]
            continue
        if index is None:
            current.append({k: copy_json(v) for k, v in item.items() if k != DIRECTIVE})
        else:
            merged = _merge_map(current[index], item)
            if merged is None:
                del current[index]
            else:
                current[index] = merged
    return current


def _merges(field: str, patch: list[Any]) -> bool:
    """True when a patched list is merged with the live one rather than replacing it."""
    if field in PRIMITIVE_SETS:
        return True
    return field in MERGE_KEYS and all(isinstance(item, dict) for item in patch)


def _normalize_order(field: str, items: list[Any], order: list[Any], original: Any) -> list[Any]:
    """kube's `normalizeElementOrder`: the items the patch (or its `$setElementOrder`) names
    in its order, the live-only items in their live order, then the two interleaved so that a
    live-only item goes first only where the live list already had it before the other."""
    merge_key = MERGE_KEYS.get(field)

    def identity(item: Any) -> Any:
        if merge_key and isinstance(item, dict):
            return item.get(merge_key)
        return item

    wanted = [identity(o) for o in order]
    live = [identity(o) for o in original] if isinstance(original, list) else []

    def live_index(item: Any) -> int:
        key = identity(item)
        return live.index(key) if key in live else -1

    named = sorted(
        (i for i in items if identity(i) in wanted), key=lambda i: wanted.index(identity(i))
    )
    live_only = [i for i in items if identity(i) not in wanted]
    live_only.sort(key=lambda i: live_index(i) if live_index(i) >= 0 else len(live))
    result: list[Any] = []
    left, right = 0, 0
    while left < len(live_only) or right < len(named):
        if right >= len(named):
            result.append(live_only[left])
            left += 1
        elif left >= len(live_only):
            result.append(named[right])
            right += 1
        else:
            li, ri = live_index(live_only[left]), live_index(named[right])
            if li >= 0 and ri >= 0 and li < ri:
                result.append(live_only[left])
                left += 1
            else:
                result.append(named[right])
                right += 1
    return result


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise _patch_failed(f'JSON pointer "{path}" must start with /')
    return [_unescape(t) for t in path[1:].split("/")]


def _patch_failed(message: str) -> ApiError:
    return ApiError(code=422, reason=Reason.INVALID, message=message)


def _not_json(kind_of: Any, go_type: str) -> ApiError:
    """Go's decoder refusing `kind_of` as a `go_type`; None is an empty body here."""
    if kind_of is None:
        return bad_request("unexpected end of JSON input")
    kind = json_kind(kind_of)
    return bad_request(f"json: cannot unmarshal {kind} into Go value of type {go_type}")


def json_kind(value: Any) -> str:
    """What Go's decoder calls the JSON value `value` was read from."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    return "bool" if isinstance(value, bool) else "number"


def _parent(doc: Any, tokens: list[str], path: str) -> tuple[Any, str]:
    current = doc
    for token in tokens[:-1]:
        if isinstance(current, dict) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            raise _patch_failed(f"doc is missing path: {path}: missing value")
    return current, tokens[-1]


def _get(doc: Any, path: str) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return doc
    parent, last = _parent(doc, tokens, path)
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent[int(last)]
    raise _patch_failed(f"doc is missing path: {path}: missing value")


def _remove(doc: Any, path: str) -> Any:
    parent, last = _parent(doc, _pointer(path), path)
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent.pop(int(last))
    raise _patch_failed(f"doc is missing path: {path}: missing value")


def _add(doc: Any, path: str, value: Any, *, replace: bool) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return value
    parent, last = _parent(doc, tokens, path)
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise _patch_failed(f"doc is missing key: {path}: missing value")
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-" and not replace:
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent) - (1 if replace else 0):
            if replace:
                parent[int(last)] = value
            else:
                parent.insert(int(last), value)
        else:
            raise _patch_failed(f"unable to access invalid index: {last}: invalid index")
    else:
        raise _patch_failed(f"doc is missing path: {path}: missing value")
    return doc


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902: add, remove, replace, move, copy, test; all or nothing."""
    if not isinstance(operations, list):
        raise _not_json(operations, "jsonpatch.Patch")
    doc = copy_json(target)
    for operation in operations:
        if not isinstance(operation, dict | None):
            raise _not_json(operation, "jsonpatch.Operation")
    for operation in operations:
        operation = operation or {}  # null decodes as an operation with no fields
        op = operation.get("op", "unknown")  # each is checked only as it is applied
        path = operation.get("path", "")
        if op == "add":
            doc = _add(doc, path, copy_json(operation.get("value")), replace=False)
        elif op == "remove":
            _remove(doc, path)
        elif op == "replace":
            doc = _add(doc, path, copy_json(operation.get("value")), replace=True)
        elif op == "move":
            value = _remove(doc, operation.get("from", ""))
            doc = _add(doc, path, value, replace=False)
        elif op == "copy":
            value = copy_json(_get(doc, operation.get("from", "")))
            doc = _add(doc, path, value, replace=False)
        elif op == "test":
            if _get(doc, path) != operation.get("value"):
                raise _patch_failed(f"testing value {path} failed: test failed")
        else:
            raise _patch_failed(f"Unexpected kind: {op}")
    return doc
