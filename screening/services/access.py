"""Object-level access rules, in one place for pages and API alike.

- admins see and change everything;
- a recruiter sees interviews they run or that belong to a vacancy they are assigned to,
  and edits those that are not locked;
- a manager sees (read-only) interviews of vacancies they own;
- candidates are visible to whoever can see one of their interviews, or who recorded them.
Objects a user may not see are reported as missing (404), so ids cannot be probed.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from screening.extensions import db
from screening.models import Candidate, Interview, User, Vacancy, vacancy_recruiters
from screening.services.errors import Forbidden, NotFound


def is_admin(user: User) -> bool:
    return user.role == "admin"


def vacancy_ids_for(user: User) -> sa.Select:
    """Ids of the vacancies a user works on (assigned recruiter, or owning manager)."""
    if user.role == "manager":
        return sa.select(Vacancy.id).where(Vacancy.manager_id == user.id)
    return sa.select(vacancy_recruiters.c.vacancy_id).where(vacancy_recruiters.c.user_id == user.id)


def interviews_query(user: User) -> sa.Select:
    query = sa.select(Interview)
    if is_admin(user):
        return query
    if user.role == "manager":
        return query.where(Interview.vacancy_id.in_(vacancy_ids_for(user)))
    return query.where(sa.or_(Interview.interviewer_id == user.id, Interview.vacancy_id.in_(vacancy_ids_for(user))))


def vacancies_query(user: User) -> sa.Select:
    query = sa.select(Vacancy)
    if is_admin(user):
        return query
    return query.where(Vacancy.id.in_(vacancy_ids_for(user)))


def candidates_query(user: User) -> sa.Select:
    query = sa.select(Candidate).where(Candidate.erased_at.is_(None))
    if is_admin(user):
        return query
    seen = sa.select(Interview.candidate_id).where(Interview.id.in_(interviews_query(user).with_only_columns(Interview.id)))
    if user.role == "manager":
        return query.where(Candidate.id.in_(seen))
    return query.where(sa.or_(Candidate.created_by_id == user.id, Candidate.id.in_(seen)))


def _visible(query: sa.Select, model, object_id: int):
    obj = db.session.scalar(query.where(model.id == object_id))
    if obj is None:
        raise NotFound(_l("Not found, or you do not have access to it."))
    return obj


def interview_for_view(user: User, interview_id: int) -> Interview:
    return _visible(interviews_query(user), Interview, interview_id)


def interview_for_edit(user: User, interview_id: int) -> Interview:
    interview = interview_for_view(user, interview_id)
    if user.role == "manager":
        raise Forbidden(_l("Hiring managers review interviews; they do not edit them."))
    return interview


def vacancy_for_view(user: User, vacancy_id: int) -> Vacancy:
    return _visible(vacancies_query(user), Vacancy, vacancy_id)


def vacancy_for_edit(user: User, vacancy_id: int) -> Vacancy:
    vacancy = vacancy_for_view(user, vacancy_id)
    if user.role == "manager":
        raise Forbidden(_l("Only recruiters and admins change vacancies."))
    return vacancy


def candidate_for_view(user: User, candidate_id: int) -> Candidate:
    return _visible(candidates_query(user), Candidate, candidate_id)
