"""The data model of the whole product (SQLAlchemy 2.0 typed mappings).

Bilingual texts of the question bank are stored as JSON mappings {"ru": ..., "en": ...};
interviews pin the bank version they were run with and keep a snapshot of their guide.
"""
from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy import orm

from screening.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(str, enum.Enum):
    ADMIN = "admin"
    RECRUITER = "recruiter"
    MANAGER = "manager"


ROLES = tuple(r.value for r in Role)

# A timezone-aware timestamp column; SQLite hands back naive values, see `as_utc`.
Timestamp = sa.DateTime(timezone=True)


def as_utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    email: orm.Mapped[str] = orm.mapped_column(sa.String(254), unique=True, index=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(120), default="")
    password_hash: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    role: orm.Mapped[str] = orm.mapped_column(sa.String(20))
    active: orm.Mapped[bool] = orm.mapped_column(default=True)
    # Rotated on logout, password change and deactivation so old session cookies stop working.
    session_token: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    locale: orm.Mapped[str | None] = orm.mapped_column(sa.String(5))
    failed_logins: orm.Mapped[int] = orm.mapped_column(default=0)
    locked_until: orm.Mapped[datetime | None] = orm.mapped_column(Timestamp)
    created_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow)
    last_login_at: orm.Mapped[datetime | None] = orm.mapped_column(Timestamp)

    tokens: orm.Mapped[list[ApiToken]] = orm.relationship(back_populates="user", cascade="all, delete-orphan")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def display_name(self) -> str:
        return self.name or self.email


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    user_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(80), default="")
    prefix: orm.Mapped[str] = orm.mapped_column(sa.String(12))
    token_hash: orm.Mapped[str] = orm.mapped_column(sa.String(64), unique=True)
    created_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow)
    last_used_at: orm.Mapped[datetime | None] = orm.mapped_column(Timestamp)
    revoked_at: orm.Mapped[datetime | None] = orm.mapped_column(Timestamp)

    user: orm.Mapped[User] = orm.relationship(back_populates="tokens")


class LoginAttempt(db.Model):
    """Failed sign-ins by client address, kept in the database so every worker sees them."""

    __tablename__ = "login_attempts"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    ip: orm.Mapped[str] = orm.mapped_column(sa.String(64), index=True)
    at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow, index=True)


# ---------------------------------------------------------------- question bank


class BankVersion(db.Model):
    """One state of the whole question bank; interviews point at the version they used."""

    __tablename__ = "bank_versions"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    number: orm.Mapped[int] = orm.mapped_column(unique=True)
    created_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow)
    author_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    source: orm.Mapped[str] = orm.mapped_column(sa.String(20))  # import | edit
    note: orm.Mapped[str] = orm.mapped_column(sa.String(500), default="")
    content_hash: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    snapshot: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON)
    changes: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON, default=dict)

    author: orm.Mapped[User | None] = orm.relationship()


class Indicator(db.Model):
    __tablename__ = "indicators"
    id: orm.Mapped[str] = orm.mapped_column(sa.String(40), primary_key=True)
    position: orm.Mapped[int] = orm.mapped_column(default=0)
    polarity: orm.Mapped[str] = orm.mapped_column(sa.String(10))  # positive | negative
    name: orm.Mapped[dict[str, str]] = orm.mapped_column(sa.JSON)
    definition: orm.Mapped[dict[str, str]] = orm.mapped_column(sa.JSON)
    not_this_when: orm.Mapped[dict[str, str]] = orm.mapped_column(sa.JSON)
    examples: orm.Mapped[dict[str, list[str]]] = orm.mapped_column(sa.JSON, default=dict)


class Question(db.Model):
    __tablename__ = "questions"
    id: orm.Mapped[str] = orm.mapped_column(sa.String(80), primary_key=True)
    type: orm.Mapped[str] = orm.mapped_column(sa.String(20))
    indicators: orm.Mapped[list[str]] = orm.mapped_column(sa.JSON)
    red_flags: orm.Mapped[list[str]] = orm.mapped_column(sa.JSON)
    roles: orm.Mapped[list[str]] = orm.mapped_column(sa.JSON)
    minutes: orm.Mapped[int] = orm.mapped_column()
    text: orm.Mapped[dict[str, str]] = orm.mapped_column(sa.JSON)
    probes: orm.Mapped[list[dict[str, Any]]] = orm.mapped_column(sa.JSON)
    listen_for: orm.Mapped[dict[str, list[str]]] = orm.mapped_column(sa.JSON)
    red_flag_signs: orm.Mapped[dict[str, list[str]]] = orm.mapped_column(sa.JSON)
    anchors: orm.Mapped[dict[str, dict[str, str]]] = orm.mapped_column(sa.JSON)
    retired: orm.Mapped[bool] = orm.mapped_column(default=False)
    revision: orm.Mapped[int] = orm.mapped_column(default=1)
    updated_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow, onupdate=utcnow)

    revisions: orm.Mapped[list[QuestionRevision]] = orm.relationship(
        back_populates="question", order_by="QuestionRevision.revision", cascade="all, delete-orphan"
    )


