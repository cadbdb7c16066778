"""Domain errors raised by services and mapped onto forms or JSON by the views."""
from __future__ import annotations


class ServiceError(Exception):
    """A rule was broken. `reasons` maps a field (or "_") to a human message."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, reasons: dict[str, str] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.reasons = reasons or {}


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    status = 409
    code = "conflict"

    def __init__(self, message: str, current: dict | None = None):
        super().__init__(message)
        self.current = current or {}


class Locked(ServiceError):
    status = 409
    code = "locked"


class TooLarge(ServiceError):
    status = 413
    code = "too_long"
