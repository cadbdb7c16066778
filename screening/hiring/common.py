"""Small helpers shared by the hiring pages."""
from __future__ import annotations

from flask_login import current_user

from screening.models import User


def actor() -> User:
    return current_user._get_current_object()


def form_errors(form, exc) -> None:
    """Put a service's reasons beside the form's fields (unknown fields go to the first one)."""
    fields = list(form._fields.values())
    for name, message in exc.reasons.items():
        target = form._fields.get(name) or fields[0]
        target.errors = list(target.errors) + [message]


def int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None
