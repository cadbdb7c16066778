"""Interviews: starting one on a pinned bank version, saving answers safely, completing, reopening."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from screening.bank import service as bank
from screening.extensions import db
from screening.models import Answer, EvidenceTag, Interview, InterviewStatus, User, Vacancy
from screening.services import access, audit
from screening.services.errors import Conflict, Forbidden, Locked, NotFound, ServiceError, TooLarge

UNSET: Any = object()
IN_PROGRESS = InterviewStatus.IN_PROGRESS.value
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StartInput:
    candidate_id: int
    guide_id: str | None = None
    vacancy_id: int | None = None
    lang: str = "ru"


def start_interview(data: StartInput, actor: User) -> Interview:
    if actor.role == "manager":
        raise Forbidden(_l("Hiring managers review interviews; recruiters run them."))
    candidate = access.candidate_for_view(actor, data.candidate_id)
    vacancy: Vacancy | None = None
    if data.vacancy_id is not None:
        vacancy = access.vacancy_for_edit(actor, data.vacancy_id)
    guide_id = data.guide_id or (vacancy.guide_id if vacancy else None)
    if not guide_id:
        raise ServiceError(_l("Choose a guide (or a vacancy that has one)."), {"guide_id": _l("Choose a guide.")})
    if data.lang not in ("ru", "en"):
        raise ServiceError(_l("The interview language must be Russian or English."), {"lang": _l("Unknown language.")})
    if candidate.active_consent is None:
        raise ServiceError(_l("No interview starts without the candidate's consent to data processing."),
                           {"candidate_id": _l("Record the candidate's consent first.")})
    guide = bank.get_guide(guide_id)
    if guide.retired:
        raise ServiceError(_l("This guide is retired."), {"guide_id": _l("This guide is retired.")})
    version = bank.latest_version()
    snapshot = bank.guide_snapshot(guide_id, version)
    interview = Interview(candidate_id=candidate.id, vacancy_id=vacancy.id if vacancy else None, guide_id=guide_id,
                          bank_version_id=version.id, interviewer_id=actor.id, lang=data.lang,
                          guide_snapshot=snapshot)
    interview.answers = [Answer(question_id=q["id"], position=n) for n, q in enumerate(snapshot["questions"])]
    db.session.add(interview)
    db.session.flush()
    audit.record("interview.start", actor_id=actor.id, object_type="interview", object_id=interview.id,
                 candidate_id=candidate.id, bank_version=version.number)
    db.session.commit()
    return interview


def answer_of(interview: Interview, question_id: str) -> Answer:
    answer = db.session.scalar(sa.select(Answer).where(Answer.interview_id == interview.id,
                                                       Answer.question_id == question_id))
    if answer is None:
        raise NotFound(_l("This question is not part of the interview."))
    return answer


@dataclass(frozen=True)
class SavedAnswer:
    """An answer as one write left it (not as it may look a moment later)."""

    question_id: str
    text: str
    rating: int | None
    notes: str
    version: int
    updated_at: datetime | None


def answer_state(answer: Answer | SavedAnswer) -> dict[str, Any]:
    return {"question_id": answer.question_id, "text": answer.text, "rating": answer.rating, "notes": answer.notes,
            "version": answer.version, "updated_at": answer.updated_at.isoformat() if answer.updated_at else None}


def save_answer(interview_id: int, question_id: str, actor: User, *, text: Any = UNSET, rating: Any = UNSET,
                notes: Any = UNSET, expected_version: int | None = None, max_chars: int = 20_000) -> SavedAnswer:
    """Write an answer if nobody changed it since `expected_version` (None: whatever is there).

    The check and the write are one UPDATE ... WHERE version = expected, so two writers with the
    same version cannot both win, across requests and across processes.
    """
    interview = access.interview_for_edit(actor, interview_id)
    if interview.is_locked:
        raise Locked(_l("This interview is completed and locked."))
    values: dict[str, Any] = {}
    reasons = {}
    if text is not UNSET:
        if not isinstance(text, str):
            reasons["text"] = _l("The answer must be text.")
        elif len(text) > max_chars:
            reasons["text"] = _l("The answer is longer than %(n)s characters; it was not saved (your text is kept in this browser).", n=max_chars)
        else:
            values["text"] = text
    if rating is not UNSET:
        if rating is not None and (not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5):
            reasons["rating"] = _l("The rating must be a whole number from 1 to 5.")
        else:
            values["rating"] = rating
    if notes is not UNSET:
        if not isinstance(notes, str) or len(notes) > max_chars:
            reasons["notes"] = _l("Notes must be text of at most %(n)s characters.", n=max_chars)
        else:
            values["notes"] = notes
    if expected_version is not None and (not isinstance(expected_version, int) or isinstance(expected_version, bool)
                                         or not 0 <= expected_version < 2**31 - 1):
        reasons["version"] = _l("The version must be a whole number.")
    if reasons:
        error = TooLarge if list(reasons) == ["text"] and isinstance(text, str) else ServiceError
        raise error(next(iter(reasons.values())), reasons)
    _hold_open(interview.id)
    answer = answer_of(interview, question_id)
    seen = answer.version if expected_version is None else expected_version
    now = datetime.now(UTC)
    # RETURNING gives back exactly what this write stored: a re-read after the commit could
    # already show another client's newer write, and acknowledging that would lose an edit.
    # The write also re-checks that the interview is still in progress, in the same statement.
    row = db.session.execute(
        sa.update(Answer)
        .where(Answer.id == answer.id, Answer.version == seen, _still_open(Answer.interview_id))
        .values(**values, version=seen + 1, updated_at=now, updated_by_id=actor.id)
        .returning(Answer.question_id, Answer.text, Answer.rating, Answer.notes, Answer.version, Answer.updated_at)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:
        status = _status(interview.id)  # read in this transaction, before letting it go
        db.session.rollback()
        if status != IN_PROGRESS:
            raise Locked(_l("This interview is completed and locked."))
        current = db.session.get(Answer, answer.id)
        db.session.refresh(current)
        raise Conflict(_l("Someone else changed this answer meanwhile."), answer_state(current))
    if "text" in values and (values["text"] != answer.text or seen != answer.version):
        _discard_tags(answer.id, actor)
    db.session.commit()
    return SavedAnswer(*row)


def _still_open(interview_id_column) -> sa.ColumnElement[bool]:
    return sa.exists().where(Interview.id == interview_id_column, Interview.status == IN_PROGRESS)


def _status(interview_id: int) -> str | None:
    return db.session.scalar(sa.select(Interview.status).where(Interview.id == interview_id))


def _hold_open(interview_id: int, *, exclusive: bool = False) -> None:
    """Lock the interview row for this transaction and check that it is still in progress.

    Saves take a shared lock and completion an exclusive one (PostgreSQL: FOR SHARE / FOR
    UPDATE; on SQLite every write transaction already begins IMMEDIATE, one at a time), so a
    save either commits before the completion, and is scored, or sees the completion and is
    refused: never acknowledged and then missing from the score.
    """
    status = db.session.scalar(sa.select(Interview.status).where(Interview.id == interview_id)
                               .with_for_update(read=not exclusive))
    if status != IN_PROGRESS:
        raise Locked(_l("This interview is completed and locked."))


def _discard_tags(answer_id: int, actor: User) -> None:
    """The answer's text changed: its evidence tags go, reviewers' verdicts and added tags included.

    Tags are character offsets into the text they were made on, and reviewers judged that text;
    on another text they would quote and train on the wrong words. (Keeping the tags whose span
    still reads the same would need the quoted text stored with each tag; the next scoring tags
    the new text anyway.) The audit trail records how many went, never the texts.
    """
    tags = db.session.execute(sa.select(EvidenceTag.id, EvidenceTag.source, EvidenceTag.verdict)
                              .where(EvidenceTag.answer_id == answer_id)).all()
    if not tags:
        return
    db.session.execute(sa.delete(EvidenceTag).where(EvidenceTag.answer_id == answer_id)
                       .execution_options(synchronize_session=False))
    audit.record("evidence.discard", actor_id=actor.id, object_type="answer", object_id=answer_id,
                 tags=len(tags), reviewed=sum(1 for t in tags if t.source == "reviewer" or t.verdict is not None))


@dataclass(frozen=True)
class SavedNotes:
    notes: str
    version: int


def save_notes(interview_id: int, actor: User, notes: Any, expected_version: Any = None,
               max_chars: int = 20_000) -> SavedNotes:
    """Write the interview's notes if nobody changed them since `expected_version` (as answers)."""
    interview = access.interview_for_edit(actor, interview_id)
    if interview.is_locked:
        raise Locked(_l("This interview is completed and locked."))
    if not isinstance(notes, str):
        raise ServiceError(_l("Notes must be text of at most %(n)s characters.", n=max_chars),
                           {"notes": _l("Notes must be text.")})
    if len(notes) > max_chars:
        message = _l("The notes are longer than %(n)s characters; they were not saved (your text is kept in this browser).",
                     n=max_chars)
        raise TooLarge(message, {"notes": message})
    if expected_version is not None and (not isinstance(expected_version, int) or isinstance(expected_version, bool)
                                         or not 0 <= expected_version < 2**31 - 1):
        raise ServiceError(_l("The version must be a whole number."), {"version": _l("The version must be a whole number.")})
    _hold_open(interview.id, exclusive=True)  # it updates this very row: a shared lock would deadlock two tabs
    seen = interview.notes_version if expected_version is None else expected_version
    row = db.session.execute(
        sa.update(Interview)
        .where(Interview.id == interview.id, Interview.notes_version == seen, Interview.status == IN_PROGRESS)
        .values(notes=notes, notes_version=seen + 1)
        .returning(Interview.notes, Interview.notes_version)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:
        current = db.session.execute(sa.select(Interview.status, Interview.notes, Interview.notes_version)
                                     .where(Interview.id == interview.id)).one()
        db.session.rollback()
        if current.status != IN_PROGRESS:
            raise Locked(_l("This interview is completed and locked."))
        raise Conflict(_l("Someone else changed the notes meanwhile."),
                       {"notes": current.notes, "version": current.notes_version})
    db.session.commit()
    return SavedNotes(*row)


def complete_interview(interview_id: int, actor: User) -> Interview:
    """Lock the interview, then score it (when the candidate's consent is active).

    The completion is committed first and stands on its own: if scoring fails, the interview
    stays completed without a score, and the scorecard says so and offers to score it again.
    """
    interview = access.interview_for_edit(actor, interview_id)
    if interview.is_locked:
        raise Locked(_l("This interview is already completed."))
    _hold_open(interview.id, exclusive=True)  # waits for saves in flight; a second completion is refused
    interview.status = InterviewStatus.COMPLETED.value
    interview.completed_at = datetime.now(UTC)
    audit.record("interview.complete", actor_id=actor.id, object_type="interview", object_id=interview.id)
    db.session.commit()
    if interview.candidate.active_consent is not None:  # no scoring without consent
        from screening.services import scoring

        try:
            scoring.score_interview(interview, actor)
        except Exception:  # noqa: BLE001 - the completion stands; the scorecard offers "score again"
            db.session.rollback()
            log.exception("Scoring interview %s after its completion failed", interview.id)
    return interview


def reopen_interview(interview_id: int, actor: User, reason: str) -> Interview:
    if actor.role != "admin":
        raise Forbidden(_l("Only an admin can reopen a completed interview."))
    interview = access.interview_for_view(actor, interview_id)
    if not interview.is_locked:
        raise ServiceError(_l("This interview is not completed."))
    if interview.candidate.erased_at is not None:  # erasure closed it for good
        raise ServiceError(_l("The candidate's data was erased; the interview cannot be reopened."))
    if not (reason or "").strip():
        raise ServiceError(_l("Say why the interview is reopened."), {"reason": _l("A reason is required.")})
    interview.status = InterviewStatus.IN_PROGRESS.value
    interview.completed_at = None
    audit.record("interview.reopen", actor_id=actor.id, object_type="interview", object_id=interview.id,
                 reason=reason.strip()[:500])
    db.session.commit()
    return interview


def interviews_of(actor: User, *, candidate_id: int | None = None, vacancy_id: int | None = None) -> list[Interview]:
    """All the interviews of one candidate or one vacancy that the actor may see (no row cap)."""
    query = access.interviews_query(actor).order_by(Interview.started_at.desc(), Interview.id.desc())
    if candidate_id is not None:
        query = query.where(Interview.candidate_id == candidate_id)
    if vacancy_id is not None:
        query = query.where(Interview.vacancy_id == vacancy_id)
    return list(db.session.scalars(query))


def list_interviews(actor: User, status: str | None = None) -> list[Interview]:
    query = access.interviews_query(actor).order_by(Interview.started_at.desc())
    if status:
        query = query.where(Interview.status == status)
    return list(db.session.scalars(query.limit(500)))


def question_payload(interview: Interview) -> list[dict[str, Any]]:
    """The interview's questions (as pinned) with their saved answers, for pages and the API."""
    answers = {a.question_id: a for a in interview.answers}
    out = []
    for q in interview.guide_snapshot.get("questions", []):
        a = answers.get(q["id"])
        out.append({**q, "answer": answer_state(a) if a else None})
    return out
