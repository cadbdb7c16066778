"""The interview room in a real browser: highlighting, autosave, offline, conflicts, rating keys."""
from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa

from screening.extensions import db
from screening.models import Answer, Interview
from screening.services import candidates, users
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

ANSWER = ("Last spring a customer came back angry because her new laptop kept overheating. "
          "I asked her what she mostly used it for and listened to the whole story. "
          "I offered a cheaper cooling pad instead of a new model because it fit her real need. "
          "A week later I called her to check, and she said it worked fine and thanked us.")


@pytest.fixture
def recruiter(live_app):
    with live_app.app.app_context():
        user = users.create_user("rita@example.com", "recruiter", PASSWORD)
        candidates.create_candidate(candidates.CandidateInput("Anna Smirnova", consent=True), user, "v1")
    return "rita@example.com"


def login(page, server, email):
    page.goto(server.url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(server.url + "/")


def start_interview(page, server) -> int:
    page.goto(server.url + "/interviews/new")
    page.select_option("select[name=guide_id]", index=1)
    page.select_option("select[name=lang]", "en")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#room[data-ready=true]")
    return int(re.search(r"/interviews/(\d+)", page.url).group(1))


def saved_answer(server, interview_id: int) -> Answer:
    with server.app.app_context():
        return db.session.scalar(sa.select(Answer).where(Answer.interview_id == interview_id).order_by(Answer.position))


def test_type_highlight_reload(page, live_app, recruiter):
    login(page, live_app, recruiter)
    interview_id = start_interview(page, live_app)
    textarea = page.locator("section.question:not(.hidden) textarea.answer")
    textarea.click()
    textarea.type(ANSWER, delay=2)
    page.wait_for_selector("section.question:not(.hidden) .evidence-text .sent.pos")
    assert page.locator("section.question:not(.hidden) .star-item.present").count() >= 2
    page.wait_for_selector("#save-state[data-state=saved]")
    assert saved_answer(live_app, interview_id).text == ANSWER
    if os.environ.get("SCREENSHOTS"):
        page.set_viewport_size({"width": 1366, "height": 1000})
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], "room.png"), full_page=True)
    page.reload()
    page.wait_for_selector("#room[data-ready=true]")
    assert page.locator("section.question:not(.hidden) textarea.answer").input_value() == ANSWER


def test_offline_typing_is_kept_and_saved_when_back(page, live_app, recruiter):
    login(page, live_app, recruiter)
    interview_id = start_interview(page, live_app)
    page.route(re.compile(r".*/answers/.*"), lambda route: route.abort())
    textarea = page.locator("section.question:not(.hidden) textarea.answer")
    textarea.click()
    textarea.type("Typed while the network was down.", delay=2)
    page.wait_for_selector("#save-state[data-state=offline]")
    kept = page.evaluate("() => Object.keys(localStorage).map(k => localStorage.getItem(k)).join('|')")
    assert "Typed while the network was down." in kept
    assert saved_answer(live_app, interview_id).text == ""
    page.unroute(re.compile(r".*/answers/.*"))
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#save-state[data-state=saved]")
    assert saved_answer(live_app, interview_id).text == "Typed while the network was down."


def test_rating_with_a_number_key(page, live_app, recruiter):
    login(page, live_app, recruiter)
    interview_id = start_interview(page, live_app)
    page.click("section.question:not(.hidden) h2.question-text")
    page.keyboard.press("4")
    assert page.locator("section.question:not(.hidden) input[type=radio][value='4']").is_checked()
    page.wait_for_selector("#save-state[data-state=saved]")
    assert saved_answer(live_app, interview_id).rating == 4
    page.keyboard.press("Alt+ArrowRight")
    assert page.locator("section.question[data-index='1']:not(.hidden)").count() == 1


def test_conflicting_tabs_show_both_texts(page, browser, live_app, recruiter):
    login(page, live_app, recruiter)
    start_interview(page, live_app)
    other = page.context.new_page()
    other.goto(page.url)
    other.wait_for_selector("#room[data-ready=true]")
    page.locator("section.question:not(.hidden) textarea.answer").type("Text from tab one.")
    page.wait_for_selector("#save-state[data-state=saved]")
    other.locator("section.question:not(.hidden) textarea.answer").type("Text from tab two.")
    other.wait_for_selector("section.question:not(.hidden) .conflict:not(.hidden)")
    assert other.locator(".conflict:not(.hidden) .theirs").inner_text() == "Text from tab one."
    assert other.locator(".conflict:not(.hidden) .mine").inner_text() == "Text from tab two."
    other.click(".conflict:not(.hidden) .keep-mine")
    other.wait_for_selector("#save-state[data-state=saved]")
    other.close()


