"""The bias audit: the checklist's method and test vector, sampling, pages, CSV, access, and no demographics in scoring."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path

import pytest
import sqlalchemy as sa

from screening.extensions import db
from screening.fairness import service
from screening.fairness.service import DECLINED, ETHNICITY, INTERSECTION, SEX, Scope, bias_audit
from screening.models import (AuditEvent, BankVersion, Candidate, Demographic, Guide, Interview, ScoreRecord, User,
                              Vacancy)
from screening.services.errors import Forbidden, NotFound, ServiceError

REPO = Path(__file__).resolve().parent.parent


def sexes(**groups: list[int]) -> dict[int, dict[str, str]]:
    return {i: {SEX: name} for name, members in groups.items() for i in members}


# ---------------------------------------------------------------- the method (pure)


def test_checklist_test_vector():
    """Scores 1..6 → M = 3.5; A = {1, 5, 6} → ScR 2/3; B = {2, 3, 4} → ScR 1/3, IR_B = 0.5 (flagged)."""
    report = bias_audit({i: float(i) for i in range(1, 7)}, sexes(A=[1, 5, 6], B=[2, 3, 4]))
    assert report.n == 6 and report.median == 3.5 and report.above == 3
    family = report.family(SEX)
    a, b = family.row("A"), family.row("B")
    assert (a.n, a.above, a.rate) == (3, 2, Fraction(2, 3))
    assert (b.n, b.above, b.rate) == (3, 1, Fraction(1, 3))
    assert a.impact_ratio == 1 and not a.flagged
    assert b.impact_ratio == Fraction(1, 2) and b.flagged
    assert family.max_rate == Fraction(2, 3) and family.flagged == (b,)


def test_a_score_equal_to_the_median_is_not_above():
    # Odd sample: M is a score that three candidates have.
    report = bias_audit({1: 1, 2: 2, 3: 2, 4: 2, 5: 3}, sexes(A=[2, 3, 4], B=[1, 5]))
    assert report.median == 2 and report.above == 1
    assert report.family(SEX).row("A").rate == 0
    assert report.family(SEX).row("B").rate == Fraction(1, 2)
    assert report.family(SEX).row("A").impact_ratio == 0 and report.family(SEX).row("A").flagged
    # Even sample whose middle scores are equal: M = 2, and the 2s are not above.
    report = bias_audit({1: 1, 2: 2, 3: 2, 4: 3}, sexes(A=[2, 3], B=[1, 4]))
    assert report.median == 2 and report.family(SEX).row("A").above == 0


def test_a_ratio_of_exactly_four_fifths_is_not_flagged():
    scores = {1: 10, 2: 9, 3: 1, 4: 2, 5: 8, 6: 7, 7: 3, 8: 4, 9: 5}
    report = bias_audit(scores, sexes(A=[1, 2, 3, 4], B=[5, 6, 7, 8, 9]))
    assert report.median == 5
    b = report.family(SEX).row("B")
    assert b.rate == Fraction(2, 5) and b.impact_ratio == Fraction(4, 5) and not b.flagged


def test_categories_under_two_percent_are_shown_but_not_ratioed():
    # 1 of 50 is exactly 2%: ratioed. Z scores highest, so it sets the maximum.
    scores = {i: float(i) for i in range(1, 51)}
    groups = {i: {SEX: "A" if i % 2 else "B"} for i in range(1, 50)}
    groups[50] = {SEX: "Z"}
    z = bias_audit(scores, groups).family(SEX).row("Z")
    assert z.share == Fraction(2, 100) and z.ratioed and z.impact_ratio == 1
    # 1 of 51 is under 2%: count and rate shown, no impact ratio, no flag, and it does not set the maximum.
    scores[51] = 51.0
    groups[51] = {SEX: "A" if 51 % 2 else "B"}
    family = bias_audit(scores, groups).family(SEX)
    z = family.row("Z")
    assert z.n == 1 and z.rate == 1 and z.share < Fraction(2, 100)
    assert not z.ratioed and z.small and z.impact_ratio is None and not z.flagged and z.note == "not_ratioed"
    assert family.max_rate == max(family.row("A").rate, family.row("B").rate)
    assert max(family.row("A").impact_ratio, family.row("B").impact_ratio) == 1


def test_declined_and_missing_are_unknown_counted_but_not_rated():
    scores = {i: float(i) for i in range(1, 9)}
    categories = {1: {SEX: "female", ETHNICITY: "Tatar"}, 2: {SEX: "male", ETHNICITY: DECLINED},
                  3: {SEX: DECLINED, ETHNICITY: "Tatar"}, 4: {SEX: "Declined"}, 5: {SEX: "", ETHNICITY: "  "},
                  6: {}, 7: {SEX: None, ETHNICITY: None}}  # candidate 8 has no record at all
    report = bias_audit(scores, categories)
    assert report.n == 8 and report.median == 4.5  # unknowns count in the whole sample's median
    sex = report.family(SEX)
    assert {r.category for r in sex.rows} == {"female", "male"}
    assert (sex.declined, sex.missing, sex.unknown) == (2, 4, 6)
    assert sum(r.n for r in sex.rows) + sex.unknown == report.n
    ethnicity = report.family(ETHNICITY)
    assert [r.category for r in ethnicity.rows] == ["Tatar"] and ethnicity.row("Tatar").n == 2
    assert (ethnicity.declined, ethnicity.missing) == (1, 5)
    both = report.family(INTERSECTION)
    assert [r.category for r in both.rows] == ["female × Tatar"]
    # 2 (male × declined) and 3 (declined × Tatar) are declined; the rest have a missing part.
    assert (both.declined, both.missing) == (2, 5)


def test_undefined_cases_give_undefined_not_errors():
    # An empty sample: no median, listed categories with n = 0.
    report = bias_audit({}, {}, listed={SEX: service.SEX_CATEGORIES})
    assert report.n == 0 and report.median is None
    for row in report.family(SEX).rows:
        assert row.n == 0 and row.rate is None and row.impact_ratio is None and row.undefined and not row.flagged
    assert report.family(SEX).max_rate is None
    # Every score equal: nobody is above M, the maximum rate is 0, so every impact ratio is undefined.
    report = bias_audit({i: 50.0 for i in range(10)}, {i: {SEX: "female" if i < 5 else "male"} for i in range(10)},
                        listed={SEX: service.SEX_CATEGORIES})
    family = report.family(SEX)
    assert family.max_rate == 0
    for name in ("female", "male"):
        row = family.row(name)
        assert row.rate == 0 and row.impact_ratio is None and row.undefined and not row.flagged
        assert row.note == "undefined"
    other = family.row("other")
    assert other.n == 0 and other.rate is None and other.note == "undefined"
    # Candidates without a score are not in the sample.
    report = bias_audit({1: 10.0, 2: None, 3: 30.0}, sexes(A=[1, 2], B=[3]))
    assert report.n == 2 and report.median == 20 and report.family(SEX).row("A").n == 1


def test_intersection_family_and_case_insensitive_ethnicity():
    scores = {1: 90, 2: 80, 3: 70, 4: 60, 5: 50, 6: 40, 7: 30, 8: 20}
    categories = {1: {SEX: "female", ETHNICITY: "Russian"}, 2: {SEX: "female", ETHNICITY: "russian "},
                  3: {SEX: "male", ETHNICITY: "Russian"}, 4: {SEX: "male", ETHNICITY: "Tatar"},
                  5: {SEX: "female", ETHNICITY: "Tatar"}, 6: {SEX: "male", ETHNICITY: "Russian"},
                  7: {SEX: "male", ETHNICITY: "Tatar"}, 8: {SEX: "female", ETHNICITY: "Tatar"}}
    report = bias_audit(scores, categories)
    assert report.median == 55
    ethnicity = report.family(ETHNICITY)
    assert [(r.category, r.n, r.above) for r in ethnicity.rows] == [("Russian", 4, 3), ("Tatar", 4, 1)]
    both = report.family(INTERSECTION)
    assert [r.category for r in both.rows] == ["female × Russian", "female × Tatar", "male × Russian", "male × Tatar"]
    assert both.row("female × Russian").rate == 1 and both.row("female × Russian").impact_ratio == 1
    assert both.row("male × Russian").rate == Fraction(1, 2) and both.row("male × Russian").flagged
    assert both.row("male × Tatar").rate == Fraction(1, 2)
    assert both.row("female × Tatar").rate == 0 and both.row("female × Tatar").impact_ratio == 0
    # The sex family on its own: female 2/4, male 2/4 — no flag, although the intersection has three.
    assert not report.family(SEX).flagged and len(both.flagged) == 3


# ---------------------------------------------------------------- the database: a small world of scoring events


class World:
    def __init__(self, app):
        self.app = app
        with app.app_context():
            version = BankVersion(number=1, source="import", content_hash="x", snapshot={})
            guide = Guide(id="g", role="retail_service", title={"en": "G"}, duration_minutes=30, intro={}, closing={})
            db.session.add_all([version, guide])
            db.session.flush()
            self.version_id = version.id
            self.vacancies = {}
            for title in ("Seller", "Courier"):
                vacancy = Vacancy(title=title, role="retail_service", guide_id="g")
                db.session.add(vacancy)
                db.session.flush()
                self.vacancies[title] = vacancy.id
            db.session.commit()

    def candidate(self, name: str, sex: str | None = None, ethnicity: str | None = None) -> int:
        with self.app.app_context():
            candidate = Candidate(name=name)
            db.session.add(candidate)
            db.session.flush()
            if sex is not None or ethnicity is not None:
                db.session.add(Demographic(candidate_id=candidate.id, sex=sex, ethnicity=ethnicity))
            db.session.commit()
            return candidate.id

    def score(self, candidate_id: int, score: float | None, vacancy: str | None = "Seller",
              at: datetime | None = None) -> int:
        with self.app.app_context():
            interview = Interview(candidate_id=candidate_id, vacancy_id=self.vacancies[vacancy] if vacancy else None,
                                  guide_id="g", bank_version_id=self.version_id, guide_snapshot={"questions": []},
                                  status="completed")
            db.session.add(interview)
            db.session.flush()
            record = ScoreRecord(interview_id=interview.id, bank_version_id=self.version_id, hiring_score=score,
                                 created_at=at or datetime.now(UTC))
            db.session.add(record)
            db.session.commit()
            return record.id


@pytest.fixture
def world(app) -> World:
    return World(app)


@pytest.fixture
def vector(world) -> World:
    """The checklist's test vector for the Seller vacancy: female = {1, 5, 6}, male = {2, 3, 4}."""
    for score in range(1, 7):
        sex = "female" if score in (1, 5, 6) else "male"
        world.score(world.candidate(f"C{score}", sex=sex, ethnicity="=cmd|' /C calc'!A0"), float(score))
    return world


