"""Accounts: creation, authentication with lockout, roles, deactivation, API tokens."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from screening import security
from screening.extensions import db
from screening.models import ROLES, ApiToken, LoginAttempt, User, as_utc
from screening.services import audit
from screening.services.errors import NotFound, ServiceError

PASSWORD_MESSAGES = {
    "too_short": _l("Use at least %(n)s characters.", n=security.MIN_PASSWORD_LENGTH),
    "too_long": _l("Use at most %(n)s characters.", n=security.MAX_PASSWORD_LENGTH),
    "too_common": _l("This password is too common; choose another."),
}


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def get_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(email: str, role: str, password: str, name: str = "", actor_id: int | None = None) -> User:
    email = normalise_email(email)
    reasons = {}
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        reasons["email"] = _l("Enter a valid email address.")
    elif get_by_email(email) is not None:
        reasons["email"] = _l("A user with this email already exists.")
    if role not in ROLES:
        reasons["role"] = _l("Unknown role.")
    problem = security.password_problem(password)
    if problem:
        reasons["password"] = PASSWORD_MESSAGES[problem]
    if reasons:
        raise ServiceError(_l("The user was not created."), reasons)
    user = User(email=email, name=name.strip()[:120], role=role, active=True,
                password_hash=security.hash_password(password), session_token=security.new_session_token())
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", actor_id=actor_id, object_type="user", object_id=user.id, role=role)
    db.session.commit()
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    error: str | None = None


def _ip_throttled(ip: str | None, config) -> bool:
    if not ip:
        return False
    window = datetime.now(UTC) - timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt).where(LoginAttempt.ip == ip, LoginAttempt.at >= window)
    )
    return count >= config["LOGIN_MAX_FAILURES"] * 4


def authenticate(email: str, password: str, ip: str | None, config) -> LoginResult:
    """Check credentials. The error never tells whether the email exists."""
    generic = _l("Wrong email or password, or the account is locked. Try again later.")
    now = datetime.now(UTC)
    if _ip_throttled(ip, config):
        security.burn_verification_time(password)
        audit.record("login.throttled", ip=ip)
        db.session.commit()
        return LoginResult(None, _l("Too many failed sign-ins from this address. Try again later."))
    user = get_by_email(email)
    locked = user is not None and user.locked_until is not None and as_utc(user.locked_until) > now
    if user is None or locked or not user.active:
        security.burn_verification_time(password)
        ok = False
    else:
        ok = security.verify_password(user.password_hash, password)
    if not ok:
        db.session.add(LoginAttempt(ip=ip or "", at=now))
        if user is not None and not locked:
            user.failed_logins += 1
            if user.failed_logins >= config["LOGIN_MAX_FAILURES"]:
                user.locked_until = now + timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
                user.failed_logins = 0
        audit.record("login.failure", actor_id=user.id if user else None, ip=ip)
        db.session.commit()
        return LoginResult(None, generic)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    audit.record("login.success", actor_id=user.id, ip=ip)
    db.session.commit()
    return LoginResult(user)


def rotate_session(user: User) -> None:
    user.session_token = security.new_session_token()


def logout(user: User) -> None:
    rotate_session(user)  # a captured cookie stops working after logout
    db.session.commit()


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("No such user."))
    return user


def update_user(user_id: int, *, role: str | None = None, active: bool | None = None,
                name: str | None = None, actor_id: int | None = None) -> User:
    user = get_user(user_id)
    if role is not None and role not in ROLES:
        raise ServiceError(_l("Unknown role."), {"role": _l("Unknown role.")})
    if actor_id == user.id and (active is False or (role is not None and role != user.role)):
        raise ServiceError(_l("You cannot deactivate yourself or change your own role."))
    if role is not None and role != user.role:
        audit.record("user.role", actor_id=actor_id, object_type="user", object_id=user.id, old=user.role, new=role)
        user.role = role
    if active is not None and active != user.active:
        user.active = active
        rotate_session(user)  # a deactivated user's sessions end now
        audit.record("user.activate" if active else "user.deactivate", actor_id=actor_id,
                     object_type="user", object_id=user.id)
    if name is not None:
        user.name = name.strip()[:120]
    db.session.commit()
    return user


def set_password(user: User, password: str) -> None:
    problem = security.password_problem(password)
    if problem:
        raise ServiceError(PASSWORD_MESSAGES[problem], {"password": PASSWORD_MESSAGES[problem]})
    user.password_hash = security.hash_password(password)
    rotate_session(user)
    db.session.commit()


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.email)))


def issue_token(user: User, name: str = "") -> str:
    """Create an API token and return it; only its hash is stored."""
    token = security.new_api_token()
    db.session.add(ApiToken(user_id=user.id, name=name[:80], prefix=token[:10],
                            token_hash=security.hash_api_token(token)))
    audit.record("token.create", actor_id=user.id, object_type="user", object_id=user.id)
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == security.hash_api_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    row.last_used_at = datetime.now(UTC)
    db.session.commit()
    return row.user


def revoke_token(token_id: int, actor: User) -> ApiToken:
    row = db.session.get(ApiToken, token_id)
    if row is None or (row.user_id != actor.id and actor.role != "admin"):
        raise NotFound(_l("No such token."))
    row.revoked_at = datetime.now(UTC)
    audit.record("token.revoke", actor_id=actor.id, object_type="api_token", object_id=row.id)
    db.session.commit()
    return row


def set_locale(user: User, lang: str) -> None:
    user.locale = lang
    db.session.commit()


def all_tokens() -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).order_by(ApiToken.created_at.desc())))
