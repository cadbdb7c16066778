"""Operational commands: consistent backup and a confirmed restore, for SQLite and PostgreSQL.

SQLite is copied with the online backup API (a consistent snapshot while the app keeps
writing; a plain file copy of a WAL database can be torn), the copy is switched to a single
file (journal_mode=DELETE) and checked with ``PRAGMA integrity_check``. PostgreSQL uses
``pg_dump -Fc`` and ``pg_restore --clean --if-exists``. The logic lives in plain functions
(testable without click); the commands only wrap them.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess  # pg_dump/pg_restore with a fixed argv, no shell  # nosec B404
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from screening.database import SQLITE_BUSY_TIMEOUT_MS

# Tables whose row counts are reported after a backup or restore (the ones people ask about).
REPORTED_TABLES = ("users", "candidates", "consents", "vacancies", "interviews", "answers", "evidence_tags", "audit_events")
PG_TIMEOUT_SECONDS = 3600


class OperationError(Exception):
    """A backup or restore that cannot be done, with a message for the operator."""


@dataclass
class Outcome:
    """What a backup or restore did, for the operator."""

    backend: str
    source: str
    target: str
    size_bytes: int = 0
    integrity: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [*self.details]
        if self.size_bytes:
            out.append(f"Size: {self.size_bytes} bytes.")
        if self.integrity:
            out.append(f"integrity_check: {self.integrity}")
        if self.counts:
            out.append("Rows: " + ", ".join(f"{name} {n}" for name, n in self.counts.items()))
        return out


# ---------------------------------------------------------------- which database


def backend_of(database_url: str) -> str:
    name = make_url(database_url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise OperationError(f"Backup and restore support SQLite and PostgreSQL, not {name!r}.")
    return name


def sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise OperationError("The configured SQLite database is in memory; there is no file to back up or restore.")
    return Path(database)


def libpq_target(database_url: str) -> tuple[str, dict[str, str]]:
    """A connection URL for pg_dump/pg_restore and the environment carrying the password.

    The password goes through PGPASSWORD, never the command line (which `ps` shows to everyone).
    """
    url: URL = make_url(database_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def pg_schema(database_url: str) -> str:
    """The schema the app's tables live in: the first of a search_path set in the URL's
    `options` (``?options=-csearch_path%3Dname``), else ``public``. Backups cover that schema only,
    so a restore never touches another application's (or another test run's) tables."""
    options = make_url(database_url).query.get("options") or ""
    if not isinstance(options, str):
        options = " ".join(options)
    match = re.search(r"-c\s*search_path\s*=\s*([^\s,]+)", options)
    return match.group(1).strip('"') if match else "public"


# ---------------------------------------------------------------- SQLite


def _connect_existing(path: Path) -> sqlite3.Connection:
    """Open an existing SQLite file (never create one by accident)."""
    if not path.is_file():
        raise OperationError(f"No database file at {path}.")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return conn


def sqlite_integrity(conn: sqlite3.Connection) -> str:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    return "ok" if rows == ["ok"] else "; ".join(rows[:10])


def sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    # The table names come from REPORTED_TABLES (constants), never from input.
    query = 'SELECT count(*) FROM "{}"'
    return {t: conn.execute(query.format(t)).fetchone()[0] for t in REPORTED_TABLES if t in present}


def backup_sqlite(database: Path, target: Path, *, force: bool = False) -> Outcome:
    """Copy a live SQLite database to `target` with the online backup API, then check the copy.

    The backup runs in one step, so it reads one consistent snapshot while other processes
    keep writing (WAL lets them). The copy is written beside the target and moved into place
    only after `integrity_check` says ok.
    """
    target = Path(target)
    _check_target(target, force)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = _connect_existing(Path(database))
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # pages=-1: all pages in one step, one snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # a self-contained single file
            integrity = sqlite_integrity(copy)
            counts = sqlite_counts(copy)
        finally:
            copy.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise OperationError(f"The backup of {database} failed: {exc}") from None
    finally:
        source.close()
    if integrity != "ok":
        partial.unlink(missing_ok=True)
        raise OperationError(f"The copy failed its integrity check ({integrity}); nothing was written to {target}.")
    _fsync(partial)
    os.replace(partial, target)
    return Outcome("sqlite", str(database), str(target), target.stat().st_size, integrity, counts,
                   [f"Backed up the SQLite database {database} to {target} (online backup API)."])


def check_sqlite_backup(path: Path) -> tuple[str, dict[str, int]]:
    """The backup's integrity and row counts; refuses files that are not a Screening database."""
    path = Path(path)
    if not path.is_file():
        raise OperationError(f"No backup file at {path}.")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            integrity = sqlite_integrity(conn)
            counts = sqlite_counts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise OperationError(f"{path} is not a SQLite database ({exc}).") from None
    if not {"answers", "users", "interviews"} <= tables:
        raise OperationError(f"{path} is a SQLite database but not a Screening backup (its tables are missing).")
    if integrity != "ok":
        raise OperationError(f"{path} fails its integrity check ({integrity}); nothing was restored.")
    return integrity, counts


