"""Which file a container reads at a path, through its ConfigFileVolume mounts."""

from __future__ import annotations

import base64

import pytest

from simulator.specs.instancespecs import UnsellableSpec, choose_instance_type, sellable_spec
from simulator.specs.podfields import ConfigFile, Mount, Volume, read_mounted_file


def _file(path: str, text: str) -> ConfigFile:
    return ConfigFile(path=path, content=base64.b64encode(text.encode()).decode())


VOLUMES = (
    Volume(
        name="conf",
        type="ConfigFileVolume",
        files=(_file("app.conf", "a=1\n"), _file("nested/b.conf", "b=2\n")),
    ),
    Volume(name="scratch", type="EmptyDirVolume"),
)


@pytest.mark.parametrize(
    ("mounts", "path", "content"),
    [
        ((Mount("conf", "/etc/app"),), "/etc/app/app.conf", b"a=1\n"),
        ((Mount("conf", "/etc/app/"),), "/etc/app/nested/b.conf", b"b=2\n"),
        ((Mount("conf", "/etc/app.conf", sub_path="app.conf"),), "/etc/app.conf", b"a=1\n"),
        ((Mount("conf", "/n", sub_path="nested"),), "/n/b.conf", b"b=2\n"),
        ((Mount("conf", "/etc/app"),), "/etc/app/missing", None),
        ((Mount("conf", "/etc/app"),), "/etc/application/app.conf", None),
        ((Mount("scratch", "/etc/app"),), "/etc/app/app.conf", None),
        ((), "/etc/app/app.conf", None),
    ],
)
def test_read_mounted_file(mounts: tuple[Mount, ...], path: str, content: bytes | None) -> None:
    assert read_mounted_file(path, mounts=mounts, volumes=VOLUMES) == content


def test_specs_are_exact_and_instance_types_ordered() -> None:
    assert sellable_spec(cpu=0.25, memory=0.5, source="Cpu/Memory").cpu == 0.25
    with pytest.raises(UnsellableSpec, match=r"0\.5 vCPU is sold with 1, 2 GiB"):
        sellable_spec(cpu=0.5, memory=0.5, source="Cpu/Memory")
    with pytest.raises(UnsellableSpec, match="vCPU counts sold"):
        sellable_spec(cpu=3.0, memory=6.0, source="Cpu/Memory")
    chosen = choose_instance_type("ecs.c7.2xlarge, 2-4Gi")
    assert (chosen.cpu, chosen.memory, chosen.instance_type) == (8.0, 16.0, "ecs.c7.2xlarge")
    assert choose_instance_type("ecs.g6.32xlarge").cpu == 128.0  # sold, but no host that big
