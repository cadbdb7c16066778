"""Sign-in, sign-out, lockout, session renewal and CSRF."""
from __future__ import annotations


import pytest

from screening.extensions import db
from screening.models import AuditEvent, LoginAttempt, User
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
    response = auth.login("ann@example.com")
    assert response.status_code == 401
    assert client.get("/").status_code == 302


def test_deactivated_user_with_the_right_password_is_told_so(app, client, make_user, auth):
    """The right password earns the real reason; a wrong one gets the same message as an unknown email."""
    user_id = make_user("ann@example.com", "recruiter")
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    response = auth.login("ann@example.com")
    assert response.status_code == 401
    assert b"This account is deactivated" in response.data
    assert b"Wrong email or password" not in response.data
    wrong = auth.login("ann@example.com", "not the password")
    unknown = auth.login("nobody@example.com", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert b"Wrong email or password" in response.data and b"deactivated" not in response.data
    with app.app_context():
        reasons = [e.details.get("reason") for e in db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "login.failure", AuditEvent.actor_id == user_id))]
        assert "deactivated" in reasons


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


def _failures_from(auth, count: int, prefix: str = "nobody", **headers) -> None:
    for n in range(count):
        assert auth.login(f"{prefix}{n}@example.com", "wrong password").status_code == 401


def test_one_address_over_its_ceiling_is_throttled_for_new_accounts(app, client, make_user, auth):
    app.config["LOGIN_IP_MAX_FAILURES"] = 10
    user_id = make_user("ann@example.com", "recruiter")
    _failures_from(auth, 10)
    response = auth.login("ann@example.com")  # right password, but this address is throttled
    assert response.status_code == 401
    assert b"Too many failed sign-ins" in response.data
    with app.app_context():
        assert db.session.get(User, user_id).failed_logins == 0  # the account itself was never attacked
        assert db.session.scalar(db.select(AuditEvent.details).where(AuditEvent.action == "login.throttled")) == \
            {"scope": "address"}


def test_a_shared_address_does_not_lock_colleagues_out(app, client, make_user, auth):
    """Twenty failures from one address (an office behind one NAT, or the reverse proxy's address)
    used to lock every account out; the ceiling per address is now much higher."""
    assert app.config["LOGIN_IP_MAX_FAILURES"] >= 100
    make_user("ann@example.com", "recruiter")
    _failures_from(auth, 20)
    assert auth.login("ann@example.com").status_code == 302


def test_accounts_known_at_a_throttled_address_can_still_sign_in(app, client, make_user, auth):
    app.config["LOGIN_IP_MAX_FAILURES"] = 10
    make_user("bob@example.com", "recruiter")
    make_user("ann@example.com", "recruiter")
    assert auth.login("bob@example.com").status_code == 302  # bob signed in from here before
    auth.logout()
    _failures_from(auth, 10)
    stranger = auth.login("ann@example.com")
    wrong = auth.login("bob@example.com", "wrong password")
    # Bob's wrong password gets the same answer as anyone else here: nothing tells which accounts are known.
    assert stranger.status_code == wrong.status_code == 401
    assert b"Too many failed sign-ins" in stranger.data and b"Too many failed sign-ins" in wrong.data
    assert auth.login("bob@example.com").status_code == 302
    with app.app_context():
        assert users_failed_logins("bob@example.com") == 0  # reset by the success


def users_failed_logins(email: str) -> int:
    return db.session.scalar(db.select(User.failed_logins).where(User.email == email))


def test_one_address_and_email_are_throttled_like_a_locked_account(app, client, make_user, auth):
    make_user("ann@example.com", "recruiter")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        auth.login("nobody@example.com", "wrong password")
    response = auth.login("nobody@example.com", "wrong password")
    assert response.status_code == 401
    assert b"Wrong email or password" in response.data  # the same answer as a locked, existing account
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "login.throttled"))
        assert event.details == {"scope": "address_email"}
        attempts = db.session.scalars(db.select(LoginAttempt.ip)).all()
        assert not any("nobody" in key for key in attempts)  # keyed by a keyed hash, no email stored
    assert auth.login("ann@example.com").status_code == 302  # another email from the same address


