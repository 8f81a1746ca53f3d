"""What a simulated container does once it runs, read from its command, args and env.

No process ever runs: the simulator decides from the container's request
whether it runs until deleted, exits after some seconds with some code,
crash-loops or never becomes ready, and which lines it prints. The rules, in
order (the first that applies wins):

1. Environment (explicit simulator control, whatever the command):
   * `ECI_SIM_EXIT_AFTER_SECONDS=N`: exit N simulated seconds after start;
   * `ECI_SIM_EXIT_CODE=C`: with it, the exit code (default 0); alone, exit at once
     with C;
   * `ECI_SIM_CRASH_LOOP=true`: exit with code 1 (or `ECI_SIM_EXIT_CODE`) after 1 s
     (or `ECI_SIM_EXIT_AFTER_SECONDS`) on every run, so `Always`/`OnFailure`
     restart it with back-off;
   * `ECI_SIM_FAIL_READINESS=true` (or `ECI_SIM_READY=false`): the container runs
     but its readiness never passes (combines with the others).
2. The command line (`command` then `args`):
   * `true` / `false`: exit 0 / 1 at once; `sleep N` (GNU suffixes s, m, h, d;
     several arguments add up; `infinity` never ends): exit 0 after N s;
     `echo ...`: print and exit 0; `cat FILE...`: print the files mounted from
     ConfigFileVolumes (decoded) and exit 0, or say "No such file or directory"
     and exit 1;
   * `sh -c SCRIPT` (also bash, ash, dash; `-ec` and the like): a script made only
     of `sleep`, `exit`, `echo`, `cat`, `true`, `false`, `:` and `set` joined by `;`,
     `&&`, `||` or newlines is played out (`$VAR` taken from the env): the script
     ends with its last status, or at `exit`;
   * anything else (a server such as `nginx`, a loop, an unknown program, or no
     command at all: the image's entrypoint) runs until deleted.
3. An init container whose command is not understood exits 0 after
   `INIT_CONTAINER_DEFAULT_SECONDS`, so the group can go on.

Probes: an exec probe's command is played the same way (exit 0 passes; a
command the simulator does not understand passes), HTTP and TCP probes pass;
`ECI_SIM_FAIL_LIVENESS=true` makes the liveness probe fail whatever it is.

Bad values of the `ECI_SIM_*` variables are refused with an error naming the
container, the variable and the value. Pure: no clock, no I/O (files are read
through the `read_file` callback the caller gives).
"""

from __future__ import annotations

import enum
import math
import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from simulator.errors import InvalidParameter

__all__ = [
    "ENV_CRASH_LOOP",
    "ENV_EXIT_AFTER_SECONDS",
    "ENV_EXIT_CODE",
    "ENV_FAIL_LIVENESS",
    "ENV_FAIL_READINESS",
    "ENV_READY",
    "INIT_CONTAINER_DEFAULT_SECONDS",
    "FileReader",
    "LifecycleEvent",
    "LogLine",
    "Workload",
    "command_succeeds",
    "fails_liveness",
    "lifecycle_log_line",
    "parse_workload",
]

ENV_EXIT_AFTER_SECONDS = "ECI_SIM_EXIT_AFTER_SECONDS"
ENV_EXIT_CODE = "ECI_SIM_EXIT_CODE"
ENV_CRASH_LOOP = "ECI_SIM_CRASH_LOOP"
ENV_FAIL_READINESS = "ECI_SIM_FAIL_READINESS"
ENV_READY = "ECI_SIM_READY"
ENV_FAIL_LIVENESS = "ECI_SIM_FAIL_LIVENESS"

FileReader = Callable[[str], bytes | None]
"""The content a container reads at a path (its mounted files), None when there is none."""

INIT_CONTAINER_DEFAULT_SECONDS = 1.0
"""How long an init container with a command the simulator does not understand runs."""

CRASH_LOOP_DEFAULT_SECONDS = 1.0
"""How long a crash-looping container runs each time unless told otherwise."""

LOG_PREFIX = "[vk-eci simulator]"
"""Lines the simulator writes on a container's behalf start with this."""

_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "busybox-sh"})
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)([smhd]?)")
_UNIT_SECONDS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


@dataclass(frozen=True)
class LogLine:
    """A line a container prints, `offset_seconds` after it starts."""

    offset_seconds: float
    text: str


@dataclass(frozen=True)
class Workload:
    """What a container does on each run."""

    exit_after_seconds: float | None
    """None: runs until deleted."""
    exit_code: int
    """Exit code when it exits (0 .. 255)."""
    ready: bool
    """False: its readiness never passes."""
    log_lines: tuple[LogLine, ...]
    """What it prints during a run, start-up line first, exit line last."""
    description: str
    """What the simulator understood, in words (first log line, events)."""

    @property
    def runs_until_deleted(self) -> bool:
        return self.exit_after_seconds is None


