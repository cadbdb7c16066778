"""Candidates' data rights: access (export), erasure, and retention.

Export gives everything stored about a candidate, machine-readable, including the score and
how it was reached. Erasure removes personal data and answer texts but keeps the numbers
(scores, decisions) so vacancy statistics stay consistent, and leaves an anonymous record.
"""
from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from screening.extensions import db
from screening.models import (Answer, AuditEvent, Candidate, Consent, Decision, Demographic, EvidenceTag, Interview,
                              InterviewStatus, ScoreRecord, User, as_utc)
from screening.services import access, audit
from screening.services.errors import Forbidden, NotFound

ERASED_NAME = "—"

# The consent texts, one file per version and language (see the README there).
CONSENT_DIR = Path(__file__).resolve().parent.parent / "data" / "consent"
CONSENT_LANGS = ("ru", "en")
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


@functools.cache
def consent_text(version: str, lang: str) -> str | None:
    """The wording of consent-text `version` in `lang`, or None when the repository has no such text."""
    if not isinstance(version, str) or not _VERSION.fullmatch(version) or lang not in CONSENT_LANGS:
        return None
    path = CONSENT_DIR / f"{version}.{lang}.txt"
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def consent_texts(version: str) -> dict[str, str | None]:
    return {lang: consent_text(version, lang) for lang in CONSENT_LANGS}


def _row(obj, *skip: str) -> dict[str, Any]:
    out = {}
    for column in obj.__table__.columns:
        if column.key in skip:
            continue
        value = getattr(obj, column.key)
        out[column.key] = as_utc(value).isoformat() if isinstance(value, datetime) else value
    return out


def _any_candidate(candidate_id: int) -> Candidate:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        raise NotFound(_l("No such candidate."))
    return candidate


def _candidate_to_erase(actor: User, candidate_id: int) -> Candidate:
    if not access.is_admin(actor):
        raise Forbidden(_l("Only an admin erases a candidate's data."))
    return _any_candidate(candidate_id)


def _candidate_to_export(actor: User, candidate_id: int) -> Candidate:
    """Whoever may view the candidate may export them (an admin also after erasure); others get 404."""
    if access.is_admin(actor):
        return _any_candidate(candidate_id)
    return access.candidate_for_view(actor, candidate_id)


def export_candidate(candidate_id: int, actor: User) -> dict[str, Any]:
    """Everything stored about the candidate (right of access). Self-reported demographic categories
    are admin-only: other users' exports say they are withheld instead."""
    candidate = _candidate_to_export(actor, candidate_id)
    admin = access.is_admin(actor)
    interviews = db.session.scalars(sa.select(Interview).where(Interview.candidate_id == candidate.id)
                                    .order_by(Interview.id)).all()
    interview_ids = [i.id for i in interviews]
    answers = db.session.scalars(sa.select(Answer).where(Answer.interview_id.in_(interview_ids))
                                 .order_by(Answer.id)).all() if interview_ids else []
    answer_ids = [a.id for a in answers]
    demographic = db.session.get(Demographic, candidate.id)
    object_refs = [("candidate", str(candidate.id))] + [("interview", str(i)) for i in interview_ids]
    events = db.session.scalars(sa.select(AuditEvent).where(sa.tuple_(AuditEvent.object_type, AuditEvent.object_id)
                                                            .in_(object_refs)).order_by(AuditEvent.id)).all()
    data = {
        "format": "screening-candidate-export/1",
        "exported_at": datetime.now(UTC).isoformat(),
        "candidate": _row(candidate),
        "consents": [{**_row(c), "text": consent_texts(c.text_version)} for c in candidate.consents],
        "demographics": _row(demographic) if demographic and admin else None,
        "interviews": [_row(i) for i in interviews],
        "answers": [_row(a) for a in answers],
        "evidence_tags": [_row(t) for t in db.session.scalars(
            sa.select(EvidenceTag).where(EvidenceTag.answer_id.in_(answer_ids)).order_by(EvidenceTag.id))] if answer_ids else [],
        "scores": [_row(s) for s in db.session.scalars(
            sa.select(ScoreRecord).where(ScoreRecord.interview_id.in_(interview_ids)).order_by(ScoreRecord.id))]
        if interview_ids else [],
        "decisions": [_row(d) for d in db.session.scalars(
            sa.select(Decision).where(Decision.candidate_id == candidate.id).order_by(Decision.id))],
        "audit_events": [_row(e, "ip") for e in events],
        "how_scores_are_made": "Each score record holds the formula's parts ('components'), the evidence per "
                               "indicator with sentence offsets into the answers, the model and bank versions. "
                               "The score advises; decisions are made by people.",
    }
    if not admin:
        data["withheld"] = {"demographics": "self-reported categories are admin-only; an admin's export includes them"}
    audit.record("candidate.export", actor_id=actor.id, object_type="candidate", object_id=candidate.id)
    db.session.commit()
    return data