def restore_sqlite(backup: Path, database: Path) -> Outcome:
    """Replace the contents of `database` with `backup`, page by page, through the backup API.

    Connections other processes hold stay valid and see the restored data; the destination is
    locked while the pages are written, so nobody reads a half-restored file.
    """
    backup, database = Path(backup), Path(database)
    check_sqlite_backup(backup)
    if not database.parent.is_dir():
        raise OperationError(f"The database directory {database.parent} does not exist.")
    try:
        source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        try:
            destination = sqlite3.connect(database, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
            try:
                destination.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
                source.backup(destination)
                destination.execute("PRAGMA journal_mode=WAL")
                integrity = sqlite_integrity(destination)
                counts = sqlite_counts(destination)
            finally:
                destination.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise OperationError(f"The restore into {database} failed: {exc}") from None
    if integrity != "ok":
        raise OperationError(f"The restored database fails its integrity check: {integrity}")
    return Outcome("sqlite", str(backup), str(database), database.stat().st_size, integrity, counts,
                   [f"Restored {database} from {backup} (online backup API)."])


# ---------------------------------------------------------------- PostgreSQL


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise OperationError(f"{name} is not installed (it comes with the PostgreSQL client, e.g. "
                             f"apt-get install postgresql-client); nothing was done.")
    return path


def _run(command: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(  # a fixed argv of the PostgreSQL client, no shell  # nosec B603
            command, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise OperationError(f"{what} did not finish within {PG_TIMEOUT_SECONDS} s.") from None
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip() or f"exit status {result.returncode}"
        raise OperationError(f"{what} failed: {message}")
    return result


def pg_archive_tables(path: Path) -> list[tuple[str, str]]:
    """(schema, table) of each table whose data a pg_dump archive holds (from its table of contents)."""
    result = _run([_pg_tool("pg_restore"), "--list", str(path)], dict(os.environ), "Reading the archive")
    tables = []
    for line in result.stdout.splitlines():
        if line.startswith(";") or " TABLE DATA " not in line:
            continue
        schema, name = line.split(" TABLE DATA ", 1)[1].split()[:2]
        tables.append((schema, name))
    return tables


def backup_postgres(database_url: str, target: Path, *, force: bool = False) -> Outcome:
    """`pg_dump -Fc` of the app's schema to `target` (one consistent snapshot), then read the archive's
    table of contents."""
    target = Path(target)
    _check_target(target, force)
    dsn, env = libpq_target(database_url)
    schema = pg_schema(database_url)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--schema={schema}", "--file", str(partial),
              "--dbname", dsn], env, "pg_dump")
        tables = pg_archive_tables(partial)
    except OperationError:
        partial.unlink(missing_ok=True)
        raise
    _fsync(partial)
    os.replace(partial, target)
    return Outcome("postgresql", _safe_url(database_url), str(target), target.stat().st_size,
                   details=[(f"Backed up schema {schema} of the PostgreSQL database {_safe_url(database_url)} "
                             f"to {target} (pg_dump -Fc)."),
                            f"The archive holds the data of {len(tables)} tables."])


def restore_postgres(backup: Path, database_url: str) -> Outcome:
    """`pg_restore --clean --if-exists` into the configured database, in one transaction."""
    backup = Path(backup)
    if not backup.is_file():
        raise OperationError(f"No backup file at {backup}.")
    tables = pg_archive_tables_or_explain(backup)
    if "answers" not in {name for _, name in tables}:
        raise OperationError(f"{backup} is a pg_dump archive but not a Screening backup (no answers table).")
    schema, archived = pg_schema(database_url), {s for s, _ in tables}
    if archived != {schema}:
        raise OperationError(f"{backup} holds schema {', '.join(sorted(archived))} but the app uses schema {schema}; "
                             "nothing was restored.")
    dsn, env = libpq_target(database_url)
    _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--dbname", dsn, str(backup)], env, "pg_restore")
    return Outcome("postgresql", str(backup), _safe_url(database_url), backup.stat().st_size,
                   counts=postgres_counts(database_url),
                   details=[(f"Restored schema {schema} of {_safe_url(database_url)} from {backup} "
                             f"(pg_restore --clean --if-exists), {len(tables)} tables.")])


def pg_archive_tables_or_explain(path: Path) -> list[tuple[str, str]]:
    try:
        return pg_archive_tables(path)
    except OperationError as exc:
        if "pg_restore is not installed" in str(exc):
            raise
        raise OperationError(f"{path} is not a pg_dump custom-format archive ({exc}).") from None


def _safe_url(database_url: str) -> str:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql")
    return url.render_as_string(hide_password=True)


def postgres_counts(database_url: str) -> dict[str, int]:
    """Row counts of the reported tables, through a short-lived engine of our own."""
    import sqlalchemy as sa

    engine = sa.create_engine(make_url(database_url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
            return {t: conn.execute(sa.select(sa.func.count()).select_from(sa.table(t))).scalar_one()
                    for t in REPORTED_TABLES if t in present}
    finally:
        engine.dispose()


# ---------------------------------------------------------------- shared


def _check_target(target: Path, force: bool) -> None:
    if target.is_dir():
        raise OperationError(f"{target} is a directory; give a file name.")
    if target.exists() and not force:
        raise OperationError(f"{target} already exists; choose a new file name or pass --force to replace it.")
    if not target.parent.is_dir():
        raise OperationError(f"The directory {target.parent} does not exist.")


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def backup(database_url: str, target: Path, *, force: bool = False) -> Outcome:
    if backend_of(database_url) == "sqlite":
        return backup_sqlite(sqlite_path(database_url), target, force=force)
    return backup_postgres(database_url, target, force=force)


def restore(backup_path: Path, database_url: str) -> Outcome:
    if backend_of(database_url) == "sqlite":
        return restore_sqlite(backup_path, sqlite_path(database_url))
    return restore_postgres(backup_path, database_url)


# ---------------------------------------------------------------- commands


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


def _configured_url() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


def _release_connections() -> None:
    """Close this process's pooled connections, so none holds a lock or an old snapshot."""
    from screening.extensions import db

    db.session.remove()
    db.engine.dispose()


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Write a consistent backup of the database to PATH (SQLite backup API or pg_dump -Fc)."""
    try:
        outcome = backup(_configured_url(), path, force=force)
    except OperationError as exc:
        raise click.ClickException(str(exc)) from None
    for line in outcome.lines():
        click.echo(line)


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the whole database with the backup at PATH (asks first unless --yes)."""
    url = _configured_url()
    try:
        backend = backend_of(url)
        where = str(sqlite_path(url)) if backend == "sqlite" else _safe_url(url)
        if not path.is_file():
            raise OperationError(f"No backup file at {path}.")
    except OperationError as exc:
        raise click.ClickException(str(exc)) from None
    if not yes:
        click.confirm(f"This replaces everything in {where} with {path}. Continue?", abort=True)
    _release_connections()
    try:
        outcome = restore(path, url)
    except OperationError as exc:
        raise click.ClickException(str(exc)) from None
    for line in outcome.lines():
        click.echo(line)
    click.echo("If the backup comes from an older release, run `flask --app screening init-db` now.")
