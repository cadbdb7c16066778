"""Behind a reverse proxy (TRUSTED_PROXY_COUNT): the client's real address drives sign-in throttling
and the audit trail; without it, a forged X-Forwarded-For changes nothing."""
from __future__ import annotations

import pytest

from screening import create_app
from screening.extensions import db
from screening.models import AuditEvent
from tests.conftest import PASSWORD


@pytest.fixture
def app_config():
    return {"TRUSTED_PROXY_COUNT": 1, "LOGIN_IP_MAX_FAILURES": 3}


def login(client, email: str, password: str, address: str):
    return client.post("/login", data={"email": email, "password": password},
                       headers={"X-Forwarded-For": address, "X-Forwarded-Proto": "https"})


def test_each_client_behind_the_proxy_is_throttled_on_its_own(app, client, make_user):
    make_user("ann@example.com", "recruiter")
    for n in range(3):
        assert login(client, f"nobody{n}@example.com", "wrong password", "203.0.113.7").status_code == 401
    throttled = login(client, "ann@example.com", PASSWORD, "203.0.113.7")
    assert throttled.status_code == 401 and b"Too many failed sign-ins" in throttled.data
    # Everyone else reaches the app through the same proxy, yet is not affected.
    assert login(client, "ann@example.com", PASSWORD, "198.51.100.2").status_code == 302
    with app.app_context():
        addresses = {e.ip for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.action.like("login.%")))}
        assert addresses == {"203.0.113.7", "198.51.100.2"}


def test_the_proxy_appends_and_only_its_entry_is_trusted(app, client, make_user):
    """A client's own X-Forwarded-For entries come first; with one proxy only the last entry counts."""
    make_user("ann@example.com", "recruiter")
    login(client, "ann@example.com", "wrong password", "10.9.9.9, 203.0.113.7")
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent.ip).where(AuditEvent.action == "login.failure")) == "203.0.113.7"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(tmp_path):
    from tests.conftest import make_app

    app = make_app("sqlite", tmp_path / "direct", LOGIN_IP_MAX_FAILURES=3)
    assert app.config["TRUSTED_PROXY_COUNT"] == 0
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for n in range(3):  # an attacker rotating forged addresses is still one address
        login(client, f"nobody{n}@example.com", "wrong password", f"192.0.2.{n}")
    assert b"Too many failed sign-ins" in login(client, "x@example.com", "wrong password", "192.0.2.99").data
    with app.app_context():
        assert {e.ip for e in db.session.scalars(db.select(AuditEvent))} == {"127.0.0.1"}
        db.session.remove()
        db.engine.dispose()


def test_a_negative_proxy_count_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="TRUSTED_PROXY_COUNT"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "TRUSTED_PROXY_COUNT": -1,
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "INSTANCE_PATH": str(tmp_path / "i")})


def test_the_proxy_count_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "2")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                      "INSTANCE_PATH": str(tmp_path / "i")})
    assert app.config["TRUSTED_PROXY_COUNT"] == 2
    assert type(app.wsgi_app).__name__ == "ProxyFix" and app.wsgi_app.x_for == 2
