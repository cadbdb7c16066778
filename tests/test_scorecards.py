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


# ---------------------------------------------------------------- review fixes


def _user(world, key) -> User:
    return db.session.get(User, world[key])


def test_changed_answers_lose_their_tags_and_tags_are_reviewed_only_when_completed(app, client, auth, world):
    interview_id = run_interview(app, world, "Edited", [GOOD])
    with app.app_context():
        tag = db.session.scalar(sa.select(EvidenceTag).where(EvidenceTag.source == "model").order_by(EvidenceTag.id))
        answer_id, tag_id, start, end = tag.answer_id, tag.id, tag.start, tag.end
        qid = tag.answer.question_id
        scorecards.review_tag(tag_id, "confirmed", _user(world, "manager1"))
        scorecards.add_tag(answer_id, start, end, "loyalty" if tag.indicator != "loyalty" else "internal",
                           _user(world, "manager1"))
        interviews.reopen_interview(interview_id, _user(world, "admin"), "the answer was typed into the wrong field")
        # an interview in progress is not reviewed
        with pytest.raises(ServiceError, match="completed"):
            scorecards.review_tag(tag_id, "rejected", _user(world, "manager1"))
        with pytest.raises(ServiceError, match="completed"):
            scorecards.add_tag(answer_id, start, end, "needs", _user(world, "manager1"))
        # a rating or the same text keeps the tags; a changed text drops all of them
        r1 = _user(world, "recruiter1")
        interviews.save_answer(interview_id, qid, r1, rating=4)
        interviews.save_answer(interview_id, qid, r1, text=GOOD)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceTag)
                                 .where(EvidenceTag.answer_id == answer_id)) >= 2
        interviews.save_answer(interview_id, qid, r1, text="Совсем другой ответ. " + BAD)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceTag)
                                 .where(EvidenceTag.answer_id == answer_id)) == 0
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evidence.discard"))
        assert event.details["reviewed"] >= 2 and "Совсем" not in str(event.details)
        assert not any(e["id"] == f"feedback-{answer_id}" for e in feedback.feedback_answers())
        interviews.complete_interview(interview_id, r1)
        for t in db.session.scalars(sa.select(EvidenceTag).where(EvidenceTag.answer_id == answer_id)):
            assert t.source == "model" and t.answer.text[t.start:t.end].strip()
    auth.login("manager1@example.com")
    page = client.get(f"/scorecards/{interview_id}").get_data(as_text=True)
    assert "Совсем другой ответ." in page and 'id="stale-note"' not in page


