"""The question bank's rules: versioned imports and edits, retiring, guides, coverage.

Every change to the bank, whether a file import or an admin's edit, goes through
`_commit_bank`: validate the whole new bank, diff it against the latest version, write the
working tables and record a new `BankVersion` with the full snapshot. Interviews pin a
version, so their questions stay as they were asked.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from screening.bank import files as bank_files
from screening.bank.schema import BankInvalid, Problem, validate
from screening.extensions import db
from screening.models import Answer, BankVersion, Guide, GuideItem, Indicator, Question, QuestionRevision
from screening.nlp.labels import NEGATIVE, POSITIVE
from screening.services import audit
from screening.services.errors import NotFound, ServiceError

QUESTION_FIELDS = ("type", "indicators", "red_flags", "roles", "minutes", "text", "probes",
                   "listen_for", "red_flag_signs", "anchors", "retired")
GUIDE_FIELDS = ("role", "title", "duration_minutes", "intro", "closing", "intro_minutes",
                "closing_minutes", "retired")


@dataclass
class BankChange:
    version: BankVersion | None
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.version is not None


# ---------------------------------------------------------------- reading


def latest_version() -> BankVersion | None:
    return db.session.scalar(sa.select(BankVersion).order_by(BankVersion.number.desc()).limit(1))


def get_version(number: int) -> BankVersion:
    version = db.session.scalar(sa.select(BankVersion).where(BankVersion.number == number))
    if version is None:
        raise NotFound("No such bank version.")
    return version


def versions() -> list[BankVersion]:
    return list(db.session.scalars(sa.select(BankVersion).order_by(BankVersion.number.desc())))


def current_bank() -> dict[str, Any]:
    """The latest snapshot (canonical form plus `_files`), or raise when nothing was imported."""
    version = latest_version()
    if version is None:
        raise NotFound("The question bank is empty: run `flask --app screening import-bank`.")
    return copy.deepcopy(version.snapshot)


def indicators() -> list[Indicator]:
    return list(db.session.scalars(sa.select(Indicator).order_by(Indicator.position)))


def get_question(question_id: str) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound("No such question.")
    return question


def get_guide(guide_id: str) -> Guide:
    guide = db.session.get(Guide, guide_id)
    if guide is None:
        raise NotFound("No such guide.")
    return guide


def list_guides(include_retired: bool = False) -> list[Guide]:
    query = sa.select(Guide).order_by(Guide.id)
    if not include_retired:
        query = query.where(Guide.retired.is_(False))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class QuestionFilter:
    indicator: str | None = None
    type: str | None = None
    role: str | None = None
    lang: str | None = None  # search only in this language's texts
    text: str | None = None
    include_retired: bool = False


def search_questions(f: QuestionFilter) -> list[Question]:
    questions = db.session.scalars(sa.select(Question).order_by(Question.id)).all()
    needle = (f.text or "").strip().casefold()
    langs = (f.lang,) if f.lang in ("ru", "en") else ("ru", "en")

    def matches(q: Question) -> bool:
        if q.retired and not f.include_retired:
            return False
        if f.indicator and f.indicator not in q.indicators and f.indicator not in q.red_flags:
            return False
        if f.type and q.type != f.type:
            return False
        if f.role and f.role not in q.roles:
            return False
        if needle:
            haystack = [q.id] + [q.text.get(lang, "") for lang in langs]
            haystack += [p["text"].get(lang, "") for p in q.probes for lang in langs]
            if not any(needle in h.casefold() for h in haystack):
                return False
        return True

    return [q for q in questions if matches(q)]


def question_is_used(question_id: str) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Answer).where(Answer.question_id == question_id)) > 0


def guide_minutes(guide: Guide) -> int:
    return guide.intro_minutes + guide.closing_minutes + sum(
        item.minutes if item.minutes is not None else item.question.minutes for item in guide.items)


# ---------------------------------------------------------------- writing


def import_bank(root: Path, author_id: int | None = None, note: str = "") -> BankChange:
    """Load a bank directory as a new version; an invalid bank changes nothing (BankInvalid)."""
    bank = bank_files.read_bank(root)
    problems = validate(bank)
    if problems:
        raise BankInvalid(problems)
    new = bank_files.canonical(bank)
    files = bank_files.files_of(bank)
    latest = latest_version()
    if latest is not None:
        # Questions and guides that disappeared from the files are retired, never deleted:
        # old interviews still point at them.
        known_q = {q["id"] for q in new["questions"]}
        for q in latest.snapshot["questions"]:
            if q["id"] not in known_q:
                new["questions"].append({**q, "retired": True})
                files.setdefault(q["id"], latest.snapshot.get("_files", {}).get(q["id"], "questions/retired.yaml"))
        known_g = {g["id"] for g in new["guides"]}
        for g in latest.snapshot["guides"]:
            if g["id"] not in known_g:
                new["guides"].append({**g, "retired": True})
        new = bank_files.canonical({**new, "questions": new["questions"], "guides": new["guides"]})
    return _commit_bank(new, files, "import", note or f"import from {Path(root).name}", author_id)


def export_bank(root: Path) -> list[Path]:
    snapshot = current_bank()
    files = snapshot.pop("_files", {})
    return bank_files.write_bank(snapshot, files, root)


def save_question(data: dict[str, Any], author_id: int | None, question_id: str | None = None) -> BankChange:
    """Create (question_id None) or edit a question; the whole bank is re-validated."""
    bank = current_bank()
    files = bank.pop("_files", {})
    questions = {q["id"]: q for q in bank["questions"]}
    if question_id is None:
        new_id = data.get("id")
        if new_id in questions:
            raise ServiceError("A question with this id already exists.", {"id": "A question with this id already exists."})
        files[new_id] = "questions/added.yaml"
        question = {"id": new_id, "retired": False}
    else:
        if question_id not in questions:
            raise NotFound("No such question.")
        question = questions[question_id]
    question.update({k: v for k, v in data.items() if k in QUESTION_FIELDS})
    questions[question["id"]] = question
    bank["questions"] = list(questions.values())
    return _commit_bank(bank_files.canonical(bank), files, "edit",
                        f"{'created' if question_id is None else 'edited'} question {question['id']}", author_id)


def set_question_retired(question_id: str, retired: bool, author_id: int | None) -> BankChange:
    return save_question({"retired": retired}, author_id, question_id)


def delete_question(question_id: str, author_id: int | None) -> BankChange:
    """Only a question no interview has used may be deleted; others are retired."""
    if question_is_used(question_id):
        raise ServiceError("This question was used in an interview: retire it instead of deleting it.")
    bank = current_bank()
    files = bank.pop("_files", {})
    if question_id not in {q["id"] for q in bank["questions"]}:
        raise NotFound("No such question.")
    in_guides = [g["id"] for g in bank["guides"] if any(i["question"] == question_id for i in g["questions"])]
    if in_guides:
        raise ServiceError(f"Remove the question from these guides first: {', '.join(in_guides)}.")
    bank["questions"] = [q for q in bank["questions"] if q["id"] != question_id]
    return _commit_bank(bank_files.canonical(bank), files, "edit", f"deleted question {question_id}", author_id)


def save_guide(guide_id: str, author_id: int | None, *, items: list[dict[str, Any]] | None = None,
               fields: dict[str, Any] | None = None) -> BankChange:
    """Change a guide's ordered questions ([{question, minutes?}]) and/or its fields."""
    bank = current_bank()
    files = bank.pop("_files", {})
    guides = {g["id"]: g for g in bank["guides"]}
    if guide_id not in guides:
        raise NotFound("No such guide.")
    guide = guides[guide_id]
    if items is not None:
        guide["questions"] = [{k: v for k, v in i.items() if k in ("question", "minutes") and v is not None} for i in items]
    guide.update({k: v for k, v in (fields or {}).items() if k in GUIDE_FIELDS})
    active = {q["id"] for q in bank["questions"] if not q.get("retired")}
    retired_in_guide = [i["question"] for i in guide["questions"] if i["question"] not in active]
    if items is not None and retired_in_guide:
        raise ServiceError(f"Retired questions cannot be added to a guide: {', '.join(retired_in_guide)}.")
    return _commit_bank(bank_files.canonical(bank), files, "edit", f"edited guide {guide_id}", author_id)


