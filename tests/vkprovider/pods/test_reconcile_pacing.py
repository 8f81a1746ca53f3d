"""The full reconcile gets rarer as its rounds get longer (a full node), never more frequent
than configured."""

from __future__ import annotations

from vkprovider.pods.reconciling import reconcile_wait_seconds


def test_short_rounds_keep_the_configured_interval() -> None:
    assert reconcile_wait_seconds(interval=60.0, last_round_seconds=0.4) == 60.0
    assert reconcile_wait_seconds(interval=60.0, last_round_seconds=3.0) == 60.0


def test_long_rounds_take_at_most_a_twentieth_of_the_time() -> None:
    # 10,000 groups listed 20 per call in 8 s: the next round starts 160 s later.
    assert reconcile_wait_seconds(interval=60.0, last_round_seconds=8.0) == 160.0
