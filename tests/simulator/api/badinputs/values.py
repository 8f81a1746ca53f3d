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
        form(
            "ContainerGroupIds 100k brackets",
            action="DescribeContainerGroups",
            body=b"ContainerGroupIds=" + b"%5B" * 100_000,
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
