"""CustomResourceDefinitions: served at once, schema defaults/pruning/validation, status
subresource, generation and kubectl's Table, as apiextensions-apiserver does them."""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio import client

from tests.localkube.conftest import (
    MERGE_PATCH,
    TABLE,
    CrdUnderTest,
    call,
    crd_manifest,
    unique,
)
from tests.polling import eventually

CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def cache(crd: CrdUnderTest, name: str, **spec: Any) -> Any:
    """An ImageCache body; custom resources must name their apiVersion and kind (400 else)."""
    return {
        "apiVersion": f"{crd.group}/v1",
        "kind": crd.kind,
        "metadata": {"name": name},
        "spec": {"images": ["flink"], **spec},
    }


async def test_crd_status_and_discovery(kube_api: client.ApiClient, crd: CrdUnderTest) -> None:
    got = (await call(kube_api, "GET", f"{CRDS}/{crd.name}")).body
    conditions = {c["type"]: c for c in got["status"]["conditions"]}
    assert conditions["Established"]["status"] == "True"
    assert conditions["NamesAccepted"]["status"] == "True"
    assert got["status"]["acceptedNames"]["kind"] == "ImageCache"
    assert got["status"]["acceptedNames"]["plural"] == "imagecaches"
    assert got["status"]["storedVersions"] == ["v1"]

    group = await call(kube_api, "GET", f"/apis/{crd.group}")
    assert group.body["preferredVersion"]["version"] == "v1"
    resources = (await call(kube_api, "GET", f"/apis/{crd.group}/v1")).body["resources"]
    by_name = {r["name"]: r for r in resources}
    assert by_name["imagecaches"]["kind"] == "ImageCache"
    assert by_name["imagecaches"]["namespaced"] is False
    assert by_name["imagecaches"]["shortNames"] == ["lkic"]
    assert by_name["imagecaches"]["categories"] == ["lktest"]
    assert "imagecaches/status" in by_name


async def test_defaults_pruning_and_generation(
    kube_api: client.ApiClient, crd: CrdUnderTest
) -> None:
    body = cache(crd, "a", unknownField=True, labels={"free": {"form": 1}})
    created = await call(kube_api, "POST", crd.base, body=body)
    assert created.status == 201, created.body
    obj = created.body
    assert obj["apiVersion"] == f"{crd.group}/v1"
    assert obj["kind"] == "ImageCache"
    assert obj["spec"]["imageCacheSize"] == 20
    assert "unknownField" not in obj["spec"]
    assert obj["spec"]["labels"] == {"free": {"form": 1}}
    # Pruned, and said so: fieldValidation defaults to Warn (kubectl prints the warning).
    warnings = [v for k, v in created.headers.items() if k.lower() == "warning"]
    assert warnings == ['299 - "unknown field \\"spec.unknownField\\""']
    assert obj["metadata"]["generation"] == 1
    assert "status" not in obj

    relabeled = await call(
        kube_api,
        "PATCH",
        f"{crd.base}/a",
        body={"metadata": {"labels": {"x": "y"}}},
        content_type=MERGE_PATCH,
    )
    assert relabeled.body["metadata"]["generation"] == 1
    resized = await call(
        kube_api,
        "PATCH",
        f"{crd.base}/a",
        body={"spec": {"imageCacheSize": 40}},
        content_type=MERGE_PATCH,
    )
    assert resized.body["metadata"]["generation"] == 2


async def test_schema_violation_is_422_invalid(
    kube_api: client.ApiClient, crd: CrdUnderTest
) -> None:
    reply = await call(kube_api, "POST", crd.base, body=cache(crd, "small", imageCacheSize=19))
    assert reply.status == 422
    detail = "spec.imageCacheSize in body should be greater than or equal to 20"
    assert reply.body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": (
            f'ImageCache.{crd.group} "small" is invalid: spec.imageCacheSize: Invalid value: 19: '
            f"{detail}"
        ),
        "reason": "Invalid",
        "details": {
            "name": "small",
            "group": crd.group,
            "kind": "ImageCache",
            "causes": [
                {
                    "reason": "FieldValueInvalid",
                    "message": f"Invalid value: 19: {detail}",
                    "field": "spec.imageCacheSize",
                }
            ],
        },
        "code": 422,
    }


