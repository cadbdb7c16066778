"""Vacancies: what is hired for, with which guide, who manages it and who recruits for it."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from screening.bank import service as bank
from screening.extensions import db
from screening.models import Guide, User, Vacancy
from screening.services import access, audit
from screening.services.errors import ServiceError


@dataclass(frozen=True)
class VacancyInput:
    title: str
    role: str
    guide_id: str | None
    manager_id: int | None
    recruiter_ids: tuple[int, ...] = ()


def _check(data: VacancyInput) -> tuple[Guide | None, User | None, list[User]]:
    reasons = {}
    if not data.title.strip() or len(data.title) > 200:
        reasons["title"] = _l("Give the vacancy a title (up to 200 characters).")
    if data.role not in role_ids():
        reasons["role"] = _l("Choose one of the question bank's roles.")
    guide = db.session.get(Guide, data.guide_id) if data.guide_id else None
    if data.guide_id and (guide is None or guide.retired):
        reasons["guide_id"] = _l("Choose an existing guide.")
    manager = db.session.get(User, data.manager_id) if data.manager_id else None
    if data.manager_id and (manager is None or manager.role != "manager" or not manager.active):
        reasons["manager_id"] = _l("Choose an active hiring manager.")
    recruiters = [db.session.get(User, rid) for rid in data.recruiter_ids]
    if any(r is None or r.role not in ("recruiter", "admin") or not r.active for r in recruiters):
        reasons["recruiter_ids"] = _l("Choose active recruiters.")
    if reasons:
        raise ServiceError(_l("The vacancy was not saved."), reasons)
    return guide, manager, recruiters


def create_vacancy(data: VacancyInput, actor: User) -> Vacancy:
    guide, manager, recruiters = _check(data)
    if actor.role == "recruiter" and actor not in recruiters:
        recruiters.append(actor)  # whoever opens a vacancy works on it
    vacancy = Vacancy(title=data.title.strip(), role=data.role, guide_id=guide.id if guide else None,
                      manager_id=manager.id if manager else None, recruiters=recruiters)
    db.session.add(vacancy)
    db.session.flush()
    audit.record("vacancy.create", actor_id=actor.id, object_type="vacancy", object_id=vacancy.id)
    db.session.commit()
    return vacancy


def update_vacancy(vacancy_id: int, data: VacancyInput, actor: User) -> Vacancy:
    vacancy = access.vacancy_for_edit(actor, vacancy_id)
    guide, manager, recruiters = _check(data)
    vacancy.title, vacancy.role = data.title.strip(), data.role
    vacancy.guide_id = guide.id if guide else None
    vacancy.manager_id = manager.id if manager else None
    vacancy.recruiters = recruiters
    audit.record("vacancy.update", actor_id=actor.id, object_type="vacancy", object_id=vacancy.id)
    db.session.commit()
    return vacancy


def role_ids() -> set[str]:
    """The roles the question bank defines (its latest version); none before a bank is imported."""
    version = bank.latest_version()
    return {r["id"] for r in (version.snapshot.get("roles") or []) if isinstance(r, dict)} if version else set()


def list_vacancies(actor: User) -> list[Vacancy]:
    return list(db.session.scalars(access.vacancies_query(actor).order_by(Vacancy.created_at.desc())))


def users_with_role(*roles: str) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.role.in_(roles), User.active.is_(True)).order_by(User.email)))