class QuestionRevision(db.Model):
    """The content of one question as of one bank version."""

    __tablename__ = "question_revisions"
    __table_args__ = (sa.UniqueConstraint("question_id", "revision"),)
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    question_id: orm.Mapped[str] = orm.mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    revision: orm.Mapped[int] = orm.mapped_column()
    bank_version_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("bank_versions.id"))
    content: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON)
    created_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow)

    question: orm.Mapped[Question] = orm.relationship(back_populates="revisions")
    bank_version: orm.Mapped[BankVersion] = orm.relationship()


class Guide(db.Model):
    __tablename__ = "guides"
    id: orm.Mapped[str] = orm.mapped_column(sa.String(80), primary_key=True)
    role: orm.Mapped[str] = orm.mapped_column(sa.String(40))
    title: orm.Mapped[dict[str, str]] = orm.mapped_column(sa.JSON)
    duration_minutes: orm.Mapped[int] = orm.mapped_column()
    intro: orm.Mapped[dict[str, str]] = orm.mapped_column(sa.JSON)
    closing: orm.Mapped[dict[str, str]] = orm.mapped_column(sa.JSON)
    intro_minutes: orm.Mapped[int] = orm.mapped_column(default=0)
    closing_minutes: orm.Mapped[int] = orm.mapped_column(default=0)
    retired: orm.Mapped[bool] = orm.mapped_column(default=False)
    revision: orm.Mapped[int] = orm.mapped_column(default=1)
    updated_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow, onupdate=utcnow)

    items: orm.Mapped[list[GuideItem]] = orm.relationship(
        back_populates="guide", order_by="GuideItem.position", cascade="all, delete-orphan"
    )


class GuideItem(db.Model):
    __tablename__ = "guide_items"
    __table_args__ = (sa.UniqueConstraint("guide_id", "question_id"),)
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    guide_id: orm.Mapped[str] = orm.mapped_column(sa.ForeignKey("guides.id", ondelete="CASCADE"), index=True)
    question_id: orm.Mapped[str] = orm.mapped_column(sa.ForeignKey("questions.id"))
    position: orm.Mapped[int] = orm.mapped_column()
    minutes: orm.Mapped[int | None] = orm.mapped_column()

    guide: orm.Mapped[Guide] = orm.relationship(back_populates="items")
    question: orm.Mapped[Question] = orm.relationship()


class Setting(db.Model):
    """Admin-adjustable settings (recommendation thresholds, classifier switch)."""

    __tablename__ = "settings"
    key: orm.Mapped[str] = orm.mapped_column(sa.String(60), primary_key=True)
    value: orm.Mapped[Any] = orm.mapped_column(sa.JSON)
    updated_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow, onupdate=utcnow)


# ---------------------------------------------------------------- hiring


vacancy_recruiters = sa.Table(
    "vacancy_recruiters",
    db.metadata,
    sa.Column("vacancy_id", sa.ForeignKey("vacancies.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Vacancy(db.Model):
    __tablename__ = "vacancies"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    title: orm.Mapped[str] = orm.mapped_column(sa.String(200))
    role: orm.Mapped[str] = orm.mapped_column(sa.String(40))
    guide_id: orm.Mapped[str | None] = orm.mapped_column(sa.ForeignKey("guides.id"))
    manager_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: orm.Mapped[str] = orm.mapped_column(sa.String(20), default="open")
    created_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow)

    guide: orm.Mapped[Guide | None] = orm.relationship()
    manager: orm.Mapped[User | None] = orm.relationship()
    recruiters: orm.Mapped[list[User]] = orm.relationship(secondary=vacancy_recruiters)


class Candidate(db.Model):
    __tablename__ = "candidates"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200))
    email: orm.Mapped[str | None] = orm.mapped_column(sa.String(254))
    phone: orm.Mapped[str | None] = orm.mapped_column(sa.String(40))
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow)
    erased_at: orm.Mapped[datetime | None] = orm.mapped_column(Timestamp)

    consents: orm.Mapped[list[Consent]] = orm.relationship(
        back_populates="candidate", order_by="Consent.given_at", cascade="all, delete-orphan"
    )
    interviews: orm.Mapped[list[Interview]] = orm.relationship(back_populates="candidate")
    created_by: orm.Mapped[User | None] = orm.relationship()

    @property
    def active_consent(self) -> Consent | None:
        return next((c for c in reversed(self.consents) if c.withdrawn_at is None), None)


class Consent(db.Model):
    __tablename__ = "consents"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    candidate_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    purpose: orm.Mapped[str] = orm.mapped_column(sa.String(200))
    text_version: orm.Mapped[str] = orm.mapped_column(sa.String(40))
    given_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow)
    recorded_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: orm.Mapped[datetime | None] = orm.mapped_column(Timestamp)

    candidate: orm.Mapped[Candidate] = orm.relationship(back_populates="consents")
    recorded_by: orm.Mapped[User | None] = orm.relationship()


