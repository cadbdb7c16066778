"""Commands of the contract, migrations on both databases, configuration layering."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from screening import create_app
from screening.extensions import db
from screening.models import User
from tests.conftest import make_app


@pytest.fixture
def empty_app(backend, tmp_path):
    """An app whose database has no tables at all (migrations start from nothing)."""
    app = make_app(backend, tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_migrations_build_the_schema_from_empty_and_are_idempotent(empty_app):
    runner = empty_app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
    with empty_app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"users", "questions", "interviews", "answers", "evidence_tags", "audit_events"} <= tables
        # The migrations and the models describe the same schema.
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []


def test_sqlite_connections_are_configured_for_concurrency(backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("SQLite only")
    app = make_app(backend, tmp_path)
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        db.engine.dispose()


def test_create_user_command(app, runner):
    result = runner.invoke(args=["create-user", "Cli@Example.com", "--role", "manager", "--password", "long enough pw"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (user.email, user.role) == ("cli@example.com", "manager")


def test_create_user_command_prompts_for_password(app, runner):
    result = runner.invoke(args=["create-user", "p@example.com", "--role", "admin"],
                           input="long enough pw\nlong enough pw\n")
    assert result.exit_code == 0, result.output


def test_create_user_command_rejects_bad_input(app, runner):
    result = runner.invoke(args=["create-user", "bad", "--role", "manager", "--password", "x"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "password" in result.output
    result = runner.invoke(args=["create-user", "a@b.c", "--role", "king", "--password", "long enough pw"])
    assert result.exit_code != 0


def test_create_token_command(app, runner, make_user):
    make_user("tok@example.com", "recruiter")
    result = runner.invoke(args=["create-token", "tok@example.com"])
    assert result.exit_code == 0
    token = result.output.strip()
    client = app.test_client()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert runner.invoke(args=["create-token", "nobody@example.com"]).exit_code != 0


def test_secret_key_is_generated_once_in_development(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    key_file = tmp_path / "instance" / "secret_key"
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    a = create_app(dict(config))
    b = create_app(dict(config))
    assert a.config["SECRET_KEY"] == b.config["SECRET_KEY"] and len(a.config["SECRET_KEY"]) >= 32
    assert key_file.exists()


def test_secret_key_is_required_in_production(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"PRODUCTION": True, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    app = create_app({"PRODUCTION": True, "SECRET_KEY": "k", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
