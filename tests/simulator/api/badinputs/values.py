"""Bad-input probes of values: wrong types, ranges, unicode and injection text per operation."""

from __future__ import annotations

from tests.simulator.api.badinputs.probes import REGION, Probe, create, form, query


def group(probe: str, expect: str, *pairs: tuple[str, str | None], name: str = "probe") -> Probe:
    """CreateContainerGroup named `name` with one valid container, `pairs` added or replacing."""
    return Probe(
        probe, action="CreateContainerGroup", params=create(*pairs, name=name), expect=expect
    )


def call(probe: str, action: str, expect: str, *pairs: tuple[str, str]) -> Probe:
    """`action` with RegionId and `pairs`."""
    return Probe(probe, action=action, params=query(*pairs), expect=expect)


def value_probes() -> list[Probe]:
    """Wrong types, out-of-range numbers, unicode and injection-like values per operation."""
    c = "CreateContainerGroup"
    return [
        Probe(
            "no RegionId", params=(), action="DescribeContainerGroups", expect="MissingParameter"
        ),
        group("region injection", "InvalidRegionId", ("RegionId", "cn-hangzhou' OR '1'='1")),
        group("region unicode", "InvalidRegionId", ("RegionId", "cn-杭州")),
        Probe(
            "no containers",
            action=c,
            params=(("RegionId", REGION), ("ContainerGroupName", "xx")),
            expect="MissingParameter",
        ),
        group("no image", "MissingParameter", ("Container.1.Image", None)),
        group("no container name", "MissingParameter", ("Container.1.Name", None)),
        group("no group name", "MissingParameter", ("ContainerGroupName", None)),
        group("group name upper case", "InvalidParameter", name="Web_App"),
        group("group name unicode", "InvalidParameter", name="wéb"),
        group("group name 129 chars", "InvalidParameter", name="a" * 129),
        group(
            "group name injection", "InvalidParameter", name="x'); DROP TABLE container_groups;--"
        ),
        group("container name with spaces", "InvalidParameter", ("Container.1.Name", "my app")),
        group("container name 300 chars", "InvalidParameter", ("Container.1.Name", "a" * 300)),
        group("image 600 chars", "InvalidParameter", ("Container.1.Image", "a" * 600)),
        group("image only colons", "InvalidParameter", ("Container.1.Image", ":::")),
        group("image with spaces", "InvalidParameter", ("Container.1.Image", "ng inx")),
        group("image bad digest", "InvalidParameter", ("Container.1.Image", "nginx@sha256:zz")),
        group("image unicode", "InvalidParameter", ("Container.1.Image", "nginx\u2713")),
        group(
            "image shell injection", "InvalidParameter", ("Container.1.Image", "nginx;$(reboot)")
        ),
        group("group Cpu abc", "InvalidParameter", ("Cpu", "abc")),
        group("group Cpu NaN", "InvalidParameter", ("Cpu", "NaN")),
        group("group Cpu inf", "InvalidParameter", ("Cpu", "inf")),
        group("group Cpu -1", "InvalidParameter", ("Cpu", "-1")),
        group("group Cpu 1e309", "InvalidParameter", ("Cpu", "1e309")),
        group("group Cpu 0.1", "InvalidParameter", ("Cpu", "0.1")),
        group("group Cpu 100000", "InvalidParameter", ("Cpu", "100000")),
        group("group Cpu 0x10", "InvalidParameter", ("Cpu", "0x10")),
        group("group Cpu 1_0", "InvalidParameter", ("Cpu", "1_0")),
        group("group Cpu unicode digits", "InvalidParameter", ("Cpu", "\u0662")),
        group("group Memory abc", "InvalidParameter", ("Memory", "abc")),
        group("group Memory 0", "InvalidParameter", ("Memory", "0")),
        group("container Cpu text", "InvalidParameter", ("Container.1.Cpu", "one")),
        group("container Memory negative", "InvalidParameter", ("Container.1.Memory", "-2")),
        group("RestartPolicy Sometimes", "InvalidParameter", ("RestartPolicy", "Sometimes")),
        group("RestartPolicy lower case", "InvalidParameter", ("RestartPolicy", "always")),
        group("port 70000", "InvalidParameter", ("Container.1.Port.1.Port", "70000")),
        group("port 0", "InvalidParameter", ("Container.1.Port.1.Port", "0")),
        group("port abc", "InvalidParameter", ("Container.1.Port.1.Port", "abc")),
        group("port 4300 digits", "InvalidParameter", ("Container.1.Port.1.Port", "9" * 4400)),
        group(
            "port protocol ICMP",
            "InvalidParameter",
            ("Container.1.Port.1.Port", "80"),
            ("Container.1.Port.1.Protocol", "ICMP"),
        ),
        group("env without Key", "MissingParameter", ("Container.1.EnvironmentVar.1.Value", "v")),
        group("tag without Key", "MissingParameter", ("Tag.1.Value", "v")),
        group(
            "tag key 200 chars", "InvalidParameter", ("Tag.1.Key", "k" * 200), ("Tag.1.Value", "v")
        ),
        group("21 tags", "InvalidParameter", *[(f"Tag.{i}.Key", f"k{i}") for i in range(1, 22)]),
        group(
            "21 containers",
            "InvalidParameter",
            *[
                (f"Container.{i}.{f}", f"c{i}" if f == "Name" else "nginx")
                for i in range(2, 23)
                for f in ("Name", "Image")
            ],
        ),
        group(
            "registry credential without Password",
            "MissingParameter",
            ("ImageRegistryCredential.1.Server", "r.io"),
            ("ImageRegistryCredential.1.UserName", "u"),
        ),
        group("AutoMatchImageCache maybe", "InvalidParameter", ("AutoMatchImageCache", "maybe")),
        group(
            "ImageSnapshotId unknown",
            "InvalidImageSnapshotId.NotFound",
            ("ImageSnapshotId", "imc-doesnotexist"),
        ),
        group("ClientToken 65 chars", "InvalidParameter", ("ClientToken", "t" * 65)),
        group("ImageMatchCountRequest abc", "InvalidParameter", ("ImageMatchCountRequest", "abc")),
        group("ActiveDeadlineSeconds 0", "InvalidParameter", ("ActiveDeadlineSeconds", "0")),
        group("Command as object", "InvalidParameter", ("Container.1.Command.Sub", "x")),
        call(
            "ContainerGroupIds not JSON",
            "DescribeContainerGroups",
            "InvalidParameter",
            ("ContainerGroupIds", "eci-1,eci-2"),
        ),
        call(
            "ContainerGroupIds object",
            "DescribeContainerGroups",
            "InvalidParameter",
            ("ContainerGroupIds", '{"a": "b"}'),
        ),
        call(
            "ContainerGroupIds numbers",
            "DescribeContainerGroups",
            "InvalidParameter",
            ("ContainerGroupIds", "[1, 2]"),
        ),
        call(
            "ContainerGroupIds nested",
            "DescribeContainerGroups",
            "InvalidParameter",
            ("ContainerGroupIds", '[["a"]]'),
        ),
        call(
            "ContainerGroupIds 21 ids",
            "DescribeContainerGroups",
            "InvalidParameter",
            ("ContainerGroupIds", str([f"eci-{i}" for i in range(21)]).replace("'", '"')),
        ),
        form(
            "ContainerGroupIds 100k brackets",
            action="DescribeContainerGroups",
            body=b"ContainerGroupIds=" + b"%5B" * 100_000,
            expect="InvalidParameter",
        ),
        call(
            "ContainerGroupIds unterminated",
            "DescribeContainerGroups",
            "InvalidParameter",
            ("ContainerGroupIds", '["eci-1'),
        ),
        call("Limit 0", "DescribeContainerGroups", "InvalidParameter", ("Limit", "0")),
        call("Limit -5", "DescribeContainerGroups", "InvalidParameter", ("Limit", "-5")),
        call("Limit abc", "DescribeContainerGroups", "InvalidParameter", ("Limit", "abc")),
        call("Limit 1000", "DescribeContainerGroups", "InvalidParameter", ("Limit", "1000")),
        call(
            "Limit unicode digits",
            "DescribeContainerGroups",
            "InvalidParameter",
            ("Limit", "\u0661\u0662"),
        ),
        call("NextToken abc", "DescribeContainerGroups", "InvalidParameter", ("NextToken", "abc")),
        call(
            "NextToken 5000 digits",
            "DescribeContainerGroups",
            "InvalidParameter",
            ("NextToken", "9" * 5000),
        ),
        call(
            "NextToken negative",
            "DescribeContainerGroups",
            "InvalidParameter",
            ("NextToken", "-20"),
        ),
        call(
            "status SinceSecond abc",
            "DescribeContainerGroupStatus",
            "InvalidParameter",
            ("SinceSecond", "abc"),
        ),
        call(
            "status SinceSecond -1",
            "DescribeContainerGroupStatus",
            "InvalidParameter",
            ("SinceSecond", "-1"),
        ),
        Probe("delete without id", action="DeleteContainerGroup", expect="MissingParameter"),
        call(
            "delete unknown id",
            "DeleteContainerGroup",
            "InvalidContainerGroupId.NotFound",
            ("ContainerGroupId", "eci-doesnotexist"),
        ),
        call(
            "delete injection id",
            "DeleteContainerGroup",
            "InvalidContainerGroupId.NotFound",
            ("ContainerGroupId", "' OR 1=1 --"),
        ),
        call(
            "delete 100-char id",
            "DeleteContainerGroup",
            "InvalidParameter",
            ("ContainerGroupId", "e" * 100),
        ),
        call(
            "logs without container name",
            "DescribeContainerLog",
            "MissingParameter",
            ("ContainerGroupId", "eci-doesnotexist"),
        ),
        call(
            "logs of unknown group",
            "DescribeContainerLog",
            "InvalidContainerGroupId.NotFound",
            ("ContainerGroupId", "eci-doesnotexist"),
            ("ContainerName", "app"),
        ),
        call(
            "logs Tail abc",
            "DescribeContainerLog",
            "InvalidParameter",
            ("ContainerGroupId", "eci-x"),
            ("ContainerName", "app"),
            ("Tail", "abc"),
        ),
        call(
            "logs LimitBytes -1",
            "DescribeContainerLog",
            "InvalidParameter",
            ("ContainerGroupId", "eci-x"),
            ("ContainerName", "app"),
            ("LimitBytes", "-1"),
        ),
        call(
            "cache without image",
            "CreateImageCache",
            "MissingParameter",
            ("ImageCacheName", "cache-probe"),
        ),
        call("cache without name", "CreateImageCache", "MissingParameter", ("Image.1", "nginx")),
        call(
            "cache size 5",
            "CreateImageCache",
            "InvalidParameter",
            ("ImageCacheName", "cache-probe"),
            ("Image.1", "nginx"),
            ("ImageCacheSize", "5"),
        ),
        call(
            "cache size abc",
            "CreateImageCache",
            "InvalidParameter",
            ("ImageCacheName", "cache-probe"),
            ("Image.1", "nginx"),
            ("ImageCacheSize", "abc"),
        ),
        call(
            "cache RetentionDays 0",
            "CreateImageCache",
            "InvalidParameter",
            ("ImageCacheName", "cache-probe"),
            ("Image.1", "nginx"),
            ("RetentionDays", "0"),
        ),
        call(
            "cache 21 images",
            "CreateImageCache",
            "InvalidParameter",
            ("ImageCacheName", "cache-probe"),
            *[(f"Image.{i}", "nginx") for i in range(1, 22)],
        ),
        call(
            "cache image unicode",
            "CreateImageCache",
            "InvalidParameter",
            ("ImageCacheName", "cache-probe"),
            ("Image.1", "nginx\u2603"),
        ),
        call(
            "caches MatchCount abc",
            "DescribeImageCaches",
            "InvalidParameter",
            ("ImageMatchCountRequest", "abc"),
        ),
        call(
            "caches ImageFullMatch yes",
            "DescribeImageCaches",
            "InvalidParameter",
            ("ImageFullMatch", "yes"),
        ),
        call(
            "update unknown cache",
            "UpdateImageCache",
            "InvalidImageCacheId.NotFound",
            ("ImageCacheId", "imc-doesnotexist"),
        ),
        Probe("update without cache id", action="UpdateImageCache", expect="MissingParameter"),
        call(
            "delete unknown cache",
            "DeleteImageCache",
            "InvalidImageCacheId.NotFound",
            ("ImageCacheId", "imc-doesnotexist"),
        ),
        call(
            "operation not available to the account",
            "CommitContainer",
            "ActionUnauthorized",  # a known action the account may not use (issue 15)
            ("ContainerGroupId", "eci-x"),
        ),
        call(
            "restart unknown group",
            "RestartContainerGroup",
            "InvalidContainerGroupId.NotFound",
            ("ContainerGroupId", "eci-x"),
        ),
    ]
