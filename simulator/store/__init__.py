"""Durable state of the simulator: SQLAlchemy 2.x async over SQLite or PostgreSQL.

Everything that matters lives here, never in process memory, so a restarted
process (or a second process on the same PostgreSQL database) sees the same
service. Rows hold *plans* (what will happen when, in simulated time) plus the
few external inputs (deletion, update); the engine materialises the current
status from them. Dialect-specific SQL stays in `database.py`.
"""

from simulator.store.database import Database, open_database
from simulator.store.tables import (
    Base,
    ContainerGroupRow,
    GroupTagRow,
    ImageCacheRow,
    MetaRow,
    NonceRow,
)

__all__ = [
    "Base",
    "ContainerGroupRow",
    "Database",
    "GroupTagRow",
    "ImageCacheRow",
    "MetaRow",
    "NonceRow",
    "open_database",
]
