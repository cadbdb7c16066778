"""Bias audit pages (admin only): the report with its CSV, and candidates' self-reported categories."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from screening import security
from screening.web import attachment
from screening.fairness import service
from screening.fairness.forms import DemographicsForm, ScopeForm
from screening.hiring.common import actor, form_errors
from screening.services import vacancies
from screening.services.errors import ServiceError

bp = Blueprint("fairness", __name__, url_prefix="/admin/fairness")


def _scope_form() -> ScopeForm:
    form = ScopeForm(request.args)
    form.vacancy.choices = [("", _("All vacancies"))] + [(str(v.id), v.title) for v in vacancies.list_vacancies(actor())]
    return form


def category_label(family: str, category: str) -> str:
    """Sex categories come from the fixed list and are translated; ethnicity is shown as recorded."""
    if family == service.SEX:
        return str(service.SEX_LABELS.get(category, category))
    if family == service.INTERSECTION:
        sex, _sep, ethnicity = category.partition(service.INTERSECTION_JOIN)
        return f"{service.SEX_LABELS.get(sex, sex)}{service.INTERSECTION_JOIN}{ethnicity}"
    return category


def _scope(form: ScopeForm) -> service.Scope:
    return service.Scope(vacancy_id=form.vacancy_id(), date_from=form.date_from.data, date_to=form.date_to.data)


@bp.get("/")
@security.roles_required("admin")
def report():
    form = _scope_form()
    audit_report = None
    if form.validate():
        try:
            audit_report = service.run_audit(_scope(form), actor())
        except ServiceError as exc:
            form_errors(form, exc)
    status = 200 if audit_report is not None else 422
    return render_template("fairness/report.html", form=form, report=audit_report, labels=service.FAMILY_LABELS,
                           category_label=category_label, csv_args=request.args.to_dict()), status


@bp.get("/csv")
@security.roles_required("admin")
def report_csv():
    form = _scope_form()
    if not form.validate():
        return Response(_("Invalid scope."), status=422, mimetype="text/plain")
    try:
        audit_report = service.run_audit(_scope(form), actor(), export=True)
    except ServiceError as exc:
        return Response(exc.message, status=exc.status, mimetype="text/plain")
    return attachment(service.report_csv(audit_report), "text/csv; charset=utf-8", "bias-audit.csv")


@bp.get("/candidates")
@security.roles_required("admin")
def candidates():
    search = request.args.get("q", "")[:200]
    return render_template("fairness/candidates.html", rows=service.list_candidates(actor(), search), q=search)


def _render_record(candidate_id: int, form: DemographicsForm | None = None, status: int = 200):
    candidate, row = service.get_demographics(candidate_id, actor())
    if form is None:
        declined = row is not None and row.ethnicity == service.DECLINED
        form = DemographicsForm(sex=row.sex if row else "",
                                ethnicity="" if row is None or declined else row.ethnicity,
                                ethnicity_declined=declined)
    return render_template("fairness/record.html", candidate=candidate, row=row, form=form), status


@bp.get("/candidates/<int:candidate_id>")
@security.roles_required("admin")
def record(candidate_id: int):
    return _render_record(candidate_id)


@bp.post("/candidates/<int:candidate_id>")
@security.roles_required("admin")
def record_save(candidate_id: int):
    form = DemographicsForm()
    if form.validate_on_submit():
        try:
            service.record_demographics(candidate_id, service.DemographicsInput(
                sex=form.sex.data or None, ethnicity=form.ethnicity_value()), actor())
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            form_errors(form, exc)
        else:
            flash(_("The self-reported categories are saved."), "success")
            return redirect(url_for("fairness.record", candidate_id=candidate_id))
    return _render_record(candidate_id, form, 422)
