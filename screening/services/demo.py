"""Demo data for a first look. Passwords are random per install and kept in instance/."""
from __future__ import annotations

import json
import secrets
from pathlib import Path

import sqlalchemy as sa

from screening.config import REPO_ROOT
from screening.extensions import db
from screening.models import Vacancy
from screening.services import candidates, interviews, users, vacancies

DEMO_USERS = [
    ("admin@demo.local", "admin", "Demo Admin"),
    ("recruiter@demo.local", "recruiter", "Rita Recruiter"),
    ("manager@demo.local", "manager", "Max Manager"),
]
# Candidates and the band of expert ratings their demo answers are drawn from.
DEMO_CANDIDATES = [("Анна Смирнова", (4, 5)), ("Игорь Волков", (3,)), ("Пётр Соколов", (1, 2))]
DEMO_RUNNING = "Мария Ковалёва"
# From the training corpus, never from data/dev: reviewers' verdicts on demo answers become training
# data, and the independent evaluation set must stay unseen.
DEMO_ANSWERS = REPO_ROOT / "data" / "corpus" / "ru_verbatim_2.jsonl"


def seed(instance_path: str) -> list[str]:
    lines = _seed_users(instance_path)
    if db.session.scalar(sa.select(sa.func.count()).select_from(Vacancy)) == 0:
        lines += _seed_hiring()
    lines.append("Demo logins:")
    lines.extend(demo_logins(instance_path))
    return lines


def _seed_users(instance_path: str) -> list[str]:
    logins_file = Path(instance_path) / "demo_logins.json"
    logins = json.loads(logins_file.read_text()) if logins_file.exists() else {}
    lines = []
    for email, role, name in DEMO_USERS:
        if users.get_by_email(email) is None:
            password = secrets.token_urlsafe(9)
            users.create_user(email, role, password, name=name)
            logins[email] = password
            lines.append(f"created {role} {email}")
    logins_file.write_text(json.dumps(logins, indent=1))
    logins_file.chmod(0o600)
    return lines


def _seed_hiring() -> list[str]:
    from screening.bank import service as bank

    if bank.latest_version() is None or not DEMO_ANSWERS.exists():
        return ["no question bank yet: demo vacancy skipped"]
    recruiter = users.get_by_email("recruiter@demo.local")
    manager = users.get_by_email("manager@demo.local")
    guide = next((g for g in bank.list_guides() if g.role == "retail_service"), bank.list_guides()[0])
    vacancy = vacancies.create_vacancy(vacancies.VacancyInput(
        "Продавец-консультант (демо)", guide.role, guide.id, manager.id, (recruiter.id,)), recruiter)
    pool = [json.loads(line) for line in DEMO_ANSWERS.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = [f"created demo vacancy {vacancy.title!r}"]
    for name, ratings in DEMO_CANDIDATES:
        candidate = candidates.create_candidate(candidates.CandidateInput(name, consent=True), recruiter, "demo")
        interview = interviews.start_interview(interviews.StartInput(candidate.id, vacancy_id=vacancy.id, lang="ru"),
                                               recruiter)
        answers = [a for a in pool if a["rating"] in ratings and a.get("question_type") == "behavioural"]
        for answer, question in zip(answers, interview.guide_snapshot["questions"], strict=False):
            text = " ".join(s["text"] for s in answer["sentences"])
            interviews.save_answer(interview.id, question["id"], recruiter, text=text, rating=answer["rating"])
        interviews.complete_interview(interview.id, recruiter)
        lines.append(f"created demo candidate {name} with a completed interview")
    # one interview left running, so the interview room can be tried at once
    candidate = candidates.create_candidate(candidates.CandidateInput(DEMO_RUNNING, consent=True), recruiter, "demo")
    interviews.start_interview(interviews.StartInput(candidate.id, vacancy_id=vacancy.id, lang="ru"), recruiter)
    lines.append(f"created demo candidate {DEMO_RUNNING} with an interview in progress")
    return lines


def demo_logins(instance_path: str) -> list[str]:
    logins_file = Path(instance_path) / "demo_logins.json"
    if not logins_file.exists():
        return []
    logins = json.loads(logins_file.read_text())
    return [f"  {email}  password: {password}" for email, password in logins.items()]

