"""Vacancies, candidates with consent, and the interview room's rules (pages and API)."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from screening.bank import service as bank
from screening.extensions import db
from screening.models import Answer, AuditEvent, Interview, User
from screening.services import candidates, interviews, vacancies
from screening.services.errors import Conflict, Forbidden, Locked, NotFound, ServiceError, TooLarge

BANK = Path(__file__).resolve().parent.parent / "question_bank"


@pytest.fixture
def world(app, make_user):
    """A loaded bank, two recruiters, two managers, an admin, and one vacancy for recruiter 1 / manager 1."""
    ids = {role: make_user(f"{role}@example.com", role.rstrip("12")) for role in
           ("recruiter1", "recruiter2", "manager1", "manager2", "admin")}
    with app.app_context():
        bank.import_bank(BANK)
        guide_id = bank.list_guides()[0].id
        r1 = db.session.get(User, ids["recruiter1"])
        vacancy = vacancies.create_vacancy(vacancies.VacancyInput("Store assistant", "retail_service", guide_id,
                                                                  ids["manager1"]), r1)
        candidate = candidates.create_candidate(candidates.CandidateInput("Ivan Petrov", "ivan@example.com", consent=True),
                                                r1, "test-v1")
        ids.update(vacancy=vacancy.id, candidate=candidate.id, guide=guide_id)
    return ids


def user(app_ids, key) -> User:
    return db.session.get(User, app_ids[key])


def start(app, world, who="recruiter1", **kw) -> int:
    with app.app_context():
        interview = interviews.start_interview(interviews.StartInput(
            candidate_id=world["candidate"], vacancy_id=kw.get("vacancy", world["vacancy"]),
            guide_id=kw.get("guide")), user(world, who))
        return interview.id


def first_question(app, interview_id) -> str:
    with app.app_context():
        return db.session.get(Interview, interview_id).guide_snapshot["questions"][0]["id"]


# ---------------------------------------------------------------- services


def test_start_pins_the_bank_version_and_creates_answers(app, world):
    interview_id = start(app, world)
    with app.app_context():
        interview = db.session.get(Interview, interview_id)
        assert interview.bank_version.number == 1
        assert len(interview.answers) == len(interview.guide_snapshot["questions"]) >= 4
        assert interview.interviewer_id == world["recruiter1"]
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "interview.start"))


def test_no_interview_without_consent(app, world):
    with app.app_context():
        candidates.withdraw_consent(world["candidate"], user(world, "recruiter1"))
        with pytest.raises(ServiceError, match="consent"):
            interviews.start_interview(interviews.StartInput(candidate_id=world["candidate"], vacancy_id=world["vacancy"]),
                                       user(world, "recruiter1"))
    with app.app_context():
        with pytest.raises(ServiceError) as info:
            candidates.create_candidate(candidates.CandidateInput("No Consent", consent=False),
                                        user(world, "recruiter1"), "v")
        assert "consent" in info.value.reasons


def test_answers_save_with_versions_and_conflicts(app, world):
    interview_id = start(app, world)
    qid = first_question(app, interview_id)
    with app.app_context():
        r1 = user(world, "recruiter1")
        a = interviews.save_answer(interview_id, qid, r1, text="first", expected_version=0)
        assert a.version == 1
        a = interviews.save_answer(interview_id, qid, r1, text="second", rating=4, expected_version=1)
        assert (a.version, a.text, a.rating) == (2, "second", 4)
        with pytest.raises(Conflict) as info:
            interviews.save_answer(interview_id, qid, r1, text="stale tab", expected_version=1)
        assert info.value.current["text"] == "second" and info.value.current["version"] == 2
        assert db.session.scalar(sa.select(Answer.text).where(Answer.interview_id == interview_id,
                                                              Answer.question_id == qid)) == "second"


def test_empty_answers_are_saved_and_bad_values_refused(app, world):
    interview_id = start(app, world)
    qid = first_question(app, interview_id)
    with app.app_context():
        r1 = user(world, "recruiter1")
        assert interviews.save_answer(interview_id, qid, r1, text="").text == ""
        for rating in (0, 6, "4", True, 3.5):
            with pytest.raises(ServiceError):
                interviews.save_answer(interview_id, qid, r1, rating=rating)
        with pytest.raises(TooLarge):
            interviews.save_answer(interview_id, qid, r1, text="x" * 20_001)
        with pytest.raises(NotFound):
            interviews.save_answer(interview_id, "not-in-this-interview", r1, text="x")


def test_completing_locks_and_only_an_admin_reopens(app, world):
    interview_id = start(app, world)
    qid = first_question(app, interview_id)
    with app.app_context():
        interviews.complete_interview(interview_id, user(world, "recruiter1"))
        with pytest.raises(Locked):
            interviews.save_answer(interview_id, qid, user(world, "recruiter1"), text="late")
        with pytest.raises(Forbidden):
            interviews.reopen_interview(interview_id, user(world, "recruiter1"), "typo")
        with pytest.raises(ServiceError):
            interviews.reopen_interview(interview_id, user(world, "admin"), "  ")
        interviews.reopen_interview(interview_id, user(world, "admin"), "a typo in answer 2")
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "interview.reopen"))
        assert event.details["reason"] == "a typo in answer 2" and event.actor_id == world["admin"]
        assert interviews.save_answer(interview_id, qid, user(world, "recruiter1"), text="fixed").text == "fixed"


def test_object_level_access(app, world):
    interview_id = start(app, world)
    qid = first_question(app, interview_id)
    with app.app_context():
        # another recruiter and another vacancy's manager do not even see it
        for outsider in ("recruiter2", "manager2"):
            with pytest.raises(NotFound):
                interviews.save_answer(interview_id, qid, user(world, outsider), text="x")
            assert interview_id not in [i.id for i in interviews.list_interviews(user(world, outsider))]
        # the vacancy's manager sees it but cannot edit
        assert interview_id in [i.id for i in interviews.list_interviews(user(world, "manager1"))]
        with pytest.raises(Forbidden):
            interviews.save_answer(interview_id, qid, user(world, "manager1"), text="x")
        # a recruiter assigned to the vacancy later gains access
        vacancies.update_vacancy(world["vacancy"], vacancies.VacancyInput(
            "Store assistant", "retail_service", world["guide"], world["manager1"],
            (world["recruiter1"], world["recruiter2"])), user(world, "admin"))
        assert interviews.save_answer(interview_id, qid, user(world, "recruiter2"), text="ok").version == 1


# ---------------------------------------------------------------- pages


def test_recruiter_runs_an_interview_through_the_pages(app, client, auth, world):
    auth.login("recruiter1@example.com")
    response = client.post("/interviews/new", data={"candidate_id": world["candidate"], "vacancy_id": world["vacancy"],
                                                    "guide_id": "", "lang": "en"})
    assert response.status_code == 302
    interview_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    page = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert 'id="room"' in page and 'data-editable="true"' in page and "Ivan Petrov" in page
    qid = first_question(app, interview_id)
    saved = client.put(f"/interviews/{interview_id}/answers/{qid}", json={"text": "I asked what she needed.", "version": 0})
    assert saved.status_code == 200 and saved.get_json()["version"] == 1
    stale = client.put(f"/interviews/{interview_id}/answers/{qid}", json={"text": "other tab", "version": 0})
    assert stale.status_code == 409
    assert stale.get_json()["current"]["text"] == "I asked what she needed."
    too_long = client.put(f"/interviews/{interview_id}/answers/{qid}", json={"text": "x" * 20_001, "version": 1})
    assert too_long.status_code == 413 and "20000" in too_long.get_json()["message"]
    bad = client.put(f"/interviews/{interview_id}/answers/{qid}", json={"rating": 9, "version": 1})
    assert bad.status_code == 422
    assert client.put(f"/interviews/{interview_id}/notes", json={"notes": "calm, specific"}).status_code == 200
    tagged = client.post(f"/interviews/{interview_id}/tag", json={"text": "I asked what she needed."})
    assert tagged.status_code == 200 and "available" in tagged.get_json()
    assert client.post(f"/interviews/{interview_id}/complete").status_code == 302
    locked = client.put(f"/interviews/{interview_id}/answers/{qid}", json={"text": "late", "version": 1})
    assert locked.status_code == 409 and locked.get_json()["error"] == "locked"
    assert 'data-editable="false"' in client.get(f"/interviews/{interview_id}").get_data(as_text=True)


def test_other_users_get_404_on_pages(app, client, auth, world):
    interview_id = start(app, world)
    qid = first_question(app, interview_id)
    auth.login("recruiter2@example.com")
    assert client.get(f"/interviews/{interview_id}").status_code == 404
    assert client.put(f"/interviews/{interview_id}/answers/{qid}", json={"text": "x"}).status_code == 404
    assert client.get(f"/candidates/{world['candidate']}").status_code == 404
    assert client.get(f"/vacancies/{world['vacancy']}").status_code == 404
    auth.logout()
    auth.login("manager1@example.com")
    assert client.get(f"/interviews/{interview_id}").status_code == 200
    assert client.put(f"/interviews/{interview_id}/answers/{qid}", json={"text": "x"}).status_code == 403


def test_start_form_errors_keep_choices(app, client, auth, world):
    with app.app_context():
        candidates.withdraw_consent(world["candidate"], user(world, "recruiter1"))
    auth.login("recruiter1@example.com")
    response = client.post("/interviews/new", data={"candidate_id": world["candidate"], "vacancy_id": world["vacancy"],
                                                    "lang": "ru"})
    assert response.status_code == 422


def test_candidate_form_requires_consent_and_keeps_input(client, auth, world):
    auth.login("recruiter1@example.com")
    response = client.post("/candidates/new", data={"name": "Maria Ivanova", "email": "m@example.com"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Maria Ivanova" in page and "consent is required" in page
    assert client.post("/candidates/new", data={"name": "Maria Ivanova", "consent": "y"}).status_code == 302


def test_vacancy_pages(client, auth, world):
    auth.login("recruiter1@example.com")
    assert client.get("/vacancies/").status_code == 200
    response = client.post("/vacancies/new", data={"title": "", "role": "retail_service"})
    assert response.status_code == 422
    response = client.post("/vacancies/new", data={"title": "Cashier", "role": "retail_service",
                                                   "guide_id": world["guide"], "manager_id": world["manager1"]})
    assert response.status_code == 302
    auth.logout()
    auth.login("manager1@example.com")
    assert client.get("/vacancies/new").status_code == 403
    assert "Cashier" in client.get("/vacancies/").get_data(as_text=True)


# ---------------------------------------------------------------- API (contract)


def test_api_candidate_and_interview_flow(app, client, api_token, world):
    headers = api_token("recruiter", "recruiter1@example.com")
    assert client.post("/api/v1/candidates", json={"name": "No consent"}, headers=headers).status_code == 422
    response = client.post("/api/v1/candidates", json={"name": "Olga", "email": "olga@example.com", "consent": True},
                           headers=headers)
    assert response.status_code == 201
    candidate = response.get_json()
    assert candidate["consent"]["text_version"]
    response = client.post("/api/v1/interviews", json={"candidate_id": candidate["id"], "guide_id": world["guide"],
                                                       "vacancy_id": world["vacancy"]}, headers=headers)
    assert response.status_code == 201, response.get_json()
    interview = response.get_json()
    qid = interview["questions"][0]["id"]
    assert interview["questions"][0]["probes"]
    url = f"/api/v1/interviews/{interview['id']}/answers/{qid}"
    first = client.put(url, json={"text": "Answer", "rating": 4, "version": 0}, headers=headers)
    assert first.status_code == 200 and first.get_json()["version"] == 1
    conflict = client.put(url, json={"text": "Other", "version": 0}, headers=headers)
    assert conflict.status_code == 409 and conflict.get_json()["current"]["text"] == "Answer"
    assert client.put(f"/api/v1/interviews/{interview['id']}/answers/nope", json={"text": "x"},
                      headers=headers).status_code == 404
    assert client.put(url, json={"rating": 7}, headers=headers).status_code == 422
    assert client.post(f"/api/v1/interviews/{interview['id']}/complete", headers=headers).status_code == 200
    assert client.put(url, json={"text": "late"}, headers=headers).status_code == 409


def test_api_guides(client, api_token, world):
    headers = api_token("manager")
    listing = client.get("/api/v1/guides", headers=headers).get_json()["guides"]
    assert len(listing) >= 6
    guide = client.get(f"/api/v1/guides/{world['guide']}", headers=headers).get_json()
    assert guide["questions"][0]["probes"] and guide["questions"][0]["indicators"]
    assert client.get("/api/v1/guides/nope", headers=headers).status_code == 404


def test_api_access_rules(app, client, api_token, world):
    interview_id = start(app, world)
    qid = first_question(app, interview_id)
    outsider = api_token("recruiter", "recruiter2@example.com")
    assert client.put(f"/api/v1/interviews/{interview_id}/answers/{qid}", json={"text": "x"},
                      headers=outsider).status_code == 404
    manager = api_token("manager", "manager1@example.com")
    assert client.post("/api/v1/interviews", json={"candidate_id": world["candidate"], "guide_id": world["guide"]},
                       headers=manager).status_code == 403
    assert client.post("/api/v1/interviews", json={"candidate_id": "1"}, headers=outsider).status_code == 422


# ---------------------------------------------------------------- review fixes: races, notes, lists, bad input


def _complete_meanwhile(monkeypatch, app, interview_id):
    """Let a completion land between the save's checks and its UPDATE (as another process could)."""
    original = interviews._hold_open

    def hold_then_complete(iid, **kw):
        original(iid, **kw)
        db.session.execute(sa.update(Interview).where(Interview.id == interview_id).values(status="completed"))

    monkeypatch.setattr(interviews, "_hold_open", hold_then_complete)


