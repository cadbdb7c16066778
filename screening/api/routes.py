"""API endpoints. Each one parses JSON, calls one service and returns JSON."""
from __future__ import annotations

from flask import abort, current_app, jsonify

from screening import security
from screening.api.core import any_role, api_roles, bp, current_api_user, json_body
from screening.api.openapi import openapi_document
from screening.bank import service as bank
from screening.errors import json_error
from screening.web import MAX_ID
from screening.services import access, privacy, scorecards
from screening.services import candidates as candidate_service
from screening.services import interviews as interview_service


@bp.get("/openapi.json")
@security.public
def openapi():
    return jsonify(openapi_document())


@bp.get("/me")
@any_role
def me():
    user = current_api_user()
    return jsonify(id=user.id, email=user.email, name=user.name, role=user.role)


@bp.post("/tag")
@any_role
def tag():
    data = json_body(required=("text",))
    from screening.nlp.errors import ModelUnavailable, TaggerInputError
    from screening.services import evidence

    text, lang = data.get("text"), data.get("lang")
    if not isinstance(text, str):
        return json_error(422, "text must be a string.", reasons={"text": "must be a string"})
    if lang is not None and lang not in ("ru", "en"):
        return json_error(422, "lang must be 'ru' or 'en'.", reasons={"lang": "must be 'ru' or 'en'"})
    if len(text) > current_app.config["MAX_TAG_CHARS"]:
        return json_error(413, f"text is longer than {current_app.config['MAX_TAG_CHARS']} characters.")
    if not evidence.tagger_enabled():  # the admin's switch (classifier settings)
        return json_error(503, "The evidence tagger is switched off by an administrator.", "tagger_disabled")
    try:
        return jsonify(evidence.tagger().tag(text, lang))  # reloads when another process trained a new version
    except TaggerInputError as exc:
        return json_error(422, str(exc))
    except ModelUnavailable as exc:
        return json_error(503, f"The evidence tagger is unavailable: {exc}", "tagger_unavailable")


# ---------------------------------------------------------------- guides, candidates, interviews


RUNNERS = ("admin", "recruiter")


def guide_json(guide_id: str) -> dict:
    snapshot = bank.guide_snapshot(guide_id)
    return {
        "id": snapshot["id"], "role": snapshot["role"], "title": snapshot["title"],
        "duration_minutes": snapshot["duration_minutes"], "intro": snapshot["intro"], "closing": snapshot["closing"],
        "bank_version": snapshot["bank_version"],
        "questions": [{"id": q["id"], "position": n, "type": q["type"], "text": q["text"], "minutes": q["minutes"],
                       "indicators": q["indicators"], "red_flags": q["red_flags"], "probes": q["probes"],
                       "listen_for": q["listen_for"], "red_flag_signs": q["red_flag_signs"], "anchors": q["anchors"]}
                      for n, q in enumerate(snapshot["questions"])],
    }


@bp.get("/guides")
@any_role
def guides():
    return jsonify(guides=[{"id": g.id, "role": g.role, "title": g.title, "duration_minutes": g.duration_minutes,
                            "questions": len(bank.active_items(g))} for g in bank.list_guides()])


@bp.get("/guides/<guide_id>")
@any_role
def guide(guide_id: str):
    if bank.get_guide(guide_id).retired:
        return json_error(404, "No such guide.")
    return jsonify(guide_json(guide_id))


def candidate_json(candidate) -> dict:
    consent = candidate.active_consent
    return {"id": candidate.id, "name": candidate.name, "email": candidate.email, "phone": candidate.phone,
            "created_at": candidate.created_at.isoformat(),
            "consent": {"given_at": consent.given_at.isoformat(), "text_version": consent.text_version,
                        "purpose": consent.purpose} if consent else None}


@bp.post("/candidates")
@api_roles(*RUNNERS)
def create_candidate():
    data = json_body(required=("name",))
    for key in ("name", "email", "phone"):
        if data.get(key) is not None and not isinstance(data[key], str):
            return json_error(422, f"{key} must be a string.", reasons={key: "must be a string"})
    candidate = candidate_service.create_candidate(
        candidate_service.CandidateInput(name=data["name"], email=data.get("email"), phone=data.get("phone"),
                                         consent=data.get("consent") is True),
        current_api_user(), current_app.config["CONSENT_TEXT_VERSION"])
    return jsonify(candidate_json(candidate)), 201


def interview_json(interview) -> dict:
    return {"id": interview.id, "candidate_id": interview.candidate_id, "vacancy_id": interview.vacancy_id,
            "guide_id": interview.guide_id, "bank_version": interview.bank_version.number, "lang": interview.lang,
            "status": interview.status, "started_at": interview.started_at.isoformat(),
            "completed_at": interview.completed_at.isoformat() if interview.completed_at else None,
            "questions": [{"id": q["id"], "position": n, "text": q["text"], "minutes": q["minutes"],
                           "indicators": q["indicators"], "probes": q["probes"], "answer": q["answer"]}
                          for n, q in enumerate(interview_service.question_payload(interview))]}


def _int_field(data: dict, key: str, required: bool = False):
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ID:
        abort(json_error(422, f"{key} must be a positive integer id.", reasons={key: "must be a positive integer id"}))
    return value


@bp.post("/interviews")
@api_roles(*RUNNERS)
def create_interview():
    data = json_body(required=("candidate_id",))
    guide_id = data.get("guide_id")
    if guide_id is not None and not isinstance(guide_id, str):
        return json_error(422, "guide_id must be a string.", reasons={"guide_id": "must be a string"})
    lang = data.get("lang", "ru")
    interview = interview_service.start_interview(interview_service.StartInput(
        candidate_id=_int_field(data, "candidate_id", True), guide_id=guide_id,
        vacancy_id=_int_field(data, "vacancy_id"), lang=lang), current_api_user())
    return jsonify(interview_json(interview)), 201


@bp.get("/interviews/<int:interview_id>")
@any_role
def get_interview(interview_id: int):
    return jsonify(interview_json(access.interview_for_view(current_api_user(), interview_id)))


@bp.put("/interviews/<int:interview_id>/answers/<question_id>")
@api_roles(*RUNNERS)
def put_answer(interview_id: int, question_id: str):
    data = json_body()
    if "text" not in data and "rating" not in data and "notes" not in data:
        return json_error(422, "Send text, rating or notes.", reasons={"text": "required"})
    kwargs = {k: data[k] for k in ("text", "rating", "notes") if k in data}
    answer = interview_service.save_answer(interview_id, question_id, current_api_user(),
                                           expected_version=data.get("version"),
                                           max_chars=current_app.config["MAX_ANSWER_CHARS"], **kwargs)
    return jsonify(interview_service.answer_state(answer))


@bp.post("/interviews/<int:interview_id>/complete")
@api_roles(*RUNNERS)
def complete_interview(interview_id: int):
    interview = interview_service.complete_interview(interview_id, current_api_user())
    return jsonify(interview_json(interview))


@bp.get("/interviews/<int:interview_id>/scorecard")
@any_role
def scorecard(interview_id: int):
    card = scorecards.get_scorecard(interview_id, current_api_user())
    return jsonify(scorecards.api_scorecard(card))


@bp.get("/candidates/<int:candidate_id>/export")
@any_role  # whoever may view the candidate (services.access); others get 404
def export_candidate(candidate_id: int):
    return jsonify(privacy.export_candidate(candidate_id, current_api_user()))


@bp.delete("/candidates/<int:candidate_id>")
@api_roles("admin")
def erase_candidate(candidate_id: int):
    return jsonify(privacy.erase_candidate(candidate_id, current_api_user()))