@pytest.fixture
def admin_id(make_user) -> int:
    # Made before a test opens its app context: SQLite allows one writer at a time.
    return make_user("fair-admin@example.com", "admin")


def test_vacancy_sample_takes_each_candidates_latest_score(app, world):
    anna = world.candidate("Anna")
    boris = world.candidate("Boris")
    clara = world.candidate("Clara")
    dora = world.candidate("Dora")
    world.score(anna, 40.0, at=datetime(2024, 1, 1, tzinfo=UTC))
    world.score(anna, 70.0, at=datetime(2024, 2, 1, tzinfo=UTC))  # rescored: the latest event counts
    world.score(boris, 55.0)
    world.score(boris, 90.0, vacancy="Courier")  # another vacancy: not in the Seller sample
    world.score(clara, 80.0, vacancy="Courier")
    world.score(dora, 60.0, at=datetime(2024, 1, 1, tzinfo=UTC))
    world.score(dora, None, at=datetime(2024, 3, 1, tzinfo=UTC))  # latest event without a score
    with app.app_context():
        assert service.gather_sample(Scope(vacancy_id=world.vacancies["Seller"])) == {anna: 70.0, boris: 55.0,
                                                                                      dora: None}
        assert service.gather_sample(Scope(vacancy_id=world.vacancies["Courier"])) == {boris: 90.0, clara: 80.0}
        report = bias_audit(service.gather_sample(Scope(vacancy_id=world.vacancies["Seller"])), {})
        assert report.n == 2 and report.median == 62.5


