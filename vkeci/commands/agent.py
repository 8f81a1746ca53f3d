"""`vk-eci agent`: run the node agent (node, lease, pods, kubelet API, ImageCaches).

Settings come from defaults, then `--config FILE`, then the environment
(AccessKey: `ECI_ACCESS_KEY_ID` / `ECI_ACCESS_KEY_SECRET`, or
`--credentials-file`), then flags. Without `--kubeconfig`, `KUBECONFIG` is
used, then the in-cluster service account. SIGTERM/SIGINT stop the agent
gracefully: the Node stays (marked NotReady with `--mark-not-ready-on-exit`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import signal
import sys
from typing import Any

import structlog

from vkeci.logs import configure_logging
from vkprovider.agent import Agent
from vkprovider.configuration import ConfigurationError, load_settings_file, with_credentials
from vkprovider.eci.client import EciClient
from vkprovider.kube.client import make_api_client
from vkprovider.settings import AgentSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="YAML/JSON settings file")
    parser.add_argument("--kubeconfig", metavar="PATH", help="default: $KUBECONFIG, in-cluster")
    parser.add_argument("--node-name", help="virtual node name (default virtual-kubelet)")
    parser.add_argument("--eci-endpoint", metavar="HOST:PORT", help="ECI API endpoint")
    parser.add_argument(
        "--eci-protocol", choices=["http", "https"], help="default: http on loopback, else https"
    )
    parser.add_argument("--region-id", help="ECI region (default cn-hangzhou)")
    parser.add_argument("--zone-id", help="ECI zone for new instances (default: ECI chooses)")
    parser.add_argument("--credentials-file", metavar="FILE", help="AccessKey pair (JSON or INI)")
    parser.add_argument("--cpu", help="node CPU capacity (quantity)")
    parser.add_argument("--memory", help="node memory capacity (quantity)")
    parser.add_argument("--pods", help="node Pod capacity")
    parser.add_argument("--internal-ip", help="address published as the node's InternalIP")
    parser.add_argument("--kubelet-host", help="kubelet API bind address (default 127.0.0.1)")
    parser.add_argument("--kubelet-port", type=int, help="kubelet API port (default 10250)")
    parser.add_argument("--tls-cert-file", help="kubelet serving certificate (PEM)")
    parser.add_argument("--tls-key-file", help="kubelet serving key (PEM)")
    parser.add_argument("--state-dir", help="where a self-signed kubelet certificate is kept")
    parser.add_argument(
        "--kubelet-client-ca",
        "--client-ca-file",
        dest="client_ca_file",
        help="CA of client certificates the kubelet API accepts (the API server's); "
        "default: the CA of the kubeconfig",
    )
    auth = parser.add_mutually_exclusive_group()
    auth.add_argument(
        "--kubelet-authentication",
        dest="kubelet_authentication",
        action="store_true",
        default=None,
        help="authenticate kubelet API callers (client certificate or TokenReview) and "
        "authorise them by SubjectAccessReview (the default)",
    )
    auth.add_argument(
        "--kubelet-anonymous-auth",
        dest="kubelet_authentication",
        action="store_false",
        default=None,
        help="serve the kubelet API to anyone who reaches its port (opt out of authentication)",
    )
    parser.add_argument(
        "--no-imagecache-controller",
        action="store_true",
        help="do not run the ImageCache controller",
    )
    parser.add_argument(
        "--mark-not-ready-on-exit",
        action="store_true",
        default=None,
        help="set the node NotReady on graceful shutdown",
    )
    parser.add_argument("--log-format", choices=["json", "console"], help="default: auto")
    parser.add_argument("--log-level", default="info")


def _replace(obj: Any, **changes: Any) -> Any:
    kept = {k: v for k, v in changes.items() if v is not None}
    return dataclasses.replace(obj, **kept) if kept else obj


def _replace_settings(settings: AgentSettings, **changes: Any) -> AgentSettings:
    result: AgentSettings = _replace(settings, **changes)
    return result


def build_settings(args: argparse.Namespace, environ: dict[str, str]) -> AgentSettings:
    settings = load_settings_file(args.config) if args.config else AgentSettings()
    settings = with_credentials(
        settings, environ=environ, credentials_file=args.credentials_file or ""
    )
    settings = _replace_settings(
        settings,
        kubeconfig=args.kubeconfig,
        node=_replace(
            settings.node,
            name=args.node_name,
            cpu=args.cpu,
            memory=args.memory,
            pods=args.pods,
            internal_ip=args.internal_ip,
            mark_not_ready_on_exit=args.mark_not_ready_on_exit,
        ),
        eci=_replace(
            settings.eci,
            endpoint=args.eci_endpoint,
            protocol=args.eci_protocol,
            region_id=args.region_id,
            zone_id=args.zone_id,
        ),
        kubelet=_replace(
            settings.kubelet,
            host=args.kubelet_host,
            port=args.kubelet_port,
            tls_cert_file=args.tls_cert_file,
            tls_key_file=args.tls_key_file,
            state_dir=args.state_dir,
            client_ca_file=args.client_ca_file,
            authentication=args.kubelet_authentication,
        ),
    )
    if args.no_imagecache_controller:
        settings = dataclasses.replace(settings, imagecache_controller=False)
    if not settings.eci.access_key_id or not settings.eci.access_key_secret:
        raise ConfigurationError(
            "no ECI AccessKey: set ECI_ACCESS_KEY_ID and ECI_ACCESS_KEY_SECRET, "
            "or pass --credentials-file"
        )
    return settings


def run(args: argparse.Namespace) -> int:
    json_output = None if args.log_format is None else args.log_format == "json"
    configure_logging(level=args.log_level, json_output=json_output)
    logger = structlog.get_logger("vkprovider")

    try:
        settings = build_settings(args, dict(os.environ))
    except (ConfigurationError, OSError) as exc:
        print(f"vk-eci agent: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(_serve(settings, logger))


async def _serve(settings: AgentSettings, logger: Any) -> int:
    try:
        api = await make_api_client(kubeconfig=settings.kubeconfig)
    except Exception as exc:
        logger.error("cannot load a Kubernetes configuration", error=str(exc))
        return 2
    agent = Agent(
        settings=settings, api=api, eci_client=EciClient(settings=settings.eci), logger=logger
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = asyncio.create_task(agent.run())
    stopper = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            runner.result()
            return 1
        logger.info("stopping on signal")
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        return 0
    except Exception:
        logger.exception("agent failed")
        return 1
    finally:
        stopper.cancel()
        await api.close()
