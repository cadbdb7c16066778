"""Database binding: Flask-SQLAlchemy, migrations, and SQLite made safe for concurrent writers."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from screening.extensions import db, migrate

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000


def init_app(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):  # the old scheme some hosts still hand out
        uri = app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgres://"):]
    elif uri.startswith("postgresql://"):
        uri = app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://"):]
    # Copy: the defaults object is shared between apps.
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options["connect_args"] = {**options.get("connect_args", {}), "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    _listen_for_sqlite()
    import screening.models  # noqa: F401  (register the tables on the metadata)


_listening = False


def _listen_for_sqlite() -> None:
    global _listening
    if _listening:
        return
    event.listen(Engine, "connect", _sqlite_on_connect)
    event.listen(Engine, "begin", _sqlite_on_begin)
    _listening = True


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event emit BEGIN itself, so writers can take the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_on_begin(conn) -> None:
    if conn.dialect.name == "sqlite":
        # A deferred read-then-write transaction fails with "database is locked" despite the
        # busy timeout; IMMEDIATE takes the write lock at the start and waits for it instead.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
