"""CSRF protection on HTML forms (the token API is exempt)."""
from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_csrf_token_is_required(client, make_user):
    make_user("ann@example.com", "recruiter")
    response = client.post("/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302
    page = client.get("/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": "ann@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_api_is_exempt_from_csrf(client, api_token):
    response = client.post("/api/v1/tag", json={"text": ""}, headers=api_token())
    assert response.status_code != 400 or response.get_json()["error"] != "csrf_failed"


STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _sample_path(app, rule) -> str:
    from werkzeug.routing import IntegerConverter

    values = {arg: 1 if isinstance(rule._converters.get(arg), IntegerConverter) else "x" for arg in rule.arguments}
    if "lang" in values:
        values["lang"] = "ru"
    return rule.build(values, append_unknown=False)[1]


def test_every_state_changing_html_route_refuses_a_request_without_token(app, client, make_user):
    """Walk app.url_map: every POST/PUT/PATCH/DELETE outside the token API answers 400 without a
    CSRF token, for a signed-in admin (so no route is reached through a missing-login redirect)."""
    make_user("admin@example.com", "admin")
    page = client.get("/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": "admin@example.com", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.endpoint == "static":
            continue
        path = _sample_path(app, rule)
        for method in sorted(rule.methods & STATE_CHANGING):
            form = client.open(path, method=method, data={"reason": "x", "name": "x"})
            fetch = client.open(path, method=method, json={"text": "x"})  # as the pages' fetch() calls
            for response in (form, fetch):
                body = response.get_data(as_text=True)
                assert response.status_code == 400, (method, rule.rule, response.status_code)
                assert "csrf_failed" in body or "The form expired" in body, (method, rule.rule)
            checked.append(f"{method} {rule.rule}")
    assert len(checked) >= 20, checked
    assert {"POST /login", "POST /logout", "POST /lang/<lang>"} <= set(checked)
    assert client.get("/").status_code == 200  # still signed in: the logout without a token did nothing
