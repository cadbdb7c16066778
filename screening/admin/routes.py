"""Admin pages for accounts."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from screening import security
from screening.admin.forms import EditUserForm, NewUserForm
from screening.services import users
from screening.services.errors import ServiceError

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _render_users(form: NewUserForm, status: int = 200):
    all_users = users.list_users()
    edit_forms = {u.id: EditUserForm(prefix=f"u{u.id}", role=u.role, active=u.active) for u in all_users}
    return render_template("admin/users.html", users=all_users, form=form, edit_forms=edit_forms), status


@bp.get("/users")
@security.roles_required("admin")
def user_list():
    return _render_users(NewUserForm())


@bp.post("/users")
@security.roles_required("admin")
def user_create():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = users.create_user(form.email.data, form.role.data, form.password.data,
                                     name=form.name.data or "", actor_id=current_user.id)
        except ServiceError as exc:
            for field, message in exc.reasons.items():
                getattr(form, field, form.email).errors.append(message)
        else:
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.user_list"))
    return _render_users(form, 422)


@bp.post("/users/<int:user_id>")
@security.roles_required("admin")
def user_update(user_id: int):
    form = EditUserForm(prefix=f"u{user_id}")
    if not form.validate_on_submit():
        flash(_("The change was not saved."), "error")
        return redirect(url_for("admin.user_list"))
    try:
        user = users.update_user(user_id, role=form.role.data, active=form.active.data, actor_id=current_user.id)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("User %(email)s updated.", email=user.email), "success")
    return redirect(url_for("admin.user_list"))


@bp.get("/audit")
@security.roles_required("admin")
def audit():
    from screening.services import audit as audit_service

    filters = audit_service.AuditFilter.from_args(request.args)
    page = audit_service.search(filters)
    return render_template("admin/audit.html", page=page, filters=filters, actions=audit_service.known_actions())


@bp.get("/tokens")
@security.roles_required("admin")
def tokens():
    return render_template("admin/tokens.html", tokens=users.all_tokens())


@bp.get("/")
@security.roles_required("admin")
def hub():
    return render_template("admin/hub.html")
