"""Validating bank files: every malformed file is a reported problem (file and place), never a traceback.

These tests need no database: they run the reader and the schema on copies of the shipped bank.
"""
from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from screening.bank import files as bank_files
from screening.bank.schema import BankInvalid, Problem, validate

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "question_bank"


@pytest.fixture
def bank_dir(tmp_path) -> Path:
    target = tmp_path / "bank"
    shutil.copytree(BANK, target)
    return target


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems_of(bank_dir: Path) -> list[Problem]:
    """Read and validate like import-bank does; any exception other than BankInvalid fails the test."""
    try:
        bank = bank_files.read_bank(bank_dir)
    except BankInvalid as exc:
        return exc.problems
    return validate(bank)


def texts(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


def question_file(bank_dir: Path) -> Path:
    return sorted((bank_dir / "questions").glob("*.yaml"))[0]


def guide_file(bank_dir: Path, name: str = "retail_service") -> Path:
    return bank_dir / "guides" / f"{name}.yaml"


# ---------------------------------------------------------------- wrong types, reported with file and place


def test_neighbours_given_as_a_number(bank_dir):
    edit_yaml(bank_dir / "competency.yaml", lambda d: d["competency"].__setitem__("neighbours", 5))
    assert any("competency.yaml: competency.neighbours: expected a list" in p for p in texts(problems_of(bank_dir)))


def test_role_id_given_as_a_list(bank_dir):
    edit_yaml(bank_dir / "competency.yaml", lambda d: d["roles"][0].__setitem__("id", ["retail_service", "x"]))
    problems = texts(problems_of(bank_dir))
    assert any("competency.yaml: roles[0].id: expected a lowercase id" in p for p in problems)


def test_guide_question_given_as_a_list(bank_dir):
    path = guide_file(bank_dir)
    edit_yaml(path, lambda d: d["questions"][0].__setitem__("question", ["a", "b"]))
    assert any("guides/retail_service.yaml: guide 'retail_service'.questions[0].question: expected a question id" in p
               for p in texts(problems_of(bank_dir)))


def test_guide_role_given_as_a_list(bank_dir):
    edit_yaml(guide_file(bank_dir), lambda d: d.__setitem__("role", ["retail_service"]))
    assert any("guide 'retail_service'.role: expected a text id, got a list" in p for p in texts(problems_of(bank_dir)))


def test_guide_with_an_unknown_role(bank_dir):
    edit_yaml(guide_file(bank_dir), lambda d: d.__setitem__("role", "astronaut"))
    assert any("guides/retail_service.yaml: guide 'retail_service'.role: unknown role id 'astronaut'" in p
               for p in texts(problems_of(bank_dir)))


def test_duplicate_indicator_id(bank_dir):
    def duplicate(d):
        d["indicators"][1] = copy.deepcopy(d["indicators"][0])

    edit_yaml(bank_dir / "competency.yaml", duplicate)
    problems = texts(problems_of(bank_dir))
    assert any("indicators[1] (id 'needs'): duplicate indicator id 'needs'" in p for p in problems)
    assert any("indicator 'fit' is missing" in p for p in problems)


def test_duplicate_role_id(bank_dir):
    edit_yaml(bank_dir / "competency.yaml", lambda d: d["roles"].append(copy.deepcopy(d["roles"][0])))
    assert any("competency.yaml: roles[6]: duplicate role id 'retail_service'" in p for p in texts(problems_of(bank_dir)))


def test_wrong_value_types(bank_dir):
    path = question_file(bank_dir)

    def break_it(d):
        q = d["questions"][0]
        q["minutes"] = "ten"
        q["retired"] = "yes"
        q["probes"][0]["star"] = ["action"]
        q["anchors"]["1"] = "just a text"
        q["indicators"] = "needs"

    edit_yaml(path, break_it)
    edit_yaml(guide_file(bank_dir), lambda d: d.update(intro_minutes="5", duration_minutes=True))
    problems = " | ".join(texts(problems_of(bank_dir)))
    for expected in (".minutes: expected a whole number from 3 to 15, got 'ten'", ".retired: must be true or false",
                     ".probes[0].star: must be one of", ".anchors.1: expected a mapping {ru: ..., en: ...}",
                     ".indicators: expected a list of positive indicator ids",
                     "guide 'retail_service'.intro_minutes: expected a whole number from 0 to 30, got '5'",
                     "guide 'retail_service'.duration_minutes: expected a whole number from 10 to 240, got True"):
        assert expected in problems


def test_rating_scale_with_a_text_score(bank_dir):
    edit_yaml(bank_dir / "competency.yaml", lambda d: d["rating_scale"][0].__setitem__("score", "one"))
    assert any("rating_scale: needs exactly the scores 1, 2, 3, 4, 5" in p for p in texts(problems_of(bank_dir)))


def test_unknown_keys_are_reported(bank_dir):
    edit_yaml(question_file(bank_dir), lambda d: d["questions"][0].__setitem__("listen-for", {"ru": ["x"], "en": ["x"]}))
    assert any("unknown key 'listen-for'" in p for p in texts(problems_of(bank_dir)))


ODD_VALUES = [5, 2.5, True, None, "text", ["a", ["b"]], {"x": {"y": 1}}, [{"id": ["z"]}]]


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value[:3]):
            yield from _paths(item, (*path, n))


