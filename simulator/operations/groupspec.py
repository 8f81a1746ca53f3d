"""CreateContainerGroup's request, checked and reduced to what the simulator keeps.

ECI's rules that the simulator enforces at the API (a bad request fails the
call, nothing is created): RegionId, ContainerGroupName and at least one
Container with Name and Image are required; names follow ECI's syntax and are
unique within the group; the instance's vCPU/memory is a specification ECI
sells (`simulator.specs.instancespecs`); RestartPolicy is Always, OnFailure
or Never; an image reference must be syntactically valid; a parameter the SDK
model does not have is refused by name, and the Pod fields (volumes, mounts,
probes, DNS, ...) are checked by `groupfields`.
Whether an image *exists* or may be pulled is not checked here: like ECI, an
unknown or unauthorised image fails the instance (ErrImagePull), not the call.

Registry passwords are used at creation and never stored. The checked values
are `simulator.specs.groups`, which the engine plans from without importing
this module.
"""

from __future__ import annotations

import re

from simulator.errors import InvalidParameter, MissingParameter
from simulator.operations.groupfields import (
    CONTAINER_PARAMETERS,
    GROUP_PARAMETERS,
    INIT_CONTAINER_PARAMETERS,
    container_echo,
    env_field_refs,
    group_echo,
    parse_probe,
)
from simulator.operations.groupvolumes import parse_mounts, parse_volumes
from simulator.operations.params import Params
from simulator.registry.images import RegistryCredential
from simulator.registry.references import normalize_reference
from simulator.specs.groups import ContainerSpec, GroupSpec
from simulator.specs.instancespecs import (
    DEFAULT_SPEC,
    InstanceSpec,
    choose_instance_type,
    sellable_spec,
)
from simulator.specs.podfields import Volume

_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,126}[a-z0-9])?")
"""Container names: lowercase letters, digits and hyphens, not starting or ending with one."""
_GROUP_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,126}[a-z0-9]")
"""ContainerGroupName: 2 to 128 characters, lowercase letters, digits and hyphens, not
starting or ending with a hyphen (the SDK's CreateContainerGroupRequest documents it)."""
RESTART_POLICIES = ("Always", "OnFailure", "Never")


def _check_name(value: str, *, path: str) -> str:
    if not _NAME.fullmatch(value):
        raise InvalidParameter(
            f'{path}: "{value}" must be 1 to 128 lowercase letters, digits or hyphens, '
            "starting and ending with a letter or digit"
        )
    return value


def _container(item: Params, *, init: bool, volumes: tuple[Volume, ...]) -> ContainerSpec:
    item.refuse_unknown(
        INIT_CONTAINER_PARAMETERS if init else CONTAINER_PARAMETERS, action="CreateContainerGroup"
    )
    name = _check_name(item.required_text("Name", max_length=128), path=item.path("Name"))
    image = item.required_text("Image", max_length=512)
    normalize_reference(image)
    field_refs = env_field_refs(item)
    referenced = {key for key, _ in field_refs}
    env: list[tuple[str, str]] = []
    for var in item.items("EnvironmentVar", max_items=500):
        key = var.required_text("Key", max_length=256)
        if key not in referenced:
            env.append((key, var.text("Value", max_length=65536) or ""))
    ports: list[tuple[int, str]] = []
    for port in item.items("Port"):
        port.refuse_unknown(frozenset({"Port", "Protocol"}), action="CreateContainerGroup")
        number = port.integer("Port", minimum=1, maximum=65535)
        if number is None:
            raise MissingParameter(f"{port.path('Port')} is required")
        protocol = port.choice("Protocol", allowed=("TCP", "UDP", "SCTP"), default="TCP")
        ports.append((number, protocol))
    readiness = None if init else parse_probe(item, "ReadinessProbe", liveness=False)
    liveness = None if init else parse_probe(item, "LivenessProbe", liveness=True)
    return ContainerSpec(
        name=name,
        image=image,
        cpu=item.number("Cpu", minimum=0, maximum=256) or 0.0,
        memory=item.number("Memory", minimum=0, maximum=2048) or 0.0,
        command=tuple(item.strings("Command", max_items=256)),
        args=tuple(item.strings("Arg", max_items=256)),
        env=tuple(env),
        ports=tuple(ports),
        image_pull_policy=item.choice(
            "ImagePullPolicy", allowed=("Always", "IfNotPresent", "Never"), default="IfNotPresent"
        ),
        readiness_initial_delay=None if readiness is None else readiness.initial_delay_seconds,
        working_dir=item.text("WorkingDir", max_length=1024),
        env_field_refs=field_refs,
        volume_mounts=parse_mounts(item, volumes),
        liveness=liveness,
        readiness=readiness,
        echo=container_echo(item, init=init),
    )


