"""Validation of the question bank as data: every problem with its file and its place.

The bank is a dict in canonical form (see `bank.files.read_bank`): competency, indicators,
rating_scale, roles, questions (with their source file), guides. Validation collects every
problem rather than stopping at the first, so an admin can fix a file in one pass.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from screening.nlp.labels import INDICATORS, NEGATIVE, POSITIVE, STAR_PARTS

LANGS = ("ru", "en")
QUESTION_TYPES = ("behavioural", "situational")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
ROLE_ID = re.compile(r"^[a-z0-9_]{2,40}$")
MIN_MINUTES, MAX_MINUTES = 3, 15
MAX_TEXT = 4000


@dataclass(frozen=True)
class Problem:
    file: str
    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.place}: {self.message}"


class BankInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the question bank")
        self.problems = problems


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, place: str, message: str) -> None:
        self.problems.append(Problem(file, place, message))

    def mapping(self, value: Any, file: str, place: str) -> dict:
        if not isinstance(value, dict):
            self.add(file, place, f"expected a mapping, got {type(value).__name__}")
            return {}
        return value

    def required(self, obj: dict, keys: tuple[str, ...], file: str, place: str) -> None:
        for key in keys:
            if key not in obj:
                self.add(file, place, f"missing key '{key}'")

    def text(self, value: Any, file: str, place: str) -> None:
        """A bilingual text {ru, en}, both non-empty."""
        if not isinstance(value, dict):
            self.add(file, place, "expected a mapping {ru: ..., en: ...}")
            return
        for lang in LANGS:
            item = value.get(lang)
            if not isinstance(item, str) or not item.strip():
                self.add(file, place, f"missing '{lang}' translation")
            elif len(item) > MAX_TEXT:
                self.add(file, place, f"'{lang}' text is longer than {MAX_TEXT} characters")
        for lang in set(value) - set(LANGS):
            self.add(file, place, f"unknown language '{lang}'")

    def text_list(self, value: Any, file: str, place: str, low: int, high: int) -> None:
        """A bilingual list {ru: [...], en: [...]}, each with low..high non-empty items."""
        if not isinstance(value, dict):
            self.add(file, place, "expected a mapping {ru: [...], en: [...]}")
            return
        for lang in LANGS:
            items = value.get(lang)
            if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
                self.add(file, place, f"missing '{lang}' translation (a list of texts)")
            elif not low <= len(items) <= high:
                self.add(file, place, f"'{lang}' needs {low} to {high} items, has {len(items)}")

    def id_list(self, value: Any, allowed: tuple[str, ...] | set[str], file: str, place: str,
                low: int, high: int, kind: str) -> None:
        if not isinstance(value, list) or not all(isinstance(i, str) for i in value):
            self.add(file, place, f"expected a list of {kind} ids")
            return
        for item in value:
            if item not in allowed:
                self.add(file, place, f"unknown {kind} id '{item}'")
        if len(set(value)) != len(value):
            self.add(file, place, f"a {kind} id is listed twice")
        if not low <= len(value) <= high:
            self.add(file, place, f"needs {low} to {high} {kind} ids, has {len(value)}")

    def integer(self, value: Any, file: str, place: str, low: int, high: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.add(file, place, f"expected a whole number from {low} to {high}, got {value!r}")


def validate(bank: dict[str, Any]) -> list[Problem]:
    c = _Checker()
    comp_file = bank.get("_files", {}).get("competency", "competency.yaml")
    _check_competency(c, bank, comp_file)
    role_ids = {r.get("id") for r in bank.get("roles") or [] if isinstance(r, dict)}
    question_ids = _check_questions(c, bank.get("questions") or [], role_ids)
    _check_guides(c, bank.get("guides") or [], role_ids, question_ids,
                  {q.get("id"): q for q in bank.get("questions") or [] if isinstance(q, dict)})
    return c.problems


def _check_competency(c: _Checker, bank: dict, file: str) -> None:
    if bank.get("schema_version") != 1:
        c.add(file, "schema_version", "must be 1")
    comp = c.mapping(bank.get("competency"), file, "competency")
    c.required(comp, ("id", "name", "definition", "neighbours"), file, "competency")
    if comp:
        c.text(comp.get("name"), file, "competency.name")
        c.text(comp.get("definition"), file, "competency.definition")
        for i, n in enumerate(comp.get("neighbours") or []):
            n = c.mapping(n, file, f"competency.neighbours[{i}]")
            c.text(n.get("name"), file, f"competency.neighbours[{i}].name")
            c.text(n.get("distinction"), file, f"competency.neighbours[{i}].distinction")
    indicators = bank.get("indicators")
    if not isinstance(indicators, list):
        c.add(file, "indicators", "expected a list of the twelve indicators")
        indicators = []
    seen = []
    for i, ind in enumerate(indicators):
        place = f"indicators[{i}]"
        ind = c.mapping(ind, file, place)
        ind_id = ind.get("id")
        place = f"indicators[{i}] (id '{ind_id}')"
        if ind_id not in INDICATORS:
            c.add(file, place, f"unknown indicator id '{ind_id}'")
        elif ind_id in seen:
            c.add(file, place, f"duplicate indicator id '{ind_id}'")
        seen.append(ind_id)
        expected = "positive" if ind_id in POSITIVE else "negative"
        if ind_id in INDICATORS and ind.get("polarity") != expected:
            c.add(file, place + ".polarity", f"must be '{expected}'")
        for key in ("name", "definition", "not_this_when"):
            c.text(ind.get(key), file, f"{place}.{key}")
        if "examples" in ind:
            c.text_list(ind["examples"], file, f"{place}.examples", 1, 10)
    for missing in [i for i in INDICATORS if i not in seen]:
        c.add(file, "indicators", f"indicator '{missing}' is missing")
    scale = bank.get("rating_scale")
    scores = [s.get("score") for s in scale if isinstance(s, dict)] if isinstance(scale, list) else []
    if sorted(scores) != [1, 2, 3, 4, 5]:
        c.add(file, "rating_scale", "needs exactly the scores 1, 2, 3, 4, 5")
    for i, s in enumerate(scale or []):
        if isinstance(s, dict):
            c.text(s.get("meaning"), file, f"rating_scale[{i}].meaning")
    roles = bank.get("roles")
    if not isinstance(roles, list) or not roles:
        c.add(file, "roles", "expected a list of roles")
        roles = []
    role_seen = set()
    for i, r in enumerate(roles):
        r = c.mapping(r, file, f"roles[{i}]")
        if not isinstance(r.get("id"), str) or not ROLE_ID.match(r["id"]):
            c.add(file, f"roles[{i}].id", "expected a lowercase id (letters, digits, _)")
        elif r["id"] in role_seen:
            c.add(file, f"roles[{i}]", f"duplicate role id '{r['id']}'")
        role_seen.add(r.get("id"))
        c.text(r.get("name"), file, f"roles[{i}].name")


QUESTION_KEYS = ("id", "type", "indicators", "red_flags", "roles", "minutes", "text", "probes",
                 "listen_for", "red_flag_signs", "anchors")


def _check_questions(c: _Checker, questions: list, role_ids: set) -> set[str]:
    ids: dict[str, str] = {}
    for i, q in enumerate(questions):
        file = q.get("_file", "questions") if isinstance(q, dict) else "questions"
        q = c.mapping(q, file, f"questions[{i}]")
        qid = q.get("id")
        place = f"question '{qid}'" if isinstance(qid, str) else f"questions[{i}]"
        c.required(q, QUESTION_KEYS, file, place)
        if not isinstance(qid, str) or not SLUG.match(qid):
            c.add(file, place + ".id", "expected a lowercase slug of letters, digits and dashes")
        elif qid in ids:
            c.add(file, place, f"duplicate question id (also in {ids[qid]})")
        else:
            ids[qid] = file
        if "type" in q and q["type"] not in QUESTION_TYPES:
            c.add(file, place + ".type", f"must be one of {', '.join(QUESTION_TYPES)}")
        if "indicators" in q:
            c.id_list(q["indicators"], POSITIVE, file, place + ".indicators", 1, 3, "positive indicator")
        if "red_flags" in q:
            c.id_list(q["red_flags"], NEGATIVE, file, place + ".red_flags", 1, 3, "counter-indicator")
        if "roles" in q:
            c.id_list(q["roles"], role_ids, file, place + ".roles", 1, 10, "role")
        if "minutes" in q:
            c.integer(q["minutes"], file, place + ".minutes", MIN_MINUTES, MAX_MINUTES)
        if "text" in q:
            c.text(q["text"], file, place + ".text")
        probes = q.get("probes")
        if "probes" in q:
            if not isinstance(probes, list) or len(probes) < 2:
                c.add(file, place + ".probes", "needs at least two probes")
            else:
                for j, p in enumerate(probes):
                    p = c.mapping(p, file, f"{place}.probes[{j}]")
                    if p.get("star") not in (*STAR_PARTS, None):
                        c.add(file, f"{place}.probes[{j}].star", f"must be one of {', '.join(STAR_PARTS)} or null")
                    c.text(p.get("text"), file, f"{place}.probes[{j}].text")
        if "listen_for" in q:
            c.text_list(q["listen_for"], file, place + ".listen_for", 1, 8)
        if "red_flag_signs" in q:
            c.text_list(q["red_flag_signs"], file, place + ".red_flag_signs", 1, 8)
        anchors = q.get("anchors")
        if "anchors" in q:
            if not isinstance(anchors, dict):
                c.add(file, place + ".anchors", "expected a mapping of ratings 1, 3, 5 to texts")
            else:
                for score in (1, 3, 5):
                    if score not in anchors and str(score) not in anchors:
                        c.add(file, place + ".anchors", f"missing the anchor for {score}")
                for score, text in anchors.items():
                    if str(score) not in ("1", "2", "3", "4", "5"):
                        c.add(file, place + ".anchors", f"unknown rating {score!r}")
                    c.text(text, file, f"{place}.anchors.{score}")
        if "retired" in q and not isinstance(q["retired"], bool):
            c.add(file, place + ".retired", "must be true or false")
    return set(ids)


GUIDE_KEYS = ("id", "role", "title", "duration_minutes", "intro", "closing", "questions")


def _check_guides(c: _Checker, guides: list, role_ids: set, question_ids: set, questions: dict) -> None:
    seen: set[str] = set()
    for i, g in enumerate(guides):
        file = g.get("_file", "guides") if isinstance(g, dict) else "guides"
        g = c.mapping(g, file, f"guides[{i}]")
        gid = g.get("id")
        place = f"guide '{gid}'"
        c.required(g, GUIDE_KEYS, file, place)
        if not isinstance(gid, str) or not ROLE_ID.match(gid.replace("-", "_")):
            c.add(file, place + ".id", "expected a lowercase id")
        elif gid in seen:
            c.add(file, place, "duplicate guide id")
        seen.add(gid)
        if "role" in g and g["role"] not in role_ids:
            c.add(file, place + ".role", f"unknown role id '{g['role']}'")
        for key in ("title", "intro", "closing"):
            if key in g:
                c.text(g[key], file, f"{place}.{key}")
        if "duration_minutes" in g:
            c.integer(g["duration_minutes"], file, place + ".duration_minutes", 10, 240)
        for key in ("intro_minutes", "closing_minutes"):
            if key in g:
                c.integer(g[key], file, f"{place}.{key}", 0, 30)
        items = g.get("questions")
        if "questions" in g and (not isinstance(items, list) or not items):
            c.add(file, place + ".questions", "needs at least one question")
            continue
        total = (g.get("intro_minutes") or 0) + (g.get("closing_minutes") or 0)
        listed: set[str] = set()
        for j, item in enumerate(items or []):
            item = c.mapping(item, file, f"{place}.questions[{j}]")
            qid = item.get("question")
            if qid not in question_ids:
                c.add(file, f"{place}.questions[{j}]", f"unknown question '{qid}'")
                continue
            if qid in listed:
                c.add(file, f"{place}.questions[{j}]", f"question '{qid}' is listed twice")
            listed.add(qid)
            minutes = item.get("minutes", questions[qid].get("minutes"))
            if "minutes" in item:
                c.integer(item["minutes"], file, f"{place}.questions[{j}].minutes", 1, 60)
            total += minutes if isinstance(minutes, int) else 0
        if isinstance(g.get("duration_minutes"), int) and total > g["duration_minutes"]:
            c.add(file, place + ".questions",
                  f"the questions and scripts take {total} minutes, more than the {g['duration_minutes']} planned")