def _replaced(bank: dict, path: tuple, odd) -> dict:
    bank = copy.deepcopy(bank)
    target = bank
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = copy.deepcopy(odd)
    return bank


def test_no_value_of_any_type_anywhere_makes_validation_crash():
    """Every node of the competency, one question and one guide, replaced by values of every YAML type."""
    bank = bank_files.read_bank(BANK)
    small = {**bank, "questions": bank["questions"][:2], "guides": [g for g in bank["guides"] if g["id"] == "retail_service"]}
    for g in small["guides"]:
        g["questions"] = [{"question": q["id"]} for q in small["questions"]]
    assert validate(small) == []
    checked = 0
    for top in ("schema_version", "competency", "indicators", "rating_scale", "roles", "questions", "guides"):
        for path in _paths(small[top], (top,)):
            if path[0] in ("questions", "guides") and len(path) > 1 and path[1] != 0:
                continue
            for odd in ODD_VALUES:
                problems = validate(_replaced(small, path, odd))  # must not raise
                assert all(isinstance(p, Problem) and p.file and p.place for p in problems)
                checked += 1
    assert checked > 500


# ---------------------------------------------------------------- files that are not what they should be


def test_an_empty_question_file_is_a_problem_not_a_silent_retirement(bank_dir):
    path = question_file(bank_dir)
    path.write_text("", encoding="utf-8")
    (problem,) = problems_of(bank_dir)
    assert str(problem).startswith(f"questions/{path.name}: file: empty file")


def test_a_question_file_with_an_empty_list_is_a_problem(bank_dir):
    path = question_file(bank_dir)
    path.write_text("questions: []\n", encoding="utf-8")
    (problem,) = problems_of(bank_dir)
    assert f"questions/{path.name}: questions: the list is empty" in str(problem)


def test_an_empty_guide_or_competency_file_is_a_problem(bank_dir):
    guide_file(bank_dir).write_text("# nothing yet\n", encoding="utf-8")
    (bank_dir / "competency.yaml").write_text("", encoding="utf-8")
    problems = texts(problems_of(bank_dir))
    assert "guides/retail_service.yaml: file: empty file" in problems
    assert "competency.yaml: file: empty file" in problems


def test_a_file_that_is_not_utf8_is_reported(bank_dir):
    path = question_file(bank_dir)
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1251"))
    (problem,) = problems_of(bank_dir)
    assert str(problem).startswith(f"questions/{path.name}: file: not UTF-8 text")


def test_invalid_yaml_keeps_its_line_and_column(bank_dir):
    path = question_file(bank_dir)
    path.write_text("questions:\n  - id: [unclosed\n", encoding="utf-8")
    (problem,) = problems_of(bank_dir)
    assert problem.where.startswith("line 3, column") and "invalid YAML" in problem.text


# ---------------------------------------------------------------- translations of lists


@pytest.mark.parametrize("key", ["listen_for", "red_flag_signs"])
def test_question_lists_need_as_many_items_in_both_languages(bank_dir, key):
    path = question_file(bank_dir)
    edit_yaml(path, lambda d: d["questions"][0][key]["en"].append("An extra point with no Russian twin"))
    problems = texts(problems_of(bank_dir))
    assert any(f".{key}: 'ru' has" in p and "a translation is missing" in p and path.name in p for p in problems)


def test_indicator_examples_need_as_many_items_in_both_languages(bank_dir):
    edit_yaml(bank_dir / "competency.yaml", lambda d: d["indicators"][0]["examples"]["ru"].pop())
    problems = texts(problems_of(bank_dir))
    assert any("indicators[0] (id 'needs').examples: 'ru' has 1 items and 'en' has 2" in p for p in problems)


def test_optional_anchors_2_and_4_are_allowed_and_checked(bank_dir):
    path = question_file(bank_dir)

    def add(d):
        d["questions"][0]["anchors"][2] = {"ru": "Частично", "en": "Partly"}
        d["questions"][0]["anchors"][4] = {"ru": "Почти"}

    edit_yaml(path, add)
    problems = texts(problems_of(bank_dir))
    assert len(problems) == 1 and ".anchors.4: missing 'en' translation" in problems[0]


# ---------------------------------------------------------------- messages are translatable templates


def test_problem_messages_are_templates_in_the_catalogue(bank_dir):
    """A problem carries an English template and its values: the template is extracted for translation."""
    from babel.messages.extract import extract_from_file

    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "N_": None}
    msgids = set()
    for name in ("schema.py", "files.py"):
        msgids |= {m[1] for m in extract_from_file("python", ROOT / "screening" / "bank" / name, keywords=keywords)}
    edit_yaml(guide_file(bank_dir), lambda d: d.update(role="astronaut", duration_minutes=10))
    edit_yaml(question_file(bank_dir), lambda d: d["questions"][0]["text"].pop("en"))
    problems = problems_of(bank_dir)
    assert len(problems) >= 3
    for p in problems:
        assert p.message in msgids, p.message
        assert "astronaut" not in p.message  # the values stay out of the msgid
    role = next(p for p in problems if "astronaut" in str(p))
    assert role.message == "unknown role id '%(id)s'" and dict(role.params) == {"id": "astronaut"}