class Demographic(db.Model):
    """Optional self-reported categories for the bias audit: stored apart, admin-only, never a model input."""

    __tablename__ = "demographics"
    candidate_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True)
    sex: orm.Mapped[str | None] = orm.mapped_column(sa.String(40))
    ethnicity: orm.Mapped[str | None] = orm.mapped_column(sa.String(80))
    recorded_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow)


class InterviewStatus(str, enum.Enum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Interview(db.Model):
    __tablename__ = "interviews"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    candidate_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    vacancy_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("vacancies.id", ondelete="SET NULL"), index=True)
    guide_id: orm.Mapped[str] = orm.mapped_column(sa.ForeignKey("guides.id"))
    bank_version_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("bank_versions.id"))
    interviewer_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(20), default=InterviewStatus.IN_PROGRESS.value)
    lang: orm.Mapped[str] = orm.mapped_column(sa.String(5), default="ru")
    # The guide as it stood in the pinned bank version: ordered questions with their content.
    guide_snapshot: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON)
    notes: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    # Optimistic lock for the notes, like Answer.version (see services.interviews.save_notes).
    notes_version: orm.Mapped[int] = orm.mapped_column(default=0, server_default=sa.text("0"))
    started_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow)
    completed_at: orm.Mapped[datetime | None] = orm.mapped_column(Timestamp)

    candidate: orm.Mapped[Candidate] = orm.relationship(back_populates="interviews")
    vacancy: orm.Mapped[Vacancy | None] = orm.relationship()
    interviewer: orm.Mapped[User | None] = orm.relationship()
    bank_version: orm.Mapped[BankVersion] = orm.relationship()
    answers: orm.Mapped[list[Answer]] = orm.relationship(
        back_populates="interview", order_by="Answer.position", cascade="all, delete-orphan"
    )

    @property
    def is_locked(self) -> bool:
        return self.status == InterviewStatus.COMPLETED.value


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("interview_id", "question_id"),)
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    interview_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    question_id: orm.Mapped[str] = orm.mapped_column(sa.String(80))
    position: orm.Mapped[int] = orm.mapped_column()
    text: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    rating: orm.Mapped[int | None] = orm.mapped_column()
    notes: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    # Optimistic lock: a write must name the version it read (see services.answers).
    version: orm.Mapped[int] = orm.mapped_column(default=0)
    created_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow)
    updated_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow)
    updated_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    interview: orm.Mapped[Interview] = orm.relationship(back_populates="answers")
    tags: orm.Mapped[list[EvidenceTag]] = orm.relationship(
        back_populates="answer", order_by="EvidenceTag.start", cascade="all, delete-orphan"
    )


class EvidenceTag(db.Model):
    """One indicator on one sentence span of an answer, from the model or a reviewer."""

    __tablename__ = "evidence_tags"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    answer_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    start: orm.Mapped[int] = orm.mapped_column()
    end: orm.Mapped[int] = orm.mapped_column()
    indicator: orm.Mapped[str | None] = orm.mapped_column(sa.String(40))
    star: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
    probability: orm.Mapped[float | None] = orm.mapped_column()
    model_version: orm.Mapped[str | None] = orm.mapped_column(sa.String(80))
    source: orm.Mapped[str] = orm.mapped_column(sa.String(20), default="model")  # model | reviewer
    verdict: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))  # confirmed | rejected
    reviewer_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: orm.Mapped[datetime | None] = orm.mapped_column(Timestamp)

    answer: orm.Mapped[Answer] = orm.relationship(back_populates="tags")


class ScoreRecord(db.Model):
    """A scoring event: what was scored, with which model and bank, and the outcome."""

    __tablename__ = "score_records"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    interview_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    created_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow)
    model_version: orm.Mapped[str | None] = orm.mapped_column(sa.String(80))
    bank_version_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("bank_versions.id"))
    hiring_score: orm.Mapped[float | None] = orm.mapped_column()
    low: orm.Mapped[float | None] = orm.mapped_column()
    high: orm.Mapped[float | None] = orm.mapped_column()
    recommendation: orm.Mapped[str | None] = orm.mapped_column(sa.String(20))
    details: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON, default=dict)
    triggered_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class Decision(db.Model):
    __tablename__ = "decisions"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    candidate_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    vacancy_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("vacancies.id", ondelete="SET NULL"))
    interview_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("interviews.id", ondelete="SET NULL"))
    decision: orm.Mapped[str] = orm.mapped_column(sa.String(20))  # advance | hold | reject
    rationale: orm.Mapped[str] = orm.mapped_column(sa.Text)
    decided_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow)

    decided_by: orm.Mapped[User | None] = orm.relationship()


class AuditEvent(db.Model):
    """Append-only log of sensitive actions. Never holds answer texts, passwords or tokens."""

    __tablename__ = "audit_events"
    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    at: orm.Mapped[datetime] = orm.mapped_column(Timestamp, default=utcnow, index=True)
    actor_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: orm.Mapped[str] = orm.mapped_column(sa.String(60), index=True)
    object_type: orm.Mapped[str | None] = orm.mapped_column(sa.String(40))
    object_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(80))
    ip: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    details: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON, default=dict)

    actor: orm.Mapped[User | None] = orm.relationship()
