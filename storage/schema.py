"""Schema versions and migrations: create a fresh database, upgrade an old one, refuse a new one.

The database records its schema version in the one-row ``schema_info`` table. Versions start
at :data:`BASE_VERSION` (1) and the code's version is ``BASE_VERSION + len(migrations)``: the
migration at position ``i`` upgrades version ``BASE_VERSION + i`` to the next. To change the
schema, edit the tables in :mod:`discolab.storage.models` *and* append a :class:`Migration`
to :data:`MIGRATIONS` that brings an existing file from the previous version to the new one.

Opening a file whose version is newer than the code knows raises :class:`StorageError` naming
both versions, so an old discolab never scribbles over a newer layout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, inspect, select, update
from sqlmodel import SQLModel

from discolab.errors import StorageError
from discolab.storage.models import (
    TABLES,
    BenchmarkRunRow,
    BenchmarkTaskRow,
    CampaignRow,
    ModelCallRow,
    SchemaInfo,
    TranscriptRow,
    utcnow,
)

BASE_VERSION = 1
"""The schema version of a database created before any migration existed."""


@dataclass(frozen=True)
class Migration:
    """One step that upgrades a database from ``from_version`` to ``from_version + 1``.

    Attributes:
        from_version: the stored version this step expects.
        description: one line saying what changes, shown in errors.
        apply: runs the DDL/DML on a connection that is already inside the upgrade's
            write transaction; it must not commit.
    """

    from_version: int
    description: str
    apply: Callable[[Connection], None]


def _add_model_tables(conn: Connection) -> None:
    """Version 1 -> 2: add ``model_calls`` (token accounting) and ``transcripts``."""
    for model in (ModelCallRow, TranscriptRow):
        model.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]


def _add_benchmark_tables(conn: Connection) -> None:
    """Version 2 -> 3: add ``benchmark_runs`` and ``benchmark_tasks`` (stored scored runs)."""
    for model in (BenchmarkRunRow, BenchmarkTaskRow):
        model.__table__.create(conn, checkfirst=True)  # type: ignore[attr-defined]


RANKING_COLUMNS: tuple[tuple[str, str, str | None], ...] = (
    ("benchmark_runs", "origin", "'file'"),
    ("benchmark_runs", "seed", None),
    ("benchmark_runs", "within_tolerance", "0"),
    ("benchmark_runs", "accuracy_at_tolerance", "0"),
    ("benchmark_runs", "ood_nmse", None),
    ("benchmark_tasks", "within_tolerance", "FALSE"),
    ("benchmark_tasks", "ood_nmse", None),
)
"""(table, column, SQL default) added by version 4; no default means nullable."""


def _add_ranking_columns(conn: Connection) -> None:
    """Version 3 -> 4: the run's origin and seed, and the tolerance and out-of-domain totals.

    Old runs become self-reported (``origin = 'file'``): nothing recorded which command stored
    them. Their tolerance count is 0 and their NMSE NULL (``inf``): never measured, so not met.
    """
    tables = {"benchmark_runs": BenchmarkRunRow, "benchmark_tasks": BenchmarkTaskRow}
    present = {t: {c["name"] for c in inspect(conn).get_columns(t)} for t in tables}
    for table, name, default in RANKING_COLUMNS:
        if name in present[table]:  # created by version 2 -> 3 from today's tables
            continue
        column = tables[table].__table__.c[name]  # type: ignore[attr-defined]
        sql_type = column.type.compile(dialect=conn.dialect)
        tail = f" NOT NULL DEFAULT {default}" if default is not None else ""
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}{tail}")


def _add_assistance_columns(conn: Connection) -> None:
    """Version 4 -> 5: add ``campaigns.assistance`` (NULL: unknown, recorded before) and
    ``benchmark_runs.assistance`` (``unknown`` for every run stored before).

    A table that already has the column (created from the current layout by an earlier step
    of the same upgrade) is left as it is.
    """
    added = (
        (CampaignRow.__tablename__, "assistance", "TEXT"),
        (BenchmarkRunRow.__tablename__, "assistance", "VARCHAR NOT NULL DEFAULT 'unknown'"),
    )
    for table, column, kind in added:
        present = {c["name"] for c in inspect(conn).get_columns(table)}
        if column not in present:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "add the model_calls and transcripts tables", _add_model_tables),
    Migration(2, "add the benchmark_runs and benchmark_tasks tables", _add_benchmark_tables),
    Migration(
        3,
        "add the benchmark ranking columns (origin, seed, tolerance, OOD NMSE)",
        _add_ranking_columns,
    ),
    Migration(4, "add the assistance columns of campaigns and runs", _add_assistance_columns),
)
"""The registered migrations, oldest first."""


def target_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """The schema version the code reaches after applying ``migrations``."""
    for position, migration in enumerate(migrations):
        expected = BASE_VERSION + position
        if migration.from_version != expected:
            raise ValueError(
                f"migration {migration.description!r} starts at version "
                f"{migration.from_version}, but position {position} must start at {expected}"
            )
    return BASE_VERSION + len(migrations)


SCHEMA_VERSION = target_version()
"""The schema version this code writes."""


def stored_version(conn: Connection) -> int | None:
    """The version recorded in the database, or None when it has no discolab schema yet."""
    if not inspect(conn).has_table(SchemaInfo.__tablename__):
        return None
    version = conn.execute(
        select(SchemaInfo.schema_version).where(SchemaInfo.id == 1)  # type: ignore[arg-type]
    ).scalar_one_or_none()
    if version is None:
        raise StorageError("the schema_info table holds no version; the database is damaged")
    return int(version)


def check_version(stored: int | None, target: int, where: str) -> bool:
    """Whether ``stored`` needs creating or upgrading to ``target``; raise if it is newer."""
    if stored is not None and stored > target:
        raise StorageError(
            f"{where} has schema version {stored}, but this discolab only knows versions up to "
            f"{target}; upgrade discolab or point DISCOLAB_DB at another database"
        )
    return stored is None or stored < target


def ensure_schema(
    conn: Connection, where: str, migrations: Sequence[Migration] = MIGRATIONS
) -> int:
    """Create or upgrade the schema inside the caller's write transaction; return its version.

    A fresh database gets every table of the current layout and the current version. An older
    one runs the pending migrations in order, then gains any table the current layout adds.
    """
    target = target_version(migrations)
    stored = stored_version(conn)
    if not check_version(stored, target, where):
        return target
    if stored is None:
        SQLModel.metadata.create_all(conn, tables=list(TABLES))
        conn.execute(
            SchemaInfo.__table__.insert().values(  # type: ignore[attr-defined]
                id=1, schema_version=target, updated_at=utcnow()
            )
        )
        return target
    for migration in migrations[stored - BASE_VERSION :]:
        try:
            migration.apply(conn)
        except Exception as exc:
            raise StorageError(
                f"upgrading {where} from schema version {migration.from_version} "
                f"({migration.description}) failed: {exc}; the database was left unchanged"
            ) from exc
    SQLModel.metadata.create_all(conn, tables=list(TABLES), checkfirst=True)
    conn.execute(
        update(SchemaInfo)
        .where(SchemaInfo.id == 1)
        .values(schema_version=target, updated_at=utcnow())  # type: ignore[arg-type]
    )
    return target
