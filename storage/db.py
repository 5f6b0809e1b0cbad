"""The database handle: engine, SQLite pragmas, read and write sessions, clear errors.

SQLite is the default store and is shared by several processes (a campaign, a CLI listing it,
a parallel campaign). To make that safe each SQLite connection runs with:

* ``journal_mode=WAL`` so readers never block the writer and vice versa;
* ``busy_timeout`` (30 s by default) so a writer waits for the lock instead of failing;
* ``foreign_keys=ON`` and ``synchronous=NORMAL`` (durable in WAL mode, much faster than FULL).

Writers open their transaction with ``BEGIN IMMEDIATE``: they take the write lock up front and
wait for it under the busy timeout. A deferred transaction that reads first and writes later
can instead fail at once with "database is locked" when another writer got in between, and
the busy timeout cannot help it. Following SQLAlchemy's recipe for the ``sqlite3`` driver, the
driver's own transaction handling is switched off (``isolation_level = None``) and a ``begin``
event emits ``BEGIN IMMEDIATE`` for write sessions and a plain ``BEGIN`` (a consistent
snapshot) for read sessions.

Any other SQLAlchemy URL (``postgresql://...``) is used as given, without the pragmas.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, StatementError
from sqlmodel import Session

from discolab.errors import StorageError
from discolab.storage.jsoncodec import strict_dumps
from discolab.storage.schema import MIGRATIONS, Migration, check_version, ensure_schema
from discolab.storage.schema import stored_version as _stored_version
from discolab.storage.schema import target_version as _target_version

ENV_VAR = "DISCOLAB_DB"
"""Environment variable naming the database (a SQLAlchemy URL or a plain file path)."""

DEFAULT_BUSY_TIMEOUT = 30.0
"""Seconds a SQLite writer waits for another writer's lock before giving up."""

_WRITE_OPTION = "discolab_write"


def sqlite_url(path: str | os.PathLike[str]) -> str:
    """The SQLAlchemy URL of a SQLite file, made absolute."""
    return f"sqlite:///{Path(path).expanduser().absolute()}"


def default_database_url(cwd: str | os.PathLike[str] | None = None) -> str:
    """Where discolab keeps its data when no database is named.

    ``$DISCOLAB_DB`` wins when set: a SQLAlchemy URL (``sqlite:///runs/d.db``,
    ``postgresql://...``) or a plain file path, taken as a SQLite file. Otherwise the data
    lives beside the work it belongs to, in ``<cwd>/.discolab/discolab.db``.
    """
    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        return value if "://" in value else sqlite_url(value)
    base = Path(cwd) if cwd is not None else Path.cwd()
    return sqlite_url(base / ".discolab" / "discolab.db")


