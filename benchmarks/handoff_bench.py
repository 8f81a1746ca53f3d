"""CPU per call of handing a blocking call to a thread and its answer back to the loop.

What `EciClient` pays around every SDK call, without the SDK: a call of about 5 us of Python
run inline on the loop, through `loop.run_in_executor` on a `ThreadPoolExecutor`, and
through `vkprovider.eci.threads.SdkThreads`, each with 64 calls in flight (the pod workers'
creations), for 16 and 4 threads. Prints JSON: this process's CPU (all threads) and wall
microseconds per call.

    .venv/bin/python benchmarks/handoff_bench.py [--calls 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vkprovider.eci.threads import SdkThreads

IN_FLIGHT = 64

Runner = Callable[[Callable[[], Any]], Awaitable[Any]]


def _call() -> int:
    total = 0
    for number in range(200):
        total += number
    return total


async def _measure(run: Runner, calls: int) -> dict[str, float]:
    remaining = calls

    async def lane() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await run(_call)

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(IN_FLIGHT)))
    return {
        "cpu_us_per_call": round((time.process_time() - cpu) / calls * 1e6, 1),
        "wall_us_per_call": round((time.perf_counter() - wall) / calls * 1e6, 1),
    }


async def measure(calls: int) -> dict[str, Any]:
    loop = asyncio.get_running_loop()

    async def inline(call: Callable[[], Any]) -> Any:
        return call()

    results: dict[str, Any] = {"calls": calls, "in_flight": IN_FLIGHT}
    results["inline"] = await _measure(inline, calls)
    for size in (16, 4):
        executor = ThreadPoolExecutor(max_workers=size)

        async def in_executor(call: Callable[[], Any], executor: Any = executor) -> Any:
            return await loop.run_in_executor(executor, call)

        threads = SdkThreads(size=size, name="handoff-bench")
        try:
            results[f"run_in_executor_{size}"] = await _measure(in_executor, calls)
            results[f"sdk_threads_{size}"] = await _measure(threads.run, calls)
        finally:
            executor.shutdown()
            threads.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.calls)), indent=2))


if __name__ == "__main__":
    main()
