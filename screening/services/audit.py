"""The audit trail. Records who did what to which object; never texts, passwords or tokens.

The table is append-only: the ORM refuses updates and deletes here, and database triggers
(migration 0002) refuse them for any other client.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from screening.extensions import db
from screening.models import AuditEvent, User
from screening.web import parse_int

PAGE_SIZE = 100
# One denial per user, method and path within this window is enough (a retrying page must not flood the log).
DENIAL_DEDUP_SECONDS = 60

# The client address of the request being served. The web layer binds it (screening.web) so that
# every service's events carry it without the services reading the request themselves.
_client_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)


def bind_client_ip(ip: str | None) -> None:
    _client_ip.set(ip)


def record(action: str, *, actor_id: int | None = None, object_type: str | None = None,
           object_id: Any = None, ip: str | None = None, **details: Any) -> AuditEvent:
    """Add an event to the session (the caller's commit stores it). `ip` defaults to the bound client address."""
    if ip is None:
        ip = _client_ip.get()
    entry = AuditEvent(action=action, actor_id=actor_id, object_type=object_type,
                       object_id=None if object_id is None else str(object_id), ip=ip, details=details)
    db.session.add(entry)
    return entry


def record_denied(*, actor_id: int | None, method: str, path: str, endpoint: str | None = None,
                  ip: str | None = None) -> bool:
    """Store an `access.denied` event (checklist 12) unless the same one was stored moments ago.

    Holds the method, path (never the query string, which can carry search terms) and endpoint:
    no texts. Returns whether an event was written.
    """
    path = (path or "")[:200]
    since = datetime.now(UTC) - timedelta(seconds=DENIAL_DEDUP_SECONDS)
    recent = db.session.scalars(
        sa.select(AuditEvent.details).where(AuditEvent.action == "access.denied", AuditEvent.at >= since,
                                            AuditEvent.actor_id.is_(None) if actor_id is None
                                            else AuditEvent.actor_id == actor_id)
        .order_by(AuditEvent.id.desc()).limit(50)).all()
    if any(d.get("method") == method and d.get("path") == path for d in recent):
        db.session.rollback()
        return False
    record("access.denied", actor_id=actor_id, ip=ip, method=method, path=path, endpoint=endpoint)
    db.session.commit()
    return True


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise PermissionError("audit events are append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise PermissionError("audit events are append-only")


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> AuditFilter:
        def day(value: str | None) -> date | None:
            try:
                return date.fromisoformat(value) if value else None
            except ValueError:
                return None

        page = parse_int(args.get("page"), 1)
        return cls(action=(args.get("action") or "")[:60], actor=(args.get("actor") or "")[:254],
                   object_type=(args.get("object_type") or "")[:40], object_id=(args.get("object_id") or "")[:80],
                   since=day(args.get("since")), until=day(args.get("until")), page=page)


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def search(f: AuditFilter) -> AuditPage:
    query = sa.select(AuditEvent)
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.actor:
        query = query.join(User, AuditEvent.actor_id == User.id).where(User.email.contains(f.actor.lower()))
    if f.object_type:
        query = query.where(AuditEvent.object_type == f.object_type)
    if f.object_id:
        query = query.where(AuditEvent.object_id == f.object_id)
    if f.since:
        query = query.where(AuditEvent.at >= datetime.combine(f.since, time.min, UTC))
    if f.until:
        query = query.where(AuditEvent.at <= datetime.combine(f.until, time.max, UTC))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    events = db.session.scalars(query.order_by(AuditEvent.id.desc()).offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return AuditPage(list(events), total, f.page, max(1, -(-total // PAGE_SIZE)))


def known_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
