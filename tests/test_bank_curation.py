"""Curating the bank in the admin pages: retiring, stale forms, guides from scratch, history, translations."""
from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from screening.bank import history, service
from screening.extensions import db
from screening.models import BankVersion, Guide, Question, User

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "question_bank"
RETIRED = "needs-unclear-request"  # the first question of the retail_service guide
GUIDE = "retail_service"


@pytest.fixture
def loaded(app):
    with app.app_context():
        service.import_bank(BANK)
    return app


@pytest.fixture
def bank_dir(tmp_path) -> Path:
    target = tmp_path / "bank"
    shutil.copytree(BANK, target)
    return target


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def question_form_data(q: Question, **changes) -> dict:
    data = {"id": q.id, "type": q.type, "minutes": q.minutes, "text_ru": q.text["ru"], "text_en": q.text["en"],
            "indicators": q.indicators, "red_flags": q.red_flags, "roles": q.roles, "revision": q.revision,
            "listen_for_ru": "\n".join(q.listen_for["ru"]), "listen_for_en": "\n".join(q.listen_for["en"]),
            "red_flag_signs_ru": "\n".join(q.red_flag_signs["ru"]), "red_flag_signs_en": "\n".join(q.red_flag_signs["en"])}
    for n, p in enumerate(q.probes):
        data[f"probes-{n}-star"] = p.get("star") or ""
        data[f"probes-{n}-text_ru"] = p["text"]["ru"]
        data[f"probes-{n}-text_en"] = p["text"]["en"]
    for s, anchor in q.anchors.items():
        data[f"anchor_{s}_ru"] = anchor["ru"]
        data[f"anchor_{s}_en"] = anchor["en"]
    data.update(changes)
    return data


def builder_data(guide: Guide, **changes) -> dict:
    data = {"duration_minutes": guide.duration_minutes, "revision": guide.revision}
    for n, item in enumerate(guide.items):
        data[f"items-{n}-question"] = item.question_id
        data[f"items-{n}-position"] = n + 1
        if item.minutes:
            data[f"items-{n}-minutes"] = item.minutes
    data.update(changes)
    return data


def guide_question_ids(guide_id: str = GUIDE) -> list[str]:
    return [i.question_id for i in db.session.get(Guide, guide_id).items]