def test_period_sample_uses_the_dates_of_scoring_events(app, world):
    anna, boris, clara = world.candidate("Anna"), world.candidate("Boris"), world.candidate("Clara")
    world.score(anna, 10.0, at=datetime(2024, 3, 1, 0, 0, tzinfo=UTC))  # first moment of the period
    world.score(anna, 99.0, at=datetime(2024, 4, 1, 0, 0, tzinfo=UTC))  # after the period
    world.score(boris, 20.0, vacancy=None, at=datetime(2024, 3, 31, 23, 59, tzinfo=UTC))  # last day, no vacancy
    world.score(boris, 30.0, vacancy="Courier", at=datetime(2024, 3, 15, tzinfo=UTC))  # earlier in the period
    world.score(clara, 40.0, at=datetime(2024, 2, 29, 23, 59, tzinfo=UTC))  # before the period
    with app.app_context():
        period = Scope(date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))
        assert service.gather_sample(period) == {anna: 10.0, boris: 20.0}
        both = Scope(vacancy_id=world.vacancies["Courier"], date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))
        assert service.gather_sample(both) == {boris: 30.0}
        assert service.gather_sample(Scope(date_from=date(2024, 4, 1))) == {anna: 99.0}
        assert service.gather_sample(Scope(date_to=date(2024, 2, 29))) == {clara: 40.0}
        with pytest.raises(ServiceError) as err:
            service.gather_sample(Scope(date_from=date(2024, 3, 2), date_to=date(2024, 3, 1)))
        assert "date_to" in err.value.reasons
        with pytest.raises(ServiceError):
            service.gather_sample(Scope(vacancy_id=999))


