"""The bad-input table: requests kube-apiserver refuses, and what a refusal must name.

Each case is one request against a fresh namespace (`{ns}` in the path). Kept apart from the
test so the table reads as data; `test_bad_input.py` runs it against the embedded server in
CI and against a real cluster when `KUBECONFIG` is set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from localkube.wire.encoding import encode_object

CM = "/api/v1/namespaces/{ns}/configmaps"
PODS = "/api/v1/namespaces/{ns}/pods"
SECRETS = "/api/v1/namespaces/{ns}/secrets"
JSON = "application/json"
YAML = "application/yaml"
MERGE = "application/merge-patch+json"
PROTOBUF = "application/vnd.kubernetes.protobuf"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    method: str
    path: str
    body: bytes | None = None
    content_type: str | None = JSON
    query: dict[str, str] = field(default_factory=dict)
    codes: tuple[int, ...] = (400,)
    names: str | None = None
    """A substring the Status message must contain (what is wrong), when kube's is stable."""
    needs_object: bool = False
    """The request targets `{CM}/target`, created first."""


def dump(value: Any) -> bytes:
    return json.dumps(value).encode()


def pod(name: str, **container: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "schedulerName": "localkube-test-no-scheduler",
            "containers": [{"name": "main", "image": "busybox", **container}],
        },
    }


def pod_spec(name: str, **spec: Any) -> dict[str, Any]:
    body = pod(name)
    body["spec"].update(spec)
    return body


def cm(**fields: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, **fields}


def post(case_id: str, category: str, path: str, body: Any, **kw: Any) -> Case:
    raw = body if isinstance(body, bytes) else dump(body)
    return Case(case_id, category, "POST", path, raw, **kw)


def nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


MALFORMED = [
    post("json-open-brace", "malformed", CM, b"{"),
    post("json-truncated", "malformed", CM, b'{"metadata":'),
    post("json-unclosed-array", "malformed", CM, b"[1,2"),
    post("json-bare-word", "malformed", CM, b"nul"),
    post("json-trailing-comma", "malformed", CM, b'{"metadata":{"name":"a"},}'),
    post("json-single-quotes", "malformed", CM, b"{'metadata':{'name':'a'}}"),
    post("json-invalid-utf8", "malformed", CM, b'{"metadata":{"name":"\xff\xfe"}}'),
    post("json-a-string", "malformed", CM, b'"configmap"'),
    post("json-a-number", "malformed", CM, b"123"),
    post("json-an-array", "malformed", CM, b"[]"),
    post("json-two-documents", "malformed", CM, b'{"metadata":{"name":"a"}}{"x":1}'),
    post("json-nan", "malformed", CM, b'{"metadata":{"name":"a"},"data":{"k":NaN}}'),
    # Where the typed decoder would drop the field, only the JSON reader can refuse them.
    post("json-nan-unknown-field", "malformed", CM, b'{"metadata":{"name":"a"},"x":NaN}'),
    post("json-infinity", "malformed", CM, b'{"metadata":{"name":"a"},"x":-Infinity}'),
    post("yaml-nan", "malformed", CM, b"metadata: {name: a}\nx: .nan\n", content_type=YAML),
    post("empty-body", "malformed", CM, b""),
    Case("empty-put", "malformed", "PUT", CM + "/target", b"", needs_object=True),
    post("json-null", "malformed", CM, b"null"),
    post(
        "bad-timestamp",
        "malformed",
        CM,
        dump(cm(metadata={"name": "c", "creationTimestamp": "yesterday"})),
    ),
    post("yaml-bad-mapping", "malformed", CM, b"metadata: {name: a\n", content_type=YAML),
    post("yaml-tab-indent", "malformed", CM, b"metadata:\n\tname: a\n", content_type=YAML),
    post(
        "yaml-python-tag",
        "malformed",
        CM,
        b"!!python/object/apply:os.system [ls]\n",
        content_type=YAML,
    ),
    post("yaml-a-list", "malformed", CM, b"- a\n- b\n", content_type=YAML),
    post(
        "yaml-alias-bomb",
        "malformed",
        CM,
        (
            b"a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
            b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
            b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
            b"g: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nmetadata: {name: bomb}\n"
        ),
        content_type=YAML,
    ),
    post("protobuf-no-magic", "malformed", CM, b"\x0a\x00", content_type=PROTOBUF),
    post("protobuf-garbage", "malformed", CM, b"k8s\x00\xff\xff\xff\xff", content_type=PROTOBUF),
    post("protobuf-truncated", "malformed", CM, encode_object(cm())[:-3], content_type=PROTOBUF),
]

