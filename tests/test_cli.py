"""The `vk-eci` console script: every subcommand is there and none pretends."""

from __future__ import annotations

import subprocess
import sys

import pytest

from vkeci.cli import SUBCOMMANDS, build_parser


def test_help_lists_every_subcommand() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vkeci.cli", "--help"], capture_output=True, text=True, check=True
    )
    for name in SUBCOMMANDS:
        assert name in result.stdout


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_each_subcommand_has_help(name: str) -> None:
    parser = build_parser()
    with pytest.raises(SystemExit) as exited:
        parser.parse_args([name, "--help"])
    assert exited.value.code == 0


def test_a_subcommand_loads_only_its_own_part_of_the_stack() -> None:
    probe = (
        "import sys\n"
        "from vkeci.cli import build_parser\n"
        "build_parser('apiserver')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'simulator', 'vkprovider'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
