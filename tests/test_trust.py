"""Trust: every route against other users' objects, audit trail, data rights, sessions, tokens."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from screening.bank import service as bank
from screening.extensions import db
from screening.models import (Answer, AuditEvent, Candidate, Decision, EvidenceTag, Interview, User, Vacancy)
from screening.security import ACCESS_ATTR
from screening.services import candidates, interviews, privacy, scorecards, vacancies
from screening.services.errors import Locked

BANK = Path(__file__).resolve().parent.parent / "question_bank"
SECRET_TEXT = "Я уточнила у клиентки Зульфии Примеровой, что ей нужно."


@pytest.fixture
def app_config(small_models_dir):
    return {"MODELS_DIR": str(small_models_dir)}


@pytest.fixture
def world(app, make_user):
    """Objects of vacancy A (recruiter_a, manager_a); recruiter_b and manager_b work elsewhere."""
    ids = {key: make_user(f"{key}@example.com", key.split("_")[0]) for key in
           ("recruiter_a", "recruiter_b", "manager_a", "manager_b", "admin_x")}
    with app.app_context():
        bank.import_bank(BANK)
        ra = db.session.get(User, ids["recruiter_a"])
        guide_id = bank.list_guides()[0].id
        vacancy = vacancies.create_vacancy(vacancies.VacancyInput("A", "retail_service", guide_id, ids["manager_a"]), ra)
        vacancies.create_vacancy(vacancies.VacancyInput("B", "retail_service", guide_id, ids["manager_b"]),
                                 db.session.get(User, ids["recruiter_b"]))
        candidate = candidates.create_candidate(
            candidates.CandidateInput("Зульфия Примерова", "zulfia@example.com", "+7 900 000-00-00", True), ra, "v1")
        interview = interviews.start_interview(interviews.StartInput(candidate.id, vacancy_id=vacancy.id, lang="ru"), ra)
        qid = interview.guide_snapshot["questions"][0]["id"]
        interviews.save_answer(interview.id, qid, ra, text=SECRET_TEXT, rating=4, notes="Зульфия спокойна")
        interviews.save_notes(interview.id, ra, "Зульфия Примерова — заметка")
        interviews.complete_interview(interview.id, ra)
        scorecards.decide(interview.id, db.session.get(User, ids["manager_a"]), "advance", "Зульфия — сильный кандидат")
        answer = db.session.scalar(sa.select(Answer).where(Answer.interview_id == interview.id, Answer.question_id == qid))
        # A real evidence tag on this answer (not left to whether the model found one), so every
        # route with a tag id is tried against an object that exists.
        tag = EvidenceTag(answer_id=answer.id, start=0, end=len(SECRET_TEXT), indicator="needs", source="model",
                          probability=0.9, model_version="test")
        db.session.add(tag)
        db.session.commit()
        ids.update(vacancy=vacancy.id, candidate=candidate.id, interview=interview.id, answer=answer.id,
                   tag=tag.id, question=qid, guide=guide_id)
    return ids


def own_interview(app, world, who: str = "recruiter_b") -> int:
    """An interview of `who`'s own vacancy (B), which they may open."""
    with app.app_context():
        recruiter = db.session.get(User, world[who])
        vacancy_b = db.session.scalar(sa.select(Vacancy).where(Vacancy.title == "B"))
        candidate = candidates.create_candidate(candidates.CandidateInput("Bea Other", consent=True), recruiter, "v1")
        interview = interviews.start_interview(interviews.StartInput(candidate.id, vacancy_id=vacancy_b.id), recruiter)
        return interview.id


def _substitute(rule, world) -> str:
    values = {"interview_id": world["interview"], "candidate_id": world["candidate"], "vacancy_id": world["vacancy"],
              "answer_id": world["answer"], "tag_id": world["tag"], "question_id": world["question"],
              "guide_id": world["guide"], "user_id": world["recruiter_a"], "token_id": 1, "number": 1, "lang": "ru"}
    path = rule.rule
    for arg in rule.arguments:
        for pattern in (f"<int:{arg}>", f"<{arg}>", f"<path:{arg}>"):
            path = path.replace(pattern, str(values[arg]))
    return path


OBJECT_ARGS = {"interview_id", "candidate_id", "vacancy_id", "answer_id", "tag_id"}


