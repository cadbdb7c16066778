"""Sign-in, sign-out, the user's own password and API tokens."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from screening import security
from screening.auth.forms import LoginForm, PasswordForm, TokenForm
from screening.services import users
from screening.services.errors import ServiceError
from screening.web import client_ip

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site relative paths: never redirect off-site after sign-in.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.index")


@bp.get("/login")
@security.public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    return render_template("auth/login.html", form=LoginForm())


@bp.post("/login")
@security.public
def login_post():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400
    lang = session.get("lang")  # chosen on this page before signing in: it wins over the stored one
    result = users.authenticate(form.email.data, form.password.data, client_ip(), current_app.config, locale=lang)
    if result.user is None:
        form.password.errors.append(result.error)
        return render_template("auth/login.html", form=form), 401
    session.clear()  # a new session at sign-in: no fixation
    if lang:
        session["lang"] = lang
    login_user(result.user)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@security.signed_in
def logout():
    users.logout(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


def _render_account(password_form: PasswordForm, status: int = 200):
    tokens = users.tokens_of(current_user._get_current_object())
    return render_template("auth/account.html", password_form=password_form, token_form=TokenForm(),
                           tokens=tokens), status


@bp.get("/account")
@security.signed_in
def account():
    return _render_account(PasswordForm())


@bp.post("/account/password")
@security.signed_in
def change_password():
    form = PasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            users.change_password(user, form.current.data, form.password.data)
        except ServiceError as exc:
            for field, message in (exc.reasons or {"password": exc.message}).items():
                getattr(form, field, form.password).errors.append(message)
        else:
            login_user(user)  # the session token rotated: renew this session, others end
            flash(_("Your password was changed."), "success")
            return redirect(url_for("auth.account"))
    return _render_account(form, 400)


@bp.post("/account/tokens")
@security.signed_in
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        flash(_("The token was not created."), "error")
        return redirect(url_for("auth.account"))
    token = users.issue_token(current_user._get_current_object(), form.name.data or "")
    flash(_("Your new API token (shown only once): %(token)s", token=token), "token")
    return redirect(url_for("auth.account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@security.signed_in
def revoke_token(token_id: int):
    users.revoke_token(token_id, current_user._get_current_object())
    flash(_("The token was revoked."), "info")
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url) else url_for("auth.account"))
