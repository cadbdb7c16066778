"""Deny by default: every route declares who may use it, and each role reaches only its pages."""
from __future__ import annotations

import pytest

from screening.security import ACCESS_ATTR

PAGES_BY_ROLE = {
    "/admin/users": {"admin"},
    "/": {"admin", "recruiter", "manager"},
    "/account": {"admin", "recruiter", "manager"},
}


def test_every_route_declares_its_access(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if not getattr(view, ACCESS_ATTR, None):
            missing.append(f"{rule.rule} -> {rule.endpoint}")
    assert missing == [], "routes without an access marker: " + ", ".join(missing)


@pytest.mark.parametrize("role", ["admin", "recruiter", "manager"])
def test_each_role_reaches_only_its_pages(client, auth, role):
    auth.as_role(role)
    for path, allowed in PAGES_BY_ROLE.items():
        status = client.get(path).status_code
        assert status == (200 if role in allowed else 403), (role, path, status)


def test_anonymous_is_sent_to_login(client):
    for path in PAGES_BY_ROLE:
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_guarded_routes_refuse_anonymous_and_wrong_roles(app, client, auth):
    """Walk every non-public GET route without parameters as each role."""
    rules = [r for r in app.url_map.iter_rules()
             if "GET" in r.methods and not r.arguments and r.endpoint != "static"]
    for rule in rules:
        access = getattr(app.view_functions[rule.endpoint], ACCESS_ATTR)
        if access == "public":
            continue
        status = client.get(rule.rule).status_code
        assert status in (302, 401), (rule.rule, status)
    auth.as_role("recruiter")
    for rule in rules:
        access = getattr(app.view_functions[rule.endpoint], ACCESS_ATTR)
        if access != "public" and "recruiter" not in access:
            status = client.get(rule.rule).status_code
            assert status in (401, 403), (rule.rule, status)


def test_admin_manages_users(app, client, auth):
    from screening.extensions import db
    from screening.models import User

    auth.as_role("admin")
    response = client.post("/admin/users", data={"email": "new@example.com", "name": "New",
                                                  "role": "manager", "password": "a long enough one"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "new@example.com"))
        assert user.role == "manager" and user.active
        user_id = user.id
    response = client.post(f"/admin/users/{user_id}", data={f"u{user_id}-role": "recruiter"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.role == "recruiter" and not user.active  # unchecked box = deactivated


def test_admin_user_form_errors_keep_input(client, auth):
    auth.as_role("admin")
    response = client.post("/admin/users", data={"email": "new@example.com", "name": "Kept Name",
                                                  "role": "manager", "password": "short"})
    assert response.status_code == 422
    assert b"Kept Name" in response.data
    assert b"at least 8 characters" in response.data


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_or_style(app):
    import pathlib
    import re

    root = pathlib.Path(app.root_path) / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=\"", text) or "<style" in text:
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