def test_run_audit_on_the_database_is_admin_only_and_audited(app, vector, make_user, admin_id):
    recruiter_id = make_user("r@example.com", "recruiter")
    with app.app_context():
        actor = db.session.get(User, admin_id)
        report = service.run_audit(Scope(vacancy_id=vector.vacancies["Seller"]), actor)
        assert report.n == 6 and report.median == 3.5
        sex = report.family(SEX)
        assert [r.category for r in sex.rows] == ["female", "male", "other"]  # the fixed list, "other" with n = 0
        assert sex.row("male").impact_ratio == Fraction(1, 2) and sex.row("male").flagged
        assert sex.row("other").n == 0 and sex.row("other").rate is None
        assert report.scope["vacancy"] == "Seller"
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "fairness.report"))
        assert event.actor_id == actor.id and event.details["sample"] == 6
        with pytest.raises(Forbidden):
            service.run_audit(Scope(), db.session.get(User, recruiter_id))


# ---------------------------------------------------------------- recording the self-report


def test_recording_categories_is_admin_only_validated_and_audited_without_values(app, world, make_user, admin_id):
    recruiter_id = make_user("r@example.com", "recruiter")
    anna = world.candidate("Anna")
    with app.app_context():
        actor = db.session.get(User, admin_id)
        row = service.record_demographics(anna, service.DemographicsInput(sex="female", ethnicity="  Komi   people "),
                                          actor)
        assert (row.sex, row.ethnicity) == ("female", "Komi people")
        row = service.record_demographics(anna, service.DemographicsInput(sex=DECLINED, ethnicity="Declined"), actor)
        assert (row.sex, row.ethnicity) == (DECLINED, DECLINED)
        with pytest.raises(ServiceError) as err:
            service.record_demographics(anna, service.DemographicsInput(sex="robot", ethnicity="x" * 81), actor)
        assert set(err.value.reasons) == {"sex", "ethnicity"}
        db.session.rollback()
        service.record_demographics(anna, service.DemographicsInput(ethnicity="x" * 80), actor)  # 80 is allowed
        with pytest.raises(Forbidden):
            service.record_demographics(anna, service.DemographicsInput(sex="male"),
                                        db.session.get(User, recruiter_id))
        with pytest.raises(Forbidden):
            service.get_demographics(anna, db.session.get(User, recruiter_id))
        with pytest.raises(NotFound):
            service.record_demographics(9999, service.DemographicsInput(sex="male"), actor)
        assert service.record_demographics(anna, service.DemographicsInput(), actor) is None  # both empty: removed
        assert db.session.get(Demographic, anna) is None
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "demographics.record")
                                    .order_by(AuditEvent.id)).all()
        assert len(events) == 4 and all(e.object_id == str(anna) and e.actor_id == actor.id for e in events)
        assert events[0].details["changed"] == ["sex", "ethnicity"] and events[-1].details["cleared"] is True
        logged = repr([(e.details, e.object_type) for e in events])
        for value in ("female", "Komi", "xxxx"):
            assert value not in logged


