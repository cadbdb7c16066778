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
