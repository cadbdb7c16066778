"""Sign-in, sign-out, lockout, session renewal and CSRF."""
from __future__ import annotations


import pytest

from screening.extensions import db
from screening.models import AuditEvent, User
from tests.conftest import PASSWORD


def test_login_success_redirects_home(client, make_user, auth):
    make_user("ann@example.com", "recruiter")
    response = auth.login("ann@example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_email_is_case_insensitive(client, make_user, auth):
    make_user("ann@example.com", "recruiter")
    assert auth.login("  Ann@Example.COM ").status_code == 302


@pytest.mark.parametrize("email,password", [("ann@example.com", "wrong password"), ("nobody@example.com", PASSWORD)])
def test_login_failure_gives_one_message_for_both_cases(client, make_user, auth, email, password):
    make_user("ann@example.com", "recruiter")
    response = auth.login(email, password)
    assert response.status_code == 401
    assert b"Wrong email or password" in response.data
    assert b'value="' + email.encode() in response.data  # what the user typed is kept
    assert client.get("/").status_code == 302


def test_deactivated_user_cannot_sign_in(app, client, make_user, auth):
    user_id = make_user("ann@example.com", "recruiter")
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert auth.login("ann@example.com").status_code == 401


def test_deactivation_ends_existing_sessions(app, client, make_user, auth):
    from screening.services import users

    admin_id = make_user("boss@example.com", "admin")
    user_id = make_user("ann@example.com", "recruiter")
    auth.login("ann@example.com")
    assert client.get("/").status_code == 200
    with app.app_context():
        users.update_user(user_id, active=False, actor_id=admin_id)
    assert client.get("/").status_code == 302


def test_lockout_after_repeated_failures(app, client, make_user, auth):
    make_user("ann@example.com", "recruiter")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert auth.login("ann@example.com", "nope nope nope").status_code == 401
    # Even the right password is refused while locked, with the same message.
    response = auth.login("ann@example.com")
    assert response.status_code == 401
    assert b"Wrong email or password" in response.data


def test_login_failures_are_audited_without_password(app, client, make_user, auth):
    make_user("ann@example.com", "recruiter")
    auth.login("ann@example.com", "secret-guess-123")
    with app.app_context():
        events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "login.failure")).all()
        assert len(events) == 1
        assert "secret-guess-123" not in repr(events[0].details)


def test_oversized_login_field_is_a_form_error(client, make_user, auth):
    response = client.post("/login", data={"email": "a" * 300 + "@x.org", "password": "x"})
    assert response.status_code == 400
    assert b"class=\"error\"" in response.data


def test_session_is_renewed_at_login(client, make_user, auth):
    make_user("ann@example.com", "recruiter")
    with client.session_transaction() as session:
        session["planted"] = "by attacker"
    auth.login("ann@example.com")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_captured_cookie_is_useless_after_logout(app, client, make_user, auth):
    make_user("ann@example.com", "recruiter")
    auth.login("ann@example.com")
    cookie = client.get_cookie("session").value
    auth.logout()
    other = app.test_client()
    other.set_cookie("session", cookie)
    assert other.get("/").status_code == 302


def test_open_redirect_after_login_is_refused(client, make_user, auth):
    make_user("ann@example.com", "recruiter")
    response = client.post("/login?next=//evil.example/x", data={"email": "ann@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_password_is_hashed_with_argon2id(app, make_user):
    user_id = make_user("ann@example.com", "recruiter")
    with app.app_context():
        assert db.session.get(User, user_id).password_hash.startswith("$argon2id$")


def test_production_hasher_uses_strong_defaults():
    from argon2 import PasswordHasher

    from screening import security

    hasher = PasswordHasher()
    assert hasher.time_cost >= 2 and hasher.memory_cost >= 19 * 1024
    assert security.hash_password.__module__ == "screening.security"


def test_common_and_short_passwords_are_refused(app):
    from screening.services import users
    from screening.services.errors import ServiceError

    with app.app_context():
        for bad in ("short", "password123", "qwertyuiop"):
            with pytest.raises(ServiceError) as info:
                users.create_user("x@example.com", "recruiter", bad)
            assert "password" in info.value.reasons
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_many_failures_from_one_address_are_throttled_for_every_account(app, client, make_user, auth):
    make_user("ann@example.com", "recruiter")
    attempts = app.config["LOGIN_MAX_FAILURES"] * 4
    for n in range(attempts):
        auth.login(f"nobody{n}@example.com", "wrong password")
    response = auth.login("ann@example.com")  # right password, but this address is throttled
    assert response.status_code == 401
    assert b"Too many failed sign-ins" in response.data
    with app.app_context():
        assert db.session.get(User, 1).failed_logins == 0  # the account itself was never attacked
