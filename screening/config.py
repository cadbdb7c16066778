"""Configuration defaults. Layering: these → instance/config.py → environment → test config."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# Settings the environment may override, with the type to coerce them to.
ENV_SETTINGS = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "MODELS_DIR": str,
    "CORPUS_DIR": str,
    "PRODUCTION": lambda v: v.lower() in ("1", "true", "yes"),
    "MAX_ANSWER_CHARS": int,
    "RETENTION_DAYS": int,
    "TRUSTED_PROXY_COUNT": int,
}


class Defaults:
    PRODUCTION = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    MODELS_DIR = str(REPO_ROOT / "models")
    CORPUS_DIR = str(REPO_ROOT / "data" / "corpus")
    QUESTION_BANK_DIR = str(REPO_ROOT / "question_bank")
    LANGUAGES = ("ru", "en")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")
    MAX_CONTENT_LENGTH = 1 * 1024 * 1024  # bytes of one request body
    MAX_ANSWER_CHARS = 20_000
    MAX_TAG_CHARS = 50_000
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # A live interview runs longer than Flask-WTF's default hour; the token lives with the session.
    WTF_CSRF_TIME_LIMIT = None
    IDLE_TIMEOUT_MINUTES = 60
    # Sign-in limits (all counted in the database, so every worker sees them):
    # an account locks for LOGIN_LOCKOUT_MINUTES after LOGIN_MAX_FAILURES failed sign-ins in a row;
    # one address may fail LOGIN_MAX_FAILURES times per email within that window, and
    # LOGIN_IP_MAX_FAILURES times in all. Over that ceiling only accounts that signed in from the
    # same address within LOGIN_KNOWN_ADDRESS_DAYS may still try (so a shared office address is
    # not locked out by one attacker behind it).
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 15
    LOGIN_IP_MAX_FAILURES = 100
    LOGIN_KNOWN_ADDRESS_DAYS = 30
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto (nginx, Caddy: 1).
    # 0 ignores those headers; never set it higher than the real number of proxies.
    TRUSTED_PROXY_COUNT = 0
    RETENTION_DAYS = 365
    # The consent text read to candidates; its wording lives in screening/data/consent/<version>.<lang>.txt
    CONSENT_TEXT_VERSION = "2026-11"


def database_url_default(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "screening.sqlite3")


def apply_environment(config) -> None:
    for key, cast in ENV_SETTINGS.items():
        value = os.environ.get(key) or os.environ.get("SCREENING_" + key)
        if value:
            config[key] = cast(value)


def ensure_secret_key(config, instance_path: str) -> None:
    """In development a missing key is generated once into instance/; in production it is an error."""
    if config.get("SECRET_KEY"):
        return
    if config.get("PRODUCTION"):
        raise RuntimeError("SECRET_KEY must be set in production (environment or instance/config.py)")
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    config["SECRET_KEY"] = key_file.read_text().strip()
