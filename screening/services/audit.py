"""The audit trail. Records who did what to which object; never texts, passwords or tokens."""
from __future__ import annotations

from typing import Any

from screening.extensions import db
from screening.models import AuditEvent


def record(action: str, *, actor_id: int | None = None, object_type: str | None = None,
           object_id: Any = None, ip: str | None = None, **details: Any) -> AuditEvent:
    event = AuditEvent(action=action, actor_id=actor_id, object_type=object_type,
                       object_id=None if object_id is None else str(object_id), ip=ip, details=details)
    db.session.add(event)
    return event
