"""structlog set-up for every `vk-eci` process, configured once at the entry point.

JSON when stderr is not a terminal, the console renderer when it is; stdlib
loggers (aiohttp, SQLAlchemy, kubernetes_asyncio) go through the same
renderer. Two steps run last, for structlog and stdlib entries alike, at every
level: tracebacks are rendered (a line carries the formatted `exception`, never
a bare `"exc_info": true`), then `vkeci.redaction.redact_event` replaces every
secret, tracebacks included, so no secret reaches the output.

The ECI SDK (`darabonba-core`) prints on a stream handler of its own, added
when it is first imported, with `DEBUG=sdk` every request line with its query
(registry passwords, env values) and headers. `route_sdk_loggers` hands its
records to the root handler instead, through the same chain, whether the SDK is
imported before `configure_logging` (the agent, the demo) or after (the
benchmarks' in-process stack); it imports nothing, so a process that never uses
the SDK pays nothing for it.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from vkeci.redaction import redact_event

SDK_LOGGERS = ("darabonba-core",)
"""Loggers of the ECI SDK that print on a handler of their own (see `route_sdk_loggers`)."""


def configure_logging(*, level: str = "info", json_output: bool | None = None) -> None:
    """Configure structlog and the stdlib root logger (and the SDK's); call once per process."""
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
        # filter_by_level first: a debug line below the level costs a level check, not a
        # timestamp and a chain of processors (the agent logs per Pod at debug and info)
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
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
    route_sdk_loggers()


class _ThroughRoot(logging.Filter):
    """On an SDK logger: hands each record, at the root's level, to the root logger's
    handlers (structlog's chain, redaction included) and stops it there, so the SDK's own
    handler never prints it, whenever that handler was added."""

    def filter(self, record: logging.LogRecord) -> bool:
        root = logging.getLogger()
        if record.levelno >= root.getEffectiveLevel():
            root.handle(record)
        return False


def route_sdk_loggers() -> None:
    """Send the ECI SDK's own loggers through the root handler (and so through redaction)."""
    for name in SDK_LOGGERS:
        sdk_logger = logging.getLogger(name)
        for old in [f for f in sdk_logger.filters if isinstance(f, _ThroughRoot)]:
            sdk_logger.removeFilter(old)
        sdk_logger.addFilter(_ThroughRoot())
