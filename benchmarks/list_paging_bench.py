"""A paged list (`limit` + `continue`, as kubectl and informers read) against one unpaged list
of the same objects, on the embedded API server (`vk-eci apiserver` in its own process).

Prints JSON: the time of each, best of `--repeats`, and their ratio. kube-apiserver serves
every page from one etcd revision, so reading N objects in pages should cost about what one
list of them does; a ratio well above 1 means each page costs more than its share.

    .venv/bin/python benchmarks/list_paging_bench.py --objects 10000 --limit 500
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from vkeci.bench.processes import log_tail, running_child

NAMESPACE = "paging"
TOKEN = "localkube"


async def _fill(session: aiohttp.ClientSession, base: str, objects: int) -> None:
    async with session.post(f"{base}/api/v1/namespaces", json={"metadata": {"name": NAMESPACE}}):
        pass
    slots = asyncio.Semaphore(32)

    async def create(index: int) -> None:
        body = {"metadata": {"name": f"cm-{index:06d}"}, "data": {"value": "x" * 100}}
        async with slots, session.post(_path(base), json=body) as reply:
            if reply.status != 201:
                raise RuntimeError(f"creating cm-{index:06d}: {reply.status} {await reply.text()}")

    await asyncio.gather(*(create(i) for i in range(objects)))


def _path(base: str) -> str:
    return f"{base}/api/v1/namespaces/{NAMESPACE}/configmaps"


async def _read(session: aiohttp.ClientSession, base: str, limit: int | None) -> tuple[int, int]:
    """(objects, pages) of one whole list."""
    token: str | None = None
    objects = pages = 0
    while True:
        query = {"limit": str(limit)} if limit else {}
        if token:
            query["continue"] = token
        async with session.get(_path(base), params=query) as reply:
            body: Any = await reply.json()
        objects += len(body["items"])
        pages += 1
        token = body["metadata"].get("continue")
        if not token:
            return objects, pages


async def _bench(base: str, *, objects: int, limit: int, repeats: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        await _fill(session, base, objects)
        best: dict[str, float] = {}
        shape: dict[str, tuple[int, int]] = {}
        for repeat in range(repeats):
            # A write first, so that each paged list pins a new resourceVersion and builds
            # its own snapshot instead of reusing the last one's.
            label = {"metadata": {"labels": {"repeat": str(repeat)}}}
            merge = {"Content-Type": "application/merge-patch+json"}
            async with session.patch(f"{_path(base)}/cm-000000", json=label, headers=merge):
                pass
            for name, page_limit in (("unpaged", None), ("paged", limit)):
                started = time.perf_counter()
                shape[name] = await _read(session, base, page_limit)
                elapsed = time.perf_counter() - started
                best[name] = min(best.get(name, elapsed), elapsed)
    if shape["unpaged"][0] != shape["paged"][0]:
        raise RuntimeError(f"the two lists differ: {shape}")
    return {
        "objects": shape["unpaged"][0],
        "limit": limit,
        "pages": shape["paged"][1],
        "unpaged_seconds": round(best["unpaged"], 4),
        "paged_seconds": round(best["paged"], 4),
        "paged_over_unpaged": round(best["paged"] / best["unpaged"], 2),
        "repeats": repeats,
    }


async def _run(*, objects: int, limit: int, repeats: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as workdir:
        args = ["apiserver", "--listen", "127.0.0.1:0", "--log-level", "warning",
                "--kubeconfig", str(Path(workdir) / "kubeconfig")]  # fmt: skip
        async with running_child(
            "apiserver", args, env={}, workdir=Path(workdir), wait_for_stdout_line=True
        ) as (child, line):
            if "listening on " not in line:
                raise SystemExit(f"vk-eci apiserver printed {line!r}:\n{log_tail(child.log_path)}")
            base = line.split("listening on ")[1].strip()
            return await _bench(base, objects=objects, limit=limit, repeats=repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10000)
    parser.add_argument("--limit", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    result = asyncio.run(_run(objects=args.objects, limit=args.limit, repeats=args.repeats))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