OVERSIZED = [
    post("json-over-3mib", "oversized", CM, dump(cm(data={"k": "x" * (3 * MIB)})), codes=(413,)),
    post(
        "yaml-over-3mib",
        "oversized",
        CM,
        b"metadata: {name: c}\ndata:\n  k: " + b"x" * (3 * MIB) + b"\n",
        content_type=YAML,
        codes=(413,),
    ),
    post(
        "protobuf-over-3mib",
        "oversized",
        CM,
        encode_object(cm(data={"k": "x" * (3 * MIB)})),
        content_type=PROTOBUF,
        codes=(413,),
    ),
    Case(
        "patch-over-3mib",
        "oversized",
        "PATCH",
        CM + "/target",
        dump({"data": {"k": "x" * (3 * MIB)}}),
        content_type=MERGE,
        codes=(413,),
        needs_object=True,
    ),
]

DEEP = [
    post(
        "json-deep-arrays",
        "deeply nested",
        CM,
        ('{"metadata":{"name":"d","labels":' + nested(20000) + "}}").encode(),
    ),
    post(
        "json-deep-objects",
        "deeply nested",
        CM,
        ('{"metadata":' + '{"a":' * 20000 + "1" + "}" * 20000 + "}").encode(),
    ),
    post(
        "yaml-deep-flow",
        "deeply nested",
        CM,
        ("metadata: {name: d}\ndata: " + nested(20000) + "\n").encode(),
        content_type=YAML,
    ),
    post(
        "yaml-deep-maps",
        "deeply nested",
        CM,
        ("metadata: {name: d}\ndata: " + "{a: " * 20000 + "1" + "}" * 20000 + "\n").encode(),
        content_type=YAML,
    ),
    Case(
        "patch-deep",
        "deeply nested",
        "PATCH",
        CM + "/target",
        ('{"data":' + nested(20000) + "}").encode(),
        content_type=MERGE,
        needs_object=True,
    ),
]

WRONG_TYPES = [
    post(
        "labels-a-list",
        "wrong types",
        CM,
        cm(metadata={"name": "c", "labels": ["a"]}),
        names="labels",
    ),
    post(
        "label-value-a-number",
        "wrong types",
        CM,
        cm(metadata={"name": "c", "labels": {"a": 1}}),
        names="labels",
    ),
    post(
        "annotations-a-string",
        "wrong types",
        CM,
        cm(metadata={"name": "c", "annotations": "x"}),
        names="annotations",
    ),
    post("metadata-a-string", "wrong types", CM, {"metadata": "c"}, names="metadata"),
    post("name-a-number", "wrong types", CM, cm(metadata={"name": 7}), names="name"),
    post(
        "finalizers-a-string",
        "wrong types",
        CM,
        cm(metadata={"name": "c", "finalizers": "x"}),
        names="finalizers",
    ),
    post("configmap-data-a-number", "wrong types", CM, cm(data={"k": 1}), names="data"),
    post("configmap-data-a-list", "wrong types", CM, cm(data=["k"]), names="data"),
    post("configmap-immutable-a-string", "wrong types", CM, cm(immutable="yes"), names="immutable"),
    post(
        "secret-data-not-base64",
        "wrong types",
        SECRETS,
        {"metadata": {"name": "s"}, "data": {"k": "%%%"}},
        names="data",
    ),
    post(
        "secret-type-a-number",
        "wrong types",
        SECRETS,
        {"metadata": {"name": "s"}, "type": 3},
        names="type",
    ),
    post(
        "containers-an-object",
        "wrong types",
        PODS,
        pod_spec("p", containers={"name": "x"}),
        names="containers",
    ),
    post("container-ports-a-string", "wrong types", PODS, pod("p", ports="80"), names="ports"),
    post(
        "container-port-a-string",
        "wrong types",
        PODS,
        pod("p", ports=[{"containerPort": "80"}]),
        names="containerPort",
    ),
    post("priority-a-fraction", "wrong types", PODS, pod_spec("p", priority=1.5), names="priority"),
    post(
        "restart-policy-a-number",
        "wrong types",
        PODS,
        pod_spec("p", restartPolicy=1),
        names="restartPolicy",
    ),
    post(
        "node-selector-a-list",
        "wrong types",
        PODS,
        pod_spec("p", nodeSelector=["a"]),
        names="nodeSelector",
    ),
    post(
        "tolerations-an-object",
        "wrong types",
        PODS,
        pod_spec("p", tolerations={"key": "a"}),
        names="tolerations",
    ),
    post(
        "env-value-a-number",
        "wrong types",
        PODS,
        pod("p", env=[{"name": "A", "value": 1}]),
        names="env",
    ),
    post(
        "limits-a-list",
        "wrong types",
        PODS,
        pod("p", resources={"limits": ["cpu"]}),
        names="limits",
    ),
    post(
        "cpu-abc",
        "wrong types",
        PODS,
        pod("p", resources={"requests": {"cpu": "abc"}}),
        names="quantities must match",
    ),
    post(
        "memory-bad-suffix",
        "wrong types",
        PODS,
        pod("p", resources={"limits": {"memory": "12XB"}}),
        names="quantities must match",
    ),
    post("cpu-two-points", "wrong types", PODS, pod("p", resources={"limits": {"cpu": "1.2.3"}})),
    post("cpu-a-bool", "wrong types", PODS, pod("p", resources={"limits": {"cpu": True}})),
    post(
        "run-as-user-a-string",
        "wrong types",
        PODS,
        pod_spec("p", securityContext={"runAsUser": "root"}),
        names="runAsUser",
    ),
    post(
        "host-network-a-string",
        "wrong types",
        PODS,
        pod_spec("p", hostNetwork="yes"),
        names="hostNetwork",
    ),
    post(
        "grace-a-string",
        "wrong types",
        PODS,
        pod_spec("p", terminationGracePeriodSeconds="30"),
        names="terminationGracePeriodSeconds",
    ),
    post(
        "port-past-int32",
        "wrong types",
        PODS,
        pod("p", ports=[{"containerPort": 2**40}]),
        names="containerPort",
    ),
    post("command-a-string", "wrong types", PODS, pod("p", command="sleep 1"), names="command"),
    post(
        "namespace-spec-a-list",
        "wrong types",
        "/api/v1/namespaces",
        {"metadata": {"name": "x"}, "spec": []},
        names="spec",
    ),
]

