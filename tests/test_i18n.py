"""Russian and English: the catalogue is complete and the language follows the user."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_russian_catalogue_is_complete_and_compiled():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "i18n.py"), "check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    po = ROOT / "screening/translations/ru/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = {m.id: m.string for m in read_po(f) if m.id}
    with mo.open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert compiled == catalog, "messages.mo is stale: run python tools/i18n.py update"


def test_accept_language_picks_russian(client):
    page = client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert "Войти" in page and '<html lang="ru">' in page


def test_default_is_english(client):
    page = client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Sign in" in page and '<html lang="en">' in page


def test_switching_language_is_remembered(client):
    client.post("/lang/ru")
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Войти" in page
    client.post("/lang/en")
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_signed_in_users_choice_is_stored(app, client, auth):
    from screening.extensions import db
    from screening.models import User

    user_id = auth.as_role("recruiter")
    client.post("/lang/ru")
    with app.app_context():
        assert db.session.get(User, user_id).locale == "ru"
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Добро пожаловать" in page


def test_unknown_language_is_ignored(client):
    assert client.post("/lang/xx").status_code == 302
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_form_errors_in_russian(client, make_user):
    make_user("ann@example.com", "recruiter")
    client.post("/lang/ru")
    page = client.post("/login", data={"email": "ann@example.com", "password": "wrong wrong"}).get_data(as_text=True)
    assert "Неверный адрес или пароль" in page