def _on_begin(conn: Any) -> None:
    """Emit the BEGIN that the sqlite3 driver was told not to emit."""
    immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """A discolab database named by a URL; the schema is created or upgraded on first use.

    Nothing touches the disk until the first :meth:`read` or :meth:`write`, which creates the
    parent directories of a SQLite file, the file itself and the schema. One instance may be
    shared by threads; each process should open its own.

    Args:
        url: a SQLAlchemy URL. ``sqlite:///relative.db`` is resolved against the current
            directory now, so a later ``chdir`` does not move the database.
        busy_timeout: seconds a SQLite writer waits for the lock.
        migrations: the schema migrations to apply (the registered ones by default).
    """

    def __init__(
        self,
        url: str,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise StorageError(
                f"cannot parse database URL {url!r}: {exc}; use e.g. sqlite:///path/to/file.db"
            ) from exc
        self._is_sqlite = parsed.get_backend_name() == "sqlite"
        self.path: Path | None = None
        """The SQLite file, absolute; None for other databases."""
        if self._is_sqlite:
            database = parsed.database or ""
            if database in ("", ":memory:") or database.startswith("file:"):
                raise StorageError(
                    f"database URL {url!r} names no SQLite file; in-memory databases are not "
                    "supported, use e.g. sqlite:///path/to/discolab.db"
                )
            self.path = Path(database).expanduser().absolute()
            parsed = parsed.set(database=str(self.path))
        self._url: URL = parsed
        self.busy_timeout = float(busy_timeout)
        self.migrations: tuple[Migration, ...] = tuple(migrations)
        self.schema_version = _target_version(self.migrations)
        """The schema version this handle creates or upgrades to."""
        self._engine: Engine | None = None
        self._write_engine: Engine | None = None
        self._ready = False
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The URL with any password masked, safe to show."""
        return self._url.render_as_string(hide_password=True)

    @property
    def location(self) -> str:
        """A phrase naming the database for messages (``SQLite database /x/discolab.db``)."""
        return f"SQLite database {self.path}" if self.path is not None else f"database {self.url}"

    def __repr__(self) -> str:
        return f"Database({self.url!r})"

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.dispose()

    def dispose(self) -> None:
        """Close pooled connections; the handle reconnects if used again."""
        if self._engine is not None:
            self._engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading one consistent snapshot; anything it writes is discarded."""
        self._ensure_ready()
        with self._translate("read"), Session(self._engine) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session inside one write transaction, committed at exit and rolled back on error.

        On SQLite the transaction starts with ``BEGIN IMMEDIATE`` as soon as the block is
        entered, so the write lock is held for the whole block and waits honour the busy
        timeout. Keep the block short: other writers wait for it.
        """
        self._ensure_ready()
        with (
            self._translate("write to"),
            Session(self._write_engine, expire_on_commit=False) as session,
        ):
            session.connection()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def stored_schema_version(self) -> int | None:
        """The schema version recorded in the database (None if it has no schema yet)."""
        engine = self._get_engine()
        with self._translate("read"), engine.connect() as conn:
            return _stored_version(conn)

    def _get_engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._create_engine()
            self._write_engine = self._engine.execution_options(**{_WRITE_OPTION: True})
        return self._engine

    def _create_engine(self) -> Engine:
        kwargs: dict[str, Any] = {"json_serializer": strict_dumps}
        if self.path is not None:
            self._prepare_directory(self.path)
            kwargs["connect_args"] = {"timeout": self.busy_timeout}
        try:
            engine = create_engine(self._url, **kwargs)
        except ImportError as exc:
            raise StorageError(
                f"no database driver for {self.url}: {exc}; install the driver "
                "(e.g. pip install psycopg2-binary for postgresql://)"
            ) from exc
        if self.path is not None:
            event.listen(engine, "connect", self._on_connect)
            event.listen(engine, "begin", _on_begin)
        return engine

    def _prepare_directory(self, path: Path) -> None:
        if path.is_dir():
            raise StorageError(f"SQLite path {path} is a directory; name a file inside it")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot create the directory for SQLite database {path}: {exc}"
            ) from exc

    def _on_connect(self, dbapi_connection: Any, connection_record: Any) -> None:
        """Configure every new SQLite connection (see the module docstring for why)."""
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    def _ensure_ready(self) -> None:
        """Create or upgrade the schema once per handle, under the write lock when needed."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            engine = self._get_engine()
            with self._translate("open"):
                with engine.connect() as conn:
                    needed = check_version(
                        _stored_version(conn), self.schema_version, self.location
                    )
                if needed:
                    assert self._write_engine is not None
                    with self._write_engine.connect() as conn, conn.begin():
                        ensure_schema(conn, self.location, self.migrations)
            self._ready = True

    @contextmanager
    def _translate(self, action: str) -> Iterator[None]:
        """Turn driver errors into a StorageError naming the database and a likely fix."""
        try:
            yield
        except DBAPIError as exc:
            raise StorageError(self._describe(action, str(exc.orig))) from exc
        except StatementError as exc:
            raise StorageError(self._describe(action, str(exc))) from exc

    def _describe(self, action: str, detail: str) -> str:
        lowered = detail.lower()
        if "locked" in lowered or "busy" in lowered:
            hint = (
                f"another process held the write lock longer than the busy timeout "
                f"({self.busy_timeout:g} s); retry, or stop the other process"
            )
        elif "not a database" in lowered or "malformed" in lowered:
            hint = "the file is not a SQLite database or is corrupt; restore it or use another"
        elif "unable to open" in lowered or "readonly" in lowered:
            hint = "check that the file and its directory exist and are writable"
        else:
            return f"cannot {action} {self.location}: {detail}"
        return f"cannot {action} {self.location}: {detail} ({hint})"
