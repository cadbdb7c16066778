"""The interview room: list, start, the live page and its JSON calls, complete and reopen."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from screening import security
from screening.bank import service as bank
from screening.errors import json_error
from screening.hiring.common import actor, form_errors, int_or_none
from screening.hiring.forms import ReopenForm, StartInterviewForm
from screening.i18n import current_lang, pick
from screening.services import access, candidates, evidence, interviews, scoring, vacancies
from screening.services.errors import ServiceError

bp = Blueprint("interviews", __name__, url_prefix="/interviews")
EVERYONE = ("admin", "recruiter", "manager")
RUNNERS = ("admin", "recruiter")


@bp.get("/")
@security.roles_required(*EVERYONE)
def index():
    return render_template("interviews/index.html", interviews=interviews.list_interviews(actor()))


def _start_form(form: StartInterviewForm | None = None) -> StartInterviewForm:
    form = form or StartInterviewForm()
    form.candidate_id.choices = [(str(c.id), c.name) for c in candidates.list_candidates(actor())
                                 if c.active_consent is not None]
    form.vacancy_id.choices = [("", _("— no vacancy —"))] + [(str(v.id), v.title) for v in vacancies.list_vacancies(actor())]
    form.guide_id.choices = [("", _("— the vacancy's guide —"))] + [(g.id, pick(g.title)) for g in bank.list_guides()]
    return form


@bp.get("/new")
@security.roles_required(*RUNNERS)
def new():
    # Preselections: ?candidate_id=, ?vacancy_id= (a vacancy's page), ?guide_id= or ?guide= (a guide's page).
    args = request.args
    form = _start_form(StartInterviewForm(data={
        "candidate_id": args.get("candidate_id", "")[:20], "vacancy_id": args.get("vacancy_id", "")[:20],
        "guide_id": (args.get("guide_id") or args.get("guide") or "")[:80], "lang": current_lang()}))
    return render_template("interviews/new.html", form=form)


@bp.post("/new")
@security.roles_required(*RUNNERS)
def start():
    form = _start_form()
    if form.validate_on_submit():
        try:
            interview = interviews.start_interview(interviews.StartInput(
                candidate_id=int_or_none(form.candidate_id.data), guide_id=form.guide_id.data or None,
                vacancy_id=int_or_none(form.vacancy_id.data), lang=form.lang.data), actor())
        except ServiceError as exc:
            if exc.status == 404:
                raise
            if not exc.reasons:
                form.candidate_id.errors = [exc.message]
            form_errors(form, exc)
        else:
            return redirect(url_for("interviews.room", interview_id=interview.id))
    return render_template("interviews/new.html", form=form), 422


@bp.get("/<int:interview_id>")
@security.roles_required(*EVERYONE)
def room(interview_id: int):
    interview = access.interview_for_view(actor(), interview_id)
    editable = actor().role != "manager" and not interview.is_locked
    return render_template("interviews/room.html", interview=interview, questions=interviews.question_payload(interview),
                           editable=editable, reopen_form=ReopenForm(),
                           indicators={i.id: i for i in bank.indicators()},
                           max_chars=current_app.config["MAX_ANSWER_CHARS"], tagger_on=evidence.tagger_enabled())


@bp.put("/<int:interview_id>/answers/<question_id>")
@security.roles_required(*RUNNERS)
def save_answer(interview_id: int, question_id: str):
    access.interview_for_edit(actor(), interview_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return json_error(400, _("The body is not a valid JSON object."), "bad_json")
    kwargs = {k: data[k] for k in ("text", "rating", "notes") if k in data}
    answer = interviews.save_answer(interview_id, question_id, actor(), expected_version=data.get("version"),
                                    max_chars=current_app.config["MAX_ANSWER_CHARS"], **kwargs)
    return jsonify(interviews.answer_state(answer))


@bp.post("/<int:interview_id>/tag")
@security.roles_required(*EVERYONE)
def tag(interview_id: int):
    """Live evidence for the text being typed (nothing is stored)."""
    interview = access.interview_for_view(actor(), interview_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return json_error(400, _("Send {\"text\": \"...\"}."), "bad_json")
    if len(data["text"]) > current_app.config["MAX_ANSWER_CHARS"]:
        return json_error(413, _("The text is too long to analyse."), "too_long")
    return jsonify(evidence.live_evidence(data["text"], interview.lang))


@bp.put("/<int:interview_id>/notes")
@security.roles_required(*RUNNERS)
def save_notes(interview_id: int):
    access.interview_for_edit(actor(), interview_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("notes"), str):
        return json_error(400, _("Send {\"notes\": \"...\"}."), "bad_json")
    saved = interviews.save_notes(interview_id, actor(), data["notes"], data.get("version"),
                                  current_app.config["MAX_ANSWER_CHARS"])
    return jsonify(notes=saved.notes, version=saved.version)


@bp.post("/<int:interview_id>/complete")
@security.roles_required(*RUNNERS)
def complete(interview_id: int):
    interview = interviews.complete_interview(interview_id, actor())
    flash(_("Interview completed and locked."), "success")
    reason = scoring.unscored_reason(interview)
    if reason is not None:
        flash(_("Completed, not scored yet: %(reason)s", reason=reason), "info")
    return redirect(url_for("interviews.room", interview_id=interview_id))


@bp.post("/<int:interview_id>/reopen")
@security.roles_required("admin")
def reopen(interview_id: int):
    access.interview_for_view(actor(), interview_id)  # 404 before anything else
    form = ReopenForm()
    if not form.validate_on_submit():
        flash(_("Say why the interview is reopened."), "error")
        return redirect(url_for("interviews.room", interview_id=interview_id))
    interviews.reopen_interview(interview_id, actor(), form.reason.data)
    flash(_("Interview reopened. This was recorded in the audit log."), "info")
    return redirect(url_for("interviews.room", interview_id=interview_id))
