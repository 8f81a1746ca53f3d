"""Lists: selectors, `limit`/`continue` pagination over a consistent snapshot, list envelopes.

A continue token pins the resourceVersion of the first page, so later pages come from the
same snapshot (rebuilt from history once, and kept while its pages are read) just as etcd
serves them; once that version has left the history window the token is expired and the
client gets 410, as from kube-apiserver.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import itertools
import json
from dataclasses import dataclass

from localkube import conversion
from localkube.errors import CONTINUE_EXPIRED_MESSAGE, bad_request, expired
from localkube.resources import ResourceType
from localkube.selectors import FieldSelector, LabelSelector
from localkube.shapes import JsonObject
from localkube.store import ObjectKey, Store, object_key


@dataclass(frozen=True)
class ListQuery:
    namespace: str | None
    labels: LabelSelector
    fields: FieldSelector
    limit: int | None
    continue_token: str | None


@dataclass(frozen=True)
class ContinueToken:
    resource_version: int
    after: ObjectKey

    def encode(self) -> str:
        raw = {"v": "meta.k8s.io/v1", "rv": self.resource_version, "start": list(self.after)}
        return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode()

    @classmethod
    def decode(cls, token: str) -> ContinueToken:
        try:
            raw = json.loads(base64.urlsafe_b64decode(token.encode()))
            return cls(int(raw["rv"]), (str(raw["start"][0]), str(raw["start"][1])))
        except (ValueError, KeyError, IndexError, TypeError, binascii.Error) as exc:
            raise bad_request(f"continue key is not valid: {exc}") from exc


def list_objects(*, store: Store, resource: ResourceType, query: ListQuery) -> JsonObject:
    if query.continue_token:
        token = ContinueToken.decode(query.continue_token)
        if token.resource_version < store.oldest_retained:
            raise expired(CONTINUE_EXPIRED_MESSAGE)
        resource_version = token.resource_version
        snapshot = store.snapshot(resource.key, query.namespace, resource_version)
        candidates, start = snapshot.objects, bisect.bisect_right(snapshot.keys, token.after)
    else:
        resource_version = store.resource_version
        candidates, start = store.items(resource.key, query.namespace), 0
    limit = query.limit if query.limit and query.limit > 0 else None
    filtered = bool(query.labels.requirements or query.fields.requirements)
    # One more than the page is read, to know whether another page follows.
    wanted = None if limit is None else limit + 1
    if filtered:
        matching = (
            candidates[i]
            for i in range(start, len(candidates))
            if query.labels.matches(candidates[i]) and query.fields.matches(candidates[i])
        )
        selected = list(itertools.islice(matching, wanted))
    else:
        selected = candidates[start : None if wanted is None else start + wanted]
    metadata: JsonObject = {"resourceVersion": str(resource_version)}
    if limit is not None and len(selected) > limit:
        selected = selected[:limit]
        metadata["continue"] = ContinueToken(resource_version, object_key(selected[-1])).encode()
        if not filtered:
            metadata["remainingItemCount"] = len(candidates) - start - limit
    return {
        "kind": f"{resource.kind}List",
        "apiVersion": resource.api_version,
        "metadata": metadata,
        "items": [list_item(resource, o) for o in selected],
    }


def list_item(resource: ResourceType, obj: JsonObject) -> JsonObject:
    """Built-in list items carry no apiVersion/kind in kube's JSON; custom ones do."""
    view = conversion.to_view(resource, obj)
    if resource.is_custom:
        return view
    return {k: v for k, v in view.items() if k not in ("apiVersion", "kind")}