class LifecycleEvent(enum.Enum):
    """Moments the simulator writes a line for in a container's log."""

    STARTED = "started"
    RESTARTED = "restarted"
    STOPPING = "stopping"
    EXITED = "exited"


def lifecycle_log_line(
    *,
    event: LifecycleEvent,
    container: str,
    image: str = "",
    exit_code: int | None = None,
    restart_count: int | None = None,
) -> str:
    """The line written into a container's log at a lifecycle moment."""
    if event is LifecycleEvent.STARTED:
        return f"{LOG_PREFIX} container {container} started from image {image}"
    if event is LifecycleEvent.RESTARTED:
        return f"{LOG_PREFIX} container {container} restarted (restart count {restart_count})"
    if event is LifecycleEvent.STOPPING:
        return f"{LOG_PREFIX} container {container} received SIGTERM, stopping"
    return f"{LOG_PREFIX} container {container} exited with code {exit_code}"


# --- environment -------------------------------------------------------------------------


def _bad(container: str, variable: str, value: str, expected: str) -> InvalidParameter:
    return InvalidParameter(
        f'container "{container}": environment variable {variable}="{value}" is not {expected}'
    )


def _env_seconds(env: Mapping[str, str], variable: str, container: str) -> float | None:
    raw = env.get(variable)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise _bad(container, variable, raw, "a number of seconds >= 0")
    return value


def _env_code(env: Mapping[str, str], variable: str, container: str) -> int | None:
    raw = env.get(variable)
    if raw is None:
        return None
    if not raw.strip().isdigit() or not 0 <= int(raw) <= 255:
        raise _bad(container, variable, raw, "an exit code from 0 to 255")
    return int(raw)


def _env_flag(env: Mapping[str, str], variable: str, container: str) -> bool | None:
    raw = env.get(variable)
    if raw is None:
        return None
    value = raw.strip().lower()
    if value in {"true", "1", "yes", "on"}:
        return True
    if value in {"false", "0", "no", "off", ""}:
        return False
    raise _bad(container, variable, raw, "true or false")


# --- command lines -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    exit_after_seconds: float | None
    exit_code: int
    printed: tuple[LogLine, ...]
    description: str


def _sleep_seconds(words: Sequence[str]) -> float | None:
    """Seconds `sleep words...` waits, math.inf for infinity, None when not understood."""
    if not words:
        return None
    total = 0.0
    for word in words:
        if word in {"inf", "infinity"}:
            return math.inf
        match = _DURATION.fullmatch(word)
        if match is None:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    return total


def _expand(word: str, env: Mapping[str, str]) -> str:
    return _VARIABLE.sub(lambda m: env.get(m.group(1) or m.group(2), ""), word)


