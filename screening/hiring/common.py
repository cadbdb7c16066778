"""Small helpers shared by the hiring pages."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.validators import ValidationError

from screening.models import User
from screening.web import parse_int

_SPAN = re.compile(r"([^-]+)-([^-]+)")


def actor() -> User:
    return current_user._get_current_object()


def form_errors(form, exc) -> None:
    """Put a service's reasons beside the form's fields (unknown fields go to the first one)."""
    fields = list(form._fields.values())
    for name, message in exc.reasons.items():
        target = form._fields.get(name) or fields[0]
        target.errors = list(target.errors) + [message]


def parse_id(value) -> int | None:
    """A database id from a form value: None when empty; ValueError unless 1..MAX_ID in ASCII digits."""
    if value in (None, "", "None"):
        return None
    number = parse_int(value) if isinstance(value, str) else None
    if number is None:
        raise ValueError(f"not an id: {value!r}")
    return number


def int_or_none(value) -> int | None:
    """Like parse_id, but anything that is not an id is None (use after the form validated it)."""
    try:
        return parse_id(value)
    except ValueError:
        return None


def parse_span(value) -> tuple[int, int] | None:
    """A "start-end" pair of character offsets (ASCII digits, bounded like ids), or None."""
    match = _SPAN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    start, end = (parse_int(part, minimum=0) for part in match.groups())
    return None if start is None or end is None else (start, end)


class ChosenId:
    """Form validator: the value (each value, for a multiple choice) is empty or a valid id.

    The choice lists are not enforced (the service checks what exists and what is allowed), but a
    value that is not an id at all is refused here with a clear message, never sent to the database.
    """

    def __init__(self, message=None):
        self.message = message or _l("Choose from the list.")

    def __call__(self, form, field):
        values = field.data if isinstance(field.data, (list, tuple)) else [field.data]
        for value in values:
            try:
                parse_id(value)
            except ValueError:
                raise ValidationError(self.message) from None