@pytest.mark.parametrize("outsider", ["recruiter_b", "manager_b"])
def test_every_object_route_refuses_users_of_another_vacancy(app, client, auth, world, outsider):
    auth.login(f"{outsider}@example.com")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not (set(rule.arguments) & OBJECT_ARGS) or rule.rule.startswith("/api/"):
            continue
        path = _substitute(rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, json={"text": "x", "notes": "x"} if method == "PUT" else None,
                                   data=None if method == "PUT" else {"reason": "x", "rationale": "x", "decision": "advance",
                                                                      "verdict": "confirmed"})
            assert response.status_code in (403, 404), (outsider, method, path, response.status_code)
            checked += 1
    assert checked >= 20
    with app.app_context():
        assert db.session.scalar(sa.select(Answer.text).where(Answer.id == world["answer"])) == SECRET_TEXT


def test_a_tag_of_another_interview_is_refused_through_ones_own_interview(app, client, auth, world):
    """The URL names recruiter_b's own interview (visible to them) but a tag and an answer of
    vacancy A: the tag-level and answer-level checks must refuse, and nothing changes."""
    mine = own_interview(app, world)
    with app.app_context():
        tags_before = db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceTag))
    auth.login("recruiter_b@example.com")
    assert client.get(f"/scorecards/{mine}").status_code in (200, 409)  # their own interview opens
    response = client.post(f"/scorecards/{mine}/tags/{world['tag']}", data={"verdict": "rejected"})
    assert response.status_code == 404
    response = client.post(f"/scorecards/{mine}/answers/{world['answer']}/tags",
                           data={f"add{world['answer']}-span": "0-10", f"add{world['answer']}-indicator": "needs"})
    assert response.status_code == 404
    with app.app_context():
        tag = db.session.get(EvidenceTag, world["tag"])
        assert tag.verdict is None and tag.reviewer_id is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceTag)) == tags_before


@pytest.mark.parametrize("outsider", ["recruiter_b", "manager_b"])
def test_every_object_endpoint_of_the_api_refuses_outsiders(app, client, api_token, world, outsider):
    headers = api_token(outsider.split("_")[0], f"{outsider}@example.com")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or not (set(rule.arguments) & OBJECT_ARGS):
            continue
        path = _substitute(rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, json={"text": "x"}, headers=headers)
            assert response.status_code in (403, 404), (outsider, method, path, response.status_code)
            checked += 1
    assert checked >= 5


def test_each_role_on_every_parameterless_page(app, client, auth, world):
    """Anonymous users are sent to sign in; each role gets 200 or 403, never an error."""
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and not r.arguments
             and r.endpoint != "static" and not r.rule.startswith("/api/")]
    for rule in rules:
        if getattr(app.view_functions[rule.endpoint], ACCESS_ATTR) != "public":
            assert client.get(rule.rule).status_code == 302, rule.rule
    for role_user in ("recruiter_a", "manager_a", "admin_x"):
        auth.login(f"{role_user}@example.com")
        role = role_user.split("_")[0]
        for rule in rules:
            access = getattr(app.view_functions[rule.endpoint], ACCESS_ATTR)
            status = client.get(rule.rule).status_code
            expected = (200,) if access == "public" or role in access else (403,)
            assert status in expected + ((302,) if rule.endpoint == "auth.login" else ()), (role, rule.rule, status)
        auth.logout()


# ---------------------------------------------------------------- audit trail


def test_audit_log_is_append_only_at_the_database(app, runner):
    with app.app_context():
        db.drop_all()
        db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        from screening.services import audit

        audit.record("test.event", object_type="x", object_id=1)
        db.session.commit()
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(sa.text("UPDATE audit_events SET action = 'changed'"))
            db.session.commit()
        db.session.rollback()
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(sa.text("DELETE FROM audit_events"))
            db.session.commit()
        db.session.rollback()
        event = db.session.scalar(sa.select(AuditEvent))
        event.action = "changed"
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(sa.select(AuditEvent.action)) == "test.event"


def test_audit_trail_records_sensitive_actions_without_texts(app, client, auth, world):
    auth.login("manager_a@example.com")
    client.get(f"/scorecards/{world['interview']}")
    client.get(f"/scorecards/{world['interview']}/pdf")
    auth.logout()
    auth.login("admin_x@example.com")
    client.get(f"/candidates/{world['candidate']}/export")
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
        for needed in ("login.success", "interview.start", "interview.complete", "interview.score", "decision",
                       "scorecard.view", "scorecard.export_pdf", "candidate.export", "bank.version"):
            assert needed in actions, needed
        for event in db.session.scalars(sa.select(AuditEvent)):
            blob = repr(event.details) + (event.object_id or "")
            assert "Зульфия" not in blob and "уточнила" not in blob


