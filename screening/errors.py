"""Friendly error pages for people, the contract's JSON errors for the API. Never a traceback."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from screening.extensions import db
from screening.services.errors import ServiceError

API_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
             415: "unsupported_media_type", 422: "invalid", 429: "too_many_requests", 500: "server_error"}


def wants_json() -> bool:
    """The API, and the pages' own fetch() calls (they send JSON and ask for JSON)."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best
    return best == "application/json"


def json_error(status: int, message: str, code: str | None = None, **extra):
    body = {"error": code or API_CODES.get(status, "error"), "message": message, **extra}
    response = jsonify(body)
    response.status_code = status
    return response


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist, or you do not have access to it."),
        405: _("This action is not allowed here."),
        409: _("This was changed by someone else in the meantime."),
        413: _("What you sent is too large."),
        422: _("Some of what you entered is not valid."),
        429: _("Too many requests. Please wait a moment."),
        500: _("Something went wrong on our side. What you entered was not lost if it was saved."),
    }


def audit_denied() -> None:
    """Record a 403 in the audit trail (checklist 12): who, which method and path; never texts.

    A failure to record must not turn the 403 into a 500: it is logged instead.
    """
    from flask import current_app, g
    from flask_login import current_user

    from screening.services import audit

    user = getattr(g, "api_user", None)
    if user is None and current_user and current_user.is_authenticated:
        user = current_user
    try:
        audit.record_denied(actor_id=user.id if user is not None else None, method=request.method,
                            path=request.path, endpoint=request.endpoint)
    except Exception:  # noqa: BLE001 - the denial itself must still be answered
        db.session.rollback()
        current_app.logger.exception("Could not record a denied access to %s", request.path)


def handle_http(exc: HTTPException):
    status = exc.code or 500
    if status == 403:
        db.session.rollback()  # nothing half-done is stored with the denial
        audit_denied()
    message = _messages().get(status, exc.name)
    if wants_json():
        # Werkzeug's own descriptions are generic and safe; ours are friendlier.
        return json_error(status, message)
    return render_template("errors/error.html", status=status, message=message), status


def handle_csrf(exc: CSRFError):
    message = _("The form expired or was sent from elsewhere. Please reload the page and try again.")
    if wants_json():
        return json_error(400, message, "csrf_failed")
    return render_template("errors/error.html", status=400, message=message), 400


def handle_service_error(exc: ServiceError):
    db.session.rollback()
    if exc.status == 403:
        audit_denied()
    if wants_json():
        extra = {"reasons": {k: str(v) for k, v in exc.reasons.items()}} if exc.reasons else {}
        current = getattr(exc, "current", None)
        if current:
            extra["current"] = current
        return json_error(exc.status, exc.message, exc.code, **extra)
    return render_template("errors/error.html", status=exc.status, message=exc.message), exc.status


def handle_unexpected(exc: Exception):
    db.session.rollback()
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return handle_http(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(Exception, handle_unexpected)
