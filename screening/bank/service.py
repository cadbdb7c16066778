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
from flask_babel import lazy_gettext as _l

from screening.bank import files as bank_files
from screening.bank import history
from screening.bank.files import ExportTargetNotEmpty
from screening.bank.schema import BankInvalid, Problem, validate
from screening.extensions import db
from screening.models import Answer, BankVersion, Guide, GuideItem, Indicator, Question, QuestionRevision, User
from screening.nlp.labels import NEGATIVE, POSITIVE
from screening.services import audit
from screening.services.errors import Conflict, NotFound, ServiceError

QUESTION_FIELDS = ("type", "indicators", "red_flags", "roles", "minutes", "text", "probes",
                   "listen_for", "red_flag_signs", "anchors", "retired")
GUIDE_FIELDS = ("role", "title", "duration_minutes", "intro", "closing", "intro_minutes",
                "closing_minutes", "retired")


@dataclass(frozen=True)
class OverriddenEdit:
    """An edit made in the admin pages that a file import replaces (it was not in the files)."""

    kind: str  # question | guide
    id: str
    version: int
    author: str | None
    when: Any


@dataclass
class BankChange:
    version: BankVersion | None
    changes: dict[str, Any] = field(default_factory=dict)
    overridden: list[OverriddenEdit] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.version is not None


# ---------------------------------------------------------------- reading


def latest_version() -> BankVersion | None:
    return db.session.scalar(sa.select(BankVersion).order_by(BankVersion.number.desc()).limit(1))


def find_version(number: int) -> BankVersion | None:
    return db.session.scalar(sa.select(BankVersion).where(BankVersion.number == number))


def get_version(number: int) -> BankVersion:
    version = find_version(number)
    if version is None:
        raise NotFound(_l("No such bank version."))
    return version


def versions() -> list[BankVersion]:
    return list(db.session.scalars(sa.select(BankVersion).order_by(BankVersion.number.desc())))


def current_bank() -> dict[str, Any]:
    """The latest snapshot (canonical form plus `_files`), or raise when nothing was imported."""
    version = latest_version()
    if version is None:
        raise NotFound(_l("The question bank is empty: run `flask --app screening import-bank`."))
    return copy.deepcopy(version.snapshot)


def indicators() -> list[Indicator]:
    return list(db.session.scalars(sa.select(Indicator).order_by(Indicator.position)))


def get_question(question_id: str) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(_l("No such question."))
    return question


def get_guide(guide_id: str) -> Guide:
    guide = db.session.get(Guide, guide_id)
    if guide is None:
        raise NotFound(_l("No such guide."))
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


def active_items(guide: Guide) -> list[GuideItem]:
    """The guide's questions that are asked: a retired question is never asked in a new interview."""
    return [item for item in guide.items if not item.question.retired]


def guide_minutes(guide: Guide) -> int:
    return guide.intro_minutes + guide.closing_minutes + sum(
        item.minutes if item.minutes is not None else item.question.minutes for item in active_items(guide))


def last_change(kind: str, item_id: str) -> BankVersion | None:
    """The latest bank version that changed this question or guide."""
    for version in db.session.scalars(sa.select(BankVersion).order_by(BankVersion.number.desc())):
        if any(item_id in ids for ids in (version.changes.get(kind) or {}).values()):
            return version
    return None


# ---------------------------------------------------------------- writing


class StaleEdit(Conflict):
    """The form was opened on an older revision: someone else saved in between."""

    def __init__(self, message: Any, *, current_revision: int, author: str | None, when: Any,
                 changes: list[history.FieldChange] | None = None):
        super().__init__(message)
        self.current_revision = current_revision
        self.author = author
        self.when = when
        self.changes = changes or []


def import_bank(root: Path, author_id: int | None = None, note: str = "") -> BankChange:
    """Load a bank directory as a new version; an invalid bank changes nothing (BankInvalid).

    The files are the source of truth: edits made in the admin pages since the last import that
    the files do not contain are overridden, and listed in `BankChange.overridden`.
    """
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
    overridden = unexported_edits(new)
    result = _commit_bank(new, files, "import", note or history.note(history.NOTE_IMPORT, folder=Path(root).name),
                          author_id)
    if result.changed:
        result.overridden = overridden
    return result