def test_audit_page_filters_and_is_admin_only(app, client, auth, world):
    auth.login("recruiter_a@example.com")
    assert client.get("/admin/audit").status_code == 403
    auth.logout()
    auth.login("admin_x@example.com")
    page = client.get("/admin/audit?action=decision").get_data(as_text=True)
    assert "<code>decision</code>" in page and "<code>interview.start</code>" not in page
    page = client.get("/admin/audit?actor=recruiter_a").get_data(as_text=True)
    assert "recruiter_a@example.com" in page and "manager_a@example.com" not in page
    assert client.get("/admin/audit?since=not-a-date&page=x").status_code == 200


# ---------------------------------------------------------------- data rights


def tables_referring_to_candidates() -> set[str]:
    """Every table with a foreign-key path to candidates."""
    found, frontier = set(), {"candidates"}
    while frontier:
        nxt = set()
        for table in db.metadata.sorted_tables:
            if table.name in found or table.name == "candidates":
                continue
            if any(fk.column.table.name in frontier | found | {"candidates"} for fk in table.foreign_keys
                   if fk.column.table.name != "users" and fk.column.table.name != "bank_versions"
                   and fk.column.table.name != "guides" and fk.column.table.name != "vacancies"):
                nxt.add(table.name)
        found |= nxt
        frontier = nxt
    return found


def test_export_is_complete(app, client, auth, world):
    auth.login("admin_x@example.com")
    response = client.get(f"/candidates/{world['candidate']}/export")
    data = response.get_json()
    assert data["candidate"]["name"] == "Зульфия Примерова"
    with app.app_context():
        tables = tables_referring_to_candidates()
    key_for = {"consents": "consents", "demographics": "demographics", "interviews": "interviews",
               "answers": "answers", "evidence_tags": "evidence_tags", "score_records": "scores",
               "decisions": "decisions"}
    assert tables <= set(key_for), tables - set(key_for)
    for table in tables:
        assert key_for[table] in data
    assert data["answers"][0]["text"] == SECRET_TEXT or any(a["text"] == SECRET_TEXT for a in data["answers"])
    assert data["scores"] and data["scores"][0]["details"]["components"]
    assert data["decisions"][0]["decision"] == "advance"


def test_export_holds_no_other_candidate(app, client, auth, world):
    with app.app_context():
        ra = db.session.get(User, world["recruiter_a"])
        candidates.create_candidate(candidates.CandidateInput("Другой Человек", consent=True), ra, "v1")
    auth.login("admin_x@example.com")
    text = client.get(f"/candidates/{world['candidate']}/export").get_data(as_text=True)
    assert "Другой Человек" not in text


def test_whoever_may_view_a_candidate_exports_but_only_admins_erase(app, client, api_token, world):
    """Contract: export has the web interface's rights (the recruiter and manager of the candidate's
    vacancy); erasure is admin-only. Users of another vacancy learn nothing (404)."""
    url = f"/api/v1/candidates/{world['candidate']}"
    for role, email in (("recruiter", "recruiter_a@example.com"), ("manager", "manager_a@example.com")):
        headers = api_token(role, email)
        response = client.get(f"{url}/export", headers=headers)
        assert response.status_code == 200, (role, response.get_json())
        data = response.get_json()
        assert data["candidate"]["name"] == "Зульфия Примерова"
        assert data["demographics"] is None and "demographics" in data["withheld"]  # admin-only, stored apart
        assert client.delete(url, headers=headers).status_code == 403
    for role, email in (("recruiter", "recruiter_b@example.com"), ("manager", "manager_b@example.com")):
        response = client.get(f"{url}/export", headers=api_token(role, email))
        assert response.status_code == 404, role
        assert "Зульфия" not in response.get_data(as_text=True)
    with app.app_context():
        exports = db.session.scalars(sa.select(AuditEvent.actor_id).where(AuditEvent.action == "candidate.export")).all()
        assert sorted(exports) == sorted([world["recruiter_a"], world["manager_a"]])
        assert db.session.get(Candidate, world["candidate"]).erased_at is None


