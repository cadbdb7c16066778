"""The home page's worklist: running interviews for recruiters, decisions waiting for managers."""
from __future__ import annotations

from screening.extensions import db
from screening.services import dashboard, interviews, scorecards
from tests.conftest import PASSWORD
from tests.test_interviews import start, user, world  # noqa: F401  (the fixture)


def test_recruiters_see_only_their_running_interviews(app, world):
    mine = start(app, world)
    with app.app_context():
        other = start(app, world, who="admin")
        assert [w.interview.id for w in dashboard.worklist(user(world, "recruiter1")).in_progress] == [mine]
        assert dashboard.worklist(user(world, "recruiter2")).in_progress == []
        assert {w.interview.id for w in dashboard.worklist(user(world, "admin")).in_progress} == {mine, other}
        assert dashboard.worklist(user(world, "recruiter1")).awaiting_decision == []


def test_managers_see_completed_interviews_until_they_decide(app, world):
    interview_id = start(app, world)
    with app.app_context():
        assert dashboard.worklist(user(world, "manager1")).awaiting_decision == []  # still running
        interviews.complete_interview(interview_id, user(world, "recruiter1"))
        assert [w.interview.id for w in dashboard.worklist(user(world, "manager1")).awaiting_decision] == [interview_id]
        assert dashboard.worklist(user(world, "manager2")).awaiting_decision == []  # not their vacancy
        assert dashboard.worklist(user(world, "recruiter1")).in_progress == []
        scorecards.decide(interview_id, user(world, "manager1"), "hold", "Second interview with the team lead.")
        db.session.expire_all()
        assert dashboard.worklist(user(world, "manager1")).awaiting_decision == []


def test_home_page_lists_the_work_and_escapes_names(app, client, world):
    from screening.models import Candidate

    interview_id = start(app, world)
    with app.app_context():
        db.session.get(Candidate, world["candidate"]).name = "<script>alert(1)</script>"
        db.session.commit()
    client.post("/login", data={"email": "recruiter1@example.com", "password": PASSWORD})
    page = client.get("/").get_data(as_text=True)
    assert f"/interviews/{interview_id}" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert 'id="awaiting-decision"' not in page
