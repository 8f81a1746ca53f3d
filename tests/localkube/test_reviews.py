"""TokenReview / SubjectAccessReview answer like an apiserver whose callers are all admins."""

from __future__ import annotations

from kubernetes_asyncio import client

from localkube.server import LocalKube
from tests.localkube.conftest import call


async def test_token_review_authenticates_any_token(
    kube_api: client.ApiClient, needs_embedded: LocalKube
) -> None:
    api = client.AuthenticationV1Api(kube_api)
    review = await api.create_token_review(
        client.V1TokenReview(spec=client.V1TokenReviewSpec(token="anything"))
    )
    assert review.status.authenticated is True
    assert review.status.user.username == "localkube"
    empty = await call(
        kube_api,
        "POST",
        "/apis/authentication.k8s.io/v1/tokenreviews",
        body={"spec": {"token": ""}},
    )
    assert empty.status == 201
    assert empty.body["status"]["authenticated"] is False


async def test_subject_access_review_allows(
    kube_api: client.ApiClient, needs_embedded: LocalKube
) -> None:
    api = client.AuthorizationV1Api(kube_api)
    body = client.V1SubjectAccessReview(
        spec=client.V1SubjectAccessReviewSpec(
            user="someone",
            resource_attributes=client.V1ResourceAttributes(
                verb="get", resource="nodes", subresource="proxy", name="virtual-kubelet"
            ),
        )
    )
    review = await api.create_subject_access_review(body)
    assert review.status.allowed is True
    listed = await call(kube_api, "GET", "/apis/authorization.k8s.io/v1/subjectaccessreviews")
    assert listed.status == 405
