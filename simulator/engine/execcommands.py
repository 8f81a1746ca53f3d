"""What a command run in a simulated container (ExecContainerCommand) prints and returns.

No process runs: the answer comes from the container's simulated state, and
only for a small set of commands the simulator can answer truthfully:

* `echo WORDS...`, `true`, `false`, `:`, `exit N`;
* `env` (the container's environment, one `NAME=value` a line, plus `HOSTNAME`),
  `hostname` (the group's name, as ECI sets it);
* `cat FILE...` of files mounted from ConfigFileVolumes (ConfigMaps, Secrets,
  downward API as the agent sends them); `cat` with no file copies stdin;
* `ls [DIR...]` of mounted directories (emptyDir volumes are empty);
* `sleep N` (returns the simulated seconds it asked for, which the WebSocket
  session waits on the simulator's clock; a synchronous call does not wait);
* `sh -c SCRIPT` (bash, ash, dash too) of those joined by `;`, `&&`, `||` or
  newlines, with `$VAR` from the environment; `sh` alone (`kubectl exec -it
  ... -- sh`) reads such lines from stdin, one at a time, until `exit` or
  the end of stdin.

Anything else prints `sh: PROGRAM: command not found (simulated container)`
on stderr and exits 127, as a shell does for a missing program: the simulator
never pretends to have run something it cannot run. Pure: no clock, no I/O.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from simulator.engine.workloads import _SHELLS, _expand, _sleep_seconds, _split_script

__all__ = ["COMMAND_NOT_FOUND", "DirLister", "ExecResult", "FileReader", "run_command"]

COMMAND_NOT_FOUND = 127
"""A shell's exit status for a program it cannot find."""

FileReader = Callable[[str], bytes | None]
DirLister = Callable[[str], list[str] | None]


@dataclass
class ExecResult:
    """What the command wrote and how it ended."""

    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    exit_code: int = 0
    seconds: float = 0.0
    """Simulated seconds the command takes (its `sleep`s)."""
    reads_stdin: bool = False
    """True: the command copies its stdin to stdout until stdin closes (`cat`)."""
    interactive_shell: bool = False
    """True: a shell with no script (`sh`, `bash`): it runs each line read from stdin."""


@dataclass(frozen=True)
class _Container:
    env: Mapping[str, str]
    hostname: str
    read_file: FileReader
    list_dir: DirLister


def _not_found(result: ExecResult, program: str) -> int:
    result.stderr += f"sh: {program}: command not found (simulated container)\n".encode()
    return COMMAND_NOT_FOUND


def _cat(result: ExecResult, arguments: Sequence[str], box: _Container) -> int:
    if not arguments:
        result.reads_stdin = True
        return 0
    status = 0
    for path in arguments:
        content = box.read_file(path)
        if content is None:
            kind = (
                "Is a directory" if box.list_dir(path) is not None else "No such file or directory"
            )
            result.stderr += f"cat: {path}: {kind}\n".encode()
            status = 1
        else:
            result.stdout += content
    return status


def _ls(result: ExecResult, arguments: Sequence[str], box: _Container) -> int:
    paths = [a for a in arguments if not a.startswith("-")] or ["."]
    status = 0
    for index, path in enumerate(paths):
        entries = box.list_dir(path)
        if entries is None:
            if box.read_file(path) is not None:
                result.stdout += f"{path}\n".encode()
                continue
            result.stderr += f"ls: cannot access '{path}': No such file or directory\n".encode()
            status = 2
            continue
        if len(paths) > 1:
            result.stdout += f"{'' if index == 0 else chr(10)}{path}:\n".encode()
        result.stdout += "".join(f"{entry}\n" for entry in entries).encode()
    return status


def _simple(result: ExecResult, words: list[str], box: _Container) -> int | None:
    """Run one simple command; its status, or None when it is `exit` (status set)."""
    program, arguments = words[0].rsplit("/", 1)[-1], words[1:]
    if program in {"true", ":"}:
        return 0
    if program == "false":
        return 1
    if program == "echo":
        newline = True
        if arguments and arguments[0] == "-n":
            newline, arguments = False, arguments[1:]
        result.stdout += (" ".join(arguments) + ("\n" if newline else "")).encode()
        return 0
    if program == "env" and not arguments:
        variables = {"HOSTNAME": box.hostname, **box.env}
        result.stdout += "".join(f"{k}={v}\n" for k, v in variables.items()).encode()
        return 0
    if program == "hostname" and not arguments:
        result.stdout += f"{box.hostname}\n".encode()
        return 0
    if program == "cat":
        return _cat(result, arguments, box)
    if program == "ls":
        return _ls(result, arguments, box)
    if program == "sleep":
        seconds = _sleep_seconds(arguments)
        if seconds is None:
            result.stderr += f"sleep: invalid time interval '{' '.join(arguments)}'\n".encode()
            return 1
        result.seconds = math.inf if math.isinf(seconds) else result.seconds + seconds
        return 0
    if program == "exit":
        if len(arguments) > 1 or (arguments and not arguments[0].isdigit()):
            result.stderr += b"sh: exit: Illegal number\n"
            result.exit_code = 2
        elif arguments:
            result.exit_code = int(arguments[0]) % 256
        return None
    if program in _SHELLS:
        if len(arguments) >= 2 and arguments[0].startswith("-") and "c" in arguments[0][1:]:
            return _script(result, arguments[1], box)
        if all(a in {"-i", "-l", "-il", "-li"} for a in arguments):
            result.interactive_shell = True
            return 0
        return _not_found(result, program)
    return _not_found(result, program)


def _script(result: ExecResult, script: str, box: _Container) -> int:
    commands = _split_script(script)
    if commands is None:
        result.stderr += b"sh: syntax not understood (simulated container)\n"
        return COMMAND_NOT_FOUND
    status = 0
    for operator, raw_words in commands:
        if (operator == "&&" and status != 0) or (operator == "||" and status == 0):
            continue
        words = [_expand(word, {**box.env, "?": str(status)}) for word in raw_words]
        result.exit_code = status
        outcome = _simple(result, words, box)
        if outcome is None:
            raise _Exit
        status = outcome
    return status


class _Exit(Exception):
    """`exit` inside a script: the whole command ends with `ExecResult.exit_code`."""


def run_command(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    hostname: str,
    read_file: FileReader,
    list_dir: DirLister,
) -> ExecResult:
    """Run `argv` in the simulated container (see the module docstring)."""
    box = _Container(env=env, hostname=hostname, read_file=read_file, list_dir=list_dir)
    result = ExecResult()
    if not argv:
        result.stderr += b"exec: no command given\n"
        result.exit_code = COMMAND_NOT_FOUND
        return result
    try:
        status = _simple(result, list(argv), box)
    except _Exit:
        return result
    if status is not None:
        result.exit_code = status
    return result


def command_line(argv: Sequence[str]) -> str:
    """The command as a shell would show it (for logs and messages)."""
    return shlex.join(argv)