def _instance_spec(params: Params, containers: list[ContainerSpec]) -> InstanceSpec:
    """The specification the instance runs on: InstanceType's first sellable entry, else
    Cpu/Memory, else the containers' sum, else ECI's default 2 vCPU / 4 GiB; never rounded."""
    instance_type = params.text("InstanceType", max_length=256)
    cpu = params.number("Cpu", minimum=0.25, maximum=256)
    memory = params.number("Memory", minimum=0.5, maximum=2048)
    if instance_type is not None:
        return choose_instance_type(instance_type)
    total_cpu = sum(c.cpu for c in containers)
    total_memory = sum(c.memory for c in containers)
    if cpu is None and memory is None and not total_cpu and not total_memory:
        return DEFAULT_SPEC
    source = "Cpu/Memory" if cpu is not None or memory is not None else "the containers' sum"
    return sellable_spec(
        cpu=cpu if cpu is not None else (total_cpu or DEFAULT_SPEC.cpu),
        memory=memory if memory is not None else (total_memory or DEFAULT_SPEC.memory),
        source=source,
    )


def parse_group_request(params: Params) -> tuple[GroupSpec, list[RegistryCredential]]:
    """Validate a CreateContainerGroup request: the spec to keep and the credentials to use."""
    params.refuse_unknown(GROUP_PARAMETERS, action="CreateContainerGroup")
    region_id = params.required_text("RegionId", max_length=64)
    name = params.required_text("ContainerGroupName", max_length=128)
    if not _GROUP_NAME.fullmatch(name):
        raise InvalidParameter(
            f'ContainerGroupName: "{name}" must be 2 to 128 lowercase letters, digits or'
            " hyphens, not starting or ending with a hyphen"
        )
    volumes = parse_volumes(params)
    containers = [
        _container(item, init=False, volumes=volumes)
        for item in params.items("Container", max_items=20)
    ]
    if not containers:
        raise MissingParameter("Container.1.Name and Container.1.Image are required")
    inits = [
        _container(item, init=True, volumes=volumes)
        for item in params.items("InitContainer", max_items=20)
    ]
    names = [c.name for c in inits + containers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidParameter(f"Container.N.Name: duplicate container names {duplicates}")
    credentials = []
    for item in params.items("ImageRegistryCredential", max_items=20):
        item.refuse_unknown(
            frozenset({"Password", "Server", "UserName"}), action="CreateContainerGroup"
        )
        credentials.append(
            RegistryCredential(
                server=item.required_text("Server", max_length=256),
                username=item.required_text("UserName", max_length=256),
                password=item.required_text("Password", max_length=1024),
            )
        )
    instance = _instance_spec(params, containers)
    spec = GroupSpec(
        name=name,
        region_id=region_id,
        zone_id=params.text("ZoneId", max_length=64),
        security_group_id=params.text("SecurityGroupId", max_length=64),
        vswitch_id=params.text("VSwitchId", max_length=256),
        restart_policy=params.choice("RestartPolicy", allowed=RESTART_POLICIES, default="Always"),
        cpu=instance.cpu,
        memory=instance.memory,
        instance_type=instance.instance_type or None,
        containers=tuple(containers),
        init_containers=tuple(inits),
        tags=params.tags(),
        image_snapshot_id=params.text("ImageSnapshotId", max_length=64),
        auto_match_image_cache=params.flag("AutoMatchImageCache"),
        image_full_match=params.flag("ImageFullMatch"),
        image_match_count=params.integer("ImageMatchCountRequest", minimum=1, maximum=100),
        active_deadline_seconds=params.number("ActiveDeadlineSeconds", minimum=1),
        client_token=params.client_token(),
        volumes=volumes,
        termination_grace_period_seconds=params.integer(
            "TerminationGracePeriodSeconds", minimum=0, maximum=86400
        ),
        echo=group_echo(params),
    )
    return spec, credentials