# ---------------------------------------------------------------- pages


def fairness_urls(app, candidate_id: int) -> list[tuple[str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("fairness."):
            continue
        path = rule.rule.replace("<int:candidate_id>", str(candidate_id))
        assert "<" not in path, path
        urls += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return urls


def test_every_fairness_route_is_admin_only(app, client, auth, world):
    candidate = world.candidate("Anna", sex="female", ethnicity="Secretly-Tatar")
    urls = fairness_urls(app, candidate)
    assert {p for _m, p in urls} >= {"/admin/fairness/", "/admin/fairness/csv", "/admin/fairness/candidates",
                                      f"/admin/fairness/candidates/{candidate}"}
    for view in {app.view_functions[r.endpoint] for r in app.url_map.iter_rules() if r.endpoint.startswith("fairness.")}:
        assert getattr(view, "_screening_access") == ("admin",)
    for method, path in urls:  # anonymous: sent to sign in
        response = client.open(path, method=method, data={"sex": "male"})
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), (method, path)
    for role in ("recruiter", "manager"):
        auth.as_role(role)
        for method, path in urls:
            response = client.open(path, method=method, data={"sex": "male"})
            assert response.status_code == 403, (role, method, path, response.status_code)
            assert b"Secretly-Tatar" not in response.data
        auth.logout()
    with app.app_context():
        assert db.session.get(Demographic, candidate).sex == "female"  # nothing was changed by them
    auth.as_role("admin")
    for method, path in urls:
        if method == "GET":
            assert client.get(path).status_code == 200, path


def test_report_page_shows_each_family_with_flags_and_notes(app, client, auth, vector):
    auth.as_role("admin")
    page = client.get(f"/admin/fairness/?vacancy={vector.vacancies['Seller']}").get_data(as_text=True)
    assert '<dd id="sample-size">6</dd>' in page and '<dd id="sample-median">3.50</dd>' in page
    for family in ("sex", "ethnicity", "sex_ethnicity"):
        assert f'id="family-{family}"' in page
    male = re.search(r'<tr class="flagged" data-category="male">(.*?)</tr>', page, re.S).group(1)
    assert "33.3%" in male and "0.50" in male and "below 0.8" in male
    female = re.search(r'<tr class="" data-category="female">(.*?)</tr>', page, re.S).group(1)
    assert "66.7%" in female and "1.00" in female
    assert "=cmd|&#39; /C calc&#39;!A0" in page  # free text is escaped
    assert "under 2% of the sample" in page  # the translatable text renders its literal percent sign
    assert 'href="/admin/fairness/csv?vacancy=' in page
    # Whole history, no filter: the same six candidates.
    assert '<dd id="sample-size">6</dd>' in client.get("/admin/fairness/").get_data(as_text=True)
    # A period that ends before it starts is an error on the form, not a report.
    response = client.get("/admin/fairness/?date_from=2024-03-02&date_to=2024-03-01")
    assert response.status_code == 422 and "The period ends before it starts." in response.get_data(as_text=True)
    assert client.get("/admin/fairness/?date_from=not-a-date").status_code == 422
    assert client.get("/admin/fairness/?date_from=0001-01-01&date_to=9999-12-31").status_code == 200  # no overflow
    assert client.get("/admin/fairness/?vacancy=abc").status_code == 422
    assert client.get("/admin/fairness/?vacancy=999").status_code == 422


def test_a_small_category_is_marked_not_ratioed_on_the_page(app, client, auth, world):
    for n in range(60):
        world.score(world.candidate(f"C{n}", sex="female" if n % 2 else "male"), float(n))
    world.score(world.candidate("Solo", sex="other"), 99.0)
    auth.as_role("admin")
    page = client.get("/admin/fairness/").get_data(as_text=True)
    other = re.search(r'<tr class=" not-ratioed" data-category="other">(.*?)</tr>', page, re.S).group(1)
    assert "100.0%" in other and "not ratioed: under 2% of the sample" in other and "below 0.8" not in other


def test_csv_download_matches_the_report(app, client, auth, vector):
    vector.candidate("Unscored", sex="male")
    vector.score(vector.candidate("Declined", sex=DECLINED), 100.0, vacancy="Courier")
    auth.as_role("admin")
    response = client.get(f"/admin/fairness/csv?vacancy={vector.vacancies['Seller']}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert list(rows[0]) == list(service.CSV_COLUMNS)
    assert {(r["sample_size"], r["sample_median"], r["vacancy_id"]) for r in rows} == \
        {("6", "3.50", str(vector.vacancies["Seller"]))}
    sex = {r["category"]: r for r in rows if r["family"] == "sex"}
    assert sex["female"]["scoring_rate"] == "0.6667" and sex["female"]["impact_ratio"] == "1.0000"
    assert sex["male"]["scoring_rate"] == "0.3333" and sex["male"]["impact_ratio"] == "0.5000"
    assert sex["male"]["flagged"] == "yes" and sex["female"]["flagged"] == "no"
    assert sex["other"]["n"] == "0" and sex["other"]["scoring_rate"] == "undefined"
    assert sex["other"]["impact_ratio"] == "undefined"
    assert sex["unknown"]["n"] == "0"
    ethnicity = [r for r in rows if r["family"] == "ethnicity"]
    assert ethnicity[0]["category"] == "'=cmd|' /C calc'!A0"  # no formula runs in a spreadsheet
    # The period over all vacancies also has the declined candidate: counted as unknown.
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/fairness/csv").get_data(as_text=True).lstrip("\ufeff"))))
    unknown = next(r for r in rows if r["family"] == "sex" and r["category"] == "unknown")
    assert unknown["n"] == "1" and "declined=1" in unknown["note"] and rows[0]["sample_size"] == "7"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "fairness.export_csv")) == 2
    assert client.get("/admin/fairness/csv?date_from=2024-03-02&date_to=2024-03-01").status_code == 422


