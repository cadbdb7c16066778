"""The fixtures of the whole suite: app, client, runner, auth helpers, one fresh database per test.

The `app` fixture runs every test on SQLite and, when PostgreSQL answers (TEST_DATABASE_URL,
default postgresql://postgres@127.0.0.1:5432/test), on PostgreSQL too. With
REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable PostgreSQL fails instead of skipping.
"""
from __future__ import annotations

import functools
import os

import pytest
import sqlalchemy as sa

from screening import create_app
from screening.extensions import db

pytest_plugins = ["tests.nlp_fixtures"]

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Each test process works in its own schema, so parallel runs on one database do not collide.
PG_SCHEMA = f"pytest_{os.getpid()}"
PASSWORD = "correct horse battery"


@functools.cache
def postgres_reachable() -> bool:
    try:
        engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                                  connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def database_url(backend: str, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    if not postgres_reachable():
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but not reachable at {PG_URL}")
        pytest.skip("PostgreSQL not reachable")
    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}options=-csearch_path%3D{PG_SCHEMA}"


def reset_postgres(url: str) -> None:
    engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {PG_SCHEMA}"))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def drop_postgres_schema():
    yield
    if postgres_reachable():
        engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        engine.dispose()


def make_app(backend: str, tmp_path, **extra):
    url = database_url(backend, tmp_path)
    if backend == "postgresql":
        reset_postgres(url)
    config = {
        "TESTING": True,
        "TESTING_FAST_HASHES": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False,
        "MODELS_DIR": str(tmp_path / "no-models"),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        **extra,
    }
    app = create_app(config)
    return app


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(backend, tmp_path, app_config):
    app = make_app(backend, tmp_path, **app_config)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    from screening.services import users

    def _make(email: str = "user@example.com", role: str = "recruiter", password: str = PASSWORD, **kw):
        with app.app_context():
            user = users.create_user(email, role, password, **kw)
            return user.id

    return _make


class AuthActions:
    def __init__(self, client, make_user):
        self._client = client
        self._make_user = make_user

    def login(self, email: str = "user@example.com", password: str = PASSWORD, follow: bool = False):
        return self._client.post("/login", data={"email": email, "password": password}, follow_redirects=follow)

    def as_role(self, role: str, email: str | None = None) -> int:
        email = email or f"{role}@example.com"
        user_id = self._make_user(email, role)
        response = self.login(email)
        assert response.status_code == 302, response.data
        return user_id

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client, make_user) -> AuthActions:
    return AuthActions(client, make_user)


@pytest.fixture
def api_token(app, make_user):
    """A function returning bearer headers for a new user of the given role."""
    from screening.services import users

    def _token(role: str = "recruiter", email: str | None = None) -> dict[str, str]:
        email = email or f"api-{role}@example.com"
        with app.app_context():
            exists = users.get_by_email(email) is not None
        if not exists:
            make_user(email, role)
        with app.app_context():
            token = users.issue_token(users.get_by_email(email), "test")
        return {"Authorization": f"Bearer {token}"}

    return _token


# ---------------------------------------------------------------- the real browser

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required for browser tests but {CHROMIUM} is missing")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        import threading

        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_app(tmp_path, small_models_dir):
    """A real server on a loopback port with the bank, a trained model and CSRF switched on."""
    from pathlib import Path

    from screening.bank import service as bank

    app = make_app("sqlite", tmp_path, MODELS_DIR=str(small_models_dir), WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        bank.import_bank(Path(__file__).resolve().parent.parent / "question_bank")
    server = LiveServer(app)
    yield server
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