def unexported_edits(new: dict[str, Any]) -> list[OverriddenEdit]:
    """Admin-page edits since the last import whose result differs in `new` (an import would undo them)."""
    latest = latest_version()
    if latest is None:
        return []
    touched: dict[tuple[str, str], tuple[int, int | None, Any]] = {}
    rows = db.session.execute(sa.select(BankVersion.number, BankVersion.source, BankVersion.changes,
                                        BankVersion.author_id, BankVersion.created_at)
                              .order_by(BankVersion.number.desc()))
    for number, source, changes, author_id, created_at in rows:
        if source != "edit":
            break
        for kind in ("questions", "guides"):
            for ids in (changes.get(kind) or {}).values():
                for item_id in ids:
                    touched.setdefault((kind, item_id), (number, author_id, created_at))
    out = []
    for (kind, item_id), (number, author_id, created_at) in sorted(touched.items()):
        before = next((i for i in latest.snapshot[kind] if i["id"] == item_id), None)
        after = next((i for i in new[kind] if i["id"] == item_id), None)
        if before != after:
            author = db.session.get(User, author_id) if author_id else None
            out.append(OverriddenEdit(kind[:-1], item_id, number, author.display_name if author else None, created_at))
    return out


def export_bank(root: Path, force: bool = False) -> list[Path]:
    """Write the current bank to root; a non-empty root is refused (ExportTargetNotEmpty) unless force."""
    snapshot = current_bank()
    files = snapshot.pop("_files", {})
    return bank_files.write_bank(snapshot, files, root, replace=force)


def _author_name(version: BankVersion | None) -> str | None:
    return version.author.display_name if version is not None and version.author is not None else None