async def test_required_min_items_and_type(kube_api: client.ApiClient, crd: CrdUnderTest) -> None:
    missing = await call(kube_api, "POST", crd.base, body={**cache(crd, "m"), "spec": {}})
    assert missing.status == 422
    assert missing.body["details"]["causes"] == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.images"}
    ]
    empty = await call(kube_api, "POST", crd.base, body=cache(crd, "e", images=[]))
    assert empty.status == 422
    assert empty.body["details"]["causes"][0]["field"] == "spec.images"
    assert "should have at least 1 items" in empty.body["details"]["causes"][0]["message"]
    too_big = await call(kube_api, "POST", crd.base, body=cache(crd, "b", retentionDays=70000))
    assert "should be less than or equal to 65536" in too_big.body["message"]
    wrong_type = await call(kube_api, "POST", crd.base, body=cache(crd, "t", imageCacheSize="big"))
    assert wrong_type.status == 422
    assert wrong_type.body["details"]["causes"][0]["reason"] == "FieldValueTypeInvalid"
    assert "must be of type integer" in wrong_type.body["message"]


async def test_status_subresource_semantics(kube_api: client.ApiClient, crd: CrdUnderTest) -> None:
    created = (await call(kube_api, "POST", crd.base, body=cache(crd, "s"))).body
    with_status = {**created, "status": {"phase": "Ready"}}
    main = await call(kube_api, "PUT", f"{crd.base}/s", body=with_status)
    assert main.status == 200
    assert "status" not in main.body

    status_body = {
        **main.body,
        "spec": {**main.body["spec"], "imageCacheSize": 99},
        "status": {"phase": "Creating", "progress": "50%", "imageCacheId": "imc-1"},
    }
    status = await call(kube_api, "PUT", f"{crd.base}/s/status", body=status_body)
    assert status.status == 200
    assert status.body["status"]["phase"] == "Creating"
    assert status.body["spec"]["imageCacheSize"] == 20
    assert status.body["metadata"]["generation"] == 1

    patched = await call(
        kube_api,
        "PATCH",
        f"{crd.base}/s/status",
        body={"status": {"phase": "Ready", "progress": "100%"}},
        content_type=MERGE_PATCH,
    )
    assert patched.body["status"] == {"phase": "Ready", "progress": "100%", "imageCacheId": "imc-1"}


async def test_update_needs_resource_version_and_strategic_merge_is_415(
    kube_api: client.ApiClient, crd: CrdUnderTest
) -> None:
    created = (await call(kube_api, "POST", crd.base, body=cache(crd, "u"))).body
    del created["metadata"]["resourceVersion"]
    unconditional = await call(kube_api, "PUT", f"{crd.base}/u", body=created)
    assert unconditional.status == 422
    assert unconditional.body["details"]["causes"][0]["field"] == "metadata.resourceVersion"
    strategic = await call(
        kube_api,
        "PATCH",
        f"{crd.base}/u",
        body={"spec": {"retentionDays": 3}},
        content_type="application/strategic-merge-patch+json",
    )
    assert strategic.status == 415
    assert strategic.body["reason"] == "UnsupportedMediaType"


async def test_printer_columns_table(kube_api: client.ApiClient, crd: CrdUnderTest) -> None:
    await call(kube_api, "POST", crd.base, body=cache(crd, "tbl"))
    await call(
        kube_api,
        "PATCH",
        f"{crd.base}/tbl/status",
        body={"status": {"phase": "Ready", "progress": "100%", "imageCacheId": "imc-42"}},
        content_type=MERGE_PATCH,
    )
    table = await call(kube_api, "GET", crd.base, accept=TABLE)
    assert table.status == 200
    assert table.body["kind"] == "Table"
    assert table.body["apiVersion"] == "meta.k8s.io/v1"
    columns = [c["name"] for c in table.body["columnDefinitions"]]
    assert columns == ["Name", "Age", "CacheId", "Phase", "Progress"]
    row = table.body["rows"][0]
    assert row["cells"][0] == "tbl"
    assert row["cells"][2:] == ["imc-42", "Ready", "100%"]
    assert row["cells"][1].endswith("s")
    assert row["object"]["metadata"]["name"] == "tbl"