def test_export_holds_the_consent_text_that_was_agreed_to(app, client, api_token, world):
    version = app.config["CONSENT_TEXT_VERSION"]
    with app.app_context():
        ra = db.session.get(User, world["recruiter_a"])
        person = candidates.create_candidate(candidates.CandidateInput("Con Sent", consent=True), ra, version)
        person_id = person.id
    data = client.get(f"/api/v1/candidates/{person_id}/export",
                      headers=api_token("recruiter", "recruiter_a@example.com")).get_json()
    consent = data["consents"][0]
    assert consent["text_version"] == version
    assert consent["text"]["en"] == privacy.consent_text(version, "en")
    assert consent["text"]["en"].startswith("We will record your answers")
    assert consent["text"]["ru"].startswith("Мы запишем ваши ответы")


def test_every_configured_consent_version_has_its_texts(app):
    for lang in privacy.CONSENT_LANGS:
        assert privacy.consent_text(app.config["CONSENT_TEXT_VERSION"], lang), lang
    assert privacy.consent_text("../../config", "en") is None
    assert privacy.consent_text("no-such-version", "en") is None


def test_erasure_locks_an_interview_in_progress(app, client, api_token, world):
    """An interview still open in a browser must not refill what was erased."""
    with app.app_context():
        ra = db.session.get(User, world["recruiter_a"])
        person = candidates.create_candidate(candidates.CandidateInput("Still Talking", consent=True), ra, "v1")
        interview = interviews.start_interview(interviews.StartInput(person.id, vacancy_id=world["vacancy"]), ra)
        person_id, interview_id = person.id, interview.id
        qid = interview.guide_snapshot["questions"][0]["id"]
    recruiter = api_token("recruiter", "recruiter_a@example.com")
    answer_url = f"/api/v1/interviews/{interview_id}/answers/{qid}"
    saved = client.put(answer_url, json={"text": "Still Talking said something"}, headers=recruiter)
    assert saved.status_code == 200
    erased = client.delete(f"/api/v1/candidates/{person_id}", headers=api_token("admin", "admin_x@example.com"))
    assert erased.status_code == 200 and erased.get_json()["closed_interviews"] == 1
    response = client.put(answer_url, json={"text": "more words"}, headers=recruiter)
    assert response.status_code == 409 and response.get_json()["error"] == "locked"
    stale = client.put(answer_url, json={"text": "more words", "version": saved.get_json()["version"]},
                       headers=recruiter)
    assert stale.status_code == 409
    assert client.post(f"/api/v1/interviews/{interview_id}/complete", headers=recruiter).status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(Answer.text).where(Answer.interview_id == interview_id,
                                                              Answer.question_id == qid)) == ""
        assert not text_columns_containing("Still Talking")


def test_an_erased_candidates_interview_cannot_be_reopened(app, world):
    from screening.services.errors import ServiceError

    with app.app_context():
        admin = db.session.get(User, world["admin_x"])
        privacy.erase_candidate(world["candidate"], admin)
        with pytest.raises(ServiceError, match="erased"):
            interviews.reopen_interview(world["interview"], admin, "a typo to fix")
        assert db.session.get(Interview, world["interview"]).is_locked


def test_the_web_export_follows_who_may_view_the_candidate(app, client, auth, world):
    url = f"/candidates/{world['candidate']}/export"
    auth.login("recruiter_a@example.com")
    page = client.get(f"/candidates/{world['candidate']}").get_data(as_text=True)
    assert url in page and "/erase" not in page  # the button, but no erasure for recruiters
    response = client.get(url)
    assert response.status_code == 200 and response.get_json()["candidate"]["name"] == "Зульфия Примерова"
    auth.logout()
    auth.login("recruiter_b@example.com")
    assert client.get(url).status_code in (403, 404)


def test_retention_purge_locks_interviews_in_progress(app, world):
    with app.app_context():
        ra = db.session.get(User, world["recruiter_a"])
        person = candidates.create_candidate(candidates.CandidateInput("Gone Quiet", consent=True), ra, "v1")
        interview = interviews.start_interview(interviews.StartInput(person.id, vacancy_id=world["vacancy"]), ra)
        interview_id, qid = interview.id, interview.guide_snapshot["questions"][0]["id"]
        assert person.id in privacy.purge_expired(30, now=datetime.now(UTC) + timedelta(days=31))
        with pytest.raises(Locked):
            interviews.save_answer(interview_id, qid, db.session.get(User, world["recruiter_a"]), text="again")


