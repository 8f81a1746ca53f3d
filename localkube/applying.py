"""Server-side apply (`PATCH` with `application/apply-patch+yaml`), at the depth kubectl needs.

`kubectl apply --server-side` sends the whole intended object with a `fieldManager`. The
server creates it when absent, otherwise merges it into the live object: maps merge, lists
with a merge key (containers by name, ...) merge by key, `finalizers` union, other lists are
replaced; fields this manager applied before and no longer sends are removed unless another
manager also owns them. Ownership is recorded in `metadata.managedFields` (operation
`Apply`, `FieldsV1` with `f:`/`k:`/`v:` keys). A field another *applier* owns with a different
value is a 409 `Apply failed with N conflict(s)` unless `force=true`, which moves ownership.

What it does not do (kube-apiserver does): it keeps no `Update` entries for ordinary writes,
so applying never conflicts with `kubectl edit`/`patch`/client-side `apply`; it does not
track list items as atomic units beyond their merge key, ignore defaulted fields, convert
managed fields between versions or reset `managedFields` on request.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from localkube.errors import ApiError, Reason, bad_request
from localkube.patching import MERGE_KEYS, PRIMITIVE_SETS
from localkube.shapes import JsonObject

Path = tuple[str, ...]
UNMANAGED = frozenset(
    {
        ("f:apiVersion",),
        ("f:kind",),
        ("f:metadata", "f:name"),
        ("f:metadata", "f:namespace"),
        ("f:metadata", "f:uid"),
        ("f:metadata", "f:resourceVersion"),
        ("f:metadata", "f:generation"),
        ("f:metadata", "f:creationTimestamp"),
        ("f:metadata", "f:managedFields"),
    }
)


def require_manager(manager: str | None) -> str:
    if not manager:
        raise bad_request("fieldManager is required for apply requests")
    return manager


def field_set(value: Any, path: Path = ()) -> set[Path]:
    """The leaf paths `value` sets, keyed the way FieldsV1 keys them."""
    if path in UNMANAGED:
        return set()
    if isinstance(value, dict) and value:
        found: set[Path] = set()
        for key, item in value.items():
            found |= field_set(item, (*path, f"f:{key}"))
        return found
    field = path[-1][2:] if path and path[-1].startswith("f:") else ""
    if isinstance(value, list) and value and field in PRIMITIVE_SETS:
        return {(*path, "v:" + json.dumps(item)) for item in value}
    merge_key = MERGE_KEYS.get(field)
    if isinstance(value, list) and value and merge_key and _keyed(value, merge_key):
        found = set()
        for item in value:
            element = (*path, _element_key(merge_key, item))
            found |= {element} | field_set(item, element)
        return found
    return {path} if path else set()


def to_fields_v1(paths: Iterable[Path]) -> JsonObject:
    tree: dict[str, Any] = {}
    for path in sorted(paths):
        node = tree
        for step in path:
            node = node.setdefault(step, {})
    for path in paths:
        if path and path[-1].startswith("k:"):
            node = tree
            for step in path:
                node = node[step]
            if node:
                node["."] = {}
    return tree


def from_fields_v1(tree: Any, path: Path = ()) -> set[Path]:
    if not isinstance(tree, dict):
        return set()
    children = {k: v for k, v in tree.items() if k != "."}
    found: set[Path] = {path} if path and (not children or "." in tree) else set()
    for key, child in children.items():
        found |= from_fields_v1(child, (*path, key))
    return found


def create(config: JsonObject, *, manager: str, api_version: str, now: str) -> JsonObject:
    obj = copy.deepcopy(config)
    metadata = obj.setdefault("metadata", {})
    metadata["managedFields"] = [_entry(manager, api_version, now, field_set(config))]
    return obj


def apply(
    live: JsonObject,
    config: JsonObject,
    *,
    manager: str,
    force: bool,
    api_version: str,
    now: str,
) -> JsonObject:
    """The live object after `manager` applied `config`; raises the 409 of a conflict."""
    entries = [
        e for e in (live.get("metadata") or {}).get("managedFields") or [] if isinstance(e, dict)
    ]
    mine = next((e for e in entries if _is_mine(e, manager)), None)
    others = [e for e in entries if e is not mine]
    previous = from_fields_v1(mine.get("fieldsV1")) if mine else set()
    wanted = field_set(config)
    conflicts: list[tuple[JsonObject, Path]] = []
    for entry in others:
        if entry.get("operation") != "Apply":
            continue
        for path in sorted(from_fields_v1(entry.get("fieldsV1")) & wanted):
            if _value_at(live, path) != _value_at(config, path):
                conflicts.append((entry, path))
    if conflicts and not force:
        raise _conflict(conflicts)
    result: JsonObject = copy.deepcopy(live)
    still_owned = set().union(*(from_fields_v1(e.get("fieldsV1")) for e in others))
    for path in sorted(previous - wanted - still_owned, key=len, reverse=True):
        _remove(result, path)
    result = dict(_merge(result, config))
    lost = {path for _, path in conflicts}
    kept: list[JsonObject] = []
    for entry in others:
        owned = from_fields_v1(entry.get("fieldsV1")) - lost
        if owned:
            kept.append({**entry, "fieldsV1": to_fields_v1(owned)})
    kept.append(_entry(manager, api_version, now, wanted))
    result.setdefault("metadata", {})["managedFields"] = kept
    return result


def _entry(manager: str, api_version: str, now: str, paths: set[Path]) -> JsonObject:
    return {
        "manager": manager,
        "operation": "Apply",
        "apiVersion": api_version,
        "time": now,
        "fieldsType": "FieldsV1",
        "fieldsV1": to_fields_v1(paths),
    }


def _is_mine(entry: JsonObject, manager: str) -> bool:
    return entry.get("manager") == manager and entry.get("operation") == "Apply"


def _keyed(items: list[Any], merge_key: str) -> bool:
    return all(isinstance(item, dict) and merge_key in item for item in items)


def _element_key(merge_key: str, item: JsonObject) -> str:
    return "k:" + json.dumps({merge_key: item[merge_key]}, separators=(",", ":"))


def _find(items: list[Any], step: str) -> int | None:
    if step.startswith("k:"):
        wanted = json.loads(step[2:])
        ((key, value),) = wanted.items()
        return next(
            (
                i
                for i, item in enumerate(items)
                if isinstance(item, dict) and item.get(key) == value
            ),
            None,
        )
    if step.startswith("v:"):
        value = json.loads(step[2:])
        return next((i for i, item in enumerate(items) if item == value), None)
    return None


def _value_at(obj: Any, path: Path) -> Any:
    node = obj
    for step in path:
        if step.startswith("f:") and isinstance(node, dict):
            node = node.get(step[2:])
        elif isinstance(node, list):
            index = _find(node, step)
            node = None if index is None else node[index]
        else:
            return None
    return node


def _remove(obj: Any, path: Path) -> None:
    node = obj
    for step in path[:-1]:
        if step.startswith("f:") and isinstance(node, dict):
            node = node.get(step[2:])
        elif isinstance(node, list):
            index = _find(node, step)
            node = None if index is None else node[index]
        if node is None:
            return
    last = path[-1]
    if last.startswith("f:") and isinstance(node, dict):
        node.pop(last[2:], None)
    elif isinstance(node, list):
        index = _find(node, last)
        if index is not None:
            del node[index]


def _merge(live: Any, config: Any, field: str = "") -> Any:
    if isinstance(live, dict) and isinstance(config, dict):
        result = dict(live)
        for key, value in config.items():
            result[key] = _merge(live.get(key), value, key)
        return result
    if isinstance(live, list) and isinstance(config, list):
        if field in PRIMITIVE_SETS:
            return live + [item for item in config if item not in live]
        merge_key = MERGE_KEYS.get(field)
        if merge_key and _keyed(config, merge_key) and _keyed(live, merge_key):
            merged = list(live)
            for item in config:
                index = _find(merged, _element_key(merge_key, item))
                if index is None:
                    merged.append(copy.deepcopy(item))
                else:
                    merged[index] = _merge(merged[index], item)
            return merged
    return copy.deepcopy(config)


def _render(path: Path) -> str:
    rendered = ""
    for step in path:
        if step.startswith("f:"):
            rendered += "." + step[2:]
        elif step.startswith("k:"):
            ((key, value),) = json.loads(step[2:]).items()
            rendered += f"[{key}={json.dumps(value)}]"
        else:
            rendered += f"[={step[2:]}]"
    return rendered


def _conflict(conflicts: list[tuple[JsonObject, Path]]) -> ApiError:
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": f'conflict with "{entry.get("manager")}" using {entry.get("apiVersion")}',
            "field": _render(path),
        }
        for entry, path in conflicts
    ]
    if len(causes) == 1:
        message = f"Apply failed with 1 conflict: {causes[0]['message']}: {causes[0]['field']}"
    else:
        lines = "".join(f"\n- {c['message']}: {c['field']}" for c in causes)
        message = f"Apply failed with {len(causes)} conflicts:{lines}"
    return ApiError(code=409, reason=Reason.CONFLICT, message=message, details={"causes": causes})
