"""How a whole-stack command (`vk-eci demo`, `vk-eci bench`) reports a run that failed.

Both run the embedded API server, the simulator and the agent in this process,
so they fail the same ways: the stack does not come up, the API server answers
an error, a connection drops, the user presses Ctrl-C. Each becomes one clear
line on stderr (no traceback unless `--log-level debug`) and an exit code: 130
for an interrupt, 1 for anything else. Keeping it in one place keeps the two
commands' messages alike.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import aiohttp
from kubernetes_asyncio.client.exceptions import ApiException

from vkeci.stack.errors import StackError

__all__ = ["run_reporting_failures"]

INTERRUPTED_EXIT_CODE = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells report it."""
FAILED_EXIT_CODE = 1


def run_reporting_failures(*, command: str, body: Callable[[], int], log_level: str) -> int:
    """`body()`'s exit code, or the code of its failure after one line naming `command`.

    `log_level` "debug" lets an unexpected exception through with its traceback.
    """

    def report(message: str) -> None:
        print(f"vk-eci {command}: {message}", file=sys.stderr)

    try:
        return body()
    except StackError as exc:
        report(str(exc))
    except ApiException as exc:
        report(f"the API server said {exc.status} {exc.reason}")
    except (aiohttp.ClientError, OSError) as exc:
        report(f"{type(exc).__name__}: {exc}")
    except KeyboardInterrupt:
        report("interrupted")
        return INTERRUPTED_EXIT_CODE
    except Exception as exc:
        if log_level.lower() == "debug":
            raise
        report(
            f"unexpected {type(exc).__name__}: {exc} (run with --log-level debug for the traceback)"
        )
    return FAILED_EXIT_CODE