def test_record_form_saves_and_is_csrf_protected(app, client, auth, world):
    anna = world.candidate("Anna")
    auth.as_role("admin")
    app.config["WTF_CSRF_ENABLED"] = True  # after signing in: this test is about the record form
    url = f"/admin/fairness/candidates/{anna}"
    response = client.post(url, data={"sex": "female", "ethnicity": "Komi"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Demographic, anna) is None
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(url, data={"sex": "female", "ethnicity": "Komi", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    with app.app_context():
        row = db.session.get(Demographic, anna)
        assert (row.sex, row.ethnicity) == ("female", "Komi")
    page = client.get(url).get_data(as_text=True)
    assert 'value="Komi"' in page and '<option selected value="female">' in page
    # Declining the ethnicity; a text and the "declined" box together are refused and the input kept.
    response = client.post(url, data={"sex": "", "ethnicity": "Mari", "ethnicity_declined": "y", "csrf_token": token})
    assert response.status_code == 422 and 'value="Mari"' in response.get_data(as_text=True)
    response = client.post(url, data={"sex": "", "ethnicity": "", "ethnicity_declined": "y", "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Demographic, anna)
        assert (row.sex, row.ethnicity) == (None, DECLINED)
    response = client.post(url, data={"sex": "robot", "ethnicity": "x" * 81, "csrf_token": token})
    assert response.status_code == 422
    assert client.get("/admin/fairness/candidates/99999").status_code == 404
    listing = client.get("/admin/fairness/candidates").get_data(as_text=True)
    assert "Anna" in listing and "recorded" in listing and "Komi" not in listing


# ---------------------------------------------------------------- demographics never enter scoring

BANK = REPO / "question_bank"
ANSWER = ("Клиентка пришла вернуть ноутбук, он сильно грелся. Я спросила, для чего она его использует. "
          "Я предложила ей недорогую подставку вместо новой модели, потому что ей это подходило.")


@pytest.fixture
def app_config(request):
    """The scoring test runs the real tagger (a small model trained once per session)."""
    if "small_models_dir" in request.fixturenames:
        return {"MODELS_DIR": str(request.getfixturevalue("small_models_dir"))}
    return {}


def test_scoring_code_does_not_mention_demographics():
    sources = [REPO / "screening" / "services" / "scoring.py", *sorted((REPO / "screening" / "scoring").rglob("*.py")),
               *sorted((REPO / "screening" / "nlp").rglob("*.py"))]
    assert len(sources) > 3
    for path in sources:
        text = path.read_text(encoding="utf-8").lower()
        for word in ("demographic", "ethnicity", "fairness"):
            assert word not in text, f"{path.relative_to(REPO)} mentions {word}"


def start_retail_interview(recruiter: User):
    """The bank, a retail vacancy, a consenting candidate and an interview in progress."""
    from screening.bank import service as bank
    from screening.services import candidates, interviews, vacancies

    bank.import_bank(BANK)
    guide_id = next(g.id for g in bank.list_guides() if g.role == "retail_service")
    vacancy = vacancies.create_vacancy(vacancies.VacancyInput("Seller", "retail_service", guide_id, None), recruiter)
    candidate = candidates.create_candidate(candidates.CandidateInput("Anna", consent=True), recruiter, "v1")
    interview = interviews.start_interview(interviews.StartInput(candidate.id, vacancy_id=vacancy.id, lang="ru"),
                                           recruiter)
    return vacancy, candidate, interview


def test_demographics_never_change_a_score_nor_are_read_by_scoring(app, make_user, admin_id, small_models_dir):
    from screening.services import interviews, scoring

    recruiter_id = make_user("rec@example.com", "recruiter")
    with app.app_context():
        recruiter = db.session.get(User, recruiter_id)
        vacancy, candidate, interview = start_retail_interview(recruiter)
        for n, question in enumerate(interview.guide_snapshot["questions"]):
            interviews.save_answer(interview.id, question["id"], recruiter, text=ANSWER, rating=3 + n % 3)
        interviews.complete_interview(interview.id, recruiter)
        first = scoring.latest_score(db.session.get(Interview, interview.id))
        assert first is not None and first.hiring_score is not None and first.model_version
        actor = db.session.get(User, admin_id)
        statements: list[str] = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement.lower())

        outcomes = []
        for sex, ethnicity in (("female", "Russian"), ("male", "Tatar"), (DECLINED, DECLINED), (None, None)):
            service.record_demographics(candidate.id, service.DemographicsInput(sex=sex, ethnicity=ethnicity), actor)
            sa.event.listen(db.engine, "before_cursor_execute", capture)
            try:
                record = scoring.score_interview(db.session.get(Interview, interview.id), actor)
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", capture)
            details = {k: v for k, v in record.details.items() if k != "interview_ids"}
            outcomes.append((record.hiring_score, record.low, record.high, record.recommendation, details))
        assert all(o == outcomes[0] for o in outcomes)
        assert outcomes[0][0] == first.hiring_score
        assert statements and not [s for s in statements if "demographics" in s]


def test_demographics_are_not_shown_on_non_admin_pages(app, client, auth, make_user):
    recruiter_id = auth.as_role("recruiter")
    with app.app_context():
        recruiter = db.session.get(User, recruiter_id)
        vacancy, candidate, interview = start_retail_interview(recruiter)
        db.session.add(Demographic(candidate_id=candidate.id, sex="female", ethnicity="Zyryan-Komi"))
        db.session.commit()
        candidate_id, vacancy_id, interview_id = candidate.id, vacancy.id, interview.id
    for path in (f"/candidates/{candidate_id}", "/candidates/", f"/vacancies/{vacancy_id}",
                 f"/interviews/{interview_id}", "/interviews/", "/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"Zyryan-Komi" not in response.data and b"fairness" not in response.data, path
