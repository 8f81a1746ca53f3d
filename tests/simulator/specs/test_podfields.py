"""Which file a container reads at a path, through its ConfigFileVolume mounts."""

from __future__ import annotations

import base64

import pytest

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