NAMES_AND_STRINGS = [
    post(
        f"name-{label}",
        "unicode and injection",
        CM,
        cm(metadata={"name": value}),
        codes=(422,),
        names="metadata.name",
    )
    for label, value in (
        ("unicode", "ñame"),
        ("emoji", "cm-\U0001f600"),
        ("path-traversal", "../etc/passwd"),
        ("shell", "a;rm -rf /"),
        ("html", "<script>alert(1)</script>"),
        ("sql", "' OR 1=1 --"),
        ("space", "a b"),
        ("uppercase", "Upper"),
        ("nul", "a\u0000b"),
        ("too-long", "a" * 254),
        ("empty", ""),
    )
] + [
    post(
        "label-key-invalid",
        "unicode and injection",
        CM,
        cm(metadata={"name": "c", "labels": {"bad key!": "v"}}),
        codes=(422,),
        names="metadata.labels",
    ),
    post(
        "label-value-too-long",
        "unicode and injection",
        CM,
        cm(metadata={"name": "c", "labels": {"k": "v" * 64}}),
        codes=(422,),
        names="metadata.labels",
    ),
    post(
        "label-value-unicode",
        "unicode and injection",
        CM,
        cm(metadata={"name": "c", "labels": {"k": "wert\u00e9"}}),
        codes=(422,),
        names="metadata.labels",
    ),
    post(
        "annotation-key-invalid",
        "unicode and injection",
        CM,
        cm(metadata={"name": "c", "annotations": {"a/b/c": "v"}}),
        codes=(422,),
        names="metadata.annotations",
    ),
    post(
        "namespace-underscore",
        "unicode and injection",
        "/api/v1/namespaces",
        {"metadata": {"name": "bad_name"}},
        codes=(422,),
        names="metadata.name",
    ),
    post(
        "namespace-dot",
        "unicode and injection",
        "/api/v1/namespaces",
        {"metadata": {"name": "a.b"}},
        codes=(422,),
        names="metadata.name",
    ),
    post(
        "pod-without-containers",
        "unicode and injection",
        PODS,
        pod_spec("p", containers=[]),
        codes=(422,),
        names="spec.containers",
    ),
    post(
        "pod-container-without-image",
        "unicode and injection",
        PODS,
        pod("p", image=""),
        codes=(422,),
        names="image",
    ),
]

