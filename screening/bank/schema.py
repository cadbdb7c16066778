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


def N_(message: str) -> str:
    """Mark a message for the translation catalogue; it is translated when shown (Problem.localized)."""
    return message


class Term(str):
    """A word put into a message (a kind of id, a type name): translated along with the message."""


def _short(value: Any, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One problem in the bank: where it is and what is wrong.

    `message` is an English template with %(name)s placeholders (marked with N_ so it is in the
    catalogue) and `params` its values: `str(problem)` reads in English (the CLI), and
    `localized()` renders it in the user's language (the admin pages). `place` is a path into
    the file (YAML keys stay as written); the few places that are words are translated too.
    """

    file: str
    place: str
    message: str
    params: tuple[tuple[str, Any], ...] = ()
    place_params: tuple[tuple[str, Any], ...] = ()

    @property
    def text(self) -> str:
        return self.message % dict(self.params) if self.params else self.message

    @property
    def where(self) -> str:
        return self.place % dict(self.place_params) if self.place_params else self.place

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.text}"

    def localized(self) -> str:
        from flask_babel import gettext

        params = {k: gettext(v) if isinstance(v, Term) else v for k, v in self.params}
        return gettext(self.message, **params)

    def localized_place(self) -> str:
        from flask_babel import gettext

        if self.place_params or self.place in PLACE_WORDS:
            return gettext(self.place, **dict(self.place_params))
        return self.place


# Places that are words rather than paths into the file.
PLACE_FILE = N_("file")
PLACE_LINE = N_("line %(line)s, column %(column)s")
PLACE_WORDS = {PLACE_FILE}


def problem(file: str, place: str, message: str, /, **params: Any) -> Problem:
    return Problem(file, place, message, tuple(params.items()))


class BankInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the question bank")
        self.problems = problems


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, place: str, message: str, /, **params: Any) -> None:
        self.problems.append(problem(file, place, message, **params))

    def mapping(self, value: Any, file: str, place: str) -> dict:
        if not isinstance(value, dict):
            self.add(file, place, N_("expected a mapping, got %(type)s"), type=_type_name(value))
            return {}
        return value

    def listing(self, value: Any, file: str, place: str) -> list:
        if not isinstance(value, list):
            self.add(file, place, N_("expected a list, got %(type)s"), type=_type_name(value))
            return []
        return value

    def required(self, obj: dict, keys: tuple[str, ...], file: str, place: str) -> None:
        for key in keys:
            if key not in obj:
                self.add(file, place, N_("missing key '%(key)s'"), key=key)

    def unknown_keys(self, obj: dict, keys: tuple[str, ...], file: str, place: str) -> None:
        for key in obj:
            if not (isinstance(key, str) and (key in keys or key.startswith("_"))):
                self.add(file, place, N_("unknown key %(key)s"), key=_short(key))

    def text(self, value: Any, file: str, place: str) -> None:
        """A bilingual text {ru, en}, both non-empty."""
        if not isinstance(value, dict):
            self.add(file, place, N_("expected a mapping {ru: ..., en: ...}"))
            return
        for lang in LANGS:
            item = value.get(lang)
            if not isinstance(item, str) or not item.strip():
                self.add(file, place, N_("missing '%(lang)s' translation"), lang=lang)
            elif len(item) > MAX_TEXT:
                self.add(file, place, N_("'%(lang)s' text is longer than %(max)s characters"), lang=lang, max=MAX_TEXT)
        for lang in value:
            if lang not in LANGS:
                self.add(file, place, N_("unknown language %(lang)s"), lang=_short(lang))

    def text_list(self, value: Any, file: str, place: str, low: int, high: int) -> None:
        """A bilingual list {ru: [...], en: [...]}, each with low..high non-empty items, as many in both."""
        if not isinstance(value, dict):
            self.add(file, place, N_("expected a mapping {ru: [...], en: [...]}"))
            return
        lengths = {}
        for lang in LANGS:
            items = value.get(lang)
            if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
                self.add(file, place, N_("missing '%(lang)s' translation (a list of texts)"), lang=lang)
            elif not low <= len(items) <= high:
                self.add(file, place, N_("'%(lang)s' needs %(low)s to %(high)s items, has %(n)s"),
                         lang=lang, low=low, high=high, n=len(items))
            else:
                lengths[lang] = len(items)
            if isinstance(items, list) and any(isinstance(i, str) and len(i) > MAX_TEXT for i in items):
                self.add(file, place, N_("'%(lang)s' text is longer than %(max)s characters"), lang=lang, max=MAX_TEXT)
        if len(lengths) == 2 and lengths["ru"] != lengths["en"]:
            self.add(file, place, N_("'ru' has %(ru)s items and 'en' has %(en)s: a translation is missing"),
                     ru=lengths["ru"], en=lengths["en"])
        for lang in value:
            if lang not in LANGS:
                self.add(file, place, N_("unknown language %(lang)s"), lang=_short(lang))

    def id_list(self, value: Any, allowed: tuple[str, ...] | set[str], file: str, place: str,
                low: int, high: int, kind: str) -> None:
        """`kind` is a translatable noun (N_) shown in the messages."""
        if not isinstance(value, list) or not all(isinstance(i, str) for i in value):
            self.add(file, place, N_("expected a list of %(kind)s ids"), kind=kind)
            return
        for item in value:
            if item not in allowed:
                self.add(file, place, N_("unknown %(kind)s id '%(id)s'"), kind=kind, id=item)
        if len(set(value)) != len(value):
            self.add(file, place, N_("a %(kind)s id is listed twice"), kind=kind)
        if not low <= len(value) <= high:
            self.add(file, place, N_("needs %(low)s to %(high)s %(kind)s ids, has %(n)s"),
                     low=low, high=high, kind=kind, n=len(value))

    def integer(self, value: Any, file: str, place: str, low: int, high: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.add(file, place, N_("expected a whole number from %(low)s to %(high)s, got %(value)s"),
                     low=low, high=high, value=_short(value))

    def boolean(self, value: Any, file: str, place: str) -> None:
        if not isinstance(value, bool):
            self.add(file, place, N_("must be true or false"))


TYPE_NAMES = {dict: Term(N_("a mapping")), list: Term(N_("a list")), str: Term(N_("a text")),
              int: Term(N_("a number")), float: Term(N_("a number")), bool: Term(N_("true or false")),
              type(None): Term(N_("nothing"))}
KIND_POSITIVE = Term(N_("positive indicator"))
KIND_NEGATIVE = Term(N_("counter-indicator"))
KIND_ROLE = Term(N_("role"))


def _type_name(value: Any) -> str:
    return TYPE_NAMES.get(type(value), Term(N_("something else")))


def _text_id(value: Any) -> str | None:
    """An id that is a text, or None (ids of other types are reported, never hashed or compared)."""
    return value if isinstance(value, str) else None


def validate(bank: dict[str, Any]) -> list[Problem]:
    """Every problem of a bank, each with file and place. Never raises, whatever the types inside."""
    c = _Checker()
    files = bank.get("_files") if isinstance(bank.get("_files"), dict) else {}
    comp_file = files.get("competency", "competency.yaml")
    _check_competency(c, bank, comp_file)
    roles = bank.get("roles") if isinstance(bank.get("roles"), list) else []
    role_ids = {_text_id(r.get("id")) for r in roles if isinstance(r, dict)} - {None}
    questions = bank.get("questions") or []
    if not isinstance(questions, list):
        c.add("questions", "questions", N_("expected a list, got %(type)s"), type=_type_name(questions))
        questions = []
    question_ids = _check_questions(c, questions, role_ids)
    by_id = {q["id"]: q for q in questions if isinstance(q, dict) and _text_id(q.get("id"))}
    guides = bank.get("guides") or []
    if not isinstance(guides, list):
        c.add("guides", "guides", N_("expected a list, got %(type)s"), type=_type_name(guides))
        guides = []
    _check_guides(c, guides, role_ids, question_ids, by_id)
    return c.problems


def _check_competency(c: _Checker, bank: dict, file: str) -> None:
    if bank.get("schema_version") != 1:
        c.add(file, "schema_version", N_("must be 1"))
    comp = c.mapping(bank.get("competency"), file, "competency")
    c.required(comp, ("id", "name", "definition", "neighbours"), file, "competency")
    if comp:
        c.text(comp.get("name"), file, "competency.name")
        c.text(comp.get("definition"), file, "competency.definition")
        neighbours = comp.get("neighbours")
        if neighbours is not None:
            neighbours = c.listing(neighbours, file, "competency.neighbours")
        for i, n in enumerate(neighbours or []):
            n = c.mapping(n, file, f"competency.neighbours[{i}]")
            if n:
                c.text(n.get("name"), file, f"competency.neighbours[{i}].name")
                c.text(n.get("distinction"), file, f"competency.neighbours[{i}].distinction")
    indicators = bank.get("indicators")
    if not isinstance(indicators, list):
        c.add(file, "indicators", N_("expected a list of the twelve indicators"))
        indicators = []
    seen: list[str] = []
    for i, ind in enumerate(indicators):
        ind = c.mapping(ind, file, f"indicators[{i}]")
        if not ind:
            continue
        ind_id = _text_id(ind.get("id"))
        place = f"indicators[{i}] (id '{ind_id}')" if ind_id else f"indicators[{i}]"
        if ind_id is None:
            c.add(file, place + ".id", N_("expected a text id, got %(type)s"), type=_type_name(ind.get("id")))
        elif ind_id not in INDICATORS:
            c.add(file, place, N_("unknown indicator id '%(id)s'"), id=ind_id)
        elif ind_id in seen:
            c.add(file, place, N_("duplicate indicator id '%(id)s'"), id=ind_id)
        if ind_id:
            seen.append(ind_id)
        if ind_id in INDICATORS:
            expected = "positive" if ind_id in POSITIVE else "negative"
            if ind.get("polarity") != expected:
                c.add(file, place + ".polarity", N_("must be '%(value)s'"), value=expected)
        for key in ("name", "definition", "not_this_when"):
            c.text(ind.get(key), file, f"{place}.{key}")
        if "examples" in ind:
            c.text_list(ind["examples"], file, f"{place}.examples", 1, 10)
    for missing in [i for i in INDICATORS if i not in seen]:
        c.add(file, "indicators", N_("indicator '%(id)s' is missing"), id=missing)
    scale = bank.get("rating_scale")
    if not isinstance(scale, list):
        c.add(file, "rating_scale", N_("expected a list of the scores 1 to 5 with their meaning"))
        scale = []
    scores = [s.get("score") for s in scale if isinstance(s, dict)]
    if len(scores) != 5 or not all(isinstance(s, int) and not isinstance(s, bool) for s in scores) \
            or sorted(scores) != [1, 2, 3, 4, 5]:
        c.add(file, "rating_scale", N_("needs exactly the scores 1, 2, 3, 4, 5"))
    for i, s in enumerate(scale):
        s = c.mapping(s, file, f"rating_scale[{i}]")
        if s:
            c.text(s.get("meaning"), file, f"rating_scale[{i}].meaning")
    roles = bank.get("roles")
    if not isinstance(roles, list) or not roles:
        c.add(file, "roles", N_("expected a list of roles"))
        roles = []
    role_seen: set[str] = set()
    for i, r in enumerate(roles):
        r = c.mapping(r, file, f"roles[{i}]")
        if not r:
            continue
        role_id = _text_id(r.get("id"))
        if role_id is None or not ROLE_ID.match(role_id):
            c.add(file, f"roles[{i}].id", N_("expected a lowercase id (letters, digits, _)"))
        elif role_id in role_seen:
            c.add(file, f"roles[{i}]", N_("duplicate role id '%(id)s'"), id=role_id)
        else:
            role_seen.add(role_id)
        c.text(r.get("name"), file, f"roles[{i}].name")


QUESTION_KEYS = ("id", "type", "indicators", "red_flags", "roles", "minutes", "text", "probes",
                 "listen_for", "red_flag_signs", "anchors")
ANCHOR_SCORES = ("1", "2", "3", "4", "5")
REQUIRED_ANCHORS = ("1", "3", "5")


def _check_questions(c: _Checker, questions: list, role_ids: set) -> set[str]:
    ids: dict[str, str] = {}
    for i, q in enumerate(questions):
        file = q.get("_file", "questions") if isinstance(q, dict) else "questions"
        q = c.mapping(q, file, f"questions[{i}]")
        if not q:
            continue
        qid = _text_id(q.get("id"))
        place = f"question '{qid}'" if qid else f"questions[{i}]"
        c.required(q, QUESTION_KEYS, file, place)
        c.unknown_keys(q, (*QUESTION_KEYS, "retired"), file, place)
        if qid is None or not SLUG.match(qid):
            c.add(file, place + ".id", N_("expected a lowercase slug of letters, digits and dashes"))
        elif qid in ids:
            c.add(file, place, N_("duplicate question id (also in %(other)s)"), other=ids[qid])
        else:
            ids[qid] = file
        if "type" in q and (not isinstance(q["type"], str) or q["type"] not in QUESTION_TYPES):
            c.add(file, place + ".type", N_("must be one of %(values)s"), values=", ".join(QUESTION_TYPES))
        if "indicators" in q:
            c.id_list(q["indicators"], POSITIVE, file, place + ".indicators", 1, 3, KIND_POSITIVE)
        if "red_flags" in q:
            c.id_list(q["red_flags"], NEGATIVE, file, place + ".red_flags", 1, 3, KIND_NEGATIVE)
        if "roles" in q:
            c.id_list(q["roles"], role_ids, file, place + ".roles", 1, 10, KIND_ROLE)
        if "minutes" in q:
            c.integer(q["minutes"], file, place + ".minutes", MIN_MINUTES, MAX_MINUTES)
        if "text" in q:
            c.text(q["text"], file, place + ".text")
        if "probes" in q:
            probes = q["probes"]
            if not isinstance(probes, list) or len(probes) < 2:
                c.add(file, place + ".probes", N_("needs at least two probes"))
            else:
                for j, p in enumerate(probes):
                    p = c.mapping(p, file, f"{place}.probes[{j}]")
                    if not p:
                        continue
                    star = p.get("star")
                    if star is not None and (not isinstance(star, str) or star not in STAR_PARTS):
                        c.add(file, f"{place}.probes[{j}].star", N_("must be one of %(values)s or null"),
                              values=", ".join(STAR_PARTS))
                    c.text(p.get("text"), file, f"{place}.probes[{j}].text")
        if "listen_for" in q:
            c.text_list(q["listen_for"], file, place + ".listen_for", 1, 8)
        if "red_flag_signs" in q:
            c.text_list(q["red_flag_signs"], file, place + ".red_flag_signs", 1, 8)
        if "anchors" in q:
            _check_anchors(c, q["anchors"], file, place + ".anchors")
        if "retired" in q:
            c.boolean(q["retired"], file, place + ".retired")
    return set(ids)


def _check_anchors(c: _Checker, anchors: Any, file: str, place: str) -> None:
    if not isinstance(anchors, dict):
        c.add(file, place, N_("expected a mapping of ratings 1, 3, 5 to texts"))
        return
    keys = [str(k) for k in anchors if isinstance(k, int | str) and not isinstance(k, bool)]
    for score in REQUIRED_ANCHORS:
        if score not in keys:
            c.add(file, place, N_("missing the anchor for %(score)s"), score=score)
    for score in sorted(set(keys)):
        if keys.count(score) > 1:
            c.add(file, place, N_("the anchor for %(score)s is given twice"), score=score)
    for score, text in anchors.items():
        if isinstance(score, bool) or not isinstance(score, int | str) or str(score) not in ANCHOR_SCORES:
            c.add(file, place, N_("unknown rating %(score)s"), score=_short(score))
            continue
        c.text(text, file, f"{place}.{score}")


GUIDE_KEYS = ("id", "role", "title", "duration_minutes", "intro", "closing", "questions")
GUIDE_OPTIONAL_KEYS = ("intro_minutes", "closing_minutes", "retired")


def _check_guides(c: _Checker, guides: list, role_ids: set, question_ids: set, questions: dict) -> None:
    seen: set[str] = set()
    for i, g in enumerate(guides):
        file = g.get("_file", "guides") if isinstance(g, dict) else "guides"
        g = c.mapping(g, file, f"guides[{i}]")
        if not g:
            continue
        gid = _text_id(g.get("id"))
        place = f"guide '{gid}'" if gid else f"guides[{i}]"
        c.required(g, GUIDE_KEYS, file, place)
        c.unknown_keys(g, (*GUIDE_KEYS, *GUIDE_OPTIONAL_KEYS), file, place)
        if gid is None or not ROLE_ID.match(gid.replace("-", "_")):
            c.add(file, place + ".id", N_("expected a lowercase id"))
        elif gid in seen:
            c.add(file, place, N_("duplicate guide id"))
        else:
            seen.add(gid)
        if "role" in g:
            role = _text_id(g["role"])
            if role is None:
                c.add(file, place + ".role", N_("expected a text id, got %(type)s"), type=_type_name(g["role"]))
            elif role not in role_ids:
                c.add(file, place + ".role", N_("unknown role id '%(id)s'"), id=role)
        for key in ("title", "intro", "closing"):
            if key in g:
                c.text(g[key], file, f"{place}.{key}")
        if "duration_minutes" in g:
            c.integer(g["duration_minutes"], file, place + ".duration_minutes", 10, 240)
        total = 0
        for key in ("intro_minutes", "closing_minutes"):
            if key in g:
                c.integer(g[key], file, f"{place}.{key}", 0, 30)
                total += g[key] if isinstance(g[key], int) and not isinstance(g[key], bool) else 0
        if "retired" in g:
            c.boolean(g["retired"], file, place + ".retired")
        items = g.get("questions")
        if "questions" in g and (not isinstance(items, list) or not items):
            c.add(file, place + ".questions", N_("needs at least one question"))
            continue
        listed: set[str] = set()
        for j, item in enumerate(items or []):
            item = c.mapping(item, file, f"{place}.questions[{j}]")
            if not item:
                continue
            qid = _text_id(item.get("question"))
            if qid is None:
                c.add(file, f"{place}.questions[{j}].question", N_("expected a question id, got %(type)s"),
                      type=_type_name(item.get("question")))
                continue
            if qid not in question_ids:
                c.add(file, f"{place}.questions[{j}]", N_("unknown question '%(id)s'"), id=qid)
                continue
            if qid in listed:
                c.add(file, f"{place}.questions[{j}]", N_("question '%(id)s' is listed twice"), id=qid)
            listed.add(qid)
            for key in item:
                if key not in ("question", "minutes"):
                    c.add(file, f"{place}.questions[{j}]", N_("unknown key %(key)s"), key=_short(key))
            if "minutes" in item:
                c.integer(item["minutes"], file, f"{place}.questions[{j}].minutes", 1, 60)
            if questions[qid].get("retired") is True:
                continue  # a retired question is not asked, so it takes no time
            minutes = item.get("minutes", questions[qid].get("minutes"))
            total += minutes if isinstance(minutes, int) and not isinstance(minutes, bool) else 0
        duration = g.get("duration_minutes")
        if isinstance(duration, int) and not isinstance(duration, bool) and total > duration:
            c.add(file, place + ".questions",
                  N_("the questions and scripts take %(total)s minutes, more than the %(planned)s planned"),
                  total=total, planned=duration)