def test_review_of_an_open_interview_is_refused_on_the_page(app, client, auth, world):
    interview_id = run_interview(app, world, "Reopened", [GOOD])
    with app.app_context():
        tag = db.session.scalar(sa.select(EvidenceTag).order_by(EvidenceTag.id))
        tag_id, answer_id, start, end = tag.id, tag.answer_id, tag.start, tag.end
        interviews.reopen_interview(interview_id, _user(world, "admin"), "fix")
    auth.login("manager1@example.com")
    response = client.post(f"/scorecards/{interview_id}/tags/{tag_id}", data={"verdict": "rejected"})
    assert response.status_code == 422 and "once the interview is completed" in response.get_data(as_text=True)
    response = client.post(f"/scorecards/{interview_id}/answers/{answer_id}/tags",
                           data={f"add{answer_id}-span": f"{start}-{end}", f"add{answer_id}-indicator": "needs"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(EvidenceTag, tag_id).verdict is None


def test_a_span_that_is_not_ascii_digits_is_a_clear_4xx(app, client, auth, world):
    interview_id = run_interview(app, world, "Spans", [GOOD])
    with app.app_context():
        answer_id = db.session.scalar(sa.select(EvidenceTag.answer_id).order_by(EvidenceTag.id))
    auth.login("manager1@example.com")
    for span in ("²-5", "1-²", "9" * 25 + "-5", "", "3-", "-1-4"):
        response = client.post(f"/scorecards/{interview_id}/answers/{answer_id}/tags",
                               data={f"add{answer_id}-span": span, f"add{answer_id}-indicator": "loyalty"})
        assert response.status_code == 422, span
        page = response.get_data(as_text=True)
        assert "Choose a sentence of the answer." in page
        assert '<option selected value="loyalty">' in page  # the chosen indicator stays chosen


def test_completed_but_never_scored_interviews_can_be_scored(app, client, auth, api_token, world, monkeypatch):
    with app.app_context():
        r1 = _user(world, "recruiter1")
        withdrawn = candidates.create_candidate(candidates.CandidateInput("Withdrew", consent=True), r1, "v1")
        first = interviews.start_interview(interviews.StartInput(withdrawn.id, vacancy_id=world["vacancy"]), r1).id
        candidates.withdraw_consent(withdrawn.id, r1)
        interviews.complete_interview(first, r1)
        failing = candidates.create_candidate(candidates.CandidateInput("Crashed", consent=True), r1, "v1")
        second = interviews.start_interview(interviews.StartInput(failing.id, vacancy_id=world["vacancy"]), r1)
        interviews.save_answer(second.id, second.guide_snapshot["questions"][0]["id"], r1, text=GOOD, rating=4)
        second = second.id

        def broken(*args, **kwargs):
            raise RuntimeError("the tagger crashed")

        monkeypatch.setattr(scoring, "score_interview", broken)
        interviews.complete_interview(second, r1)  # the completion stands
        monkeypatch.undo()
        assert db.session.get(Interview, second).is_locked and scoring.latest_score(db.session.get(Interview, second)) is None
    auth.login("recruiter1@example.com")
    page = client.get(f"/scorecards/{first}").get_data(as_text=True)
    assert "Completed, not scored yet: the candidate&#39;s consent" in page and 'id="rescore-form"' in page
    page = client.get(f"/scorecards/{second}").get_data(as_text=True)
    assert "Completed, not scored yet: scoring did not finish" in page and 'id="rescore-form"' in page
    assert "not completed yet" not in page
    headers = api_token("manager", "manager1@example.com")
    body = client.get(f"/api/v1/interviews/{second}/scorecard", headers=headers)
    assert body.status_code == 409 and "completed, not scored yet" in body.get_json()["message"]
    assert client.post(f"/scorecards/{second}/rescore").status_code == 302
    assert 'id="hiring-score"' in client.get(f"/scorecards/{second}").get_data(as_text=True)
    assert client.post(f"/scorecards/{first}/rescore").status_code == 302  # refused: no consent, said so
    assert "no active consent" in client.get(f"/scorecards/{first}").get_data(as_text=True)
    auth.logout()
    auth.login("manager1@example.com")
    assert 'id="rescore-form"' not in client.get(f"/scorecards/{first}").get_data(as_text=True)
    assert client.post(f"/scorecards/{first}/rescore").status_code == 403


def test_a_reopened_interview_shows_no_stale_score(app, client, auth, world):
    interview_id = run_interview(app, world, "Again", [GOOD], [5])
    with app.app_context():
        interviews.reopen_interview(interview_id, _user(world, "admin"), "one more question")
        candidates.withdraw_consent(db.session.get(Interview, interview_id).candidate_id, _user(world, "recruiter1"))
        interviews.complete_interview(interview_id, _user(world, "recruiter1"))
        assert scoring.latest_score(db.session.get(Interview, interview_id)) is not None  # kept for the audit trail
    auth.login("recruiter1@example.com")
    page = client.get(f"/scorecards/{interview_id}").get_data(as_text=True)
    assert 'id="hiring-score"' not in page and "Completed, not scored yet" in page


def test_bands_follow_the_current_thresholds_everywhere(app, client, auth, api_token, world):
    interview_id = run_interview(app, world, "Banded", [GOOD], [5])
    with app.app_context():
        record = scoring.latest_score(db.session.get(Interview, interview_id))
        recorded, record_id = record.recommendation, record.id
        assert recorded not in ("insufficient", None)
        new = "no" if recorded != "no" else "strong_yes"
        value = 100.0 if new == "no" else 0.0
        for key in ("band_strong_yes", "band_yes", "band_mixed"):
            settings.set_value(key, value, world["admin"])
    label = {"no": "No", "strong_yes": "Strong yes"}[new]
    auth.login("manager1@example.com")
    page = client.get(f"/scorecards/{interview_id}").get_data(as_text=True)
    assert f'data-band="{new}"' in page
    assert f"strong yes from {value:g}, yes from {value:g}, mixed from {value:g}" in page
    assert "When it was scored, the thresholds then in force gave" in page
    compare = client.get(f"/scorecards/vacancy/{world['vacancy']}").get_data(as_text=True)
    assert f'<span class="badge {"bad" if new == "no" else "ok"}">{label}</span>' in compare
    assert f"strong yes from {value:g}" in compare
    rows = list(csv.DictReader(io.StringIO(client.get(f"/scorecards/vacancy/{world['vacancy']}/csv")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["recommendation"] == new and rows[0]["recommendation_when_scored"] == recorded
    from pypdf import PdfReader

    pdf = client.get(f"/scorecards/{interview_id}/pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert label in text and f"strong yes from {value:g}" in " ".join(text.split())
    body = client.get(f"/api/v1/interviews/{interview_id}/scorecard",
                      headers=api_token("manager", "manager1@example.com")).get_json()
    assert body["recommendation"] == new and body["recommendation_when_scored"] == recorded
    assert body["thresholds"] == {"strong_yes": value, "yes": value, "mixed": value}
    with app.app_context():
        assert db.session.get(ScoreRecord, record_id).recommendation == recorded  # the audit trail stays


def test_combined_scorecards_show_only_interviews_the_viewer_may_see(app, client, auth, api_token, world):
    secret = "Секретный ответ из чужого интервью. " + GOOD
    with app.app_context():
        admin, r1, r2 = _user(world, "admin"), _user(world, "recruiter1"), _user(world, "recruiter2")
        vacancies.update_vacancy(world["vacancy"], vacancies.VacancyInput(
            "Seller", "retail_service", world["guide"], world["manager1"], (r1.id, r2.id)), admin)
        candidate = candidates.create_candidate(candidates.CandidateInput("Twice", consent=True), r2, "v1")
        ids = []
        for who, text in ((r2, secret), (r1, GOOD)):
            interview = interviews.start_interview(interviews.StartInput(candidate.id, vacancy_id=world["vacancy"]), who)
            for q in interview.guide_snapshot["questions"]:
                interviews.save_answer(interview.id, q["id"], who, text=text, rating=4)
            interviews.complete_interview(interview.id, who)
            ids.append(interview.id)
        theirs, mine = ids
        record = scoring.latest_score(db.session.get(Interview, mine))
        assert record.details["interview_ids"] == [theirs, mine]
        vacancies.update_vacancy(world["vacancy"], vacancies.VacancyInput(
            "Seller", "retail_service", world["guide"], world["manager1"], (r2.id,)), admin)
        card = scorecards.get_scorecard(mine, _user(world, "recruiter1"), audit_view=False)
        assert [a["interview"].id for a in card.answers] == [mine] * len(card.answers)
        assert card.withheld_hidden > 0
        mine_answers = {a.id for a in db.session.get(Interview, mine).answers}
    auth.login("recruiter1@example.com")
    assert client.get(f"/scorecards/{theirs}").status_code == 404
    page = client.get(f"/scorecards/{mine}").get_data(as_text=True)
    assert "Секретный" not in page and 'id="hidden-note"' in page
    body = client.get(f"/api/v1/interviews/{mine}/scorecard", headers=api_token("recruiter", "recruiter1@example.com"))
    assert "Секретный" not in body.get_data(as_text=True)
    assert {a["answer_id"] for a in body.get_json()["answers"]} == mine_answers
    auth.logout()
    auth.login("manager1@example.com")  # the vacancy's manager sees both
    assert "Секретный" in client.get(f"/scorecards/{mine}").get_data(as_text=True)


def test_quotes_of_answers_changed_after_scoring_are_withheld(app, client, auth, world):
    with app.app_context():
        r1 = _user(world, "recruiter1")
        candidate = candidates.create_candidate(candidates.CandidateInput("Changed", consent=True), r1, "v1")
        ids = []
        for _ in range(2):
            interview = interviews.start_interview(interviews.StartInput(candidate.id, vacancy_id=world["vacancy"]), r1)
            for q in interview.guide_snapshot["questions"]:
                interviews.save_answer(interview.id, q["id"], r1, text=GOOD, rating=4)
            interviews.complete_interview(interview.id, r1)
            ids.append(interview.id)
        first, second = ids
        interviews.reopen_interview(first, _user(world, "admin"), "typo")
        q0 = db.session.get(Interview, first).guide_snapshot["questions"][0]["id"]
        interviews.save_answer(first, q0, r1, text="Короткий новый текст.")
        card = scorecards.get_scorecard(second, _user(world, "manager1"), audit_view=False)
        assert card.withheld_stale > 0
        quotes = [r["quote"] for i in card.indicators for r in i["refs"]]
        assert quotes and all(q in GOOD for q in quotes)
    auth.login("manager1@example.com")
    assert 'id="stale-note"' in client.get(f"/scorecards/{second}").get_data(as_text=True)


def test_views_do_not_commit_and_the_pdf_export_is_audited(app, client, auth, world):
    import inspect

    from screening.scorecards import routes

    assert "commit(" not in inspect.getsource(routes)
    interview_id = run_interview(app, world, "Audited", [GOOD])
    auth.login("manager1@example.com")
    assert client.get(f"/scorecards/{interview_id}/pdf").status_code == 200
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "scorecard.export_pdf"))
        assert event.object_id == str(interview_id) and event.actor_id == world["manager1"]
