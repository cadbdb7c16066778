"""Scorecards: scoring on completion, evidence traced to quotes, decisions, feedback, exports, access."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from screening.bank import service as bank
from screening.extensions import db
from screening.models import AuditEvent, Decision, EvidenceTag, Interview, ScoreRecord, User
from screening.services import candidates, feedback, interviews, scorecards, scoring, settings, vacancies
from screening.services.errors import Forbidden, NotFound, ServiceError

BANK = Path(__file__).resolve().parent.parent / "question_bank"
GOOD = ("Клиентка пришла вернуть ноутбук, он сильно грелся. Я спросила, для чего она его использует. "
        "Я предложила ей недорогую подставку вместо новой модели, потому что ей это подходило. "
        "Через неделю я сама позвонила ей и проверила, что всё работает.")
BAD = "Я сказал клиенту, что это не моя работа, и отправил его в другой отдел. Пусть сами разбираются."
SCRIPT = "<script>alert('x')</script> Я уточнила, что нужно клиенту."


@pytest.fixture
def app_config(small_models_dir):
    return {"MODELS_DIR": str(small_models_dir)}


@pytest.fixture
def world(app, make_user):
    ids = {key: make_user(f"{key}@example.com", key.rstrip("12")) for key in
           ("recruiter1", "recruiter2", "manager1", "manager2", "admin")}
    with app.app_context():
        bank.import_bank(BANK)
        r1 = db.session.get(User, ids["recruiter1"])
        guide_id = next(g.id for g in bank.list_guides() if g.role == "retail_service")
        vacancy = vacancies.create_vacancy(vacancies.VacancyInput("Seller", "retail_service", guide_id,
                                                                  ids["manager1"]), r1)
        ids.update(vacancy=vacancy.id, guide=guide_id)
    return ids


def run_interview(app, world, name: str, texts: list[str], ratings: list[int | None] | None = None) -> int:
    with app.app_context():
        r1 = db.session.get(User, world["recruiter1"])
        candidate = candidates.create_candidate(candidates.CandidateInput(name, consent=True), r1, "v1")
        interview = interviews.start_interview(interviews.StartInput(candidate.id, vacancy_id=world["vacancy"],
                                                                     lang="ru"), r1)
        for n, question in enumerate(interview.guide_snapshot["questions"]):
            text = texts[n % len(texts)]
            rating = ratings[n % len(ratings)] if ratings else None
            interviews.save_answer(interview.id, question["id"], r1, text=text, rating=rating)
        interviews.complete_interview(interview.id, r1)
        return interview.id


def test_completing_scores_and_records_the_event(app, world):
    interview_id = run_interview(app, world, "Good", [GOOD], [5])
    with app.app_context():
        record = db.session.scalar(sa.select(ScoreRecord).where(ScoreRecord.interview_id == interview_id))
        assert 0 <= record.low <= record.hiring_score <= record.high <= 100
        assert record.model_version and record.bank_version_id
        assert record.recommendation in scorecards.BANDS
        assert db.session.scalar(sa.select(EvidenceTag).where(EvidenceTag.source == "model")) is not None
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "interview.score"))
        assert event.details["model_version"] == record.model_version


def test_better_evidence_scores_higher_and_rescoring_is_deterministic(app, world):
    good = run_interview(app, world, "Good", [GOOD], [5])
    bad = run_interview(app, world, "Bad", [BAD], [1])
    with app.app_context():
        good_record = scoring.latest_score(db.session.get(Interview, good))
        bad_record = scoring.latest_score(db.session.get(Interview, bad))
        assert good_record.hiring_score > bad_record.hiring_score
        again = scoring.score_interview(db.session.get(Interview, good), None)
        assert again.hiring_score == good_record.hiring_score
        assert again.details["indicators"] == good_record.details["indicators"]


def test_scorecard_page_quotes_evidence_and_escapes_text(app, client, auth, world):
    interview_id = run_interview(app, world, "Escaper", [SCRIPT, GOOD])
    auth.login("manager1@example.com")
    page = client.get(f"/scorecards/{interview_id}").get_data(as_text=True)
    assert "<script>alert" not in page and page.count("<script") == 1  # only the app's own script file
    assert "&lt;script&gt;" in page and "alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert 'id="hiring-score"' in page and "<svg" in page and 'data-indicator="needs"' in page
    assert "Я спросила, для чего она его использует." in page
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "scorecard.view"))


def test_pdf_export_renders_and_escapes(app, client, auth, world):
    interview_id = run_interview(app, world, "Пётр Пдфов", [SCRIPT, GOOD])
    auth.login("manager1@example.com")
    response = client.get(f"/scorecards/{interview_id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Пётр Пдфов" in text and "<script>alert('x')</script>" in text  # shown as text, not run


def test_vacancy_comparison_and_csv(app, client, auth, world):
    run_interview(app, world, "=HYPERLINK(evil)", [BAD], [1])
    run_interview(app, world, "Anna", [GOOD], [5])
    auth.login("manager1@example.com")
    page = client.get(f"/scorecards/vacancy/{world['vacancy']}").get_data(as_text=True)
    assert page.index("Anna") < page.index("HYPERLINK")  # sorted by score, best first
    by_name = client.get(f"/scorecards/vacancy/{world['vacancy']}?sort=name").get_data(as_text=True)
    assert by_name.index("HYPERLINK") < by_name.index("Anna")
    response = client.get(f"/scorecards/vacancy/{world['vacancy']}/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["candidate"] for r in rows] == ["Anna", "'=HYPERLINK(evil)"]
    assert float(rows[0]["hiring_score"]) > float(rows[1]["hiring_score"])


def test_access_to_scorecards(app, client, auth, world):
    interview_id = run_interview(app, world, "Private", [GOOD])
    for outsider in ("manager2@example.com", "recruiter2@example.com"):
        auth.login(outsider)
        assert client.get(f"/scorecards/{interview_id}").status_code == 404
        assert client.get(f"/scorecards/{interview_id}/pdf").status_code == 404
        assert client.get(f"/scorecards/vacancy/{world['vacancy']}").status_code == 404
        assert client.get(f"/scorecards/vacancy/{world['vacancy']}/csv").status_code == 404
        auth.logout()
    auth.login("recruiter1@example.com")
    assert client.get(f"/scorecards/{interview_id}").status_code == 200


def test_decisions_are_made_by_people_with_a_reason(app, world):
    interview_id = run_interview(app, world, "Decided", [GOOD])
    with app.app_context():
        with pytest.raises(Forbidden):
            scorecards.decide(interview_id, db.session.get(User, world["recruiter1"]), "advance", "good")
        with pytest.raises(NotFound):
            scorecards.decide(interview_id, db.session.get(User, world["manager2"]), "advance", "good")
        with pytest.raises(ServiceError):
            scorecards.decide(interview_id, db.session.get(User, world["manager1"]), "advance", "  ")
        decision = scorecards.decide(interview_id, db.session.get(User, world["manager1"]), "reject",
                                     "Strong answers, but the role needs evening shifts.")
        assert decision.decided_by_id == world["manager1"]
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "decision"))
        assert event.details["decision"] == "reject" and "overrides" in event.details
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 1


def test_decision_form_keeps_input_on_error(app, client, auth, world):
    interview_id = run_interview(app, world, "Form", [GOOD])
    auth.login("manager1@example.com")
    response = client.post(f"/scorecards/{interview_id}/decision", data={"decision": "maybe", "rationale": "Kept text"})
    assert response.status_code == 422 and "Kept text" in response.get_data(as_text=True)
    response = client.post(f"/scorecards/{interview_id}/decision", data={"decision": "advance", "rationale": "Clear yes"})
    assert response.status_code == 302


def test_reviewer_feedback_reaches_training(app, client, auth, world):
    interview_id = run_interview(app, world, "Feedback", [GOOD])
    with app.app_context():
        tag = db.session.scalar(sa.select(EvidenceTag).where(EvidenceTag.source == "model"))
        tag_id, answer_id, start, end = tag.id, tag.answer_id, tag.start, tag.end
        indicator = tag.indicator
    auth.login("manager1@example.com")
    assert client.post(f"/scorecards/{interview_id}/tags/{tag_id}", data={"verdict": "rejected"}).status_code == 302
    other = next(i for i in ("extra_mile", "loyalty", "internal") if i != indicator)
    response = client.post(f"/scorecards/{interview_id}/answers/{answer_id}/tags",
                           data={f"add{answer_id}-span": f"{start}-{end}", f"add{answer_id}-indicator": other,
                                 f"add{answer_id}-answer_id": answer_id})
    assert response.status_code == 302
    with app.app_context():
        examples = feedback.feedback_answers()
        sentence = next(s for e in examples for s in e["sentences"])
        assert other in sentence["indicators"] and indicator not in sentence["indicators"]
        assert examples[0]["lang"] == "ru" and examples[0]["rating"] is None
        # rescoring keeps what reviewers said
        scoring.score_interview(db.session.get(Interview, interview_id), None)
        assert db.session.get(EvidenceTag, tag_id).verdict == "rejected"
    auth.logout()
    auth.login("recruiter2@example.com")
    assert client.post(f"/scorecards/{interview_id}/tags/{tag_id}", data={"verdict": "confirmed"}).status_code == 404


def test_classifier_switched_off_still_scores_from_interviewer_ratings(app, world):
    with app.app_context():
        settings.set_value("classifier_enabled", False, world["admin"])
    interview_id = run_interview(app, world, "Manual", [GOOD], [4])
    with app.app_context():
        record = scoring.latest_score(db.session.get(Interview, interview_id))
        assert record.model_version is None and record.hiring_score is not None
        assert db.session.scalar(sa.select(EvidenceTag)) is None


def test_no_scoring_without_consent(app, world):
    with app.app_context():
        r1 = db.session.get(User, world["recruiter1"])
        candidate = candidates.create_candidate(candidates.CandidateInput("Withdrawn", consent=True), r1, "v1")
        interview = interviews.start_interview(interviews.StartInput(candidate.id, vacancy_id=world["vacancy"]), r1)
        interviews.save_answer(interview.id, interview.guide_snapshot["questions"][0]["id"], r1, text=GOOD)
        candidates.withdraw_consent(candidate.id, r1)
        interviews.complete_interview(interview.id, r1)
        assert scoring.latest_score(interview) is None


def test_api_scorecard(app, client, api_token, world):
    interview_id = run_interview(app, world, "Api", [GOOD, BAD], [5, 1])
    headers = api_token("manager", "manager1@example.com")
    body = client.get(f"/api/v1/interviews/{interview_id}/scorecard", headers=headers).get_json()
    assert 0 <= body["hiring_score"] <= 100
    assert body["recommendation"] in scorecards.BANDS
    assert set(body["indicators"]) == {"needs", "fit", "extra_mile", "perspective", "composure", "ownership",
                                       "internal", "loyalty", "push", "disrespect", "indifference", "servility"}
    quotes = [e["quote"] for v in body["indicators"].values() for e in v["evidence"]]
    assert quotes and all(q in GOOD or q in BAD for q in quotes)
    assert all(a["rating"] in (1, 2, 3, 4, 5) for a in body["answers"])
    outsider = api_token("manager", "manager2@example.com")
    assert client.get(f"/api/v1/interviews/{interview_id}/scorecard", headers=outsider).status_code == 404


def test_api_scorecard_of_an_open_interview_is_409(app, client, api_token, world):
    with app.app_context():
        r1 = db.session.get(User, world["recruiter1"])
        candidate = candidates.create_candidate(candidates.CandidateInput("Open", consent=True), r1, "v1")
        interview_id = interviews.start_interview(interviews.StartInput(candidate.id, vacancy_id=world["vacancy"]), r1).id
    headers = api_token("recruiter", "recruiter1@example.com")
    assert client.get(f"/api/v1/interviews/{interview_id}/scorecard", headers=headers).status_code == 409
