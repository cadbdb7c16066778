"""Admin-adjustable settings with their defaults, stored in the database (shared by all workers)."""
from __future__ import annotations

from typing import Any

from screening.extensions import db
from screening.models import Setting
from screening.services import audit

DEFAULTS: dict[str, Any] = {
    "classifier_enabled": True,
    "band_strong_yes": 75.0,
    "band_yes": 60.0,
    "band_mixed": 45.0,
}


def get(key: str) -> Any:
    row = db.session.get(Setting, key)
    return DEFAULTS[key] if row is None else row.value


def set_value(key: str, value: Any, actor_id: int | None) -> None:
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(Setting, key) or Setting(key=key)
    row.value = value
    db.session.add(row)
    audit.record("setting.change", actor_id=actor_id, object_type="setting", object_id=key, value=value)
    db.session.commit()
