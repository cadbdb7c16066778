"""Vacancies: list, create, edit, and the candidates of one vacancy."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from screening import security
from screening.bank import routes as bank_routes
from screening.bank import service as bank
from screening.hiring.common import actor, form_errors, int_or_none
from screening.hiring.forms import VacancyForm
from screening.i18n import pick
from screening.services import access, interviews, vacancies
from screening.services.errors import ServiceError

bp = Blueprint("vacancies", __name__, url_prefix="/vacancies")
EVERYONE = ("admin", "recruiter", "manager")
EDITORS = ("admin", "recruiter")


def _form(form: VacancyForm | None = None) -> VacancyForm:
    form = form or VacancyForm()
    form.role.choices = bank_routes.roles_and_names()
    form.guide_id.choices = [("", _("— none —"))] + [(g.id, pick(g.title)) for g in bank.list_guides()]
    form.manager_id.choices = [("", _("— none —"))] + [(str(u.id), u.display_name) for u in vacancies.users_with_role("manager")]
    form.recruiter_ids.choices = [(str(u.id), u.display_name) for u in vacancies.users_with_role("recruiter", "admin")]
    return form


def _input(form: VacancyForm) -> vacancies.VacancyInput:
    return vacancies.VacancyInput(title=form.title.data or "", role=form.role.data or "",
                                  guide_id=form.guide_id.data or None, manager_id=int_or_none(form.manager_id.data),
                                  recruiter_ids=tuple(i for i in map(int_or_none, form.recruiter_ids.data or []) if i))


@bp.get("/")
@security.roles_required(*EVERYONE)
def index():
    return render_template("vacancies/index.html", vacancies=vacancies.list_vacancies(actor()))


@bp.get("/new")
@security.roles_required(*EDITORS)
def new():
    return render_template("vacancies/form.html", form=_form(), vacancy=None)


@bp.post("/new")
@security.roles_required(*EDITORS)
def create():
    form = _form()
    if form.validate_on_submit():
        try:
            vacancy = vacancies.create_vacancy(_input(form), actor())
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            flash(_("Vacancy created."), "success")
            return redirect(url_for("vacancies.show", vacancy_id=vacancy.id))
    return render_template("vacancies/form.html", form=form, vacancy=None), 422


@bp.get("/<int:vacancy_id>")
@security.roles_required(*EVERYONE)
def show(vacancy_id: int):
    vacancy = access.vacancy_for_view(actor(), vacancy_id)
    rows = interviews.interviews_of(actor(), vacancy_id=vacancy.id)
    return render_template("vacancies/show.html", vacancy=vacancy, interviews=rows)


@bp.get("/<int:vacancy_id>/edit")
@security.roles_required(*EDITORS)
def edit(vacancy_id: int):
    vacancy = access.vacancy_for_edit(actor(), vacancy_id)
    form = _form(VacancyForm(data={"title": vacancy.title, "role": vacancy.role, "guide_id": vacancy.guide_id or "",
                                   "manager_id": str(vacancy.manager_id or ""),
                                   "recruiter_ids": [str(u.id) for u in vacancy.recruiters]}))
    return render_template("vacancies/form.html", form=form, vacancy=vacancy)


@bp.post("/<int:vacancy_id>/edit")
@security.roles_required(*EDITORS)
def update(vacancy_id: int):
    vacancy = access.vacancy_for_edit(actor(), vacancy_id)
    form = _form()
    if form.validate_on_submit():
        try:
            vacancies.update_vacancy(vacancy_id, _input(form), actor())
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            flash(_("Vacancy saved."), "success")
            return redirect(url_for("vacancies.show", vacancy_id=vacancy_id))
    return render_template("vacancies/form.html", form=form, vacancy=vacancy), 422
