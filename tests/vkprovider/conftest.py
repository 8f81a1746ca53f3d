"""Fixtures that run the node agent in-process against `kube` + `eci`.

`agent_settings` shortens every interval (status polls 0.1 s, full
reconcile 1 s, lease renewals 0.5 s) so tests finish fast against the
simulator's scaled clock; `start_agent` builds and starts one agent (tests of
restarts call it twice); `agent` yields a started `AgentHandle` with a fresh
namespace for the test, which is how the ImageCache and demo tests reuse it.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import structlog
from kubernetes_asyncio import client, config

from tests.fixtures.eci import EciTarget
from tests.fixtures.kube import KubeTarget
from tests.vkprovider.helpers import TEST_NODE, eventually
from vkprovider.agent import Agent
from vkprovider.eci.client import EciClient
from vkprovider.settings import (
    AgentSettings,
    EciSettings,
    KubeletSettings,
    LeaseSettings,
    NodeSettings,
    PodSettings,
    RetrySettings,
)

TEST_RETRY = RetrySettings(
    backoff_seconds=(0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0), max_retry_after_seconds=2.0
)


def make_agent_settings(*, kube: KubeTarget, eci: EciTarget, state_dir: Path) -> AgentSettings:
    return AgentSettings(
        node=NodeSettings(name=TEST_NODE, status_interval_seconds=2.0),
        lease=LeaseSettings(renew_interval_seconds=0.5),
        pods=PodSettings(
            workers=16,
            status_poll_interval_seconds=0.1,
            status_change_poll_seconds=0.5,
            reconcile_interval_seconds=1.0,
            orphan_grace_seconds=1.0,
            watch_timeout_seconds=30,
            watch_inactivity_seconds=10.0,
            retry=TEST_RETRY,
        ),
        eci=EciSettings(
            endpoint=eci.endpoint,
            region_id=eci.region_id,
            access_key_id=eci.access_key_id,
            access_key_secret=eci.access_key_secret,
            retry=TEST_RETRY,
        ),
        # Open, so tests can call it as anyone on any cluster; the authenticated default is
        # what tests/vkprovider/kubelet/test_kubelet_auth.py checks.
        kubelet=KubeletSettings(port=0, state_dir=str(state_dir), authentication=False),
        kubeconfig=str(kube.kubeconfig),
        imagecache_controller=False,
    )


@pytest.fixture
async def agent_settings(
    kube: KubeTarget, eci: EciTarget, tmp_path: Path
) -> AsyncIterator[AgentSettings]:
    """The test agent's settings; on a real cluster its Node and Pods are removed afterwards.

    The agent never deletes its own Node, and with it stopped nobody finishes the graceful
    deletion of the Pods bound to it. Left alone, the next test's agent (same node name)
    would inherit them, so they are force-deleted here, then the Node.
    """
    settings = make_agent_settings(kube=kube, eci=eci, state_dir=tmp_path / "agent-state")
    yield settings
    if kube.embedded is None:
        await _remove_node_and_its_pods(kube, settings.node.name)


async def _remove_node_and_its_pods(kube: KubeTarget, node_name: str) -> None:
    api = await config.new_client_from_config(config_file=str(kube.kubeconfig))
    core: Any = client.CoreV1Api(api)
    try:
        pods = await core.list_pod_for_all_namespaces(field_selector=f"spec.nodeName={node_name}")
        for pod in pods.items:
            with contextlib.suppress(client.ApiException):
                await core.delete_namespaced_pod(
                    pod.metadata.name, pod.metadata.namespace, grace_period_seconds=0
                )
        with contextlib.suppress(client.ApiException):
            await core.delete_node(node_name)
    finally:
        await api.close()


@dataclass
class AgentHandle:
    """A running agent plus what a test needs around it."""

    agent: Agent
    api: client.ApiClient
    settings: AgentSettings
    namespace: str

    @property
    def node_name(self) -> str:
        return self.settings.node.name

    async def stop(self) -> None:
        await self.agent.stop()
        await self.api.close()


async def start_agent(settings: AgentSettings, *, imagecache_settings: Any = None) -> AgentHandle:
    """Start an agent; `imagecache_settings` (ImageCacheSettings) tunes its cache controller."""
    if imagecache_settings is not None:
        settings = replace(settings, imagecaches=imagecache_settings)
    api = await config.new_client_from_config(config_file=settings.kubeconfig)
    agent = Agent(
        settings=settings,
        api=api,
        eci_client=EciClient(settings=settings.eci),
        logger=structlog.get_logger("vkprovider.test"),
    )
    try:
        await asyncio.wait_for(agent.start(), timeout=30)
    except BaseException:
        await agent.stop()
        await api.close()
        raise
    return AgentHandle(agent=agent, api=api, settings=settings, namespace="")


@pytest.fixture
async def namespace(kube_api: client.ApiClient) -> AsyncIterator[str]:
    """A fresh namespace (with its `default` ServiceAccount), deleted afterwards."""
    name = f"vk-test-{secrets.token_hex(4)}"
    core: Any = client.CoreV1Api(kube_api)
    await core.create_namespace({"metadata": {"name": name}})

    async def account_ready() -> bool:
        try:
            await core.read_namespaced_service_account("default", name)
        except client.ApiException as exc:
            if exc.status == 404:
                return False
            raise
        return True

    # A real cluster's ServiceAccount controller creates `default` a moment after the
    # namespace, and ServiceAccount admission refuses Pods until it exists.
    await eventually(account_ready, what="the default ServiceAccount of the test namespace")
    yield name
    with contextlib.suppress(client.ApiException):
        await core.delete_namespace(name)


@pytest.fixture
async def agent(agent_settings: AgentSettings, namespace: str) -> AsyncIterator[AgentHandle]:
    handle = await start_agent(agent_settings)
    handle.namespace = namespace
    try:
        yield handle
    finally:
        await handle.stop()


@pytest.fixture
def agent_factory(
    agent_settings: AgentSettings, namespace: str
) -> Callable[..., Awaitable[AgentHandle]]:
    """Start (another) agent with settings overrides; the test stops it."""

    async def factory(*, imagecache_settings: Any = None, **overrides: Any) -> AgentHandle:
        handle = await start_agent(
            replace(agent_settings, **overrides), imagecache_settings=imagecache_settings
        )
        handle.namespace = namespace
        return handle

    return factory
