"""Bad-input probes of values: wrong types, ranges, unicode and injection text per operation."""

from __future__ import annotations

from tests.simulator.api.badinputs.probes import REGION, Probe, create, form, query


def value_probes() -> list[Probe]:
    """Wrong types, out-of-range numbers, unicode and injection-like values per operation."""
    c = "CreateContainerGroup"
    return [
        Probe(
            "no RegionId", params=(), action="DescribeContainerGroups", expect="MissingParameter"
        ),
        Probe(
            "region injection",
            action=c,
            params=create(("RegionId", "cn-hangzhou' OR '1'='1")),
            expect="InvalidRegionId",
        ),
        Probe(
            "region unicode",
            action=c,
            params=create(("RegionId", "cn-杭州")),
            expect="InvalidRegionId",
        ),
        Probe(
            "no containers",
            action=c,
            params=(("RegionId", REGION), ("ContainerGroupName", "x")),
            expect="MissingParameter",
        ),
        Probe(
            "no image",
            action=c,
            params=create(("Container.1.Image", None)),
            expect="MissingParameter",
        ),
        Probe(
            "no container name",
            action=c,
            params=create(("Container.1.Name", None)),
            expect="MissingParameter",
        ),
        Probe(
            "no group name",
            action=c,
            params=create(("ContainerGroupName", None)),
            expect="MissingParameter",
        ),
        Probe(
            "group name upper case",
            action=c,
            params=create(name="Web_App"),
            expect="InvalidParameter",
        ),
        Probe("group name unicode", action=c, params=create(name="wéb"), expect="InvalidParameter"),
        Probe(
            "group name 129 chars",
            action=c,
            params=create(name="a" * 129),
            expect="InvalidParameter",
        ),
        Probe(
            "group name injection",
            action=c,
            params=create(name="x'); DROP TABLE container_groups;--"),
            expect="InvalidParameter",
        ),
        Probe(
            "container name with spaces",
            action=c,
            params=create(("Container.1.Name", "my app")),
            expect="InvalidParameter",
        ),
        Probe(
            "container name 300 chars",
            action=c,
            params=create(("Container.1.Name", "a" * 300)),
            expect="InvalidParameter",
        ),
        Probe(
            "image 600 chars",
            action=c,
            params=create(("Container.1.Image", "a" * 600)),
            expect="InvalidParameter",
        ),
        Probe(
            "image only colons",
            action=c,
            params=create(("Container.1.Image", ":::")),
            expect="InvalidParameter",
        ),
        Probe(
            "image with spaces",
            action=c,
            params=create(("Container.1.Image", "ng inx")),
            expect="InvalidParameter",
        ),
        Probe(
            "image bad digest",
            action=c,
            params=create(("Container.1.Image", "nginx@sha256:zz")),
            expect="InvalidParameter",
        ),
        Probe(
            "image unicode",
            action=c,
            params=create(("Container.1.Image", "nginx\u2713")),
            expect="InvalidParameter",
        ),
        Probe(
            "image shell injection",
            action=c,
            params=create(("Container.1.Image", "nginx;$(reboot)")),
            expect="InvalidParameter",
        ),
        Probe("group Cpu abc", action=c, params=create(("Cpu", "abc")), expect="InvalidParameter"),
        Probe("group Cpu NaN", action=c, params=create(("Cpu", "NaN")), expect="InvalidParameter"),
        Probe("group Cpu inf", action=c, params=create(("Cpu", "inf")), expect="InvalidParameter"),
        Probe("group Cpu -1", action=c, params=create(("Cpu", "-1")), expect="InvalidParameter"),
        Probe(
            "group Cpu 1e309", action=c, params=create(("Cpu", "1e309")), expect="InvalidParameter"
        ),
        Probe("group Cpu 0.1", action=c, params=create(("Cpu", "0.1")), expect="InvalidParameter"),
        Probe(
            "group Cpu 100000",
            action=c,
            params=create(("Cpu", "100000")),
            expect="InvalidParameter",
        ),
        Probe(
            "group Cpu 0x10", action=c, params=create(("Cpu", "0x10")), expect="InvalidParameter"
        ),
        Probe("group Cpu 1_0", action=c, params=create(("Cpu", "1_0")), expect="InvalidParameter"),
        Probe(
            "group Cpu unicode digits",
            action=c,
            params=create(("Cpu", "\u0662")),
            expect="InvalidParameter",
        ),
        Probe(
            "group Memory abc",
            action=c,
            params=create(("Memory", "abc")),
            expect="InvalidParameter",
        ),
        Probe(
            "group Memory 0", action=c, params=create(("Memory", "0")), expect="InvalidParameter"
        ),
        Probe(
            "container Cpu text",
            action=c,
            params=create(("Container.1.Cpu", "one")),
            expect="InvalidParameter",
        ),
        Probe(
            "container Memory negative",
            action=c,
            params=create(("Container.1.Memory", "-2")),
            expect="InvalidParameter",
        ),
        Probe(
            "RestartPolicy Sometimes",
            action=c,
            params=create(("RestartPolicy", "Sometimes")),
            expect="InvalidParameter",
        ),
        Probe(
            "RestartPolicy lower case",
            action=c,
            params=create(("RestartPolicy", "always")),
            expect="InvalidParameter",
        ),
        Probe(
            "port 70000",
            action=c,
            params=create(("Container.1.Port.1.Port", "70000")),
            expect="InvalidParameter",
        ),
        Probe(
            "port 0",
            action=c,
            params=create(("Container.1.Port.1.Port", "0")),
            expect="InvalidParameter",
        ),
        Probe(
            "port abc",
            action=c,
            params=create(("Container.1.Port.1.Port", "abc")),
            expect="InvalidParameter",
        ),
        Probe(
            "port 4300 digits",
            action=c,
            params=create(("Container.1.Port.1.Port", "9" * 4400)),
            expect="InvalidParameter",
        ),
        Probe(
            "port protocol ICMP",
            action=c,
            params=create(
                ("Container.1.Port.1.Port", "80"), ("Container.1.Port.1.Protocol", "ICMP")
            ),
            expect="InvalidParameter",
        ),
        Probe(
            "env without Key",
            action=c,
            params=create(("Container.1.EnvironmentVar.1.Value", "v")),
            expect="MissingParameter",
        ),
        Probe(
            "tag without Key",
            action=c,
            params=create(("Tag.1.Value", "v")),
            expect="MissingParameter",
        ),
        Probe(
            "tag key 200 chars",
            action=c,
            params=create(("Tag.1.Key", "k" * 200), ("Tag.1.Value", "v")),
            expect="InvalidParameter",
        ),
        Probe(
            "21 tags",
            action=c,
            params=create(*[(f"Tag.{i}.Key", f"k{i}") for i in range(1, 22)]),
            expect="InvalidParameter",
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
            expect="InvalidParameter",
        ),
        Probe(
            "registry credential without Password",
            action=c,
            params=create(
                ("ImageRegistryCredential.1.Server", "r.io"),
                ("ImageRegistryCredential.1.UserName", "u"),
            ),
            expect="MissingParameter",
        ),
        Probe(
            "AutoMatchImageCache maybe",
            action=c,
            params=create(("AutoMatchImageCache", "maybe")),
            expect="InvalidParameter",
        ),
        Probe(
            "ImageSnapshotId unknown",
            action=c,
            params=create(("ImageSnapshotId", "imc-doesnotexist")),
            expect="InvalidImageSnapshotId.NotFound",
        ),
        Probe(
            "ClientToken 65 chars",
            action=c,
            params=create(("ClientToken", "t" * 65)),
            expect="InvalidParameter",
        ),
        Probe(
            "ImageMatchCountRequest abc",
            action=c,
            params=create(("ImageMatchCountRequest", "abc")),
            expect="InvalidParameter",
        ),
        Probe(
            "ActiveDeadlineSeconds 0",
            action=c,
            params=create(("ActiveDeadlineSeconds", "0")),
            expect="InvalidParameter",
        ),
        Probe(
            "Command as object",
            action=c,
            params=create(("Container.1.Command.Sub", "x")),
            expect="InvalidParameter",
        ),
        Probe(
            "ContainerGroupIds not JSON",
            action="DescribeContainerGroups",
            params=query(("ContainerGroupIds", "eci-1,eci-2")),
            expect="InvalidParameter",
        ),
        Probe(
            "ContainerGroupIds object",
            action="DescribeContainerGroups",
            params=query(("ContainerGroupIds", '{"a": "b"}')),
            expect="InvalidParameter",
        ),
        Probe(
            "ContainerGroupIds numbers",
            action="DescribeContainerGroups",
            params=query(("ContainerGroupIds", "[1, 2]")),
            expect="InvalidParameter",
        ),
        Probe(
            "ContainerGroupIds nested",
            action="DescribeContainerGroups",
            params=query(("ContainerGroupIds", '[["a"]]')),
            expect="InvalidParameter",
        ),
        Probe(
            "ContainerGroupIds 21 ids",
            action="DescribeContainerGroups",
            params=query(
                ("ContainerGroupIds", str([f"eci-{i}" for i in range(21)]).replace("'", '"'))
            ),
            expect="InvalidParameter",
        ),
        form(
            "ContainerGroupIds 100k brackets",
            action="DescribeContainerGroups",
            body=b"ContainerGroupIds=" + b"%5B" * 100_000,
            expect="InvalidParameter",
        ),
        Probe(
            "ContainerGroupIds unterminated",
            action="DescribeContainerGroups",
            params=query(("ContainerGroupIds", '["eci-1')),
            expect="InvalidParameter",
        ),
        Probe(
            "Limit 0",
            action="DescribeContainerGroups",
            params=query(("Limit", "0")),
            expect="InvalidParameter",
        ),
        Probe(
            "Limit -5",
            action="DescribeContainerGroups",
            params=query(("Limit", "-5")),
            expect="InvalidParameter",
        ),
        Probe(
            "Limit abc",
            action="DescribeContainerGroups",
            params=query(("Limit", "abc")),
            expect="InvalidParameter",
        ),
        Probe(
            "Limit 1000",
            action="DescribeContainerGroups",
            params=query(("Limit", "1000")),
            expect="InvalidParameter",
        ),
        Probe(
            "Limit unicode digits",
            action="DescribeContainerGroups",
            params=query(("Limit", "\u0661\u0662")),
            expect="InvalidParameter",
        ),
        Probe(
            "NextToken abc",
            action="DescribeContainerGroups",
            params=query(("NextToken", "abc")),
            expect="InvalidParameter",
        ),
        Probe(
            "NextToken 5000 digits",
            action="DescribeContainerGroups",
            params=query(("NextToken", "9" * 5000)),
            expect="InvalidParameter",
        ),
        Probe(
            "NextToken negative",
            action="DescribeContainerGroups",
            params=query(("NextToken", "-20")),
            expect="InvalidParameter",
        ),
        Probe(
            "status SinceSecond abc",
            action="DescribeContainerGroupStatus",
            params=query(("SinceSecond", "abc")),
            expect="InvalidParameter",
        ),
        Probe(
            "status SinceSecond -1",
            action="DescribeContainerGroupStatus",
            params=query(("SinceSecond", "-1")),
            expect="InvalidParameter",
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
            expect="InvalidParameter",
        ),
        Probe(
            "logs without container name",
            action="DescribeContainerLog",
            params=query(("ContainerGroupId", "eci-doesnotexist")),
            expect="MissingParameter",
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
            expect="InvalidParameter",
        ),
        Probe(
            "logs LimitBytes -1",
            action="DescribeContainerLog",
            params=query(
                ("ContainerGroupId", "eci-x"), ("ContainerName", "app"), ("LimitBytes", "-1")
            ),
            expect="InvalidParameter",
        ),
        Probe(
            "cache without image",
            action="CreateImageCache",
            params=query(("ImageCacheName", "cache-probe")),
            expect="MissingParameter",
        ),
        Probe(
            "cache without name",
            action="CreateImageCache",
            params=query(("Image.1", "nginx")),
            expect="MissingParameter",
        ),
        Probe(
            "cache size 5",
            action="CreateImageCache",
            params=query(
                ("ImageCacheName", "cache-probe"), ("Image.1", "nginx"), ("ImageCacheSize", "5")
            ),
            expect="InvalidParameter",
        ),
        Probe(
            "cache size abc",
            action="CreateImageCache",
            params=query(
                ("ImageCacheName", "cache-probe"), ("Image.1", "nginx"), ("ImageCacheSize", "abc")
            ),
            expect="InvalidParameter",
        ),
        Probe(
            "cache RetentionDays 0",
            action="CreateImageCache",
            params=query(
                ("ImageCacheName", "cache-probe"), ("Image.1", "nginx"), ("RetentionDays", "0")
            ),
            expect="InvalidParameter",
        ),
        Probe(
            "cache 21 images",
            action="CreateImageCache",
            params=query(
                ("ImageCacheName", "cache-probe"), *[(f"Image.{i}", "nginx") for i in range(1, 22)]
            ),
            expect="InvalidParameter",
        ),
        Probe(
            "cache image unicode",
            action="CreateImageCache",
            params=query(("ImageCacheName", "cache-probe"), ("Image.1", "nginx\u2603")),
            expect="InvalidParameter",
        ),
        Probe(
            "caches MatchCount abc",
            action="DescribeImageCaches",
            params=query(("ImageMatchCountRequest", "abc")),
            expect="InvalidParameter",
        ),
        Probe(
            "caches ImageFullMatch yes",
            action="DescribeImageCaches",
            params=query(("ImageFullMatch", "yes")),
            expect="InvalidParameter",
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
            expect="UnsupportedOperation",
        ),
    ]
