"""Multi-row INSERTs straight to the DBAPI's `executemany`, values bound by each column's type.

`Connection.execute(insert(table), rows)` with a list of dicts spends most of its
time per row and per column in SQLAlchemy's parameter processing (building a
parameter dict from the compiled statement, then a positional tuple from it),
which for the simulator's batches of new container groups cost more than the
statements themselves. `RowInsert` compiles the INSERT once per dialect, asks
each column's type for its bind processor once per dialect (the same processors
SQLAlchemy applies, so the same UTC text on SQLite, the same `timestamptz` and
JSON text on PostgreSQL), and hands tuples to `Connection.exec_driver_sql`.

It must never store anything other than what `insert(table)` would have: the
values go through the columns' own processors, in the compiled statement's
parameter order, and every column is given (no Python-side defaults run here).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Dialect, Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    """(position, processor) for the columns whose type converts its values."""


@dataclass
class RowInsert:
    """`INSERT INTO table (columns...) VALUES (...)` for many rows given as tuples."""

    table: Table
    columns: tuple[str, ...]
    """The column names, in the order of every row's values."""
    _compiled: dict[str, _Compiled] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        missing = set(self.table.c.keys()) - set(self.columns)
        if missing:
            raise ValueError(f"RowInsert on {self.table.name} must give every column: {missing}")

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is not None:
            return compiled
        statement = insert(self.table).compile(dialect=dialect, column_keys=list(self.columns))
        if tuple(statement.positiontup or ()) != self.columns:
            raise RuntimeError(
                f"{dialect.name} compiled {self.table.name}'s insert with parameters "
                f"{statement.positiontup}, not {self.columns}"
            )
        processors: list[tuple[int, Callable[[Any], Any]]] = []
        for position, name in enumerate(self.columns):
            column_type = self.table.c[name].type
            processor: _Processor = column_type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors.append((position, processor))
        compiled = _Compiled(sql=statement.string, processors=tuple(processors))
        self._compiled[dialect.name] = compiled
        return compiled

    def bound(self, dialect: Dialect, rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """`rows` as the DBAPI receives them: each value through its column's processor."""
        processors = self._for(dialect).processors
        bound: list[tuple[Any, ...]] = []
        for row in rows:
            values = list(row)
            for position, processor in processors:
                values[position] = processor(values[position])
            bound.append(tuple(values))
        return bound

    async def run(
        self, connection: AsyncConnection, rows: Sequence[Sequence[Any]]
    ) -> list[tuple[Any, ...]]:
        """Insert `rows` (each a tuple in `columns` order) in one `executemany`; returns
        the values as bound (e.g. a JSON column's text, as stored)."""
        if not rows:
            return []
        dialect = connection.dialect
        bound = self.bound(dialect, rows)
        await connection.exec_driver_sql(self._for(dialect).sql, bound)
        return bound