def test_a_success_forgives_earlier_typos_from_that_address(app, client, make_user, auth):
    make_user("ann@example.com", "recruiter")
    for _round in range(2):
        for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
            assert auth.login("ann@example.com", "typo typo typo").status_code == 401
        assert auth.login("ann@example.com").status_code == 302
        auth.logout()


def test_failed_sign_ins_are_counted_atomically_under_concurrency(app, make_user):
    """8 threads x 10 wrong passwords: the counter ends at exactly 80 (an ORM read-modify-write
    loses increments once the password check runs outside the write transaction)."""
    import threading

    from screening.services import users

    app.config["LOGIN_MAX_FAILURES"] = 10_000
    user_id = make_user("ann@example.com", "recruiter")
    failures: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                for _ in range(10):
                    assert users.authenticate("ann@example.com", "wrong password", None, app.config).user is None
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures[0]
    with app.app_context():
        assert db.session.get(User, user_id).failed_logins == 80


def test_concurrent_failures_lock_the_account(app, make_user):
    import threading

    from screening.services import users

    make_user("ann@example.com", "recruiter")
    barrier = threading.Barrier(8)

    def work() -> None:
        with app.app_context():
            barrier.wait(timeout=30)
            users.authenticate("ann@example.com", "wrong password", None, app.config)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    with app.app_context():
        result = users.authenticate("ann@example.com", PASSWORD, None, app.config)
        assert result.user is None and result.reason == "failed"
        assert db.session.scalar(db.select(User.locked_until).where(User.email == "ann@example.com")) is not None


def test_language_chosen_on_the_sign_in_page_wins_over_the_stored_one(app, client, make_user, auth):
    from screening.services import users

    user_id = make_user("ann@example.com", "recruiter")
    with app.app_context():
        users.set_locale(db.session.get(User, user_id), "en")
    client.post("/lang/ru")
    assert auth.login("ann@example.com").status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).locale == "ru"
    assert 'lang="ru"' in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("ann@example.com")  # no choice this time: the stored language stays
    with app.app_context():
        assert db.session.get(User, user_id).locale == "ru"


def test_change_password_checks_the_current_one_in_the_service(app, make_user):
    from screening.services import users
    from screening.services.errors import ServiceError

    user_id = make_user("ann@example.com", "recruiter")
    with app.app_context():
        user = db.session.get(User, user_id)
        with pytest.raises(ServiceError) as info:
            users.change_password(user, "not it", "a brand new passphrase")
        assert set(info.value.reasons) == {"current"}
        with pytest.raises(ServiceError) as info:
            users.change_password(user, PASSWORD, "short")
        assert set(info.value.reasons) == {"password"}
        users.change_password(user, PASSWORD, "a brand new passphrase")
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.password")) is not None
    assert users_can_sign_in(app, "ann@example.com", "a brand new passphrase")


def users_can_sign_in(app, email: str, password: str) -> bool:
    from screening.services import users

    with app.app_context():
        return users.authenticate(email, password, None, app.config).user is not None


def test_password_form_errors_keep_the_token_list(app, client, make_user, auth):
    make_user("ann@example.com", "recruiter")
    auth.login("ann@example.com")
    client.post("/account/tokens", data={"name": "laptop-token"})
    response = client.post("/account/password", data={"current": "not it", "password": "a brand new passphrase",
                                                       "confirm": "a brand new passphrase"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The current password is wrong." in page
    assert "laptop-token" in page and "No tokens yet." not in page


def test_audit_events_carry_the_client_address_bound_by_the_web_layer(app, client, api_token):
    import inspect

    from screening.services import audit

    source = inspect.getsource(audit)
    assert "from flask" not in source and "import flask" not in source  # the service never reads the request
    headers = api_token("recruiter")
    assert client.post("/api/v1/candidates", json={"name": "A Person", "consent": True},
                       headers=headers).status_code == 201
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "candidate.create"))
        assert event.ip == "127.0.0.1"
        outside = audit.record("test.outside")  # no request: no address
        assert outside.ip is None
        db.session.rollback()