def start_interview(app, client, api_token, guide_id: str = GUIDE) -> dict:
    from screening.services import candidates

    headers = api_token("recruiter", "rec@example.com")
    with app.app_context():
        recruiter = db.session.scalar(sa.select(User).where(User.email == "rec@example.com"))
        candidate = candidates.create_candidate(candidates.CandidateInput("Ivan Petrov", consent=True), recruiter, "v1")
        candidate_id = candidate.id
    response = client.post("/api/v1/interviews", json={"candidate_id": candidate_id, "guide_id": guide_id},
                           headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def asked_ids(interview_json: dict) -> list[str]:
    questions = interview_json.get("questions") or interview_json.get("guide", {}).get("questions") or []
    return [q.get("id") or q.get("question_id") for q in questions]


# ---------------------------------------------------------------- 1. retired questions are not asked


def test_retiring_a_question_takes_it_out_of_its_guides(loaded, client, auth, api_token):
    before = start_interview(loaded, client, api_token)
    auth.as_role("admin")
    with loaded.app_context():
        assert RETIRED in guide_question_ids()
        in_guides = [g.id for g in service.list_guides() if RETIRED in guide_question_ids(g.id)]
    response = client.post(f"/questions/{RETIRED}/retire", follow_redirects=True)
    assert "taken out of these guides" in response.get_data(as_text=True)
    with loaded.app_context():
        version = service.latest_version()
        assert version.changes["questions"] == {"retired": [RETIRED]}
        assert version.changes["guides"] == {"changed": sorted(in_guides)}
        assert RETIRED not in guide_question_ids()
        assert RETIRED not in [q["id"] for q in service.guide_snapshot(GUIDE)["questions"]]
        matrix = service.coverage()
        column = [g.id for g in matrix["guides"]].index(GUIDE)
        needs = next(r for r in matrix["rows"] if r["indicator"].id == "needs")
        guide = db.session.get(Guide, GUIDE)
        assert needs["cells"][column] == sum("needs" in i.question.indicators for i in guide.items)
        builder = builder_data(guide)
    # the API and a new interview no longer have it; the interview started before keeps it
    assert RETIRED not in [q["id"] for q in client.get(f"/api/v1/guides/{GUIDE}",
                                                        headers=api_token("recruiter", "rec@example.com")).get_json()["questions"]]
    after = start_interview(loaded, client, api_token)
    with loaded.app_context():
        from screening.models import Interview

        old = db.session.get(Interview, before["id"])
        new = db.session.get(Interview, after["id"])
        assert RETIRED in [q["id"] for q in old.guide_snapshot["questions"]]
        assert RETIRED not in [q["id"] for q in new.guide_snapshot["questions"]]
        assert RETIRED not in [a.question_id for a in new.answers]
    # saving the guide unchanged in the builder works
    assert client.post(f"/guides/{GUIDE}/edit", data=builder).status_code == 302


def test_a_guide_that_still_lists_a_retired_question_does_not_ask_it(app, client, auth, bank_dir):
    """Files (or an older database) can keep a retired question in a guide: it is skipped, and the
    builder saves such a guide unchanged; only newly added retired questions are refused."""
    for path in (bank_dir / "questions").glob("*.yaml"):
        edit_yaml(path, lambda d: [q.__setitem__("retired", True) for q in d["questions"]
                                   if q["id"] in (RETIRED, "fit-plan-pressure-unused")])
    with app.app_context():
        service.import_bank(bank_dir)
        assert RETIRED in guide_question_ids()  # still listed
        assert RETIRED not in [q["id"] for q in service.guide_snapshot(GUIDE)["questions"]]
        guide = db.session.get(Guide, GUIDE)
        assert RETIRED not in [i.question_id for i in service.active_items(guide)]
        needs = next(r for r in service.coverage()["rows"] if r["indicator"].id == "needs")
        column = [g.id for g in service.coverage()["guides"]].index(GUIDE)
        assert needs["cells"][column] == sum("needs" in i.question.indicators for i in service.active_items(guide))
        data = builder_data(guide)
        other = next(q.id for q in service.search_questions(service.QuestionFilter())
                     if q.id not in guide_question_ids())
    auth.as_role("admin")
    page = client.get(f"/guides/{GUIDE}").get_data(as_text=True)
    assert f"/questions/{RETIRED}" not in page
    with app.app_context():
        assert service.get_question(RETIRED).text["en"] not in page
    assert "not asked in new interviews" in client.get(f"/guides/{GUIDE}/edit").get_data(as_text=True)
    response = client.post(f"/guides/{GUIDE}/edit", data={**data, "add_question": other})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    # a retired question cannot be newly added
    with app.app_context():
        client.post(f"/questions/{other}/retire")
        spare = next(q.id for q in service.search_questions(service.QuestionFilter())
                     if q.id not in guide_question_ids("contact_centre"))
        client.post(f"/questions/{spare}/retire")
        data = builder_data(db.session.get(Guide, "contact_centre"), add_question=spare)
    response = client.post("/guides/contact_centre/edit", data=data)
    assert response.status_code == 422
    assert f"Retired questions cannot be added to a guide: {spare}" in response.get_data(as_text=True)


def test_the_last_question_of_an_active_guide_cannot_be_retired(loaded, client, auth):
    auth.as_role("admin")
    with loaded.app_context():
        author = db.session.scalar(sa.select(User.id).where(User.role == "admin"))
        guide = db.session.get(Guide, GUIDE)
        data = {"role": guide.role, "title": {"ru": "Один", "en": "One"}, "duration_minutes": 30,
                "intro": guide.intro, "closing": guide.closing, "intro_minutes": 0, "closing_minutes": 0}
        service.create_guide({"id": "single", **data}, RETIRED, author)
    response = client.post(f"/questions/{RETIRED}/retire", follow_redirects=True)
    assert "This is the only question of the guide single" in response.get_data(as_text=True)
    with loaded.app_context():
        assert not db.session.get(Question, RETIRED).retired


# ---------------------------------------------------------------- 4. lost updates


def test_a_stale_question_form_is_refused_and_keeps_what_was_typed(loaded, client, auth):
    auth.as_role("admin")
    with loaded.app_context():
        q = service.get_question(RETIRED)
        first = question_form_data(q, text_en="First admin's wording?")
        second = question_form_data(q, text_en="Second admin's wording?")  # opened on the same revision
    assert client.post(f"/questions/{RETIRED}/edit", data=first).status_code == 302
    response = client.post(f"/questions/{RETIRED}/edit", data=second)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Someone else changed this question" in page
    assert "Second admin&#39;s wording?" in page  # what this admin typed
    assert "First admin&#39;s wording?" in page  # what the other admin changed
    assert 'name="revision" type="hidden" value="2"' in page
    with loaded.app_context():
        assert db.session.get(Question, RETIRED).text["en"] == "First admin's wording?"
        assert service.latest_version().number == 2
    # saving again from that page is a deliberate overwrite
    assert client.post(f"/questions/{RETIRED}/edit", data={**second, "revision": 2}).status_code == 302
    with loaded.app_context():
        assert db.session.get(Question, RETIRED).text["en"] == "Second admin's wording?"


def test_a_form_without_its_revision_is_refused(loaded, client, auth):
    auth.as_role("admin")
    with loaded.app_context():
        data = question_form_data(service.get_question(RETIRED), text_en="Changed?")
    del data["revision"]
    assert client.post(f"/questions/{RETIRED}/edit", data=data).status_code == 422
    with loaded.app_context():
        assert service.latest_version().number == 1


def test_two_admins_saving_the_same_revision_at_once(loaded):
    with loaded.app_context():
        author = None
        base = dict(service.current_bank()["questions"][0])
        qid = base["id"]
    results, barrier = [], threading.Barrier(2)

    def save(text):
        with loaded.app_context():
            barrier.wait()
            try:
                service.save_question({"text": {**base["text"], "en": text}}, author, qid, expected_revision=1)
                results.append("saved")
            except service.StaleEdit:
                results.append("stale")
            except service.Conflict:
                results.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(f"Version {n}?",)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["saved", "stale"]
    with loaded.app_context():
        assert db.session.get(Question, qid).revision == 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BankVersion)) == 2


