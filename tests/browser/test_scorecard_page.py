"""A manager opens a scorecard in a real browser: evidence quotes and the chart are there."""
from __future__ import annotations

import pytest

from screening.extensions import db
from screening.models import User
from screening.services import candidates, interviews, users, vacancies
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

ANSWER = ("Покупательница пришла с жалобой: кофемашина протекала. Я спросила, как она ею пользуется и что для неё важно. "
          "Я предложила заменить уплотнитель бесплатно, а не продавать новую модель, потому что это решало её задачу. "
          "Через три дня я сама позвонила и убедилась, что всё работает.")


def test_manager_sees_quotes_and_chart(page, live_app):
    from screening.bank import service as bank

    with live_app.app.app_context():
        recruiter = users.create_user("rec@example.com", "recruiter", PASSWORD)
        manager = users.create_user("man@example.com", "manager", PASSWORD)
        guide = bank.list_guides()[0]
        vacancy = vacancies.create_vacancy(vacancies.VacancyInput("Consultant", guide.role, guide.id, manager.id),
                                           db.session.get(User, recruiter.id))
        candidate = candidates.create_candidate(candidates.CandidateInput("Ольга Орлова", consent=True),
                                                db.session.get(User, recruiter.id), "v1")
        interview = interviews.start_interview(interviews.StartInput(candidate.id, vacancy_id=vacancy.id, lang="ru"),
                                               db.session.get(User, recruiter.id))
        for question in interview.guide_snapshot["questions"]:
            interviews.save_answer(interview.id, question["id"], db.session.get(User, recruiter.id), text=ANSWER, rating=4)
        interviews.complete_interview(interview.id, db.session.get(User, recruiter.id))
        interview_id = interview.id
    page.goto(live_app.url + "/login")
    page.fill("input[name=email]", "man@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(f"{live_app.url}/scorecards/{interview_id}")
    assert page.locator("#hiring-score").inner_text().strip()
    assert page.locator("svg.chart g[data-indicator]").count() == 12
    assert page.locator("svg.chart rect").count() >= 12
    quotes = page.locator("#evidence blockquote.quote")
    assert quotes.count() >= 1
    assert quotes.first.inner_text().strip("“” \n") in ANSWER or any(
        q.strip("“” \n").split("”")[0] in ANSWER for q in quotes.all_inner_texts())
    page.locator("#evidence blockquote.quote a").first.click()
    assert "#answer-" in page.url
    assert page.locator("section[id^=answer-] .sent.pos").count() >= 1