def test_too_long_answer_is_refused_but_kept(page, live_app, recruiter):
    live_app.app.config["MAX_ANSWER_CHARS"] = 40
    login(page, live_app, recruiter)
    interview_id = start_interview(page, live_app)
    text = "This answer is certainly longer than forty characters."
    page.locator("section.question:not(.hidden) textarea.answer").fill(text)
    page.wait_for_selector("section.question:not(.hidden) .answer-message:not(.hidden)")
    assert "40" in page.locator("section.question:not(.hidden) .answer-message").inner_text()
    assert page.locator("section.question:not(.hidden) textarea.answer").input_value() == text
    assert saved_answer(live_app, interview_id).text == ""
    with live_app.app.app_context():
        assert db.session.scalar(sa.select(Interview)).status == "in_progress"


def saved_notes(server, interview_id: int) -> tuple[str, int]:
    with server.app.app_context():
        interview = db.session.get(Interview, interview_id)
        return interview.notes, interview.notes_version


def test_notes_typed_offline_are_kept_and_saved_when_back(page, live_app, recruiter):
    login(page, live_app, recruiter)
    interview_id = start_interview(page, live_app)
    page.route(re.compile(r".*/notes$"), lambda route: route.abort())
    notes = page.locator("#interview-notes")
    notes.click()
    notes.type("Calm; gave a concrete example.", delay=2)
    page.wait_for_selector("#save-state[data-state=offline]")
    kept = page.evaluate("() => Object.keys(localStorage).map(k => localStorage.getItem(k)).join('|')")
    assert "Calm; gave a concrete example." in kept
    assert saved_notes(live_app, interview_id) == ("", 0)
    page.unroute(re.compile(r".*/notes$"))
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#save-state[data-state=saved]")
    assert saved_notes(live_app, interview_id) == ("Calm; gave a concrete example.", 1)
    assert page.locator("#notes").get_attribute("data-version") == "1"
    page.reload()
    page.wait_for_selector("#room[data-ready=true]")
    assert page.locator("#interview-notes").input_value() == "Calm; gave a concrete example."
    assert page.locator("#save-state").get_attribute("data-state") == "saved"


def test_a_leftover_notes_copy_never_overwrites_newer_notes(page, live_app, recruiter):
    login(page, live_app, recruiter)
    interview_id = start_interview(page, live_app)
    # An old copy from an earlier visit (based on version 0), while the server moved on.
    page.evaluate("id => localStorage.setItem('screening:interview:' + id + ':__notes',"
                  " JSON.stringify({text: 'old leftover notes', rating: null, version: 0}))", interview_id)
    with live_app.app.app_context():
        db.session.execute(sa.update(Interview).where(Interview.id == interview_id)
                           .values(notes="newer notes from another tab", notes_version=3))
        db.session.commit()
    page.reload()
    page.wait_for_selector("#room[data-ready=true]")
    page.wait_for_selector("#notes .conflict:not(.hidden)")
    assert page.locator("#notes .conflict .theirs").inner_text() == "newer notes from another tab"
    assert page.locator("#notes .conflict .mine").inner_text() == "old leftover notes"
    assert page.locator("#save-state").get_attribute("data-state") == "conflict"
    assert saved_notes(live_app, interview_id) == ("newer notes from another tab", 3)
    page.click("#notes .take-theirs")
    assert page.locator("#interview-notes").input_value() == "newer notes from another tab"
    page.wait_for_selector("#save-state[data-state=saved]")


def test_refused_notes_say_why_and_stay(page, live_app, recruiter):
    live_app.app.config["MAX_ANSWER_CHARS"] = 40
    login(page, live_app, recruiter)
    interview_id = start_interview(page, live_app)
    text = "These notes are certainly longer than forty characters."
    page.locator("#interview-notes").fill(text)
    page.wait_for_selector("#notes .notes-message:not(.hidden)")
    assert "40" in page.locator("#notes .notes-message").inner_text()
    assert page.locator("#save-state").get_attribute("data-state") == "error"
    assert page.locator("#interview-notes").input_value() == text
    assert saved_notes(live_app, interview_id) == ("", 0)
    page.locator("#interview-notes").fill("Short now.")
    page.wait_for_selector("#save-state[data-state=saved]")
    assert saved_notes(live_app, interview_id) == ("Short now.", 1)
    assert page.locator("#notes .notes-message").is_hidden()
