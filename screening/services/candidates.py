"""Candidates and their consent to the processing of personal data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from screening.extensions import db
from screening.models import Candidate, Consent, User
from screening.services import access, audit
from screening.services.errors import ServiceError

CONSENT_PURPOSE = "structured interview and assessment for hiring"


@dataclass(frozen=True)
class CandidateInput:
    name: str
    email: str | None = None
    phone: str | None = None
    consent: bool = False


def create_candidate(data: CandidateInput, actor: User, consent_version: str) -> Candidate:
    reasons = {}
    name = (data.name or "").strip()
    email = (data.email or "").strip().lower() or None
    if not name or len(name) > 200:
        reasons["name"] = _l("Enter the candidate's name (up to 200 characters).")
    if email and ("@" not in email or len(email) > 254):
        reasons["email"] = _l("Enter a valid email address.")
    if data.phone and len(data.phone) > 40:
        reasons["phone"] = _l("The phone number is too long.")
    if data.consent is not True:
        reasons["consent"] = _l("The candidate's consent is required before anything is recorded.")
    if reasons:
        raise ServiceError(_l("The candidate was not saved."), reasons)
    candidate = Candidate(name=name, email=email, phone=(data.phone or "").strip() or None, created_by_id=actor.id)
    candidate.consents.append(Consent(purpose=CONSENT_PURPOSE, text_version=consent_version, recorded_by_id=actor.id))
    db.session.add(candidate)
    db.session.flush()
    audit.record("candidate.create", actor_id=actor.id, object_type="candidate", object_id=candidate.id)
    db.session.commit()
    return candidate


def withdraw_consent(candidate_id: int, actor: User) -> Candidate:
    candidate = access.candidate_for_view(actor, candidate_id)
    if actor.role == "manager":
        raise access.Forbidden(_l("Only recruiters and admins record consent."))
    consent = candidate.active_consent
    if consent is not None:
        consent.withdrawn_at = datetime.now(UTC)
        audit.record("consent.withdraw", actor_id=actor.id, object_type="candidate", object_id=candidate.id)
        db.session.commit()
    return candidate


def record_consent(candidate_id: int, actor: User, consent_version: str) -> Candidate:
    candidate = access.candidate_for_view(actor, candidate_id)
    if actor.role == "manager":
        raise access.Forbidden(_l("Only recruiters and admins record consent."))
    if candidate.active_consent is None:
        candidate.consents.append(Consent(purpose=CONSENT_PURPOSE, text_version=consent_version, recorded_by_id=actor.id))
        audit.record("consent.give", actor_id=actor.id, object_type="candidate", object_id=candidate.id)
        db.session.commit()
    return candidate


def list_candidates(actor: User, search: str | None = None) -> list[Candidate]:
    query = access.candidates_query(actor).order_by(Candidate.created_at.desc())
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(sa.or_(sa.func.lower(Candidate.name).like(like), sa.func.lower(Candidate.email).like(like)))
    return list(db.session.scalars(query.limit(500)))
