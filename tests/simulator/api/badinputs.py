"""The table of hostile and careless requests the bad-input suite sends to the simulator.

Every probe is something a client must not be able to get a 200 (or a 500)
for: malformed, oversized and deeply nested parameters, wrong types, unicode
and injection-like text, repeated keys, wrong versions, actions and methods,
bad signatures, dates and nonces, wrong content types. Each is signed the way
the official SDK signs (its own helper computes the ACS3 signature) unless
the probe is about the signature itself, then altered as the probe says and
sent with the URL exactly as written. `expect` names the ECI code where one
answer is the only right one; elsewhere any named 4xx is.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

REGION = "cn-hangzhou"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Probe:
    """One request and what must come back."""

    name: str
    action: str = "DescribeRegions"
    params: tuple[tuple[str, str], ...] = (("RegionId", REGION),)
    """Query parameters as sent (repeats allowed); the signature covers `dict(params)`."""
    signed: tuple[tuple[str, str], ...] | None = None
    """What the signature covers instead of `params` (a request altered after signing)."""
    raw_query: str | None = None
    """The query string exactly as sent, instead of encoding `params`."""
    body: bytes = b""
    content_type: str | None = None
    method: str = "POST"
    version: str = "2018-08-08"
    headers: dict[str, str | None] = field(default_factory=dict)
    """Header overrides after signing; None removes the header."""
    secret: str | None = None
    """Sign with this AccessKey secret instead of the right one."""
    access_key_id: str | None = None
    send_twice: bool = False
    """Send the identical signed request twice; the second answer counts (a replay)."""
    expect: str | None = None


def query(*pairs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return (("RegionId", REGION), *pairs)


def create(*pairs: tuple[str, str], name: str = "probe") -> tuple[tuple[str, str], ...]:
    """CreateContainerGroup parameters: one valid container, then `pairs` added or replacing."""
    base = {
        "RegionId": REGION,
        "ContainerGroupName": name,
        "Container.1.Name": "app",
        "Container.1.Image": "nginx",
    }
    for key, value in pairs:
        base[key] = value
    return tuple((k, v) for k, v in base.items() if v is not None)


def date(offset: timedelta) -> str:
    return (datetime.now(UTC) + offset).strftime(DATE_FORMAT)


def encoded(pairs: tuple[tuple[str, str], ...]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


def gateway_probes() -> list[Probe]:
    """Methods, actions, versions."""
    return [
        Probe("method PUT", method="PUT", expect="UnsupportedHTTPMethod"),
        Probe("method DELETE", method="DELETE", expect="UnsupportedHTTPMethod"),
        Probe("method PATCH", method="PATCH", expect="UnsupportedHTTPMethod"),
        Probe("method OPTIONS", method="OPTIONS", expect="UnsupportedHTTPMethod"),
        Probe("no action", headers={"x-acs-action": None}, expect="MissingParameter"),
        Probe("unknown action", action="DescribeEverything", expect="InvalidAction.NotFound"),
        Probe("lower-case action", action="describeregions", expect="InvalidAction.NotFound"),
        Probe("unicode action", action="Describe\u0420egions", expect="InvalidAction.NotFound"),
        Probe(
            "injection action", action="DescribeRegions;rm -rf /", expect="InvalidAction.NotFound"
        ),
        Probe("4 KB action", action="A" * 4096, expect="InvalidAction.NotFound"),
        Probe("20 KB action", action="A" * 20_000, expect="InvalidAction.NotFound"),
        Probe("other product's action", action="RunInstances", expect="InvalidAction.NotFound"),
        Probe("no version", headers={"x-acs-version": None}, expect="InvalidVersion"),
        Probe("ECS version", version="2014-05-26", expect="InvalidVersion"),
        Probe("future version", version="2099-01-01", expect="InvalidVersion"),
        Probe("version without zeros", version="2018-8-8", expect="InvalidVersion"),
        Probe("version injection", version="2018-08-08' OR '1'='1", expect="InvalidVersion"),
        Probe("empty version", version="", expect="InvalidVersion"),
    ]


def signature_probes() -> list[Probe]:
    """Authorization, AccessKey, date, nonce and payload hash."""
    return [
        Probe("no Authorization", headers={"Authorization": None}, expect="IncompleteSignature"),
        Probe("empty Authorization", headers={"Authorization": ""}, expect="IncompleteSignature"),
        Probe(
            "HMAC-SHA1 algorithm",
            headers={"Authorization": "ACS3-HMAC-SHA1 Credential=a,SignedHeaders=host,Signature=b"},
            expect="IncompleteSignature",
        ),
        Probe(
            "Bearer token", headers={"Authorization": "Bearer abc"}, expect="IncompleteSignature"
        ),
        Probe(
            "no Credential",
            headers={"Authorization": "ACS3-HMAC-SHA256 SignedHeaders=host,Signature=00"},
            expect="IncompleteSignature",
        ),
        Probe(
            "no SignedHeaders",
            headers={"Authorization": "ACS3-HMAC-SHA256 Credential=LTAI,Signature=00"},
            expect="IncompleteSignature",
        ),
        Probe(
            "no Signature",
            headers={"Authorization": "ACS3-HMAC-SHA256 Credential=LTAI,SignedHeaders=host"},
            expect="IncompleteSignature",
        ),
        Probe(
            "only host signed",
            headers={
                "Authorization": "ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host,Signature=0"
            },
            expect="IncompleteSignature",
        ),
        Probe(
            "unknown AccessKey", access_key_id="LTAInobody", expect="InvalidAccessKeyId.NotFound"
        ),
        Probe(
            "unicode-free junk AccessKey",
            access_key_id="'; --",
            expect="InvalidAccessKeyId.NotFound",
        ),
        Probe("wrong secret", secret="not-the-secret", expect="SignatureDoesNotMatch"),
        Probe("empty secret", secret="x", expect="SignatureDoesNotMatch"),
        Probe("no date", headers={"x-acs-date": None}, expect="InvalidTimeStamp.Format"),
        Probe(
            "RFC 1123 date",
            headers={"x-acs-date": "Wed, 02 Dec 2026 03:00:00 GMT"},
            expect="InvalidTimeStamp.Format",
        ),
        Probe(
            "date without Z",
            headers={"x-acs-date": "2026-12-02T03:00:00"},
            expect="InvalidTimeStamp.Format",
        ),
        Probe(
            "date year 0",
            headers={"x-acs-date": "0000-01-01T00:00:00Z"},
            expect="InvalidTimeStamp.Format",
        ),
        Probe(
            "date month 13",
            headers={"x-acs-date": "2026-13-01T00:00:00Z"},
            expect="InvalidTimeStamp.Format",
        ),
        Probe(
            "date 20 min ago",
            headers={"x-acs-date": date(timedelta(minutes=-20))},
            expect="InvalidTimeStamp.Expired",
        ),
        Probe(
            "date 1 day ahead",
            headers={"x-acs-date": date(timedelta(days=1))},
            expect="InvalidTimeStamp.Expired",
        ),
        Probe(
            "date year 9999",
            headers={"x-acs-date": "9999-12-31T23:59:59Z"},
            expect="InvalidTimeStamp.Expired",
        ),
        Probe(
            "date year 1970",
            headers={"x-acs-date": "1970-01-01T00:00:00Z"},
            expect="InvalidTimeStamp.Expired",
        ),
        Probe("no nonce", headers={"x-acs-signature-nonce": None}, expect="IncompleteSignature"),
        Probe("empty nonce", headers={"x-acs-signature-nonce": ""}, expect=None),
        Probe("replayed nonce", send_twice=True, expect="SignatureNonceUsed"),
        Probe(
            "payload hash of another body",
            body=b"a=1",
            content_type="application/x-www-form-urlencoded",
            headers={"x-acs-content-sha256": "0" * 64},
            expect="SignatureDoesNotMatch",
        ),
        Probe("no payload hash", headers={"x-acs-content-sha256": None}, expect=None),
        Probe(
            "value altered after signing",
            signed=query(),
            params=(("RegionId", "cn-beijing"),),
            expect="SignatureDoesNotMatch",
        ),
        Probe(
            "key added after signing",
            signed=query(),
            params=query(("ZoneId", "cn-hangzhou-h")),
            expect="SignatureDoesNotMatch",
        ),
        Probe(
            "key removed after signing",
            signed=query(("ZoneId", "cn-hangzhou-h")),
            params=query(),
            expect="SignatureDoesNotMatch",
        ),
    ]


def structure_probes() -> list[Probe]:
    """Repeated keys, broken names, sizes, encodings, content types."""
    many = "&".join(f"P{i}=1" for i in range(10_001))
    return [
        Probe("repeated key", params=query(("RegionId", "cn-beijing")), expect="InvalidParameter"),
        Probe(
            "repeated key, same value",
            params=query(("RegionId", REGION)),
            expect="InvalidParameter",
        ),
        Probe(
            "repeated key via %2E",
            action="CreateContainerGroup",
            params=create(),
            raw_query=encoded(create()) + "&Container%2E1%2EImage=busybox",
            expect="InvalidParameter",
        ),
        Probe(
            "key in query and body",
            body=b"RegionId=cn-beijing",
            content_type="application/x-www-form-urlencoded",
            expect="InvalidParameter",
        ),
        Probe(
            "repeated key in body",
            body=b"ZoneId=a&ZoneId=b",
            content_type="application/x-www-form-urlencoded",
            expect="InvalidParameter",
        ),
        Probe("empty key", raw_query="RegionId=cn-hangzhou&=x", expect="InvalidParameter"),
        Probe("300-char key", params=query(("K" * 300, "v")), expect="InvalidParameter"),
        Probe(
            "10,001 parameters in the body",
            body=many.encode(),
            content_type="application/x-www-form-urlencoded",
            expect="InvalidParameter",
        ),
        Probe("70 KB query", params=query(("Pad", "x" * 70_000)), expect="RequestURITooLong"),
        Probe("900 KB query", params=query(("Pad", "x" * 900_000)), expect="RequestURITooLong"),
        Probe(
            "5 MB form body",
            body=b"Pad=" + b"x" * (5 * 1024 * 1024),
            content_type="application/x-www-form-urlencoded",
            expect="RequestEntityTooLarge",
        ),
        Probe(
            "JSON body",
            body=b'{"RegionId": "cn-hangzhou"}',
            content_type="application/json",
            expect="UnsupportedMediaType",
        ),
        Probe(
            "XML body",
            body=b"<RegionId>cn</RegionId>",
            content_type="application/xml",
            expect="UnsupportedMediaType",
        ),
        Probe(
            "text body",
            body=b"RegionId=cn-hangzhou",
            content_type="text/plain",
            expect="UnsupportedMediaType",
        ),
        Probe(
            "octet-stream body",
            body=b"\x00\x01\x02",
            content_type="application/octet-stream",
            expect="UnsupportedMediaType",
        ),
        Probe(
            "multipart body",
            body=b"--b\r\n\r\nx\r\n--b--\r\n",
            content_type="multipart/form-data; boundary=b",
            expect="UnsupportedMediaType",
        ),
        Probe(
            "form body not UTF-8",
            body=b"ZoneId=\xff\xfe",
            content_type="application/x-www-form-urlencoded",
            expect="InvalidParameter",
        ),
        Probe(
            "gzip header, plain body",
            body=b"ZoneId=a",
            content_type="application/x-www-form-urlencoded",
            headers={"Content-Encoding": "gzip"},
            expect="InvalidParameter",
        ),
        Probe(
            "deflate header, plain body",
            body=b"ZoneId=a",
            content_type="application/x-www-form-urlencoded",
            headers={"Content-Encoding": "deflate"},
            expect="InvalidParameter",
        ),
        Probe(
            "unknown content encoding",
            body=b"ZoneId=a",
            content_type="application/x-www-form-urlencoded",
            headers={"Content-Encoding": "x-unknown"},
            expect="UnsupportedMediaType",
        ),
        Probe(
            "gzip bomb-ish body",
            body=gzip.compress(b"Pad=" + b"x" * (8 * 1024 * 1024)),
            content_type="application/x-www-form-urlencoded",
            headers={"Content-Encoding": "gzip"},
            expect=None,
        ),
        Probe(
            "bad percent escape",
            action="DeleteContainerGroup",
            raw_query="RegionId=cn-hangzhou&ContainerGroupId=%ZZ%",
            expect=None,
        ),
        Probe(
            "invalid UTF-8 escape",
            action="DeleteContainerGroup",
            raw_query="RegionId=cn-hangzhou&ContainerGroupId=%FF%FE",
            expect=None,
        ),
        Probe(
            "NUL in value",
            action="DeleteContainerGroup",
            params=query(("ContainerGroupId", "eci-\x00x")),
            expect=None,
        ),
        Probe(
            "empty segment",
            action="CreateContainerGroup",
            params=create(("Container..Name", "x")),
            expect="InvalidParameter",
        ),
        Probe(
            "leading dot",
            action="CreateContainerGroup",
            params=create((".Container", "x")),
            expect="InvalidParameter",
        ),
        Probe(
            "trailing dot",
            action="CreateContainerGroup",
            params=create(("Container.", "x")),
            expect="InvalidParameter",
        ),
        Probe(
            "value and list at once",
            action="CreateContainerGroup",
            params=create(("Container", "x")),
            expect="InvalidParameter",
        ),
        Probe(
            "indices mixed with names",
            action="CreateContainerGroup",
            params=create(("Container.x.Name", "b")),
            expect="InvalidParameter",
        ),
        Probe(
            "index 0",
            action="CreateContainerGroup",
            params=create(("Container.0.Name", "b")),
            expect=None,
        ),
        Probe(
            "index 10001",
            action="CreateContainerGroup",
            params=create(("Container.10001.Name", "b")),
            expect="InvalidParameter",
        ),
        Probe(
            "5,000-digit index",
            action="CreateContainerGroup",
            body=("Container." + "9" * 5000 + ".Name=b").encode(),
            content_type="application/x-www-form-urlencoded",
            params=query(),
            expect="InvalidParameter",
        ),
        Probe(
            "11 segments",
            action="CreateContainerGroup",
            params=create((".".join(["A"] * 11), "x")),
            expect="InvalidParameter",
        ),
        Probe(
            "10,000 segments",
            action="CreateContainerGroup",
            body=(".".join(["A", "1"] * 5000) + "=x").encode(),
            content_type="application/x-www-form-urlencoded",
            params=query(),
            expect="InvalidParameter",
        ),
        Probe(
            "unicode digit index",
            action="CreateContainerGroup",
            params=create(("Container.\u0661.Name", "b")),
            expect="InvalidParameter",
        ),
    ]


def value_probes() -> list[Probe]:
    """Wrong types, out-of-range numbers, unicode and injection-like values per operation."""
    c = "CreateContainerGroup"
    return [
        Probe(
            "no RegionId", params=(), action="DescribeContainerGroups", expect="MissingParameter"
        ),
        Probe("region injection", action=c, params=create(("RegionId", "cn-hangzhou' OR '1'='1"))),
        Probe("region unicode", action=c, params=create(("RegionId", "cn-杭州"))),
        Probe(
            "no containers", action=c, params=(("RegionId", REGION), ("ContainerGroupName", "x"))
        ),
        Probe("no image", action=c, params=create(("Container.1.Image", None))),  # type: ignore[arg-type]
        Probe("no container name", action=c, params=create(("Container.1.Name", None))),  # type: ignore[arg-type]
        Probe("no group name", action=c, params=create(("ContainerGroupName", None))),  # type: ignore[arg-type]
        Probe("group name upper case", action=c, params=create(name="Web_App")),
        Probe("group name unicode", action=c, params=create(name="wéb")),
        Probe("group name 129 chars", action=c, params=create(name="a" * 129)),
        Probe(
            "group name injection",
            action=c,
            params=create(name="x'); DROP TABLE container_groups;--"),
        ),
        Probe(
            "container name with spaces", action=c, params=create(("Container.1.Name", "my app"))
        ),
        Probe("container name 300 chars", action=c, params=create(("Container.1.Name", "a" * 300))),
        Probe("image 600 chars", action=c, params=create(("Container.1.Image", "a" * 600))),
        Probe("image only colons", action=c, params=create(("Container.1.Image", ":::"))),
        Probe("image with spaces", action=c, params=create(("Container.1.Image", "ng inx"))),
        Probe(
            "image bad digest", action=c, params=create(("Container.1.Image", "nginx@sha256:zz"))
        ),
        Probe("image unicode", action=c, params=create(("Container.1.Image", "nginx\u2713"))),
        Probe(
            "image shell injection",
            action=c,
            params=create(("Container.1.Image", "nginx;$(reboot)")),
        ),
        Probe("group Cpu abc", action=c, params=create(("Cpu", "abc"))),
        Probe("group Cpu NaN", action=c, params=create(("Cpu", "NaN"))),
        Probe("group Cpu inf", action=c, params=create(("Cpu", "inf"))),
        Probe("group Cpu -1", action=c, params=create(("Cpu", "-1"))),
        Probe("group Cpu 1e309", action=c, params=create(("Cpu", "1e309"))),
        Probe("group Cpu 0.1", action=c, params=create(("Cpu", "0.1"))),
        Probe("group Cpu 100000", action=c, params=create(("Cpu", "100000"))),
        Probe("group Cpu 0x10", action=c, params=create(("Cpu", "0x10"))),
        Probe("group Cpu 1_0", action=c, params=create(("Cpu", "1_0"))),
        Probe("group Cpu unicode digits", action=c, params=create(("Cpu", "\u0662"))),
        Probe("group Memory abc", action=c, params=create(("Memory", "abc"))),
        Probe("group Memory 0", action=c, params=create(("Memory", "0"))),
        Probe("container Cpu text", action=c, params=create(("Container.1.Cpu", "one"))),
        Probe("container Memory negative", action=c, params=create(("Container.1.Memory", "-2"))),
        Probe("RestartPolicy Sometimes", action=c, params=create(("RestartPolicy", "Sometimes"))),
        Probe("RestartPolicy lower case", action=c, params=create(("RestartPolicy", "always"))),
        Probe("port 70000", action=c, params=create(("Container.1.Port.1.Port", "70000"))),
        Probe("port 0", action=c, params=create(("Container.1.Port.1.Port", "0"))),
        Probe("port abc", action=c, params=create(("Container.1.Port.1.Port", "abc"))),
        Probe("port 4300 digits", action=c, params=create(("Container.1.Port.1.Port", "9" * 4400))),
        Probe(
            "port protocol ICMP",
            action=c,
            params=create(
                ("Container.1.Port.1.Port", "80"), ("Container.1.Port.1.Protocol", "ICMP")
            ),
        ),
        Probe(
            "env without Key", action=c, params=create(("Container.1.EnvironmentVar.1.Value", "v"))
        ),
        Probe("tag without Key", action=c, params=create(("Tag.1.Value", "v"))),
        Probe(
            "tag key 200 chars",
            action=c,
            params=create(("Tag.1.Key", "k" * 200), ("Tag.1.Value", "v")),
        ),
        Probe(
            "21 tags", action=c, params=create(*[(f"Tag.{i}.Key", f"k{i}") for i in range(1, 22)])
        ),
        Probe(
            "21 containers",
            action=c,
            params=create(
                *[
                    (f"Container.{i}.{f}", f"c{i}" if f == "Name" else "nginx")
                    for i in range(2, 23)
                    for f in ("Name", "Image")
                ]
            ),
        ),
        Probe(
            "registry credential without Password",
            action=c,
            params=create(
                ("ImageRegistryCredential.1.Server", "r.io"),
                ("ImageRegistryCredential.1.UserName", "u"),
            ),
        ),
        Probe(
            "AutoMatchImageCache maybe", action=c, params=create(("AutoMatchImageCache", "maybe"))
        ),
        Probe(
            "ImageSnapshotId unknown",
            action=c,
            params=create(("ImageSnapshotId", "imc-doesnotexist")),
        ),
        Probe("ClientToken 65 chars", action=c, params=create(("ClientToken", "t" * 65))),
        Probe(
            "ImageMatchCountRequest abc", action=c, params=create(("ImageMatchCountRequest", "abc"))
        ),
        Probe("ActiveDeadlineSeconds 0", action=c, params=create(("ActiveDeadlineSeconds", "0"))),
        Probe("Command as object", action=c, params=create(("Container.1.Command.Sub", "x"))),
        Probe(
            "ContainerGroupIds not JSON",
            action="DescribeContainerGroups",
            params=query(("ContainerGroupIds", "eci-1,eci-2")),
        ),
        Probe(
            "ContainerGroupIds object",
            action="DescribeContainerGroups",
            params=query(("ContainerGroupIds", '{"a": "b"}')),
        ),
        Probe(
            "ContainerGroupIds numbers",
            action="DescribeContainerGroups",
            params=query(("ContainerGroupIds", "[1, 2]")),
        ),
        Probe(
            "ContainerGroupIds nested",
            action="DescribeContainerGroups",
            params=query(("ContainerGroupIds", '[["a"]]')),
        ),
        Probe(
            "ContainerGroupIds 21 ids",
            action="DescribeContainerGroups",
            params=query(
                ("ContainerGroupIds", str([f"eci-{i}" for i in range(21)]).replace("'", '"'))
            ),
        ),
        Probe(
            "ContainerGroupIds 100k brackets",
            action="DescribeContainerGroups",
            body=b"ContainerGroupIds=" + b"%5B" * 100_000,
            content_type="application/x-www-form-urlencoded",
        ),
        Probe(
            "ContainerGroupIds unterminated",
            action="DescribeContainerGroups",
            params=query(("ContainerGroupIds", '["eci-1')),
        ),
        Probe("Limit 0", action="DescribeContainerGroups", params=query(("Limit", "0"))),
        Probe("Limit -5", action="DescribeContainerGroups", params=query(("Limit", "-5"))),
        Probe("Limit abc", action="DescribeContainerGroups", params=query(("Limit", "abc"))),
        Probe("Limit 1000", action="DescribeContainerGroups", params=query(("Limit", "1000"))),
        Probe(
            "Limit unicode digits",
            action="DescribeContainerGroups",
            params=query(("Limit", "\u0661\u0662")),
        ),
        Probe(
            "NextToken abc", action="DescribeContainerGroups", params=query(("NextToken", "abc"))
        ),
        Probe(
            "NextToken 5000 digits",
            action="DescribeContainerGroups",
            params=query(("NextToken", "9" * 5000)),
        ),
        Probe(
            "NextToken negative",
            action="DescribeContainerGroups",
            params=query(("NextToken", "-20")),
        ),
        Probe(
            "status SinceSecond abc",
            action="DescribeContainerGroupStatus",
            params=query(("SinceSecond", "abc")),
        ),
        Probe(
            "status SinceSecond -1",
            action="DescribeContainerGroupStatus",
            params=query(("SinceSecond", "-1")),
        ),
        Probe("delete without id", action="DeleteContainerGroup", expect="MissingParameter"),
        Probe(
            "delete unknown id",
            action="DeleteContainerGroup",
            params=query(("ContainerGroupId", "eci-doesnotexist")),
            expect="InvalidContainerGroupId.NotFound",
        ),
        Probe(
            "delete injection id",
            action="DeleteContainerGroup",
            params=query(("ContainerGroupId", "' OR 1=1 --")),
            expect="InvalidContainerGroupId.NotFound",
        ),
        Probe(
            "delete 100-char id",
            action="DeleteContainerGroup",
            params=query(("ContainerGroupId", "e" * 100)),
        ),
        Probe(
            "logs without container name",
            action="DescribeContainerLog",
            params=query(("ContainerGroupId", "eci-doesnotexist")),
        ),
        Probe(
            "logs of unknown group",
            action="DescribeContainerLog",
            params=query(("ContainerGroupId", "eci-doesnotexist"), ("ContainerName", "app")),
            expect="InvalidContainerGroupId.NotFound",
        ),
        Probe(
            "logs Tail abc",
            action="DescribeContainerLog",
            params=query(("ContainerGroupId", "eci-x"), ("ContainerName", "app"), ("Tail", "abc")),
        ),
        Probe(
            "logs LimitBytes -1",
            action="DescribeContainerLog",
            params=query(
                ("ContainerGroupId", "eci-x"), ("ContainerName", "app"), ("LimitBytes", "-1")
            ),
        ),
        Probe(
            "cache without image", action="CreateImageCache", params=query(("ImageCacheName", "c"))
        ),
        Probe("cache without name", action="CreateImageCache", params=query(("Image.1", "nginx"))),
        Probe(
            "cache size 5",
            action="CreateImageCache",
            params=query(("ImageCacheName", "c"), ("Image.1", "nginx"), ("ImageCacheSize", "5")),
        ),
        Probe(
            "cache size abc",
            action="CreateImageCache",
            params=query(("ImageCacheName", "c"), ("Image.1", "nginx"), ("ImageCacheSize", "abc")),
        ),
        Probe(
            "cache RetentionDays 0",
            action="CreateImageCache",
            params=query(("ImageCacheName", "c"), ("Image.1", "nginx"), ("RetentionDays", "0")),
        ),
        Probe(
            "cache 21 images",
            action="CreateImageCache",
            params=query(("ImageCacheName", "c"), *[(f"Image.{i}", "nginx") for i in range(1, 22)]),
        ),
        Probe(
            "cache image unicode",
            action="CreateImageCache",
            params=query(("ImageCacheName", "c"), ("Image.1", "nginx\u2603")),
        ),
        Probe(
            "caches MatchCount abc",
            action="DescribeImageCaches",
            params=query(("ImageMatchCountRequest", "abc")),
        ),
        Probe(
            "caches ImageFullMatch yes",
            action="DescribeImageCaches",
            params=query(("ImageFullMatch", "yes")),
        ),
        Probe(
            "update unknown cache",
            action="UpdateImageCache",
            params=query(("ImageCacheId", "imc-doesnotexist")),
            expect="InvalidImageCacheId.NotFound",
        ),
        Probe("update without cache id", action="UpdateImageCache", expect="MissingParameter"),
        Probe(
            "delete unknown cache",
            action="DeleteImageCache",
            params=query(("ImageCacheId", "imc-doesnotexist")),
            expect="InvalidImageCacheId.NotFound",
        ),
        Probe(
            "operation not modelled",
            action="RestartContainerGroup",
            params=query(("ContainerGroupId", "eci-x")),
        ),
    ]


def all_probes() -> list[Probe]:
    return [*gateway_probes(), *signature_probes(), *structure_probes(), *value_probes()]
