"""Candidates: list, add with consent, view, consent changes, export and erasure."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from screening import security
from screening.web import attachment
from screening.hiring.common import actor, form_errors
from screening.hiring.forms import CandidateForm
from screening.services import access, candidates, interviews, privacy
from screening.services.errors import ServiceError

bp = Blueprint("candidates", __name__, url_prefix="/candidates")
EVERYONE = ("admin", "recruiter", "manager")
EDITORS = ("admin", "recruiter")


@bp.get("/")
@security.roles_required(*EVERYONE)
def index():
    search = (request.args.get("q") or "")[:100]
    return render_template("candidates/index.html", candidates=candidates.list_candidates(actor(), search), search=search)


@bp.get("/new")
@security.roles_required(*EDITORS)
def new():
    return render_template("candidates/form.html", form=CandidateForm(),
                           consent_version=current_app.config["CONSENT_TEXT_VERSION"])


@bp.post("/new")
@security.roles_required(*EDITORS)
def create():
    form = CandidateForm()
    if form.validate_on_submit():
        try:
            candidate = candidates.create_candidate(
                candidates.CandidateInput(form.name.data, form.email.data, form.phone.data, bool(form.consent.data)),
                actor(), current_app.config["CONSENT_TEXT_VERSION"])
        except ServiceError as exc:
            form_errors(form, exc)
        else:
            flash(_("Candidate added with consent recorded."), "success")
            return redirect(url_for("candidates.show", candidate_id=candidate.id))
    return render_template("candidates/form.html", form=form,
                           consent_version=current_app.config["CONSENT_TEXT_VERSION"]), 422


@bp.get("/<int:candidate_id>")
@security.roles_required(*EVERYONE)
def show(candidate_id: int):
    candidate = access.candidate_for_view(actor(), candidate_id)
    return render_template("candidates/show.html", candidate=candidate,
                           interviews=interviews.interviews_of(actor(), candidate_id=candidate.id))


@bp.post("/<int:candidate_id>/consent/withdraw")
@security.roles_required(*EDITORS)
def withdraw(candidate_id: int):
    candidates.withdraw_consent(candidate_id, actor())
    flash(_("Consent withdrawn. No new interview can start and scoring stops."), "info")
    return redirect(url_for("candidates.show", candidate_id=candidate_id))


@bp.post("/<int:candidate_id>/consent")
@security.roles_required(*EDITORS)
def give(candidate_id: int):
    candidates.record_consent(candidate_id, actor(), current_app.config["CONSENT_TEXT_VERSION"])
    flash(_("Consent recorded."), "success")
    return redirect(url_for("candidates.show", candidate_id=candidate_id))


@bp.get("/<int:candidate_id>/export")
@security.roles_required(*EVERYONE)  # the service lets through whoever may view the candidate
def export(candidate_id: int):
    data = privacy.export_candidate(candidate_id, actor())
    return attachment(json.dumps(data, ensure_ascii=False, indent=1), "application/json", f"candidate-{candidate_id}.json")


@bp.post("/<int:candidate_id>/erase")
@security.roles_required("admin")
def erase(candidate_id: int):
    privacy.erase_candidate(candidate_id, actor())
    flash(_("The candidate's personal data and answers were erased. An anonymous record was kept."), "info")
    return redirect(url_for("candidates.index"))
