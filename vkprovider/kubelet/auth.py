"""Kubelet API authentication (TokenReview) and authorisation (SubjectAccessReview).

Mirrors the kubelet's webhook mode: the bearer token is reviewed by the API
server; the request is then checked as the verb of its HTTP method (GET `get`,
POST `create`, PUT `update`, PATCH `patch`, DELETE `delete`) on
`nodes/<subresource>` of this node, where the subresource follows the path
(`/stats/*` -> stats, `/metrics*` -> metrics, `/containerLogs` and `/pods`
-> proxy, as the real kubelet maps them). `/healthz` needs nothing.
"""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio import client

from vkprovider.kube.calls import read_json

VERB_OF_METHOD = {
    "GET": "get",
    "HEAD": "get",
    "POST": "create",
    "PUT": "update",
    "PATCH": "patch",
    "DELETE": "delete",
}


def subresource_of(path: str) -> str | None:
    if path == "/healthz":
        return None
    if path.startswith("/stats"):
        return "stats"
    if path.startswith("/metrics"):
        return "metrics"
    if path.startswith("/logs"):
        return "log"
    return "proxy"


class KubeletAuth:
    def __init__(self, *, api: client.ApiClient, node_name: str) -> None:
        self._authn: Any = client.AuthenticationV1Api(api)
        self._authz: Any = client.AuthorizationV1Api(api)
        self._node = node_name

    async def check(
        self,
        *,
        token: str,
        method: str,
        path: str,
        certificate_user: dict[str, Any] | None = None,
    ) -> tuple[int, str]:
        """(HTTP status, reason): 200 allowed, 401 unauthenticated, 403 forbidden.

        `certificate_user` is the user of a verified client certificate (how
        kube-apiserver calls kubelets); otherwise the bearer token is reviewed.
        """
        subresource = subresource_of(path)
        if subresource is None:
            return 200, "ok"
        if certificate_user is not None:
            return await self._authorize(certificate_user, method=method, subresource=subresource)
        if not token:
            return 401, "Unauthorized"
        review = await read_json(
            await self._authn.create_token_review(
                {
                    "apiVersion": "authentication.k8s.io/v1",
                    "kind": "TokenReview",
                    "spec": {"token": token},
                },
                _preload_content=False,
            )
        )
        status = review.get("status") or {}
        if not status.get("authenticated"):
            return 401, "Unauthorized"
        user = status.get("user") or {}
        return await self._authorize(user, method=method, subresource=subresource)

    async def _authorize(
        self, user: dict[str, Any], *, method: str, subresource: str
    ) -> tuple[int, str]:
        verb = VERB_OF_METHOD.get(method.upper(), "get")
        access = await read_json(
            await self._authz.create_subject_access_review(
                {
                    "apiVersion": "authorization.k8s.io/v1",
                    "kind": "SubjectAccessReview",
                    "spec": {
                        "user": user.get("username"),
                        "groups": user.get("groups") or [],
                        "uid": user.get("uid"),
                        "extra": user.get("extra") or {},
                        "resourceAttributes": {
                            "verb": verb,
                            "resource": "nodes",
                            "subresource": subresource,
                            "name": self._node,
                        },
                    },
                },
                _preload_content=False,
            )
        )
        if (access.get("status") or {}).get("allowed"):
            return 200, "ok"
        who = user.get("username", "unknown")
        return 403, (
            f"Forbidden (user={who}, verb={verb}, resource=nodes, subresource={subresource})"
        )


def certificate_user(peercert: dict[str, Any] | None) -> dict[str, Any] | None:
    """User of a verified client certificate: CN is the name, O entries the groups."""
    if not peercert:
        return None
    name = ""
    groups: list[str] = []
    for rdn in peercert.get("subject") or ():
        for key, value in rdn:
            if key == "commonName":
                name = value
            elif key == "organizationName":
                groups.append(value)
    if not name:
        return None
    return {"username": name, "groups": [*groups, "system:authenticated"]}
