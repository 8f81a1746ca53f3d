"""Table definitions: container groups, image caches, virtual nodes, nonces and service metadata.

Rows keep the immutable *plan* of each resource (JSON) plus materialised
columns (`status`, `changed_at`, `next_due_at`) that the engine refreshes so
queries can filter in SQL. The plan is the truth; the materialised columns
are an index over it and may lag by one engine tick.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every dialect.

    SQLite has no time zones: values are stored as naive UTC (fixed-width text,
    so comparisons in SQL stay correct) and come back aware. PostgreSQL stores
    `timestamptz`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the store; use aware UTC")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JsonValue = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Declarative base of every simulator table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JsonValue,
    }


class MetaRow(Base):
    """Service-wide values: the clock origins, counters (private IPs)."""

    __tablename__ = "sim_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column()
    counter: Mapped[int] = mapped_column(BigInteger, default=0)


class NonceRow(Base):
    """A signature nonce already used, kept until it can no longer be replayed."""

    __tablename__ = "sim_nonces"

    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class ContainerGroupRow(Base):
    """One container group: its request, its plan, and the materialised status."""

    __tablename__ = "container_groups"
    __table_args__ = (
        # Pages follow (created_at, serial): walking this index, a page stops at its end.
        Index("ix_container_groups_page_order", "created_at", "serial"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    region_id: Mapped[str] = mapped_column(String(64))
    zone_id: Mapped[str] = mapped_column(String(64))
    client_token: Mapped[str | None] = mapped_column(String(128), unique=True)
    intranet_ip: Mapped[str] = mapped_column(String(32), unique=True)
    serial: Mapped[int] = mapped_column(BigInteger, unique=True)
    """A number no other group has, increasing with creation within a process (paging)."""
    created_at: Mapped[datetime] = mapped_column(index=True)
    spec: Mapped[dict[str, Any]] = mapped_column()
    """The validated request (containers, tags, policy, resources)."""
    plan: Mapped[dict[str, Any]] = mapped_column()
    """When every phase happens, in simulated time (see `containergroups`)."""
    tags: Mapped[dict[str, Any]] = mapped_column()
    """Tag key → value, for filtering."""
    deleted_at: Mapped[datetime | None] = mapped_column()
    pulls_until: Mapped[datetime | None] = mapped_column(index=True)
    """End of its downloads from the registry (None: nothing downloaded): pulls in flight
    share the registry's bandwidth."""
    status: Mapped[str] = mapped_column(String(32), index=True)
    changed_at: Mapped[datetime] = mapped_column(index=True)
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped by every materialisation; conditional updates compare it."""


class GroupTagRow(Base):
    """One tag of a container group, so tag filters run in SQL on every dialect."""

    __tablename__ = "container_group_tags"

    group_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("container_groups.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(256), index=True)


class ImageCacheRow(Base):
    """One image cache: its request, its build plans (one per create/update)."""

    __tablename__ = "image_caches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    region_id: Mapped[str] = mapped_column(String(64))
    client_token: Mapped[str | None] = mapped_column(String(128), unique=True)
    snapshot_id: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    spec: Mapped[dict[str, Any]] = mapped_column()
    plan: Mapped[dict[str, Any]] = mapped_column()
    """Build revisions (create, then each update) with their timelines."""
    tags: Mapped[dict[str, Any]] = mapped_column()
    last_matched_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(32), index=True)
    changed_at: Mapped[datetime] = mapped_column()
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    """Index of the latest build; UpdateImageCache adds one only if nobody else did."""


class ImageCacheUseRow(Base):
    """One container group started from an image cache: the cache's use count, its bursts."""

    __tablename__ = "image_cache_uses"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    cache_id: Mapped[str] = mapped_column(String(32), index=True)
    """Not a foreign key: a deleted cache's uses stay (its groups keep what they took)."""
    mode: Mapped[str] = mapped_column(String(16))
    """How the cache was chosen: explicit or auto."""
    used_at: Mapped[datetime] = mapped_column(index=True)


class VirtualNodeRow(Base):
    """One virtual node (ECI's VNode): its request, and when it became Ready.

    Its status is a function of the clock (Pending until `ready_at`, then
    Ready), so no engine materialises it. The table is new in issue 15: like
    every table, `open_database` creates it in a database that lacks it.
    """

    __tablename__ = "virtual_nodes"
    __table_args__ = (
        # A ClientToken names one creation per region (as container groups' tokens are scoped).
        Index("ux_virtual_nodes_region_token", "region_id", "client_token", unique=True),
        Index("ix_virtual_nodes_page_order", "region_id", "created_at", "serial"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    region_id: Mapped[str] = mapped_column(String(64))
    client_token: Mapped[str | None] = mapped_column(String(64))
    serial: Mapped[int] = mapped_column(BigInteger, unique=True)
    """A number no other node or group has, increasing with creation within a process (pages
    list nodes created at one instant in creation order)."""
    created_at: Mapped[datetime] = mapped_column()
    ready_at: Mapped[datetime] = mapped_column(index=True)
    spec: Mapped[dict[str, Any]] = mapped_column()
    """Zone, vSwitches, security group, addresses, taints and the cluster settings, as sent."""
    tags: Mapped[dict[str, Any]] = mapped_column()
    """Tag key → value."""