def text_columns_containing(needle: str) -> list[str]:
    hits = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (sa.String, sa.Text, sa.JSON)):
                expr = sa.cast(column, sa.Text) if isinstance(column.type, sa.JSON) else column
                count = db.session.scalar(sa.select(sa.func.count()).select_from(table).where(expr.contains(needle)))
                if count:
                    hits.append(f"{table.name}.{column.name}")
    return hits


def test_erasure_removes_personal_data_everywhere(app, client, api_token, world):
    with app.app_context():
        assert text_columns_containing("Зульфия")  # the scan can find it before
        score_before = db.session.scalar(sa.select(sa.func.count()).select_from(Interview))
    headers = api_token("admin", "admin_x@example.com")
    response = client.delete(f"/api/v1/candidates/{world['candidate']}", headers=headers)
    assert response.status_code == 200 and response.get_json()["answers"] >= 1
    with app.app_context():
        for needle in ("Зульфия", "Примерова", "zulfia@example.com", "900 000", "уточнила у клиентки"):
            assert text_columns_containing(needle) == [], needle
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Interview)) == score_before
        assert db.session.scalar(sa.select(Decision.decision)) == "advance"  # statistics stay consistent
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "candidate.erase"))
        assert event.object_id == str(world["candidate"]) and event.details["answers"] >= 1
    # An erased candidate is gone from lists and cannot be interviewed again.
    assert client.get(f"/api/v1/candidates/{world['candidate']}/export", headers=headers).status_code == 200
    with app.app_context():
        assert world["candidate"] not in [c.id for c in candidates.list_candidates(db.session.get(User, world["admin_x"]))]


def test_purge_expired_dry_run_and_run(app, runner, world):
    with app.app_context():
        ra = db.session.get(User, world["recruiter_a"])
        old = candidates.create_candidate(candidates.CandidateInput("Old Timer", consent=True), ra, "v1")
        old_id = old.id
        future = datetime.now(UTC) + timedelta(days=400)
        # the advanced candidate (world) is kept; the idle one without a hire decision is erased
        assert privacy.purge_expired(365, dry_run=True, now=future) == [old_id]
        assert db.session.get(Candidate, old_id).erased_at is None
        assert privacy.purge_expired(365, now=future) == [old_id]
        assert db.session.get(Candidate, old_id).name == privacy.ERASED_NAME
        assert privacy.purge_expired(365, now=future) == []  # safe to run daily
    result = runner.invoke(args=["purge-expired", "--dry-run"])
    assert result.exit_code == 0 and "would erase 0" in result.output
    assert runner.invoke(args=["purge-expired", "--days", "0"]).exit_code != 0


def test_consent_text_version_is_shown_and_recorded(app, client, auth, world):
    auth.login("recruiter_a@example.com")
    page = client.get("/candidates/new").get_data(as_text=True)
    assert app.config["CONSENT_TEXT_VERSION"] in page
    assert privacy.consent_text(app.config["CONSENT_TEXT_VERSION"], "en") in page  # the wording itself
    client.post("/lang/ru")
    page = client.get("/candidates/new").get_data(as_text=True)
    assert privacy.consent_text(app.config["CONSENT_TEXT_VERSION"], "ru") in page
    client.post("/candidates/new", data={"name": "New Person", "consent": "y"})
    with app.app_context():
        person = db.session.scalar(sa.select(Candidate).where(Candidate.name == "New Person"))
        consent = person.consents[0]
        assert consent.text_version == app.config["CONSENT_TEXT_VERSION"]
        assert consent.recorded_by_id == world["recruiter_a"] and consent.given_at is not None


# ---------------------------------------------------------------- sessions and tokens


def test_idle_sessions_end(app, client, auth, world):
    auth.login("recruiter_a@example.com")
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["last_seen"] = int(time.time()) - app.config["IDLE_TIMEOUT_MINUTES"] * 60 - 5
    assert client.get("/").status_code == 302
    assert client.get("/").status_code == 302  # and it stays ended


def test_tokens_listed_and_revoked_by_owner_and_admin_only(app, client, auth, api_token, world):
    headers = api_token("recruiter", "recruiter_a@example.com")
    with app.app_context():
        from screening.models import ApiToken

        token_id = db.session.scalar(sa.select(ApiToken.id))
    auth.login("recruiter_b@example.com")
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert client.get("/admin/tokens").status_code == 403
    auth.logout()
    auth.login("admin_x@example.com")
    assert "recruiter_a@example.com" in client.get("/admin/tokens").get_data(as_text=True)
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
