"""Durable state of the simulator: SQLAlchemy 2.x async over SQLite or PostgreSQL.

Everything that matters lives here, never in process memory, so a restarted
process (or a second process on the same PostgreSQL database) sees the same
service. Rows hold *plans* (what will happen when, in simulated time) plus the
few external inputs (deletion, update); the engine materialises the current
status from them. Dialect-specific SQL stays in `database.py`.
"""
