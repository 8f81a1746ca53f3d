"""Bad-input probes of the wire: methods, actions, versions, signatures, names, sizes, bodies."""

from __future__ import annotations

import gzip
from datetime import timedelta

from tests.simulator.api.badinputs.probes import (
    REGION,
    Probe,
    create,
    date,
    encoded,
    form,
    query,
)


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
            "injection-like AccessKey",
            access_key_id="'; --",
            expect="InvalidAccessKeyId.NotFound",
        ),
        Probe("wrong secret", secret="not-the-secret", expect="SignatureDoesNotMatch"),
        Probe("one-letter secret", secret="x", expect="SignatureDoesNotMatch"),
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
        Probe("empty nonce", headers={"x-acs-signature-nonce": ""}, expect="IncompleteSignature"),
        Probe("replayed nonce", send_twice=True, expect="SignatureNonceUsed"),
        form(
            "payload hash of another body",
            body=b"a=1",
            headers={"x-acs-content-sha256": "0" * 64},
            expect="SignatureDoesNotMatch",
        ),
        Probe(
            "no payload hash",
            headers={"x-acs-content-sha256": None},
            expect="SignatureDoesNotMatch",
        ),
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
        form(
            "key in query and body",
            body=b"RegionId=cn-beijing",
            expect="InvalidParameter",
        ),
        form(
            "repeated key in body",
            body=b"ZoneId=a&ZoneId=b",
            expect="InvalidParameter",
        ),
        Probe("empty key", raw_query="RegionId=cn-hangzhou&=x", expect="InvalidParameter"),
        Probe("300-char key", params=query(("K" * 300, "v")), expect="InvalidParameter"),
        form(
            "10,001 parameters in the body",
            body=many.encode(),
            expect="InvalidParameter",
        ),
        Probe("70 KB query", params=query(("Pad", "x" * 70_000)), expect="RequestURITooLong"),
        Probe("900 KB query", params=query(("Pad", "x" * 900_000)), expect="RequestURITooLong"),
        form(
            "5 MB form body",
            body=b"Pad=" + b"x" * (5 * 1024 * 1024),
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
        form(
            "form body not UTF-8",
            body=b"ZoneId=\xff\xfe",
            expect="InvalidParameter",
        ),
        form(
            "gzip header, plain body",
            body=b"ZoneId=a",
            headers={"Content-Encoding": "gzip"},
            expect="InvalidParameter",
        ),
        form(
            "deflate header, plain body",
            body=b"ZoneId=a",
            headers={"Content-Encoding": "deflate"},
            expect="InvalidParameter",
        ),
        form(
            "unknown content encoding",
            body=b"ZoneId=a",
            headers={"Content-Encoding": "x-unknown"},
            expect="UnsupportedMediaType",
        ),
        form(
            "gzip bomb-ish body",
            body=gzip.compress(b"Pad=" + b"x" * (8 * 1024 * 1024)),
            headers={"Content-Encoding": "gzip"},
            expect="RequestEntityTooLarge",
        ),
        Probe(
            "bad percent escape",
            action="DeleteContainerGroup",
            raw_query="RegionId=cn-hangzhou&ContainerGroupId=%ZZ%",
            expect="SignatureDoesNotMatch",
        ),
        Probe(
            "invalid UTF-8 escape",
            action="DeleteContainerGroup",
            raw_query="RegionId=cn-hangzhou&ContainerGroupId=%FF%FE",
            expect="SignatureDoesNotMatch",
        ),
        Probe(
            "NUL in value",
            action="DeleteContainerGroup",
            params=query(("ContainerGroupId", "eci-\x00x")),
            expect="InvalidContainerGroupId.NotFound",
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
            expect="InvalidParameter",
        ),
        Probe(
            "index 10001",
            action="CreateContainerGroup",
            params=create(("Container.10001.Name", "b")),
            expect="InvalidParameter",
        ),
        form(
            "5,000-digit index",
            action="CreateContainerGroup",
            body=("Container." + "9" * 5000 + ".Name=b").encode(),
            params=query(),
            expect="InvalidParameter",
        ),
        Probe(
            "11 segments",
            action="CreateContainerGroup",
            params=create((".".join(["A"] * 11), "x")),
            expect="InvalidParameter",
        ),
        form(
            "10,000 segments",
            action="CreateContainerGroup",
            body=(".".join(["A", "1"] * 5000) + "=x").encode(),
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
