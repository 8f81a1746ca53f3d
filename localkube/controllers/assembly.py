"""Which stand-in controllers the embedded server runs, built and started together."""

from __future__ import annotations

from localkube.cluster import Cluster
from localkube.controllers.cronjobs import CronJobController
from localkube.controllers.deployments import DeploymentController
from localkube.controllers.garbagecollector import GarbageCollector
from localkube.controllers.jobs import JobController
from localkube.controllers.namespaces import NamespaceController
from localkube.controllers.replicasets import ReplicaSetController
from localkube.controllers.runtime import Controller, ControllerManager, ControllerSettings
from localkube.controllers.scheduler import Scheduler


def start_controllers(cluster: Cluster, settings: ControllerSettings) -> ControllerManager:
    """The scheduler and the controllers, running until `ControllerManager.stop`."""
    collector = GarbageCollector(cluster=cluster, settings=settings)
    collector.rebuild()
    controllers: list[Controller] = [
        Scheduler(cluster=cluster, settings=settings),
        DeploymentController(cluster=cluster, settings=settings),
        ReplicaSetController(cluster=cluster, settings=settings),
        JobController(cluster=cluster, settings=settings),
        CronJobController(cluster=cluster, settings=settings),
        collector,
        NamespaceController(cluster=cluster, settings=settings),
    ]
    manager = ControllerManager(controllers, settings=settings)
    manager.start(cluster)
    return manager