def test_a_save_that_loses_the_race_with_completion_is_locked(app, world, monkeypatch):
    interview_id = start(app, world)
    qid = first_question(app, interview_id)
    with app.app_context():
        r1 = user(world, "recruiter1")
        interviews.save_answer(interview_id, qid, r1, text="before", expected_version=0)
        interviews.save_notes(interview_id, r1, "notes before", 0)
        _complete_meanwhile(monkeypatch, app, interview_id)
        with pytest.raises(Locked):
            interviews.save_answer(interview_id, qid, r1, text="after completion", expected_version=1)
        with pytest.raises(Locked):
            interviews.save_notes(interview_id, r1, "notes after completion", 1)
        db.session.rollback()
        assert db.session.scalar(sa.select(Answer.text).where(Answer.interview_id == interview_id,
                                                              Answer.question_id == qid)) == "before"
        assert db.session.scalar(sa.select(Interview.notes).where(Interview.id == interview_id)) == "notes before"


def test_notes_carry_a_version_like_answers(app, world):
    interview_id = start(app, world)
    with app.app_context():
        r1 = user(world, "recruiter1")
        saved = interviews.save_notes(interview_id, r1, "calm", 0)
        assert (saved.notes, saved.version) == ("calm", 1)
        assert interviews.save_notes(interview_id, r1, "calm, specific", 1).version == 2
        with pytest.raises(Conflict) as info:
            interviews.save_notes(interview_id, r1, "from a stale tab", 1)
        assert info.value.current == {"notes": "calm, specific", "version": 2}
        with pytest.raises(TooLarge):
            interviews.save_notes(interview_id, r1, "x" * 20_001, 2)
        with pytest.raises(ServiceError):
            interviews.save_notes(interview_id, r1, "x", "2")
        with pytest.raises(Forbidden):
            interviews.save_notes(interview_id, user(world, "manager1"), "x", 2)