DUPLICATES = [
    post(
        "duplicate-name-strict",
        "duplicate keys",
        CM,
        b'{"metadata":{"name":"a","name":"b"}}',
        query={"fieldValidation": "Strict"},
        names="duplicate field",
    ),
    post(
        "duplicate-data-strict",
        "duplicate keys",
        CM,
        b'{"metadata":{"name":"a"},"data":{"k":"1","k":"2"}}',
        query={"fieldValidation": "Strict"},
        names="duplicate field",
    ),
    post(
        "unknown-field-strict",
        "duplicate keys",
        CM,
        cm(bogus=1),
        query={"fieldValidation": "Strict"},
        names='unknown field "bogus"',
    ),
    post(
        "unknown-nested-strict",
        "duplicate keys",
        PODS,
        pod("p", imagePullPolcy="Always"),
        query={"fieldValidation": "Strict"},
        names="imagePullPolcy",
    ),
]

VERSIONS_AND_KINDS = [
    post(
        "core-v2",
        "wrong versions and kinds",
        "/api/v2/namespaces",
        {"metadata": {"name": "x"}},
        codes=(404,),
    ),
    post(
        "apps-v9",
        "wrong versions and kinds",
        "/apis/apps/v9/namespaces/{ns}/deployments",
        {"metadata": {"name": "x"}},
        codes=(404,),
    ),
    post(
        "unknown-group",
        "wrong versions and kinds",
        "/apis/nope.example.com/v1/things",
        {"metadata": {"name": "x"}},
        codes=(404,),
    ),
    post(
        "unknown-resource",
        "wrong versions and kinds",
        "/api/v1/namespaces/{ns}/widgets",
        {"metadata": {"name": "x"}},
        codes=(404,),
    ),
    post(
        "kind-mismatch",
        "wrong versions and kinds",
        CM,
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}},
        names="Secret",
    ),
    post(
        "api-version-mismatch",
        "wrong versions and kinds",
        CM,
        {"apiVersion": "apps/v1", "kind": "ConfigMap", "metadata": {"name": "x"}},
        names="apps/v1",
    ),
    post(
        "namespace-mismatch",
        "wrong versions and kinds",
        CM,
        {"metadata": {"name": "x", "namespace": "elsewhere"}},
        names="namespace",
    ),
    post(
        "post-to-object-url",
        "wrong versions and kinds",
        CM + "/target",
        cm(),
        codes=(405,),
        needs_object=True,
    ),
    Case("put-on-collection", "wrong versions and kinds", "PUT", CM, dump(cm()), codes=(405,)),
    Case(
        "patch-on-collection",
        "wrong versions and kinds",
        "PATCH",
        CM,
        dump({}),
        content_type=MERGE,
        codes=(405,),
    ),
    Case(
        "delete-log", "wrong versions and kinds", "DELETE", PODS + "/p/log", None, codes=(404, 405)
    ),
    Case(
        "get-missing",
        "wrong versions and kinds",
        "GET",
        CM + "/absent",
        None,
        codes=(404,),
        names='"absent" not found',
    ),
    Case(
        "get-traversal-name",
        "wrong versions and kinds",
        "GET",
        CM + "/..%2F..%2Fsecrets",
        None,
        codes=(404, 400),
    ),
    Case(
        "put-name-mismatch",
        "wrong versions and kinds",
        "PUT",
        CM + "/target",
        dump(cm()),
        names="does not match",
        needs_object=True,
    ),
]

