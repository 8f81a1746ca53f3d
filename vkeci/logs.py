"""structlog set-up for every `vk-eci` process, configured once at the entry point.

JSON when stderr is not a terminal, the console renderer when it is; stdlib
loggers (aiohttp, SQLAlchemy, kubernetes_asyncio) go through the same
renderer. Two steps run last, for structlog and stdlib entries alike, at every
level: tracebacks are rendered (a line carries the formatted `exception`, never
a bare `"exc_info": true`), then `vkeci.redaction.redact_event` replaces every
secret, tracebacks included, so no secret reaches the output.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any

import structlog

from vkeci.redaction import redact_event


def configure_logging(
    *, level: str = "info", json_output: bool | None = None, redactors: Sequence[Any] = ()
) -> None:
    """Configure structlog and the stdlib root logger; call once per process.

    `redactors` are a component's own redaction processors (the agent's:
    `vkprovider.redaction.redact_event`), run on every event after `redact_event`."""
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
                # the traceback becomes the `exception` text, so redaction covers it too
                # (on a terminal as well: plain tracebacks rather than unredacted pretty ones)
                structlog.processors.format_exc_info,
                redact_event,
                *redactors,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # aiosqlite's debug log repeats every statement with its parameters (the simulator's
    # stored specs: env values, ConfigFileVolume files). SQLAlchemy logs statements already,
    # with `hide_parameters`; the driver's copy says nothing more and would leak.
    logging.getLogger("aiosqlite").setLevel(max(root.level, logging.INFO))