def test_notes_endpoint_reports_versions_conflicts_and_refusals(app, client, auth, world):
    interview_id = start(app, world)
    auth.login("recruiter1@example.com")
    page = client.get(f"/interviews/{interview_id}").get_data(as_text=True)
    assert 'id="notes" data-version="0"' in page
    url = f"/interviews/{interview_id}/notes"
    ok = client.put(url, json={"notes": "calm", "version": 0})
    assert ok.status_code == 200 and ok.get_json() == {"notes": "calm", "version": 1}
    stale = client.put(url, json={"notes": "other tab", "version": 0})
    assert stale.status_code == 409 and stale.get_json()["error"] == "conflict"
    assert stale.get_json()["current"] == {"notes": "calm", "version": 1}
    too_long = client.put(url, json={"notes": "x" * 20_001, "version": 1})
    assert too_long.status_code == 413 and "20000" in too_long.get_json()["message"]
    assert 'id="notes" data-version="1"' in client.get(f"/interviews/{interview_id}").get_data(as_text=True)


def test_candidate_and_vacancy_pages_list_interviews_beyond_the_list_cap(app, client, auth, world):
    oldest = start(app, world)
    with app.app_context():
        other = candidates.create_candidate(candidates.CandidateInput("Many Interviews", consent=True),
                                            user(world, "recruiter1"), "v1")
        template = db.session.get(Interview, oldest)
        base = dict(vacancy_id=world["vacancy"], guide_id=template.guide_id, bank_version_id=template.bank_version_id,
                    interviewer_id=world["recruiter1"], status="in_progress", lang="ru", notes="",
                    guide_snapshot={"title": {"ru": "Другое", "en": "Other"}, "questions": []})
        db.session.execute(sa.insert(Interview), [{**base, "candidate_id": other.id} for _ in range(501)])
        db.session.commit()
    auth.login("recruiter1@example.com")
    candidate_page = client.get(f"/candidates/{world['candidate']}").get_data(as_text=True)
    assert f"/interviews/{oldest}\"" in candidate_page
    vacancy_page = client.get(f"/vacancies/{world['vacancy']}").get_data(as_text=True)
    assert f"/interviews/{oldest}\"" in vacancy_page and vacancy_page.count("Many Interviews") == 501
    auth.logout()
    auth.login("recruiter2@example.com")  # not on the vacancy: sees none of them
    assert client.get(f"/vacancies/{world['vacancy']}").status_code == 404
    with app.app_context():
        assert interviews.interviews_of(user(world, "recruiter2"), vacancy_id=world["vacancy"]) == []
        assert len(interviews.interviews_of(user(world, "manager1"), vacancy_id=world["vacancy"])) == 502