def _claim_question(question_id: str, expected_revision: int) -> None:
    """Refuse (StaleEdit) unless the question is still at the revision the form was opened on.

    The check is an UPDATE … WHERE revision = expected: it takes the row's lock, so of two
    admins saving the same revision at once exactly one goes through.
    """
    result = db.session.execute(
        sa.update(Question).where(Question.id == question_id, Question.revision == expected_revision)
        .values(revision=Question.revision, updated_at=Question.updated_at)
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        return
    row = db.session.get(Question, question_id)
    if row is None:
        raise NotFound(_l("No such question."))
    db.session.refresh(row)
    revisions = {r.revision: r for r in row.revisions}
    latest = revisions.get(row.revision)
    base = revisions.get(expected_revision)
    version = latest.bank_version if latest else None
    raise StaleEdit(
        _l("Someone else changed this question while you were editing it (now revision %(n)s). "
           "What you typed is kept below: check their changes, then save again to replace them.", n=row.revision),
        current_revision=row.revision, author=_author_name(version), when=latest.created_at if latest else None,
        changes=history.question_changes(base.content if base else None, latest.content if latest else None))


def _claim_guide(guide_id: str, expected_revision: int) -> None:
    result = db.session.execute(
        sa.update(Guide).where(Guide.id == guide_id, Guide.revision == expected_revision)
        .values(revision=Guide.revision, updated_at=Guide.updated_at)
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        return
    row = db.session.get(Guide, guide_id)
    if row is None:
        raise NotFound(_l("No such guide."))
    db.session.refresh(row)
    version = last_change("guides", guide_id)
    raise StaleEdit(
        _l("Someone else changed this guide while you were editing it (now revision %(n)s). "
           "What you submitted is kept below: check the guide, then save again to replace their changes.",
           n=row.revision),
        current_revision=row.revision, author=_author_name(version), when=version.created_at if version else None)


def save_question(data: dict[str, Any], author_id: int | None, question_id: str | None = None,
                  expected_revision: int | None = None) -> BankChange:
    """Create (question_id None) or edit a question; the whole bank is re-validated.

    `expected_revision` is the revision the admin's form was opened on: a stale one is refused
    (StaleEdit) instead of silently overwriting someone else's edit.
    """
    if question_id is not None and expected_revision is not None:
        _claim_question(question_id, expected_revision)
    bank = current_bank()
    files = bank.pop("_files", {})
    questions = {q["id"]: q for q in bank["questions"]}
    if question_id is None:
        new_id = data.get("id")
        if new_id in questions:
            message = _l("A question with this id already exists.")
            raise ServiceError(message, {"id": str(message)})
        files[new_id] = "questions/added.yaml"
        question = {"id": new_id, "retired": False}
    else:
        if question_id not in questions:
            raise NotFound(_l("No such question."))
        question = questions[question_id]
    question.update({k: v for k, v in data.items() if k in QUESTION_FIELDS})
    questions[question["id"]] = question
    bank["questions"] = list(questions.values())
    template = history.NOTE_QUESTION_CREATED if question_id is None else history.NOTE_QUESTION_EDITED
    return _commit_bank(bank_files.canonical(bank), files, "edit", history.note(template, id=question["id"]),
                        author_id)


def set_question_retired(question_id: str, retired: bool, author_id: int | None) -> BankChange:
    """Retire (or restore) a question. Retiring also takes it out of every guide, in the same version,
    so new interviews never ask it; interviews already started keep it (they pin their version).
    A question that is the last one of an active guide cannot be retired.
    """
    bank = current_bank()
    files = bank.pop("_files", {})
    question = next((q for q in bank["questions"] if q["id"] == question_id), None)
    if question is None:
        raise NotFound(_l("No such question."))
    question["retired"] = retired
    removed_from = []
    if retired:
        for guide in bank["guides"]:
            kept = [i for i in guide["questions"] if i["question"] != question_id]
            if len(kept) == len(guide["questions"]):
                continue
            if not kept:
                if guide.get("retired"):
                    continue  # a retired guide asks nothing; leave its last question in place
                raise ServiceError(_l("This is the only question of the guide %(guide)s: add another question "
                                      "to the guide (or retire the guide) first.", guide=guide["id"]))
            guide["questions"] = kept
            removed_from.append(guide["id"])
    if removed_from:
        text = history.note(history.NOTE_QUESTION_RETIRED_FROM_GUIDES, id=question_id, guides=", ".join(removed_from))
    else:
        text = history.note(history.NOTE_QUESTION_RETIRED if retired else history.NOTE_QUESTION_RESTORED,
                            id=question_id)
    return _commit_bank(bank_files.canonical(bank), files, "edit", text, author_id)


def delete_question(question_id: str, author_id: int | None) -> BankChange:
    """Only a question no interview has used may be deleted; others are retired."""
    if question_is_used(question_id):
        raise ServiceError(_l("This question was used in an interview: retire it instead of deleting it."))
    bank = current_bank()
    files = bank.pop("_files", {})
    if question_id not in {q["id"] for q in bank["questions"]}:
        raise NotFound(_l("No such question."))
    in_guides = [g["id"] for g in bank["guides"] if any(i["question"] == question_id for i in g["questions"])]
    if in_guides:
        raise ServiceError(_l("Remove the question from these guides first: %(guides)s.", guides=", ".join(in_guides)))
    bank["questions"] = [q for q in bank["questions"] if q["id"] != question_id]
    return _commit_bank(bank_files.canonical(bank), files, "edit",
                        history.note(history.NOTE_QUESTION_DELETED, id=question_id), author_id)


RESERVED_GUIDE_IDS = {"new"}  # /guides/new is the page that creates one
GUIDE_SETTINGS = ("role", "title", "duration_minutes", "intro", "closing", "intro_minutes", "closing_minutes")


def save_guide(guide_id: str, author_id: int | None, *, items: list[dict[str, Any]] | None = None,
               fields: dict[str, Any] | None = None, expected_revision: int | None = None) -> BankChange:
    """Change a guide's ordered questions ([{question, minutes?}]) and/or its fields.

    A retired question may stay where it already was (it is not asked), but it cannot be added.
    """
    if expected_revision is not None:
        _claim_guide(guide_id, expected_revision)
    bank = current_bank()
    files = bank.pop("_files", {})
    guides = {g["id"]: g for g in bank["guides"]}
    if guide_id not in guides:
        raise NotFound(_l("No such guide."))
    guide = guides[guide_id]
    before = {i["question"] for i in guide["questions"]}
    if items is not None:
        guide["questions"] = [{k: v for k, v in i.items() if k in ("question", "minutes") and v is not None} for i in items]
    guide.update({k: v for k, v in (fields or {}).items() if k in GUIDE_FIELDS})
    retired = {q["id"] for q in bank["questions"] if q.get("retired")}
    newly_retired = [i["question"] for i in guide["questions"] if i["question"] in retired and i["question"] not in before]
    if newly_retired:
        raise ServiceError(_l("Retired questions cannot be added to a guide: %(ids)s.", ids=", ".join(newly_retired)))
    if fields and set(fields) == {"retired"}:
        text = history.note(history.NOTE_GUIDE_RETIRED if fields["retired"] else history.NOTE_GUIDE_RESTORED,
                            id=guide_id)
    else:
        text = history.note(history.NOTE_GUIDE_EDITED, id=guide_id)
    return _commit_bank(bank_files.canonical(bank), files, "edit", text, author_id)


def create_guide(data: dict[str, Any], first_question: str, author_id: int | None) -> BankChange:
    """A new guide from its settings (GUIDE_SETTINGS plus id) and a first question; more are added in the builder."""
    bank = current_bank()
    files = bank.pop("_files", {})
    guide_id = data.get("id")
    if guide_id in RESERVED_GUIDE_IDS:
        message = _l("This id is reserved: choose another one.")
        raise ServiceError(message, {"id": str(message)})
    if any(g["id"] == guide_id for g in bank["guides"]):
        message = _l("A guide with this id already exists.")
        raise ServiceError(message, {"id": str(message)})
    question = next((q for q in bank["questions"] if q["id"] == first_question), None)
    if question is None or question.get("retired"):
        message = _l("Choose an active question.")
        raise ServiceError(message, {"first_question": str(message)})
    guide = {k: v for k, v in data.items() if k in GUIDE_SETTINGS}
    guide.update({"id": guide_id, "questions": [{"question": first_question}], "retired": False})
    bank["guides"].append(guide)
    return _commit_bank(bank_files.canonical(bank), files, "edit", history.note(history.NOTE_GUIDE_CREATED, id=guide_id),
                        author_id)


def set_guide_retired(guide_id: str, retired: bool, author_id: int | None) -> BankChange:
    """A retired guide is no longer offered for new interviews; interviews run with it keep it."""
    return save_guide(guide_id, author_id, fields={"retired": retired})


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
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        # Another save took this version number first (a database without a write lock per
        # transaction): nothing of this one is kept.
        db.session.rollback()
        raise Conflict(_l("The question bank changed while you were saving: reload the page and try again.")) from None
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
        raise NotFound(_l("The question bank is empty."))
    guides = {g["id"]: g for g in version.snapshot["guides"]}
    if guide_id not in guides:
        raise NotFound(_l("No such guide."))
    guide = copy.deepcopy(guides[guide_id])
    questions = {q["id"]: q for q in version.snapshot["questions"]}
    # A retired question is not asked, even where a guide still lists it.
    guide["questions"] = [{**copy.deepcopy(questions[i["question"]]),
                           "minutes": i.get("minutes") or questions[i["question"]]["minutes"]}
                          for i in guide["questions"] if not questions[i["question"]].get("retired")]
    guide["bank_version"] = version.number
    return guide


def coverage() -> dict[str, Any]:
    """Indicators × guides: how many of a guide's questions target (or can reveal) each indicator."""
    guides = list_guides()
    rows = []
    for ind in indicators():
        cells = []
        for guide in guides:
            count = sum(1 for item in active_items(guide)
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


__all__ = ["BankInvalid", "ExportTargetNotEmpty", "Problem", "StaleEdit", "import_bank", "export_bank", "save_question",
           "save_guide", "create_guide"]
