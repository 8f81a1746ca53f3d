"""TokenReview and SubjectAccessReview: the answers a kubelet needs to guard its API.

localkube authenticates nobody, so it reviews as an apiserver whose every caller is an
administrator: any non-empty token is authenticated as `localkube` (groups `system:masters`,
`system:authenticated`) and every access review is allowed. Reviews are never stored;
they answer 201 with the request plus its `status`, as kube-apiserver does.
"""

from __future__ import annotations

from typing import Any

from localkube.errors import bad_request
from localkube.resources import ResourceType
from localkube.shapes import JsonObject

TOKEN_REVIEWS = ("authentication.k8s.io", "tokenreviews")
ACCESS_REVIEWS = ("authorization.k8s.io", "subjectaccessreviews")
REVIEW_KEYS = frozenset({TOKEN_REVIEWS, ACCESS_REVIEWS})
USER = {
    "username": "localkube",
    "uid": "localkube",
    "groups": ["system:masters", "system:authenticated"],
}


def review(resource: ResourceType, body: Any) -> JsonObject:
    if not isinstance(body, dict):
        raise bad_request("the body of the request must be a JSON object")
    answer: JsonObject = {
        **body,
        "apiVersion": resource.api_version,
        "kind": resource.kind,
        "metadata": {**(body.get("metadata") or {}), "creationTimestamp": None},
    }
    if resource.key == TOKEN_REVIEWS:
        token = (body.get("spec") or {}).get("token")
        answer["status"] = (
            {"authenticated": True, "user": USER, "audiences": ["https://kubernetes.default.svc"]}
            if token
            else {"authenticated": False, "user": {}, "error": "token is empty"}
        )
    else:
        answer["status"] = {"allowed": True, "reason": "localkube allows every request"}
    return answer