HUGE = "9" * 25


def test_huge_or_odd_ids_in_the_start_form_are_refused_with_a_message(client, auth, world):
    auth.login("recruiter1@example.com")
    for data in ({"candidate_id": HUGE, "vacancy_id": world["vacancy"]},
                 {"candidate_id": world["candidate"], "vacancy_id": HUGE},
                 {"candidate_id": "²", "vacancy_id": ""},
                 {"candidate_id": "", "vacancy_id": world["vacancy"]}):
        response = client.post("/interviews/new", data={**data, "guide_id": "", "lang": "en"})
        assert response.status_code == 422, data
        page = response.get_data(as_text=True)
        assert "Choose from the list." in page or "Choose a candidate." in page
        assert '<option selected value="en">' in page  # what was chosen stays chosen


def test_huge_ids_in_the_vacancy_form_are_refused_and_the_form_keeps_the_title(client, auth, world):
    auth.login("recruiter1@example.com")
    for extra in ({"manager_id": HUGE}, {"recruiter_ids": [str(world["recruiter1"]), HUGE]}, {"manager_id": "-1"}):
        response = client.post("/vacancies/new", data={"title": "Kept title", "role": "retail_service", **extra})
        assert response.status_code == 422, extra
        page = response.get_data(as_text=True)
        assert "Choose from the list." in page and 'value="Kept title"' in page