def test_a_stale_guide_builder_form_is_refused(loaded, client, auth):
    auth.as_role("admin")
    with loaded.app_context():
        guide = db.session.get(Guide, GUIDE)
        stale = builder_data(guide, duration_minutes=guide.duration_minutes + 5)
        first = builder_data(guide, duration_minutes=guide.duration_minutes + 10)
    assert client.post(f"/guides/{GUIDE}/edit", data=first).status_code == 302
    response = client.post(f"/guides/{GUIDE}/edit", data=stale)
    assert response.status_code == 422 and "Someone else changed this guide" in response.get_data(as_text=True)


def test_import_warns_about_admin_edits_it_overrides(loaded, tmp_path, make_user):
    runner = loaded.test_cli_runner()
    admin_id = make_user("ann@example.com", "admin", name="Ann Admin")
    with loaded.app_context():
        q = dict(service.current_bank()["questions"][0])
        service.save_question({"text": {**q["text"], "en": "Edited in the admin pages?"}}, admin_id, q["id"],
                              expected_revision=1)
    result = runner.invoke(args=["import-bank", str(BANK)])
    assert result.exit_code == 0, result.output
    assert "Warning: this import replaces edits made in the admin pages" in result.output
    assert f"question {q['id']}: edited in bank version 2 by Ann Admin" in result.output
    assert "Imported bank version 3" in result.output
    with loaded.app_context():
        assert db.session.get(Question, q["id"]).text["en"] == q["text"]["en"]
        service.save_question({"text": {**q["text"], "en": "Edited again?"}}, admin_id, q["id"], expected_revision=3)
    # edits that were exported first are in the files: no warning
    out = tmp_path / "exported"
    assert runner.invoke(args=["export-bank", str(out)]).exit_code == 0
    edit_yaml(next((out / "questions").glob("*.yaml")), lambda d: d["questions"][-1]["text"].__setitem__("en", "File edit?"))
    result = runner.invoke(args=["import-bank", str(out)])
    assert result.exit_code == 0 and "Imported bank version 5" in result.output
    assert "Warning" not in result.output


# ---------------------------------------------------------------- 5. guides from scratch


def new_guide_form(**changes) -> dict:
    data = {"id": "library_desk", "role": "retail_service", "title_ru": "Библиотека", "title_en": "Library desk",
            "duration_minutes": 40, "intro_minutes": 3, "closing_minutes": 2,
            "intro_ru": "Здравствуйте! Расскажу, как пройдёт беседа.", "intro_en": "Hello! Here is how this goes.",
            "closing_ru": "Спасибо! Вот что будет дальше.", "closing_en": "Thank you! Here is what happens next.",
            "first_question": RETIRED}
    data.update(changes)
    return data


