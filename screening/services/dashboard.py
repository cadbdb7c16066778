"""The home page's worklist: what is waiting for this user, within what they may see."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from screening.extensions import db
from screening.models import Decision, Interview, InterviewStatus, ScoreRecord, User
from screening.services import access, scoring

LIMIT = 10


@dataclass
class WorkItem:
    interview: Interview
    score: ScoreRecord | None = None


@dataclass
class Worklist:
    in_progress: list[WorkItem] = field(default_factory=list)
    awaiting_decision: list[WorkItem] = field(default_factory=list)


def worklist(actor: User) -> Worklist:
    """Recruiters (and admins): their interviews still running. Managers (and admins): completed
    interviews whose candidate has no decision for that vacancy yet, oldest first (they waited longest)."""
    visible = access.interviews_query(actor)
    out = Worklist()
    if actor.role in ("recruiter", "admin"):
        running = visible.where(Interview.status == InterviewStatus.IN_PROGRESS.value)
        if actor.role == "recruiter":
            running = running.where(Interview.interviewer_id == actor.id)
        out.in_progress = [WorkItem(i) for i in db.session.scalars(
            running.order_by(Interview.started_at.desc()).limit(LIMIT))]
    if actor.role in ("manager", "admin"):
        decided = sa.select(Decision.id).where(Decision.candidate_id == Interview.candidate_id,
                                               Decision.vacancy_id == Interview.vacancy_id)
        waiting = visible.where(Interview.status == InterviewStatus.COMPLETED.value,
                                Interview.vacancy_id.is_not(None), ~sa.exists(decided))
        out.awaiting_decision = [WorkItem(i, scoring.latest_score(i)) for i in db.session.scalars(
            waiting.order_by(Interview.completed_at).limit(LIMIT))]
    return out

