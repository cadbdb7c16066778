"""Accounts: creation, authentication with lockout, roles, deactivation, API tokens."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from screening import security
from screening.extensions import db
from screening.models import ROLES, ApiToken, AuditEvent, LoginAttempt, User, as_utc
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
    reason: str | None = None  # failed | throttled | deactivated


# Sign-in limits (checklist rule 2), counted in the database so every worker sees the same numbers:
# - per account: LOGIN_MAX_FAILURES failures in a row lock it for LOGIN_LOCKOUT_MINUTES;
# - per address and email: LOGIN_MAX_FAILURES failures within that window refuse further tries of that
#   email from that address (also for emails without an account, answered like a locked account);
# - per address: LOGIN_IP_MAX_FAILURES failures within the window refuse everyone from that address,
#   except accounts that signed in from it within LOGIN_KNOWN_ADDRESS_DAYS, so one attacker behind a
#   shared office address cannot lock all colleagues out. Refused tries are not counted, so a limit
#   lifts at most one window after the last counted failure.


def _pair_key(ip: str, email: str, secret: str) -> str:
    """The throttle key of an address and an email, keyed with the secret so no email is stored."""
    digest = hmac.new(secret.encode(), f"{ip}|{email}".encode(), hashlib.sha256).hexdigest()
    return "pair:" + digest[:40]


def _failures(key: str, since: datetime) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt).where(LoginAttempt.ip == key, LoginAttempt.at >= since))


def _signed_in_from(user_id: int, ip: str, since: datetime) -> bool:
    return db.session.scalar(
        sa.select(AuditEvent.id).where(AuditEvent.action == "login.success", AuditEvent.actor_id == user_id,
                                       AuditEvent.ip == ip, AuditEvent.at >= since).limit(1)) is not None


def _not_locked(now: datetime):
    return sa.or_(User.locked_until.is_(None), User.locked_until <= now)


def _count_failure(user_id: int, now: datetime, config) -> None:
    """One more failed sign-in, atomically (no lost increments between workers); lock at the limit."""
    reached = User.failed_logins + 1 >= config["LOGIN_MAX_FAILURES"]
    until = now + timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
    db.session.execute(
        sa.update(User).where(User.id == user_id, _not_locked(now))
        .values(failed_logins=sa.case((reached, 0), else_=User.failed_logins + 1),
                locked_until=sa.case((reached, sa.literal(until, User.locked_until.type)), else_=User.locked_until))
        .execution_options(synchronize_session=False))


def authenticate(email: str, password: str, ip: str | None, config, locale: str | None = None) -> LoginResult:
    """Check credentials. The error never tells whether the email exists.

    Only a right password reveals more: that the account is deactivated. `locale`, the language
    chosen before signing in, becomes the account's language. No database lock is held while the
    password hash is checked: the counters are updated with single atomic statements.
    """
    generic = _l("Wrong email or password, or the account is locked. Try again later.")
    throttled = _l("Too many failed sign-ins from this address. Try again later.")
    now = datetime.now(UTC)
    email = normalise_email(email)
    window = now - timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
    pair = _pair_key(ip, email, config["SECRET_KEY"]) if ip else None

    # Read what the decision needs, then end the transaction before the slow hash check.
    user = get_by_email(email)
    user_id = user.id if user else None
    password_hash, active = (user.password_hash, user.active) if user else ("", False)
    locked = user is not None and user.locked_until is not None and as_utc(user.locked_until) > now
    address_over = bool(ip) and _failures(ip, window) >= config["LOGIN_IP_MAX_FAILURES"]
    known_address = address_over and user_id is not None and _signed_in_from(
        user_id, ip, now - timedelta(days=config["LOGIN_KNOWN_ADDRESS_DAYS"]))
    pair_over = pair is not None and _failures(pair, window) >= config["LOGIN_MAX_FAILURES"]
    db.session.rollback()

    if (address_over and not known_address) or pair_over:
        security.burn_verification_time(password)
        audit.record("login.throttled", ip=ip, scope="address" if address_over and not known_address else "address_email")
        db.session.commit()
        return LoginResult(None, throttled if address_over else generic, "throttled")

    if user_id is None or locked:
        security.burn_verification_time(password)
        ok = False
    else:
        ok = security.verify_password(password_hash, password)

    if ok and not active:
        audit.record("login.failure", actor_id=user_id, ip=ip, reason="deactivated")
        db.session.commit()
        return LoginResult(None, _l("This account is deactivated. Ask an administrator to reactivate it."),
                           "deactivated")

    new_hash = security.hash_password(password) if ok and security.needs_rehash(password_hash) else None
    values = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if new_hash:
        values["password_hash"] = new_hash
    if locale and locale in config["LANGUAGES"]:
        values["locale"] = locale
    if ok:  # still active and not locked by a concurrent failure: checked in the same statement
        ok = db.session.execute(
            sa.update(User).where(User.id == user_id, User.active.is_(True), _not_locked(now)).values(**values)
            .returning(User.id).execution_options(synchronize_session=False)).first() is not None

    if not ok:
        if ip:
            db.session.add_all([LoginAttempt(ip=ip, at=now), LoginAttempt(ip=pair, at=now)])
        if user_id is not None and not locked:
            _count_failure(user_id, now, config)
        audit.record("login.failure", actor_id=user_id, ip=ip)
        db.session.commit()
        return LoginResult(None, throttled if address_over else generic, "failed")

    if pair:  # this person got in: their earlier typos from here no longer count
        db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.ip == pair))
    audit.record("login.success", actor_id=user_id, ip=ip)
    db.session.commit()
    return LoginResult(db.session.get(User, user_id))


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


def change_password(user: User, current: str, new: str) -> None:
    """The user's own change: the current password first, then the rules for a new one."""
    if not security.verify_password(user.password_hash, current or ""):
        message = _l("The current password is wrong.")
        raise ServiceError(message, {"current": message})
    set_password(user, new)
    audit.record("user.password", actor_id=user.id, object_type="user", object_id=user.id)
    db.session.commit()


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())))


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
