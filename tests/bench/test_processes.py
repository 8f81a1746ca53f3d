"""The benchmarks' reading of another process's CPU time."""

from __future__ import annotations

import os
import subprocess
import sys

from vkeci.bench.processes import cpu_seconds

# A child that burns about 3 ms of CPU in a thread that then ends, says so, and waits.
BURN_IN_A_THREAD = """
import sys, threading, time
def burn():
    start = time.thread_time()
    while time.thread_time() - start < 0.003:
        pass
worker = threading.Thread(target=burn)
worker.start()
worker.join()
print("burnt", flush=True)
sys.stdin.read()
"""


def test_cpu_seconds_resolves_less_than_a_clock_tick_and_counts_ended_threads() -> None:
    tick = 1 / os.sysconf("SC_CLK_TCK")
    child = subprocess.Popen(
        [sys.executable, "-c", BURN_IN_A_THREAD],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "burnt\n"
        used = cpu_seconds(child.pid)
        # The interpreter's start-up plus the thread's 3 ms, read to below a tick: a
        # whole number of ticks would show the reading is the coarse /proc one.
        assert used > 0.003
        assert abs(used / tick - round(used / tick)) > 1e-6
        assert cpu_seconds(child.pid) >= used
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=10)
    assert cpu_seconds(child.pid) == 0.0
