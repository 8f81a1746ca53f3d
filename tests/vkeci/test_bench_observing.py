"""The scale benchmark's own view of the API server: its watch counts Pods turning Running
and its final listing checks each status, against the embedded server."""

from __future__ import annotations

from pathlib import Path

from localkube.server import LocalKube
from tests.polling import eventually
from vkeci.bench.kubetarget import load_target
from vkeci.bench.observing import check_statuses, count_events, watching
from vkeci.bench.writing import create_node, ensure_namespace, write_pods


async def test_the_watch_sees_the_ceilings_pods_running_and_the_check_passes(
    needs_embedded: LocalKube, tmp_path: Path
) -> None:
    target = await load_target(needs_embedded.write_kubeconfig(tmp_path / "kubeconfig"))
    namespace, node, run = "bench-observed", "bench-node", "ceiling"
    written: list[float] = []
    async with target.session() as session:
        await ensure_namespace(session, namespace)
        await create_node(session, node)
        async with watching(target, namespace) as watch:
            await write_pods(
                session,
                namespace=namespace,
                node_name=node,
                run=run,
                count=40,
                patch_status=True,
                on_written=written.append,
            )

            async def all_running() -> bool:
                return watch.running(run) == 40

            await eventually(all_running, what="the bench watch to see 40 Pods Running")
        check = await check_statuses(session, namespace=namespace, run=run)
        events = await count_events(session, namespace=namespace)
    assert len(written) == 40
    assert check == {"pods_checked": 40, "pods_wrong": 0, "examples": []}
    assert events == (0, 0)
