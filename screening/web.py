"""Cross-cutting web concerns: CSRF, the reverse proxy, security headers, client address, bounded numbers."""
from __future__ import annotations

import re

from flask import Flask, Response, current_app, request

from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from screening.extensions import csrf

MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER; larger ids in a URL are simply not found
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII digits only: str.isdigit() also accepts "²", which int() refuses


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'")


def parse_int(value, default: int | None = None, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """A whole number from a query string or form value, or `default` when it is not one.

    Only plain ASCII digits within [minimum, maximum] count: "²", "1e9", "-1", " 7", "0x10" and
    numbers beyond `maximum` (MAX_ID by default, what a database id column holds) give `default`,
    so bad input never reaches int() or the database as a 500.
    """
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return default
    return number if minimum <= number <= maximum else default


def client_ip() -> str | None:
    """The client's address: the peer, or the address the trusted proxies report (TRUSTED_PROXY_COUNT)."""
    return request.remote_addr


def attachment(body: str | bytes, mimetype: str, filename: str) -> Response:
    """A download. CSV gets a byte-order mark so spreadsheet programs read UTF-8 (Cyrillic) right."""
    if mimetype.startswith("text/csv") and isinstance(body, str):
        body = "\ufeff" + body
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    csrf.init_app(app)
    _trust_proxies(app)
    app.before_request(_bind_client_ip)
    app.teardown_request(_unbind_client_ip)
    app.after_request(_security_headers)
    app.jinja_env.globals["consent_text"] = _consent_text


def _trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies, take the client's address and scheme from the last N entries of
    X-Forwarded-For and X-Forwarded-Proto (the proxies must set them). With 0, the default, those
    headers are ignored: without a proxy in front, any client could forge them."""
    count = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if count < 0:
        raise RuntimeError("TRUSTED_PROXY_COUNT must be 0 or more")
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0)


def _bind_client_ip() -> None:
    # Services record the address in the audit trail without reading the request themselves.
    from screening.services import audit

    audit.bind_client_ip(client_ip())


def _unbind_client_ip(_exc) -> None:
    from screening.services import audit

    audit.bind_client_ip(None)


def _consent_text(version: str, lang: str | None = None) -> str | None:
    from screening.i18n import current_lang
    from screening.services import privacy

    return privacy.consent_text(version, lang or current_lang())


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if not request.path.startswith("/static/"):
        # Pages and API answers carry candidate data: never cache them.
        response.headers["Cache-Control"] = "no-store"
    if current_app.config.get("PRODUCTION"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response
