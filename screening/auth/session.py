"""Flask-Login wiring: the user loader checks the rotating per-user session token."""
from __future__ import annotations

import hmac

import time

from flask import Flask, current_app, jsonify, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l

from screening.extensions import db, login_manager
from screening.models import User
from screening.web import parse_int


def init_app(app: Flask) -> None:
    app.before_request(end_idle_sessions)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)


def load_user(session_id: str) -> User | None:
    raw_id, _, token = session_id.partition(":")
    user_id = parse_int(raw_id)
    if user_id is None or not token:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def unauthorized():
    if request.path.startswith("/api/"):
        return jsonify(error="unauthorized", message="Authentication required."), 401
    from flask import flash

    flash(login_manager.login_message, "info")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def end_idle_sessions():
    """Sign out a browser session that saw no request for IDLE_TIMEOUT_MINUTES (autosave counts)."""
    if request.endpoint == "static" or "_user_id" not in session:
        return None
    now = int(time.time())
    last = session.get("last_seen", now)
    if now - last > current_app.config["IDLE_TIMEOUT_MINUTES"] * 60:
        session.clear()
        if request.path.startswith("/api/") or request.is_json:
            return jsonify(error="session_expired", message="Your session ended after a period of inactivity."), 401
        from flask import flash
        from flask_babel import gettext as _

        flash(_("You were signed out after a period of inactivity."), "info")
        return redirect(url_for("auth.login"))
    # Write at most once a minute, so each request does not re-sign the cookie.
    if now - last >= 60 or "last_seen" not in session:
        session["last_seen"] = now
    return None
