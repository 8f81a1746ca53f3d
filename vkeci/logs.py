"""structlog set-up for every `vk-eci` process, configured once at the entry point.

JSON when stderr is not a terminal, the console renderer when it is; stdlib
loggers (aiohttp, SQLAlchemy) go through the same renderer; secrets never
reach the output.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping, Sequence
from typing import Any

import structlog

SECRET_KEY_PATTERN = re.compile(
    r"(secret|password|passwd|token|authorization|credential|auth|signature)", re.IGNORECASE
)
REDACTED = "***"


def redact_secrets(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace the value of any field whose name looks like a secret."""
    del logger, method_name
    for key in list(event_dict):
        if key != "event" and SECRET_KEY_PATTERN.search(key):
            event_dict[key] = REDACTED
    return event_dict


def configure_logging(
    *, level: str = "info", json_output: bool | None = None, redactors: Sequence[Any] = ()
) -> None:
    """Configure structlog and the stdlib root logger; call once per process.

    `redactors` are a component's own redaction processors (the agent's:
    `vkprovider.redaction.redact_event`), run on every event after `redact_secrets`."""
    if json_output is None:
        json_output = not sys.stderr.isatty()
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json_output
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets,
        *redactors,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
