"""The guide builder's live time total in a real browser (its script under the strict CSP)."""
from __future__ import annotations

from pathlib import Path

import pytest

from screening.bank import service
from screening.extensions import db
from screening.models import Guide
from screening.services import users
from tests.conftest import PASSWORD, LiveServer, make_app

pytestmark = pytest.mark.browser
BANK = Path(__file__).resolve().parent.parent / "question_bank"


@pytest.fixture
def bank_server(tmp_path):
    """A live server with the bank and an admin; no tagger model is needed for the bank pages."""
    app = make_app("sqlite", tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        service.import_bank(BANK)
        users.create_user("ada@example.com", "admin", PASSWORD)
    server = LiveServer(app)
    yield server
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_live_total_counts_the_question_picked_to_add(page, bank_server):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(bank_server.url + "/login")
    page.fill("input[name=email]", "ada@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(bank_server.url + "/")
    with bank_server.app.app_context():
        guide = db.session.get(Guide, "retail_service")
        first = guide.items[0]
        first_minutes = first.minutes or first.question.minutes
        in_guide = {i.question_id for i in guide.items}
        spare = next(q for q in service.search_questions(service.QuestionFilter()) if q.id not in in_guide)
    page.goto(bank_server.url + "/guides/retail_service/edit")
    total = page.locator("#time-total")
    start = int(total.inner_text())
    page.select_option("select[name=add_question]", spare.id)
    assert int(total.inner_text()) == start + spare.minutes
    page.check("input[name=items-0-remove]")
    assert int(total.inner_text()) == start + spare.minutes - first_minutes
    page.select_option("select[name=add_question]", "")
    assert int(total.inner_text()) == start - first_minutes
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