def erase_candidate(candidate_id: int, actor: User | None, reason: str = "request") -> dict[str, Any]:
    """Erase personal data and answer texts; keep numbers for statistics and an anonymous record."""
    candidate = _candidate_to_erase(actor, candidate_id) if actor is not None else _any_candidate(candidate_id)
    now = datetime.now(UTC)
    interviews = db.session.scalars(sa.select(Interview).where(Interview.candidate_id == candidate.id)).all()
    counts = {"interviews": len(interviews), "closed_interviews": 0, "answers": 0, "evidence_tags": 0, "decisions": 0}
    for interview in interviews:
        interview.notes = ""
        if interview.status != InterviewStatus.COMPLETED.value:
            # Lock it: services.interviews refuses writes to completed interviews (409), so an
            # interview still open in someone's browser cannot refill what was erased.
            interview.status = InterviewStatus.COMPLETED.value
            interview.completed_at = now
            counts["closed_interviews"] += 1
        for answer in interview.answers:
            counts["answers"] += 1
            counts["evidence_tags"] += len(answer.tags)
            answer.text, answer.notes = "", ""
            # A save already in flight carries the old version and now gets 409 instead of writing.
            answer.version = Answer.version + 1
            answer.tags.clear()
    for decision in db.session.scalars(sa.select(Decision).where(Decision.candidate_id == candidate.id)):
        counts["decisions"] += 1
        decision.rationale = ""
    for consent in list(candidate.consents):
        candidate.consents.remove(consent)
    demographic = db.session.get(Demographic, candidate.id)
    if demographic is not None:
        db.session.delete(demographic)
    candidate.name, candidate.email, candidate.phone = ERASED_NAME, None, None
    candidate.erased_at = now
    audit.record("candidate.erase", actor_id=actor.id if actor else None, object_type="candidate",
                 object_id=candidate.id, reason=reason, **counts)
    db.session.commit()
    return {"candidate_id": candidate.id, "erased_at": candidate.erased_at.isoformat(), **counts}


def last_activity(candidate: Candidate) -> datetime:
    moments = [as_utc(candidate.created_at)]
    for interview in candidate.interviews:
        moments += [as_utc(interview.started_at), as_utc(interview.completed_at)]
    moments += [as_utc(d.decided_at) for d in db.session.scalars(
        sa.select(Decision).where(Decision.candidate_id == candidate.id))]
    return max(m for m in moments if m is not None)


def expired_candidates(days: int, now: datetime | None = None) -> list[Candidate]:
    """Candidates idle for `days` whose latest decision is not to advance (no hire in sight)."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=days)
    out = []
    for candidate in db.session.scalars(sa.select(Candidate).where(Candidate.erased_at.is_(None)).order_by(Candidate.id)):
        latest = db.session.scalar(sa.select(Decision.decision).where(Decision.candidate_id == candidate.id)
                                   .order_by(Decision.id.desc()).limit(1))
        if latest != "advance" and last_activity(candidate) < cutoff:
            out.append(candidate)
    return out


def purge_expired(days: int, dry_run: bool = False, now: datetime | None = None) -> list[int]:
    ids = [c.id for c in expired_candidates(days, now)]
    if not dry_run:
        for candidate_id in ids:
            erase_candidate(candidate_id, None, reason=f"retention {days} days")
    return ids


def consent_active(candidate_id: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Consent).where(
        Consent.candidate_id == candidate_id, Consent.withdrawn_at.is_(None))) > 0