async def test_deleting_crd_stops_serving(kube_api: client.ApiClient, crd: CrdUnderTest) -> None:
    await call(kube_api, "POST", crd.base, body=cache(crd, "doomed"))
    reply = await call(kube_api, "DELETE", f"{CRDS}/{crd.name}")
    assert reply.status == 200

    async def gone() -> bool:
        return (await call(kube_api, "GET", crd.base)).status == 404

    await eventually(gone, deadline_seconds=30, what="custom resource no longer served")


async def test_namespaced_crd_is_served_per_namespace(
    kube_api: client.ApiClient, namespace: str
) -> None:
    group = f"{unique('n')}.localkube.test"
    manifest = crd_manifest(group)
    manifest["spec"]["scope"] = "Namespaced"
    manifest["spec"]["names"]["shortNames"] = []
    assert (await call(kube_api, "POST", CRDS, body=manifest)).status == 201
    crd_name = manifest["metadata"]["name"]
    try:
        base = f"/apis/{group}/v1/namespaces/{namespace}/imagecaches"

        async def served() -> bool:
            return (await call(kube_api, "GET", base)).status == 200

        await eventually(served, what="namespaced custom resource served")
        here = cache(CrdUnderTest(group=group, plural="imagecaches", kind="ImageCache"), "here")
        created = await call(kube_api, "POST", base, body=here)
        assert created.status == 201, created.body
        assert created.body["metadata"]["namespace"] == namespace
        everywhere = await call(kube_api, "GET", f"/apis/{group}/v1/imagecaches")
        assert [i["metadata"]["name"] for i in everywhere.body["items"]] == ["here"]
        missing = await call(kube_api, "GET", f"{base}/absent")
        assert missing.body["message"] == f'imagecaches.{group} "absent" not found'
        assert missing.body["details"] == {"name": "absent", "group": group, "kind": "imagecaches"}
    finally:
        await call(kube_api, "DELETE", f"{CRDS}/{crd_name}")


async def test_crd_deletion_waits_for_instance_finalizers(
    kube_api: client.ApiClient, crd: CrdUnderTest
) -> None:
    held = cache(crd, "held")
    held["metadata"]["finalizers"] = ["example.com/cloud-cleanup"]
    assert (await call(kube_api, "POST", crd.base, body=held)).status == 201
    reply = await call(kube_api, "DELETE", f"{CRDS}/{crd.name}")
    assert reply.status == 200

    terminating = (await call(kube_api, "GET", f"{CRDS}/{crd.name}")).body
    assert terminating["metadata"]["deletionTimestamp"]
    conditions = {c["type"]: c["status"] for c in terminating["status"]["conditions"]}
    assert conditions["Terminating"] == "True"

    async def instance_deleting() -> bool:
        instance = await call(kube_api, "GET", f"{crd.base}/held")
        return instance.status == 200 and bool(instance.body["metadata"].get("deletionTimestamp"))

    await eventually(instance_deleting, what="instance marked for deletion, kept by finalizer")
    refused = await call(kube_api, "POST", crd.base, body=cache(crd, "late"))
    assert refused.status == 405

    release = {"metadata": {"finalizers": None}}
    await call(kube_api, "PATCH", f"{crd.base}/held", body=release, content_type=MERGE_PATCH)

    async def crd_gone() -> bool:
        return (await call(kube_api, "GET", f"{CRDS}/{crd.name}")).status == 404

    await eventually(crd_gone, deadline_seconds=30, what="CRD removed after its last instance")
    assert (await call(kube_api, "GET", crd.base)).status == 404