def test_admin_builds_a_guide_from_scratch(loaded, client, auth, tmp_path):
    auth.as_role("admin")
    assert "New guide" in client.get("/guides").get_data(as_text=True)
    assert client.get("/guides/new").status_code == 200
    response = client.post("/guides/new", data=new_guide_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/guides/library_desk/edit")
    with loaded.app_context():
        guide = db.session.get(Guide, "library_desk")
        assert guide.title == {"ru": "Библиотека", "en": "Library desk"} and guide.duration_minutes == 40
        assert guide.intro_minutes == 3 and [i.question_id for i in guide.items] == [RETIRED]
        version = service.latest_version()
        assert version.changes["guides"] == {"added": ["library_desk"]} and version.source == "edit"
        assert version.note == "created guide library_desk"
        settings = {k: v for k, v in new_guide_form(title_en="Library help desk", duration_minutes=50).items()
                    if k not in ("id", "first_question")}
        revision = guide.revision
    # edit its own fields
    assert client.get("/guides/library_desk/settings").status_code == 200
    response = client.post("/guides/library_desk/settings", data={**settings, "revision": revision})
    assert response.status_code == 302
    with loaded.app_context():
        guide = db.session.get(Guide, "library_desk")
        assert guide.title["en"] == "Library help desk" and guide.duration_minutes == 50
        assert service.latest_version().changes["guides"] == {"changed": ["library_desk"]}
    # retire and restore
    client.post("/guides/library_desk/retire")
    with loaded.app_context():
        assert "library_desk" not in [g.id for g in service.list_guides()]
        assert service.latest_version().note == "retired guide library_desk"
    assert "library_desk" in client.get("/guides").get_data(as_text=True)  # listed under retired guides
    client.post("/guides/library_desk/restore")
    with loaded.app_context():
        assert "library_desk" in [g.id for g in service.list_guides()]
    # it exports and imports like the shipped guides
    runner = loaded.test_cli_runner()
    out = tmp_path / "out"
    assert runner.invoke(args=["export-bank", str(out)]).exit_code == 0
    assert (out / "guides" / "library_desk.yaml").is_file()
    assert runner.invoke(args=["import-bank", str(out)]).output.startswith("No changes")


@pytest.mark.parametrize(("changes", "expected"), [
    ({"id": GUIDE}, "A guide with this id already exists."),
    ({"first_question": ""}, "Choose an active question."),
    ({"id": "Bad Id"}, "2 to 40 lowercase letters"),
    ({"intro_en": ""}, "This field is required."),
    ({"duration_minutes": 10, "intro_minutes": 10}, "more than the 10 planned"),
])
def test_a_refused_new_guide_keeps_what_was_typed(loaded, client, auth, changes, expected):
    auth.as_role("admin")
    response = client.post("/guides/new", data=new_guide_form(**changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert expected in page
    assert "Здравствуйте! Расскажу, как пройдёт беседа." in page  # what was typed stays
    with loaded.app_context():
        assert service.latest_version().number == 1


def test_only_admins_create_or_retire_guides(loaded, client, auth):
    auth.as_role("recruiter")
    assert client.get("/guides/new").status_code == 403
    assert client.post("/guides/new", data=new_guide_form()).status_code == 403
    assert client.get(f"/guides/{GUIDE}/settings").status_code == 403
    assert client.post(f"/guides/{GUIDE}/settings", data={}).status_code == 403
    assert client.post(f"/guides/{GUIDE}/retire").status_code == 403
    assert client.post(f"/guides/{GUIDE}/restore").status_code == 403
    with loaded.app_context():
        assert not db.session.get(Guide, GUIDE).retired


def test_the_builder_reshows_what_was_submitted_after_a_refused_save(loaded, client, auth):
    auth.as_role("admin")
    with loaded.app_context():
        guide = db.session.get(Guide, GUIDE)
        ids = guide_question_ids()
        spare = next(q for q in service.search_questions(service.QuestionFilter()) if q.id not in ids)
        data = builder_data(guide, duration_minutes=10, add_question=spare.id)
        for n in range(len(ids)):
            data[f"items-{n}-position"] = len(ids) - n  # typed a reversed order
        data["items-0-minutes"] = 9
        fixed = guide.intro_minutes + guide.closing_minutes
        expected_total = fixed + 9 + sum(i.minutes or i.question.minutes for i in guide.items[1:]) + spare.minutes
    response = client.post(f"/guides/{GUIDE}/edit", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    rows = re.findall(r'name="items-(\d+)-position"[^>]*value="(\d+)"', page)
    assert [int(v) for _, v in rows] == [len(ids) - n for n in range(len(ids))]
    # each row shows the question it submits, not the stored order
    for n, qid in enumerate(ids):
        row = page.split(f'name="items-{n}-question"')[1].split("</tr>")[0]
        assert f"<strong>{qid}</strong>" in row
    assert re.search(r'name="items-0-minutes"[^>]*value="9"', page)
    assert re.search(rf'<option[^>]*selected[^>]*value="{spare.id}"|<option[^>]*value="{spare.id}"[^>]*selected', page)
    assert f'id="time-total" data-fixed="{fixed}">{expected_total}<' in page


def test_the_builder_offers_each_questions_minutes_to_the_live_total(loaded, client, auth):
    auth.as_role("admin")
    page = client.get(f"/guides/{GUIDE}/edit").get_data(as_text=True)
    assert 'data-add-question="1"' in page
    with loaded.app_context():
        q = next(q for q in service.search_questions(service.QuestionFilter()) if q.id not in guide_question_ids())
    assert re.search(rf'<option data-minutes="{q.minutes}" value="{q.id}"', page)
    script = (ROOT / "screening" / "static" / "js" / "guide_builder.js").read_text(encoding="utf-8")
    assert "[data-add-question]" in script and "dataset.minutes" in script


# ---------------------------------------------------------------- 6. what changed, field by field


def test_question_page_and_version_page_show_what_changed(loaded, client, auth):
    auth.as_role("admin")
    with loaded.app_context():
        q = service.get_question(RETIRED)
        old_en = q.text["en"]
        data = question_form_data(q, text_en=old_en + " Tell it in your own words.", minutes=q.minutes + 1)
    assert client.post(f"/questions/{RETIRED}/edit", data=data).status_code == 302
    page = client.get(f"/questions/{RETIRED}").get_data(as_text=True)
    assert "first revision" in page
    changes = page.split("field-changes")[1]
    assert "Question</strong>" in changes and "(en)" in changes and "in your own words" in changes
    assert f"Suggested minutes</strong>:\n      <del>{q.minutes}</del> → <ins>{q.minutes + 1}</ins>" in changes
    assert "(ru)" not in changes  # unchanged fields are not listed
    version = client.get("/bank/versions/2").get_data(as_text=True)
    assert "questions changed: 1" in version and "in your own words" in version and "edited question" in version


def test_field_changes_are_short_and_precise():
    old = {"text": {"ru": "А" * 300, "en": "Tell me " + "x" * 200 + " about a client."},
           "probes": [{"star": "action", "text": {"ru": "Что?", "en": "What?"}}],
           "anchors": {"1": {"ru": "a", "en": "a"}, "3": {"ru": "b", "en": "b"}},
           "indicators": ["needs"], "retired": False}
    new = {"text": {"ru": "А" * 300, "en": "Tell me " + "x" * 200 + " about a colleague."},
           "probes": [{"star": "result", "text": {"ru": "Что?", "en": "What?"}}],
           "anchors": {"1": {"ru": "a", "en": "a"}, "2": {"ru": "c", "en": "c"}, "3": {"ru": "b", "en": "b"}},
           "indicators": ["needs", "fit"], "retired": True}
    changes = {(str(c.label), c.detail): (c.old, c.new) for c in history.question_changes(old, new)}
    old_text, new_text = changes[("Question", "en")]
    assert old_text.startswith("…") and old_text.endswith("a client.") and new_text.endswith("a colleague.")
    assert len(old_text) < 60
    assert changes[("Probes", "1 · star")] == ("action", "result")
    assert changes[("Rating anchors", "2 · ru")] == ("—", "c")
    assert changes[("Targeted indicators", "")] == ("needs", "needs; fit")
    assert ("retired", "") in changes
    assert len(changes) == 6


# ---------------------------------------------------------------- 7. anchors 2 and 4 survive the form


def test_editing_a_question_keeps_anchors_2_and_4(app, client, auth, bank_dir):
    def add(d):
        for q in d["questions"]:
            if q["id"] == RETIRED:
                q["anchors"] = {1: q["anchors"][1], 2: {"ru": "Почти тройка", "en": "Almost a three"},
                                3: q["anchors"][3], 4: {"ru": "Почти пятёрка", "en": "Almost a five"}, 5: q["anchors"][5]}

    for path in (bank_dir / "questions").glob("*.yaml"):
        edit_yaml(path, add)
    with app.app_context():
        service.import_bank(bank_dir)
    auth.as_role("admin")
    form = client.get(f"/questions/{RETIRED}/edit").get_data(as_text=True)
    assert "Almost a three" in form and "Почти пятёрка" in form
    with app.app_context():
        data = question_form_data(service.get_question(RETIRED), text_en="Reworded, anchors untouched?")
    assert client.post(f"/questions/{RETIRED}/edit", data=data).status_code == 302
    with app.app_context():
        anchors = db.session.get(Question, RETIRED).anchors
        assert sorted(anchors) == ["1", "2", "3", "4", "5"] and anchors["4"]["en"] == "Almost a five"


def test_the_form_refuses_lists_with_a_missing_translation(loaded, client, auth):
    auth.as_role("admin")
    with loaded.app_context():
        q = service.get_question(RETIRED)
        data = question_form_data(q, listen_for_en="\n".join(q.listen_for["en"] + ["An extra English point"]))
    response = client.post(f"/questions/{RETIRED}/edit", data=data)
    assert response.status_code == 422 and "a translation is missing" in response.get_data(as_text=True)


# ---------------------------------------------------------------- 8. export into a folder with old files


def test_export_refuses_a_non_empty_folder_unless_forced(loaded, tmp_path):
    runner = loaded.test_cli_runner()
    out = tmp_path / "out"
    (out / "questions").mkdir(parents=True)
    stale = out / "questions" / "deleted_long_ago.yaml"
    shutil.copy(next((BANK / "questions").glob("*.yaml")), stale)
    (out / "README.md").write_text("notes", encoding="utf-8")
    result = runner.invoke(args=["export-bank", str(out)])
    assert result.exit_code != 0 and "is not empty" in result.output and "--force" in result.output
    assert stale.exists() and not (out / "competency.yaml").exists()
    result = runner.invoke(args=["export-bank", "--force", str(out)])
    assert result.exit_code == 0, result.output
    assert not stale.exists() and (out / "README.md").read_text(encoding="utf-8") == "notes"
    assert runner.invoke(args=["import-bank", str(out)]).output.startswith("No changes")


# ---------------------------------------------------------------- 9. start an interview from the guide


@pytest.mark.parametrize(("role", "shown"), [("recruiter", True), ("admin", True), ("manager", False)])
def test_guide_page_links_to_starting_an_interview(loaded, client, auth, role, shown):
    auth.as_role(role)
    page = client.get(f"/guides/{GUIDE}").get_data(as_text=True)
    assert (f'href="/interviews/new?guide_id={GUIDE}"' in page) is shown
    if shown:
        start = client.get(f"/interviews/new?guide_id={GUIDE}").get_data(as_text=True)
        assert re.search(rf'<option selected value="{GUIDE}">|<option value="{GUIDE}" selected', start)


# ---------------------------------------------------------------- 3. the pages are translatable


class Marked:
    """Translations that mark every string they translate, so a test sees what went through gettext."""

    def ugettext(self, string):
        return f"«{string}»"

    gettext = ugettext

    def ungettext(self, singular, plural, n):
        return f"«{singular if n == 1 else plural}»"

    ngettext = ungettext


@pytest.fixture
def marked(monkeypatch):
    import flask_babel

    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: Marked())


def test_bank_pages_translate_their_labels_notes_and_problems(loaded, client, auth, marked):
    auth.as_role("admin")
    with loaded.app_context():
        data = question_form_data(service.get_question(RETIRED), text_en="")
    versions = client.get("/bank/versions").get_data(as_text=True)
    assert "«file import»" in versions and "«import from %(folder)s»" not in versions
    assert "«import from question_bank»" in versions and "«questions added»: 48" in versions
    assert "«questions added»" in client.get("/bank/versions/1").get_data(as_text=True)
    page = client.post(f"/questions/{RETIRED}/edit", data=data).get_data(as_text=True)
    assert "«missing &#39;en&#39; translation»" in page
    response = client.post(f"/questions/{RETIRED}/delete", follow_redirects=True)
    assert "«Remove the question from these guides first: " in response.get_data(as_text=True)
    missing = client.get("/guides/nope")
    assert missing.status_code == 404 and "«No such guide.»" in missing.get_data(as_text=True)


def test_version_notes_of_older_versions_are_translated_too(app, marked):
    with app.test_request_context():
        assert history.note_label("edited question needs-x") == "«edited question needs-x»"
        assert history.note_label("retired question a and removed it from guides b, c") == \
            "«retired question a and removed it from guides b, c»"
        assert history.note_label("a note someone typed") == "a note someone typed"
