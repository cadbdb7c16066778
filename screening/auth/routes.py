"""Sign-in, sign-out, the user's own password and API tokens."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from screening import security
from screening.auth.forms import LoginForm, PasswordForm, TokenForm
from screening.models import ApiToken
from screening.extensions import db
from screening.services import users
from screening.services.errors import ServiceError

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
    result = users.authenticate(form.email.data, form.password.data, request.remote_addr, current_app.config)
    if result.user is None:
        form.password.errors.append(result.error)
        return render_template("auth/login.html", form=form), 401
    lang = session.get("lang")
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


@bp.get("/account")
@security.signed_in
def account():
    tokens = db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("auth/account.html", password_form=PasswordForm(), token_form=TokenForm(), tokens=tokens)


@bp.post("/account/password")
@security.signed_in
def change_password():
    form = PasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        if not security.verify_password(user.password_hash, form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            try:
                users.set_password(user, form.password.data)
            except ServiceError as exc:
                form.password.errors.append(exc.message)
            else:
                login_user(user)  # the session token rotated: renew this session, others end
                flash(_("Your password was changed."), "success")
                return redirect(url_for("auth.account"))
    return render_template("auth/account.html", password_form=form, token_form=TokenForm(), tokens=[]), 400


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
