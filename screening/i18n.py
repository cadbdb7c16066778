"""Languages: the user's choice, then the browser's Accept-Language, then the default."""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user

from screening.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and services outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_lang() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else "en"


def pick(texts: dict | None, lang: str | None = None) -> str:
    """The text of a bilingual {ru, en} mapping in the current (or given) language."""
    if not texts:
        return ""
    lang = lang or current_lang()
    return texts.get(lang) or texts.get("en") or texts.get("ru") or ""


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["pick"] = pick
    app.jinja_env.globals["current_lang"] = current_lang