CONTENT_TYPES = [
    post(
        "text-plain",
        "bad content types",
        CM,
        dump(cm()),
        content_type="text/plain",
        codes=(415,),
        names="unknown format",
    ),
    post(
        "xml",
        "bad content types",
        CM,
        b"<ConfigMap/>",
        content_type="application/xml",
        codes=(415,),
        names="unknown format",
    ),
    post(
        "form",
        "bad content types",
        CM,
        b"metadata=c",
        content_type="application/x-www-form-urlencoded",
        codes=(415,),
    ),
    post(
        "multipart",
        "bad content types",
        CM,
        b"--x--",
        content_type="multipart/form-data; boundary=x",
        codes=(415,),
    ),
    post(
        "octet-stream",
        "bad content types",
        CM,
        dump(cm()),
        content_type="application/octet-stream",
        codes=(415,),
    ),
    Case(
        "patch-as-json",
        "bad content types",
        "PATCH",
        CM + "/target",
        dump({}),
        content_type=JSON,
        codes=(415,),
        needs_object=True,
    ),
    Case(
        "patch-as-text",
        "bad content types",
        "PATCH",
        CM + "/target",
        dump({}),
        content_type="text/plain",
        codes=(415,),
        needs_object=True,
    ),
    Case(
        "patch-as-protobuf",
        "bad content types",
        "PATCH",
        CM + "/target",
        encode_object(cm()),
        content_type=PROTOBUF,
        codes=(415,),
        needs_object=True,
    ),
    Case(
        "merge-patch-a-list",
        "bad content types",
        "PATCH",
        CM + "/target",
        b"[1]",
        content_type=MERGE,
        codes=(422,),
        needs_object=True,
    ),
    Case(
        "json-patch-bad-op",
        "bad content types",
        "PATCH",
        CM + "/target",
        dump([{"op": "explode", "path": "/data"}]),
        content_type="application/json-patch+json",
        codes=(422,),
        needs_object=True,
    ),
    Case(
        "json-patch-bad-path",
        "bad content types",
        "PATCH",
        CM + "/target",
        dump([{"op": "remove", "path": "/data/nothing/here"}]),
        content_type="application/json-patch+json",
        codes=(422,),
        needs_object=True,
    ),
    Case(
        "apply-without-manager",
        "bad content types",
        "PATCH",
        CM + "/target",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: target}\n",
        content_type="application/apply-patch+yaml",
        names="fieldManager",
        needs_object=True,
    ),
]


def get(case_id: str, path: str, query: dict[str, str], **kw: Any) -> Case:
    return Case(case_id, "bad query parameters", "GET", path, None, None, query, **kw)


QUERIES = [
    get("label-selector-unclosed-set", CM, {"labelSelector": "a in ("}),
    get("label-selector-bangs", CM, {"labelSelector": "!!"}),
    get("label-selector-double-equals-chain", CM, {"labelSelector": "a=b=c"}),
    get("label-selector-space-key", CM, {"labelSelector": "key with space=v"}),
    get("label-selector-bad-key", CM, {"labelSelector": "-a=b"}),
    get("label-selector-empty-key", CM, {"labelSelector": "=v"}),
    get("label-selector-long-value", CM, {"labelSelector": "a=" + "v" * 64}),
    get("field-selector-unknown-field", CM, {"fieldSelector": "data.x=1"}, names="data.x"),
    get(
        "field-selector-pod-field",
        PODS,
        {"fieldSelector": "spec.containers=x"},
        names="spec.containers",
    ),
    get("field-selector-no-operator", CM, {"fieldSelector": "metadata.name"}),
    get(
        "field-selector-on-watch",
        CM,
        {"fieldSelector": "data.y=1", "watch": "true"},
        names="data.y",
    ),
    get("limit-a-word", CM, {"limit": "abc"}, names="abc"),
    get("limit-a-fraction", CM, {"limit": "1.5"}, names="1.5"),
    get("limit-past-int64", CM, {"limit": "99999999999999999999"}, names="99999999999999999999"),
    get("continue-garbage", CM, {"continue": "garbage!!"}),
    get("continue-bad-json", CM, {"continue": "eyJ9"}),
    get("timeout-a-word", CM, {"watch": "true", "timeoutSeconds": "soon"}, names="soon"),
    get("timeout-a-fraction", CM, {"watch": "true", "timeoutSeconds": "1.5"}, names="1.5"),
    get("watch-rv-a-word", CM, {"watch": "true", "resourceVersion": "abc"}, names="abc"),
    get("list-rv-a-word", CM, {"resourceVersion": "abc"}, names="abc"),
    Case(
        "dry-run-maybe",
        "bad query parameters",
        "POST",
        CM,
        dump(cm()),
        query={"dryRun": "Maybe"},
        names="Maybe",
    ),
    Case(
        "field-validation-unknown",
        "bad query parameters",
        "POST",
        CM,
        dump(cm()),
        query={"fieldValidation": "Sometimes"},
        names="Sometimes",
    ),
    Case(
        "grace-a-word",
        "bad query parameters",
        "DELETE",
        CM + "/target",
        None,
        None,
        {"gracePeriodSeconds": "soon"},
        names="soon",
        needs_object=True,
    ),
]

CASES: list[Case] = [
    *MALFORMED,
    *OVERSIZED,
    *DEEP,
    *WRONG_TYPES,
    *NAMES_AND_STRINGS,
    *DUPLICATES,
    *VERSIONS_AND_KINDS,
    *CONTENT_TYPES,
    *QUERIES,
]
