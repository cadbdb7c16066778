"""Passwords, tokens and the access markers every view carries (deny by default)."""
from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort
from flask_login import current_user

# argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()


def init_app(app) -> None:
    """Tests may ask for cheap hashing (TESTING_FAST_HASHES); production always uses the defaults."""
    global _hasher
    if app.config.get("TESTING") and app.config.get("TESTING_FAST_HASHES"):
        _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    else:
        _hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
_COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


# A hash to verify against when the email is unknown, so both paths cost the same time.
_DUMMY_HASH: str | None = None


def burn_verification_time(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash(secrets.token_hex(8))
    verify_password(_DUMMY_HASH, password)


@functools.cache
def _common_passwords() -> frozenset[str]:
    return frozenset(line.strip().lower() for line in _COMMON_PASSWORDS_FILE.read_text().splitlines() if line.strip())


def password_problem(password: str) -> str | None:
    """The reason a new password is refused, or None. Length only, no composition rules (ASVS 6.2)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "too_short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "too_long"
    if password.lower() in _common_passwords():
        return "too_common"
    return None


def new_session_token() -> str:
    return secrets.token_hex(16)


def new_api_token() -> str:
    return "scr_" + secrets.token_urlsafe(32)


def hash_api_token(token: str) -> str:
    # Tokens are long random strings, so a fast hash is enough to keep them unreadable at rest.
    return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------- access markers
# Every view is decorated with exactly one of these; tests walk app.url_map and fail on a
# view without a marker.

ACCESS_ATTR = "_screening_access"


def public(view: Callable) -> Callable:
    setattr(view, ACCESS_ATTR, "public")
    return view


def roles_required(*roles: str) -> Callable[[Callable], Callable]:
    """Signed-in users with one of `roles`; others get 403 (anonymous: redirect to sign-in)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from screening.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTR, tuple(roles))
        return wrapped

    return decorator


def signed_in(view: Callable) -> Callable:
    from screening.models import ROLES

    return roles_required(*ROLES)(view)