def _split_script(script: str) -> list[tuple[str, list[str]]] | None:
    """(operator before, words) per simple command; None when the syntax is beyond us."""
    lexer = shlex.shlex(script.replace("\n", ";"), posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:
        return None
    commands: list[tuple[str, list[str]]] = []
    operator = ";"
    words: list[str] = []
    for token in tokens:
        if token in {";", "&&", "||"}:
            if words:
                commands.append((operator, words))
            elif token != ";":
                return None
            operator, words = token, []
        elif token and set(token) <= set(";&|"):
            return None  # pipes, background jobs, ;; and the like
        else:
            words.append(token)
    if words:
        commands.append((operator, words))
    return commands


def _no_files(path: str) -> bytes | None:
    del path
    return None


def _cat(arguments: Sequence[str], read_file: FileReader, at: float) -> tuple[int, list[LogLine]]:
    """`cat FILE...`: the files' lines (decoded as UTF-8), and the exit status."""
    if not arguments or any(a.startswith("-") for a in arguments):
        return -1, []
    status, printed = 0, []
    for path in arguments:
        content = read_file(path)
        if content is None:
            printed.append(LogLine(at, f"cat: {path}: No such file or directory"))
            status = 1
            continue
        printed += [LogLine(at, line) for line in content.decode(errors="replace").splitlines()]
    return status, printed


def _play_script(
    script: str, env: Mapping[str, str], read_file: FileReader = _no_files
) -> _Outcome | None:
    commands = _split_script(script)
    if commands is None:
        return None
    elapsed, status = 0.0, 0
    printed: list[LogLine] = []
    for operator, raw_words in commands:
        if (operator == "&&" and status != 0) or (operator == "||" and status == 0):
            continue
        words = [_expand(word, env) for word in raw_words]
        program, arguments = words[0], words[1:]
        if program in {"true", ":", "set"}:
            status = 0
        elif program == "false":
            status = 1
        elif program == "echo":
            printed.append(LogLine(elapsed, " ".join(arguments)))
            status = 0
        elif program == "cat":
            status, lines = _cat(arguments, read_file, elapsed)
            if status < 0:
                return None
            printed += lines
        elif program == "sleep":
            seconds = _sleep_seconds(arguments)
            if seconds is None:
                return None
            if math.isinf(seconds):
                return _Outcome(None, 0, tuple(printed), "sleeps forever")
            elapsed += seconds
            status = 0
        elif program == "exit":
            if len(arguments) > 1 or (arguments and not arguments[0].isdigit()):
                return None
            code = int(arguments[0]) % 256 if arguments else status
            return _Outcome(elapsed, code, tuple(printed), f"exits with code {code}")
        else:
            return None
    return _Outcome(elapsed, status, tuple(printed), f"exits with code {status}")


def _play_command(
    argv: Sequence[str], env: Mapping[str, str], read_file: FileReader = _no_files
) -> _Outcome | None:
    if not argv:
        return None
    program = argv[0].rsplit("/", 1)[-1]
    arguments = list(argv[1:])
    if program in _SHELLS and arguments:
        option = arguments[0]
        if option.startswith("-") and "c" in option[1:] and len(arguments) >= 2:
            return _play_script(arguments[1], env, read_file)
        return None
    if program in {"true", "false", "sleep", "echo", "cat"}:
        return _play_script(shlex.join([program, *arguments]), env, read_file)
    return None


def command_succeeds(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    read_file: FileReader = _no_files,
) -> bool:
    """Whether an exec probe's command passes: exit 0, or a command not understood."""
    variables = dict(env.items()) if isinstance(env, Mapping) else dict(env)
    outcome = _play_command(command, variables, read_file)
    return outcome is None or outcome.exit_after_seconds is None or outcome.exit_code == 0


def fails_liveness(*, name: str, env: Mapping[str, str] | Iterable[tuple[str, str]]) -> bool:
    """Whether `ECI_SIM_FAIL_LIVENESS` makes the container's liveness probe fail."""
    variables = dict(env.items()) if isinstance(env, Mapping) else dict(env)
    return _env_flag(variables, ENV_FAIL_LIVENESS, name) or False


def _seconds_text(seconds: float) -> str:
    return f"{seconds:g} s"


def parse_workload(
    *,
    name: str,
    image: str,
    command: Sequence[str] = (),
    args: Sequence[str] = (),
    env: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    init: bool = False,
    read_file: FileReader = _no_files,
) -> Workload:
    """Decide what container `name` does on each run (see the module docstring)."""
    variables = dict(env.items()) if isinstance(env, Mapping) else dict(env)
    exit_after = _env_seconds(variables, ENV_EXIT_AFTER_SECONDS, name)
    exit_code = _env_code(variables, ENV_EXIT_CODE, name)
    crash_loop = _env_flag(variables, ENV_CRASH_LOOP, name) or False
    fail_readiness = _env_flag(variables, ENV_FAIL_READINESS, name) or False
    ready_flag = _env_flag(variables, ENV_READY, name)
    ready = not fail_readiness and ready_flag is not False

    argv = [*command, *args]
    outcome: _Outcome | None
    if crash_loop:
        seconds = CRASH_LOOP_DEFAULT_SECONDS if exit_after is None else exit_after
        code = 1 if exit_code is None else exit_code
        outcome = _Outcome(seconds, code, (), f"crash-loops: exits with code {code}")
    elif exit_after is not None or exit_code is not None:
        code = exit_code or 0
        outcome = _Outcome(exit_after or 0.0, code, (), f"exits with code {code}")
    else:
        outcome = _play_command(argv, variables, read_file)
    if outcome is None and init:
        outcome = _Outcome(
            INIT_CONTAINER_DEFAULT_SECONDS, 0, (), "init container: exits with code 0"
        )
    if outcome is None or outcome.exit_after_seconds is None:
        printed = () if outcome is None else outcome.printed
        what = "runs until deleted" if outcome is None else outcome.description
        description = what + ("" if ready else ", never ready")
        lines = (
            LogLine(0.0, f"{LOG_PREFIX} {name} ({image}): {description} ({_command_text(argv)})"),
            *printed,
        )
        return Workload(None, 0, ready, lines, description)

    seconds = outcome.exit_after_seconds
    description = f"{outcome.description} after {_seconds_text(seconds)}"
    if not ready:
        description += ", never ready"
    lines = (
        LogLine(0.0, f"{LOG_PREFIX} {name} ({image}): {description} ({_command_text(argv)})"),
        *outcome.printed,
        LogLine(seconds, f"{LOG_PREFIX} {name}: exiting with code {outcome.exit_code}"),
    )
    return Workload(seconds, outcome.exit_code, ready, lines, description)


def _command_text(argv: Sequence[str]) -> str:
    return shlex.join(argv) if argv else "image entrypoint"
