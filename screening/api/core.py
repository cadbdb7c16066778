"""API plumbing: the blueprint, bearer-token access markers and JSON body parsing."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, g, request

from screening import security
from screening.errors import audit_denied, json_error
from screening.extensions import csrf
from screening.models import ROLES, User
from screening.services import users

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies: nothing for a cross-site form to ride on


def api_roles(*roles: str) -> Callable[[Callable], Callable]:
    """Token holders with one of `roles` (the same rights as in the web interface)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            user = _authenticate()
            if user is None:
                return json_error(401, "A valid bearer token is required.", "unauthorized")
            g.api_user = user
            if user.role not in roles:
                audit_denied()
                return json_error(403, "Your role may not use this endpoint.", "forbidden")
            return view(*args, **kwargs)

        setattr(wrapped, security.ACCESS_ATTR, tuple(roles))
        return wrapped

    return decorator


def any_role(view: Callable) -> Callable:
    return api_roles(*ROLES)(view)


def _authenticate() -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return users.user_for_token(token.strip())


def current_api_user() -> User:
    return g.api_user


def json_body(required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request's JSON object, or a 4xx with a reason."""
    if not request.is_json:
        abort(json_error(415, "Send a JSON body with Content-Type: application/json.", "unsupported_media_type"))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(json_error(400, "The body is not a valid JSON object.", "bad_json"))
    missing = [k for k in required if k not in data]
    if missing:
        abort(json_error(422, f"Missing field(s): {', '.join(missing)}.", "invalid",
                         reasons={k: "required" for k in missing}))
    return data

