"""The API's authentication and its JSON error shape."""
from __future__ import annotations

import pytest


def assert_error(response, status: int):
    assert response.status_code == status
    body = response.get_json()
    assert set(body) >= {"error", "message"} and body["message"]
    return body


def test_no_token_is_401(client):
    assert_error(client.get("/api/v1/me"), 401)


@pytest.mark.parametrize("header", ["Bearer nope", "Basic abc", "Bearer ", "scr_x"])
def test_bad_token_is_401(client, header):
    assert_error(client.get("/api/v1/me", headers={"Authorization": header}), 401)


def test_valid_token_works_and_records_last_use(app, client, api_token):
    from screening.extensions import db
    from screening.models import ApiToken

    headers = api_token("manager")
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["role"] == "manager"
    with app.app_context():
        assert db.session.scalar(db.select(ApiToken)).last_used_at is not None


def test_token_stored_hashed_and_revocable(app, client, api_token):
    from screening.extensions import db
    from screening.models import ApiToken, User
    from screening.services import users

    headers = api_token("recruiter")
    token = headers["Authorization"].split()[1]
    with app.app_context():
        row = db.session.scalar(db.select(ApiToken))
        assert token not in (row.token_hash, row.prefix) and row.token_hash != token
        users.revoke_token(row.id, db.session.get(User, row.user_id))
    assert_error(client.get("/api/v1/me", headers=headers), 401)


def test_deactivated_users_token_stops_working(app, client, api_token):
    from screening.extensions import db
    from screening.models import User

    headers = api_token("recruiter")
    with app.app_context():
        db.session.scalar(db.select(User)).active = False
        db.session.commit()
    assert_error(client.get("/api/v1/me", headers=headers), 401)


def test_unknown_endpoint_is_json_404(client):
    assert_error(client.get("/api/v1/nothing-here"), 404)


def test_wrong_method_is_json_405(client):
    assert_error(client.delete("/api/v1/me"), 405)


def test_malformed_json_is_400(client, api_token):
    response = client.post("/api/v1/tag", data="{not json", content_type="application/json", headers=api_token())
    assert assert_error(response, 400)["error"] == "bad_json"


def test_non_json_body_is_415(client, api_token):
    assert_error(client.post("/api/v1/tag", data="text=x", headers=api_token()), 415)


def test_missing_field_is_422(client, api_token):
    body = assert_error(client.post("/api/v1/tag", json={"lang": "ru"}, headers=api_token()), 422)
    assert "text" in body["reasons"]


def test_too_large_body_is_json_413(app, client, api_token):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    assert_error(client.post("/api/v1/tag", json={"text": big}, headers=api_token()), 413)


def test_unexpected_error_is_json_500_without_traceback(app, client, api_token):
    from screening.api.core import any_role, bp  # noqa: F401

    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("secret internals")

    boom._screening_access = "public"
    response = client.get("/api/v1/boom")
    body = assert_error(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in body["message"]


def test_html_500_page_is_friendly(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    assert b"secret internals" not in response.data and b"Traceback" not in response.data


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    assert "/tag" in doc["paths"]
    assert doc["components"]["schemas"]["Error"]["required"] == ["error", "message"]
