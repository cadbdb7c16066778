"""Cross-cutting web concerns: CSRF, security headers, request ids."""
from __future__ import annotations

from flask import Flask, Response, request

from werkzeug.routing import IntegerConverter

from screening.extensions import csrf

MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER; larger ids in a URL are simply not found


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'")


def attachment(body: str | bytes, mimetype: str, filename: str) -> Response:
    """A download. CSV gets a byte-order mark so spreadsheet programs read UTF-8 (Cyrillic) right."""
    if mimetype.startswith("text/csv") and isinstance(body, str):
        body = "\ufeff" + body
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    csrf.init_app(app)
    app.after_request(_security_headers)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if not request.path.startswith("/static/"):
        # Pages and API answers carry candidate data: never cache them.
        response.headers["Cache-Control"] = "no-store"
    from flask import current_app

    if current_app.config.get("PRODUCTION"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response
