"""The question bank: the shipped content, validation, versioned import/export, admin curation."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from screening.bank import files as bank_files
from screening.bank import service
from screening.bank.schema import BankInvalid, validate
from screening.extensions import db
from screening.models import BankVersion, Question
from screening.nlp.labels import NEGATIVE, POSITIVE

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "question_bank"


@pytest.fixture
def bank_dir(tmp_path) -> Path:
    target = tmp_path / "bank"
    shutil.copytree(BANK, target)
    return target


@pytest.fixture
def loaded(app):
    with app.app_context():
        service.import_bank(BANK)
    return app


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def first_question_file(bank_dir: Path) -> Path:
    return sorted((bank_dir / "questions").glob("*.yaml"))[0]


def version_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(BankVersion))


# ---------------------------------------------------------------- the shipped bank


def test_shipped_bank_is_valid_and_meets_the_floors():
    bank = bank_files.read_bank(BANK)
    assert validate(bank) == []
    active = [q for q in bank["questions"] if not q.get("retired")]
    assert len(active) >= 40
    for indicator in POSITIVE:
        assert sum(indicator in q["indicators"] for q in active) >= 4, indicator
    for flag in NEGATIVE:
        assert sum(flag in q["red_flags"] for q in active) >= 3, flag
    assert {q["type"] for q in active} == {"behavioural", "situational"}
    assert all(len(q["probes"]) >= 2 for q in active)
    texts = [q["text"]["en"].strip().lower() for q in active] + [q["text"]["ru"].strip().lower() for q in active]
    assert len(set(texts)) == len(texts), "two questions ask the same thing"


def test_shipped_guides_cover_the_six_roles_within_their_time():
    bank = bank_files.read_bank(BANK)
    roles = {g["role"] for g in bank["guides"]}
    assert len(bank["guides"]) >= 6
    assert {"retail_service", "contact_centre", "healthcare_education", "b2b_account",
            "internal_service", "team_lead"} <= roles
    for guide in bank["guides"]:
        assert guide["intro"]["ru"] and guide["closing"]["en"]
        assert len(guide["questions"]) >= 4


# ---------------------------------------------------------------- validation


def problems_for(bank_dir: Path) -> list[str]:
    with pytest.raises(BankInvalid) as info:
        problems = validate(bank_files.read_bank(bank_dir))
        if problems:
            raise BankInvalid(problems)
    return [str(p) for p in info.value.problems]


def test_invalid_yaml_is_reported_with_file_and_line(bank_dir):
    path = first_question_file(bank_dir)
    path.write_text("questions:\n  - id: [unclosed\n", encoding="utf-8")
    (problem,) = problems_for(bank_dir)
    assert path.name in problem and "line" in problem and "invalid YAML" in problem


def test_unknown_indicator_id(bank_dir):
    path = first_question_file(bank_dir)
    edit_yaml(path, lambda d: d["questions"][0].__setitem__("indicators", ["needs", "telepathy"]))
    problems = problems_for(bank_dir)
    assert any("telepathy" in p and path.name in p for p in problems)


def test_duplicate_question_id(bank_dir):
    path = first_question_file(bank_dir)
    edit_yaml(path, lambda d: d["questions"].append(dict(d["questions"][0])))
    assert any("duplicate question id" in p for p in problems_for(bank_dir))


def test_missing_translation(bank_dir):
    path = first_question_file(bank_dir)
    edit_yaml(path, lambda d: d["questions"][0]["text"].pop("en"))
    problems = problems_for(bank_dir)
    assert any("missing 'en' translation" in p and ".text" in p for p in problems)


def test_missing_key_and_bad_values(bank_dir):
    path = first_question_file(bank_dir)

    def break_it(d):
        d["questions"][0].pop("anchors")
        d["questions"][0]["minutes"] = 90
        d["questions"][0]["type"] = "philosophical"
        d["questions"][0]["probes"] = d["questions"][0]["probes"][:1]

    edit_yaml(path, break_it)
    problems = " | ".join(problems_for(bank_dir))
    for expected in ("missing key 'anchors'", "from 3 to 15", "must be one of behavioural", "at least two probes"):
        assert expected in problems


def test_guide_naming_an_unknown_question(bank_dir):
    path = sorted((bank_dir / "guides").glob("*.yaml"))[0]
    edit_yaml(path, lambda d: d["questions"].append({"question": "no-such-question"}))
    assert any("unknown question 'no-such-question'" in p and path.name in p for p in problems_for(bank_dir))


def test_guide_over_its_time_budget(bank_dir):
    path = sorted((bank_dir / "guides").glob("*.yaml"))[0]
    edit_yaml(path, lambda d: d.__setitem__("duration_minutes", 10))
    assert any("more than the 10 planned" in p for p in problems_for(bank_dir))


def test_unknown_indicator_in_competency_file(bank_dir):
    edit_yaml(bank_dir / "competency.yaml", lambda d: d["indicators"][0].__setitem__("id", "charm"))
    problems = problems_for(bank_dir)
    assert any("unknown indicator id 'charm'" in p for p in problems)
    assert any("indicator 'needs' is missing" in p for p in problems)


def test_invalid_import_changes_nothing(loaded, bank_dir):
    path = first_question_file(bank_dir)
    edit_yaml(path, lambda d: d["questions"][0]["text"].__setitem__("en", ""))
    runner = loaded.test_cli_runner()
    result = runner.invoke(args=["import-bank", str(bank_dir)])
    assert result.exit_code != 0
    assert "Nothing changed" in result.output and "missing 'en' translation" in result.output
    with loaded.app_context():
        assert version_count() == 1


# ---------------------------------------------------------------- import, export, versions


def test_import_command_then_reimport_is_a_no_op(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["import-bank", str(BANK)])
    assert first.exit_code == 0 and "Imported bank version 1" in first.output
    second = runner.invoke(args=["import-bank", str(BANK)])
    assert second.exit_code == 0 and "No changes" in second.output


def test_export_then_import_changes_nothing(loaded, tmp_path):
    runner = loaded.test_cli_runner()
    out = tmp_path / "exported"
    result = runner.invoke(args=["export-bank", str(out)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["import-bank", str(out)]).output.startswith("No changes")
    exported = bank_files.canonical(bank_files.read_bank(out))
    original = bank_files.canonical(bank_files.read_bank(BANK))
    assert exported == original
    with loaded.app_context():
        assert version_count() == 1


def test_a_changed_file_makes_a_new_version_with_its_changes(loaded, bank_dir):
    path = first_question_file(bank_dir)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    qid = data["questions"][0]["id"]
    edit_yaml(path, lambda d: d["questions"][0]["text"].__setitem__("en", "A reworded question?"))
    with loaded.app_context():
        result = service.import_bank(bank_dir)
        assert result.version.number == 2
        assert result.changes["questions"] == {"changed": [qid]}
        question = db.session.get(Question, qid)
        assert question.text["en"] == "A reworded question?" and question.revision == 2


def test_a_question_dropped_from_the_files_is_retired_not_deleted(loaded, bank_dir):
    path = first_question_file(bank_dir)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    qid = data["questions"][-1]["id"]
    in_guides = [g for g in (bank_dir / "guides").glob("*.yaml") if qid in g.read_text(encoding="utf-8")]
    for g in in_guides:
        edit_yaml(g, lambda d: d.__setitem__("questions", [i for i in d["questions"] if i["question"] != qid]))
    edit_yaml(path, lambda d: d["questions"].pop())
    with loaded.app_context():
        result = service.import_bank(bank_dir)
        assert qid in result.changes["questions"]["retired"]
        assert db.session.get(Question, qid).retired


def test_an_interview_keeps_its_bank_version_after_a_new_import(loaded, bank_dir):
    from screening.models import Candidate, Interview

    with loaded.app_context():
        v1 = service.latest_version()
        guide_id = v1.snapshot["guides"][0]["id"]
        snapshot = service.guide_snapshot(guide_id, v1)
        qid = snapshot["questions"][0]["id"]
        old_text = snapshot["questions"][0]["text"]["en"]
        candidate = Candidate(name="Test")
        db.session.add(candidate)
        db.session.flush()
        interview = Interview(candidate_id=candidate.id, guide_id=guide_id, bank_version_id=v1.id,
                              guide_snapshot=snapshot)
        db.session.add(interview)
        db.session.commit()
        interview_id = v1_id = None
        interview_id, v1_id = interview.id, v1.id

    for path in (bank_dir / "questions").glob("*.yaml"):
        edit_yaml(path, lambda d: [q["text"].__setitem__("en", "Changed: " + q["text"]["en"])
                                   for q in d["questions"] if q["id"] == qid])
    with loaded.app_context():
        assert service.import_bank(bank_dir).version.number == 2
        interview = db.session.get(Interview, interview_id)
        assert interview.bank_version_id == v1_id
        assert interview.guide_snapshot["questions"][0]["text"]["en"] == old_text
        assert service.guide_snapshot(guide_id, interview.bank_version)["questions"][0]["text"]["en"] == old_text
        assert service.guide_snapshot(guide_id)["questions"][0]["text"]["en"].startswith("Changed: ")


# ---------------------------------------------------------------- admin curation


def question_form_data(q: Question, **changes) -> dict:
    data = {"id": q.id, "type": q.type, "minutes": q.minutes, "text_ru": q.text["ru"], "text_en": q.text["en"],
            "indicators": q.indicators, "red_flags": q.red_flags, "roles": q.roles,
            "listen_for_ru": "\n".join(q.listen_for["ru"]), "listen_for_en": "\n".join(q.listen_for["en"]),
            "red_flag_signs_ru": "\n".join(q.red_flag_signs["ru"]), "red_flag_signs_en": "\n".join(q.red_flag_signs["en"]),
            "revision": q.revision}
    for n, p in enumerate(q.probes):
        data[f"probes-{n}-star"] = p.get("star") or ""
        data[f"probes-{n}-text_ru"] = p["text"]["ru"]
        data[f"probes-{n}-text_en"] = p["text"]["en"]
    for s, anchor in q.anchors.items():
        data[f"anchor_{s}_ru"] = anchor["ru"]
        data[f"anchor_{s}_en"] = anchor["en"]
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ["recruiter", "manager"])
def test_only_admins_curate(loaded, client, auth, role):
    auth.as_role(role)
    assert client.get("/guides").status_code == 200
    with loaded.app_context():
        guide_id = service.list_guides()[0].id
    assert client.get(f"/guides/{guide_id}").status_code == 200
    assert client.get(f"/guides/{guide_id}/print").status_code == 200
    for path in ("/questions", "/questions/new", f"/guides/{guide_id}/edit", "/bank/versions", "/bank/coverage"):
        assert client.get(path).status_code == 403, path
    assert client.post("/questions/new", data={"id": "x"}).status_code == 403
    assert client.post(f"/guides/{guide_id}/edit", data={}).status_code == 403


def test_admin_edits_a_question_into_a_new_version(loaded, client, auth):
    auth.as_role("admin")
    with loaded.app_context():
        q = service.search_questions(service.QuestionFilter())[0]
        data = question_form_data(q, text_en="Tell me about a client whose need surprised you.")
    response = client.post(f"/questions/{q.id}/edit", data=data)
    assert response.status_code == 302, response.data[-3000:]
    with loaded.app_context():
        assert db.session.get(Question, q.id).text["en"] == "Tell me about a client whose need surprised you."
        assert service.latest_version().number == 2 and service.latest_version().author_id is not None


def test_admin_edit_errors_keep_what_was_typed(loaded, client, auth):
    auth.as_role("admin")
    with loaded.app_context():
        q = service.search_questions(service.QuestionFilter())[0]
        data = question_form_data(q, text_en="", text_ru="Мой новый текст вопроса")
    response = client.post(f"/questions/{q.id}/edit", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Мой новый текст вопроса" in page and "missing &#39;en&#39; translation" in page
    with loaded.app_context():
        assert service.latest_version().number == 1


def test_admin_creates_a_question(loaded, client, auth):
    auth.as_role("admin")
    with loaded.app_context():
        q = service.search_questions(service.QuestionFilter())[0]
        data = question_form_data(q, id="brand-new-question", text_en="A brand new question?", text_ru="Новый вопрос?")
    assert client.post("/questions/new", data=data).status_code == 302
    with loaded.app_context():
        assert db.session.get(Question, "brand-new-question").revision == 1
        assert "brand-new-question" in service.latest_version().changes["questions"]["added"]


def test_retiring_and_deleting(loaded, client, auth):
    from screening.models import Answer, Candidate, Interview

    auth.as_role("admin")
    with loaded.app_context():
        used, unused = [q.id for q in service.search_questions(service.QuestionFilter())
                        if not any(i.question_id == q.id for g in service.list_guides() for i in g.items)][:2]
        v = service.latest_version()
        candidate = Candidate(name="C")
        db.session.add(candidate)
        db.session.flush()
        interview = Interview(candidate_id=candidate.id, guide_id=v.snapshot["guides"][0]["id"],
                              bank_version_id=v.id, guide_snapshot={})
        db.session.add(interview)
        db.session.flush()
        db.session.add(Answer(interview_id=interview.id, question_id=used, position=0))
        db.session.commit()
    client.post(f"/questions/{used}/delete")
    with loaded.app_context():
        assert db.session.get(Question, used) is not None  # used: refused
    assert client.post(f"/questions/{used}/retire").status_code == 302
    with loaded.app_context():
        assert db.session.get(Question, used).retired
    assert client.post(f"/questions/{unused}/delete").status_code == 302
    with loaded.app_context():
        assert db.session.get(Question, unused) is None
    assert client.post(f"/questions/{used}/restore").status_code == 302
    with loaded.app_context():
        assert not db.session.get(Question, used).retired


def test_guide_builder_reorders_removes_and_adds(loaded, client, auth):
    auth.as_role("admin")
    with loaded.app_context():
        guide = service.list_guides()[0]
        ids = [i.question_id for i in guide.items]
        spare = next(q.id for q in service.search_questions(service.QuestionFilter()) if q.id not in ids)
        duration, revision = guide.duration_minutes, guide.revision
    data = {"duration_minutes": duration + 30, "add_question": spare, "revision": revision}
    for n, qid in enumerate(ids):
        data[f"items-{n}-question"] = qid
        data[f"items-{n}-position"] = len(ids) - n  # reverse the order
    data["items-0-remove"] = "y"
    response = client.post(f"/guides/{guide.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    with loaded.app_context():
        items = [i.question_id for i in service.get_guide(guide.id).items]
        assert items == list(reversed(ids[1:])) + [spare]


def test_guide_builder_refuses_a_plan_over_time(loaded, client, auth):
    auth.as_role("admin")
    with loaded.app_context():
        guide = service.list_guides()[0]
        ids = [i.question_id for i in guide.items]
        revision = guide.revision
    data = {"duration_minutes": 10, "revision": revision}
    for n, qid in enumerate(ids):
        data[f"items-{n}-question"] = qid
        data[f"items-{n}-position"] = n + 1
    response = client.post(f"/guides/{guide.id}/edit", data=data)
    assert response.status_code == 422
    assert "more than the 10 planned" in response.get_data(as_text=True)


def test_question_filters(loaded, client, auth):
    auth.as_role("admin")
    page = client.get("/questions?indicator=internal").get_data(as_text=True)
    with loaded.app_context():
        expected = [q.id for q in service.search_questions(service.QuestionFilter(indicator="internal"))]
        others = [q.id for q in service.search_questions(service.QuestionFilter()) if q.id not in expected]
        first_ru = service.get_question(expected[0]).text["ru"]
    assert expected and all(f"/questions/{q}\"" in page for q in expected)
    assert not any(f"/questions/{q}\"" in page for q in others)
    with loaded.app_context():
        assert service.search_questions(service.QuestionFilter(text="zzz-nothing")) == []
        phrase = " ".join(first_ru.split()[1:4]).upper()
        assert [q.id for q in service.search_questions(service.QuestionFilter(text=phrase, lang="ru"))] == [expected[0]]
        assert service.search_questions(service.QuestionFilter(text=phrase, lang="en")) == []


def test_coverage_matrix_counts(loaded, client, auth):
    auth.as_role("admin")
    with loaded.app_context():
        matrix = service.coverage()
        guide = matrix["guides"][0]
        row = next(r for r in matrix["rows"] if r["indicator"].id == "needs")
        assert row["cells"][0] == sum("needs" in i.question.indicators for i in guide.items)
    assert client.get("/bank/coverage").status_code == 200


def test_version_history_pages(loaded, client, auth):
    auth.as_role("admin")
    assert client.get("/bank/versions").status_code == 200
    assert client.get("/bank/versions/1").status_code == 200
    assert client.get("/bank/versions/99").status_code == 404
