"""A new version of a cached object is slimmed without walking what did not change.

Each Pod comes back several times through the watch (its status written, annotations),
its spec the same each time: that spec is the cached version's, already shared, object;
everything else is still pooled, and nothing compares unequal to what the server sent.
"""

from __future__ import annotations

import copy
from typing import Any

from vkprovider import rawjson
from vkprovider.kube.informer import _slim


def _pod(phase: str, image: str = "nginx:1.7.9") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "uid": "u-1", "managedFields": [{"manager": "x"}]},
        "spec": {"containers": [{"name": "main", "image": image}], "nodeName": "vk"},
        "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True"}]},
    }


def _parsed(obj: dict[str, Any]) -> dict[str, Any]:
    parsed: dict[str, Any] = rawjson.loads(rawjson.dumps(obj))
    return parsed


def test_an_unchanged_spec_is_the_cached_one_and_the_rest_is_pooled() -> None:
    strings = rawjson.StringPool()
    old = _parsed(_pod("Pending"))
    _slim(old, strings)
    new = _parsed(_pod("Running"))
    sent = copy.deepcopy(new)
    del sent["metadata"]["managedFields"]
    _slim(new, strings, old=old)
    assert new == sent
    assert new["spec"] is old["spec"]
    assert new["status"]["conditions"][0]["type"] is old["status"]["conditions"][0]["type"]
    assert new["metadata"]["name"] is old["metadata"]["name"]
    assert new["kind"] is old["kind"]


def test_a_changed_spec_is_kept_as_sent() -> None:
    strings = rawjson.StringPool()
    old = _parsed(_pod("Running"))
    _slim(old, strings)
    new = _parsed(_pod("Running", image="nginx:1.25"))
    _slim(new, strings, old=old)
    assert new["spec"] is not old["spec"]
    assert new["spec"]["containers"][0]["image"] == "nginx:1.25"
    assert new["spec"]["nodeName"] is old["spec"]["nodeName"]  # still pooled