def _commit_bank(new: dict[str, Any], files: dict[str, str], source: str, note: str,
                 author_id: int | None) -> BankChange:
    problems = validate(new)
    if problems:
        raise BankInvalid(problems)
    digest = bank_files.content_hash(new)
    latest = latest_version()
    if latest is not None and latest.content_hash == digest:
        return BankChange(None, {})
    old = latest.snapshot if latest else None
    changes = diff_banks(old, new)
    number = (latest.number + 1) if latest else 1
    version = BankVersion(number=number, author_id=author_id, source=source, note=note[:500],
                          content_hash=digest, snapshot={**new, "_files": files}, changes=changes)
    db.session.add(version)
    db.session.flush()
    _write_tables(new, version, changes)
    audit.record("bank.version", actor_id=author_id, object_type="bank_version", object_id=number,
                 source=source, summary=summarise(changes))
    db.session.commit()
    return BankChange(version, changes)


def diff_banks(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    def by_id(items):
        return {i["id"]: i for i in items}

    def diff(old_items: dict, new_items: dict) -> dict[str, list[str]]:
        out = {"added": [], "changed": [], "retired": [], "restored": [], "removed": []}
        for key, item in new_items.items():
            before = old_items.get(key)
            if before is None:
                out["added"].append(key)
            elif before != item:
                if not before.get("retired") and item.get("retired"):
                    out["retired"].append(key)
                elif before.get("retired") and not item.get("retired"):
                    out["restored"].append(key)
                else:
                    out["changed"].append(key)
        out["removed"] = [k for k in old_items if k not in new_items]
        return {k: sorted(v) for k, v in out.items() if v}

    old = old or {"questions": [], "guides": [], "indicators": []}
    return {
        "questions": diff(by_id(old["questions"]), by_id(new["questions"])),
        "guides": diff(by_id(old["guides"]), by_id(new["guides"])),
        "indicators": diff(by_id(old.get("indicators") or []), by_id(new["indicators"])),
        "competency": old.get("competency") != new["competency"] or old.get("rating_scale") != new["rating_scale"]
        or old.get("roles") != new["roles"],
    }


def summarise(changes: dict[str, Any]) -> str:
    parts = []
    for kind in ("questions", "guides", "indicators"):
        for what, ids in (changes.get(kind) or {}).items():
            parts.append(f"{kind} {what}: {len(ids)}")
    if changes.get("competency"):
        parts.append("competency, scale or roles changed")
    return "; ".join(parts) or "no changes"


def _write_tables(bank: dict[str, Any], version: BankVersion, changes: dict[str, Any]) -> None:
    """Make the working tables match the bank (the latest version)."""
    for position, ind in enumerate(bank["indicators"]):
        row = db.session.get(Indicator, ind["id"]) or Indicator(id=ind["id"])
        row.position = position
        row.polarity = ind["polarity"]
        row.name, row.definition, row.not_this_when = ind["name"], ind["definition"], ind["not_this_when"]
        row.examples = ind.get("examples") or {}
        db.session.add(row)
    touched = set()
    for what in ("added", "changed", "retired", "restored"):
        touched.update(changes["questions"].get(what, []))
    for q in bank["questions"]:
        row = db.session.get(Question, q["id"])
        if row is None:
            row = Question(id=q["id"], revision=0)
            db.session.add(row)
        elif q["id"] not in touched:
            continue
        for key in QUESTION_FIELDS:
            setattr(row, key, copy.deepcopy(q[key]))
        row.revision = (row.revision or 0) + 1
        db.session.add(QuestionRevision(question_id=q["id"], revision=row.revision,
                                        bank_version_id=version.id, content=copy.deepcopy(q)))
    db.session.flush()
    for qid in changes["questions"].get("removed", []):
        db.session.execute(sa.delete(GuideItem).where(GuideItem.question_id == qid))
        db.session.execute(sa.delete(QuestionRevision).where(QuestionRevision.question_id == qid))
        db.session.execute(sa.delete(Question).where(Question.id == qid))
    for g in bank["guides"]:
        row = db.session.get(Guide, g["id"])
        if row is None:
            row = Guide(id=g["id"], revision=0)
            db.session.add(row)
        for key in GUIDE_FIELDS:
            setattr(row, key, copy.deepcopy(g[key]))
        current = [(i.question_id, i.minutes) for i in row.items]
        wanted = [(i["question"], i.get("minutes")) for i in g["questions"]]
        if current != wanted:
            row.items.clear()
            db.session.flush()
            row.items.extend(GuideItem(question_id=qid, position=pos, minutes=minutes)
                             for pos, (qid, minutes) in enumerate(wanted))
        if g["id"] in set(sum(changes["guides"].values(), [])):
            row.revision = (row.revision or 0) + 1


# ---------------------------------------------------------------- views of the bank


def guide_snapshot(guide_id: str, version: BankVersion | None = None) -> dict[str, Any]:
    """The guide as it stands in a bank version, with the full content of its questions."""
    version = version or latest_version()
    if version is None:
        raise NotFound("The question bank is empty.")
    guides = {g["id"]: g for g in version.snapshot["guides"]}
    if guide_id not in guides:
        raise NotFound("No such guide.")
    guide = copy.deepcopy(guides[guide_id])
    questions = {q["id"]: q for q in version.snapshot["questions"]}
    guide["questions"] = [{**copy.deepcopy(questions[i["question"]]),
                           "minutes": i.get("minutes") or questions[i["question"]]["minutes"]}
                          for i in guide["questions"]]
    guide["bank_version"] = version.number
    return guide


def coverage() -> dict[str, Any]:
    """Indicators × guides: how many of a guide's questions target (or can reveal) each indicator."""
    guides = list_guides()
    rows = []
    for ind in indicators():
        cells = []
        for guide in guides:
            count = sum(1 for item in guide.items
                        if ind.id in (item.question.indicators if ind.polarity == "positive" else item.question.red_flags))
            cells.append(count)
        rows.append({"indicator": ind, "cells": cells, "total": sum(cells)})
    return {"guides": guides, "rows": rows}


def bank_counts() -> dict[str, Any]:
    active = [q for q in db.session.scalars(sa.select(Question)) if not q.retired]
    return {
        "questions": len(active),
        "by_indicator": {i: sum(1 for q in active if i in q.indicators) for i in POSITIVE},
        "by_red_flag": {i: sum(1 for q in active if i in q.red_flags) for i in NEGATIVE},
        "by_type": {t: sum(1 for q in active if q.type == t) for t in ("behavioural", "situational")},
    }


__all__ = ["BankInvalid", "Problem", "import_bank", "export_bank", "save_question", "save_guide"]
