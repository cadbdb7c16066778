"""The home page for each role and the language switch."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from screening import security
from screening.services import dashboard, users

bp = Blueprint("main", __name__)


@bp.get("/")
@security.signed_in
def index():
    return render_template("main/index.html", work=dashboard.worklist(current_user._get_current_object()))


@bp.post("/lang/<lang>")
@security.public
def set_language(lang: str):
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            users.set_locale(current_user._get_current_object(), lang)
    target = request.referrer or ""
    if not target.startswith(request.host_url):
        target = url_for("main.index")
    return redirect(target)


@bp.get("/healthz")
@security.public
def health():
    return {"status": "ok"}