def test_vacancy_role_must_be_one_of_the_banks_roles(app, client, auth, world):
    with app.app_context():
        with pytest.raises(ServiceError) as info:
            vacancies.create_vacancy(vacancies.VacancyInput("Odd", "made-up-role", None, None), user(world, "recruiter1"))
        assert "role" in info.value.reasons
        with pytest.raises(ServiceError):
            vacancies.update_vacancy(world["vacancy"], vacancies.VacancyInput("Odd", "made-up-role", None, None),
                                     user(world, "recruiter1"))
    auth.login("recruiter1@example.com")
    response = client.post("/vacancies/new", data={"title": "Made up", "role": "made-up-role"})
    assert response.status_code == 422 and "roles" in response.get_data(as_text=True)
    assert 'value="Made up"' in response.get_data(as_text=True)


def test_start_page_preselects_a_guide(client, auth, world):
    auth.login("recruiter1@example.com")
    for param in ("guide", "guide_id"):
        page = client.get(f"/interviews/new?{param}={world['guide']}").get_data(as_text=True)
        assert f'<option selected value="{world["guide"]}">' in page
    response = client.post("/interviews/new", data={"candidate_id": world["candidate"], "vacancy_id": "",
                                                    "guide_id": world["guide"], "lang": "en"})
    assert response.status_code == 302


def test_service_messages_are_translatable():
    """The messages people see are marked for translation (extracted into the catalogue)."""
    from babel.messages.extract import extract_from_file

    root = Path(__file__).resolve().parent.parent / "screening" / "services"
    found = set()
    for name in ("candidates.py", "scoring.py"):
        found |= {m[1] for m in extract_from_file("python", root / name, keywords={"_l": None})}
    assert "Only recruiters and admins record consent." in found
    assert "The candidate has no active consent: the interview is not scored." in found
