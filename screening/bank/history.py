"""The bank's history in words an admin reads: change labels, version notes, field-level diffs.

Versions store plain data (English notes, change lists, snapshots); everything here turns that
data into translatable text when a page shows it, so old versions read in the user's language
too. Nothing here touches the database.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from screening.bank.schema import N_

SOURCE_LABELS = {"import": _l("file import"), "edit": _l("edit in the admin pages")}

CHANGE_LABELS = {
    ("questions", "added"): _l("questions added"),
    ("questions", "changed"): _l("questions changed"),
    ("questions", "retired"): _l("questions retired"),
    ("questions", "restored"): _l("questions restored"),
    ("questions", "removed"): _l("questions deleted"),
    ("guides", "added"): _l("guides added"),
    ("guides", "changed"): _l("guides changed"),
    ("guides", "retired"): _l("guides retired"),
    ("guides", "restored"): _l("guides restored"),
    ("guides", "removed"): _l("guides deleted"),
    ("indicators", "added"): _l("indicators added"),
    ("indicators", "changed"): _l("indicators changed"),
    ("indicators", "retired"): _l("indicators retired"),
    ("indicators", "restored"): _l("indicators restored"),
    ("indicators", "removed"): _l("indicators deleted"),
}
KINDS = ("questions", "guides", "indicators")

# The notes the bank writes itself (stored in English, shown translated). Longer ones first:
# they are matched in this order.
NOTE_QUESTION_RETIRED_FROM_GUIDES = N_("retired question %(id)s and removed it from guides %(guides)s")
NOTE_IMPORT = N_("import from %(folder)s")
NOTE_QUESTION_CREATED = N_("created question %(id)s")
NOTE_QUESTION_EDITED = N_("edited question %(id)s")
NOTE_QUESTION_DELETED = N_("deleted question %(id)s")
NOTE_QUESTION_RETIRED = N_("retired question %(id)s")
NOTE_QUESTION_RESTORED = N_("restored question %(id)s")
NOTE_GUIDE_CREATED = N_("created guide %(id)s")
NOTE_GUIDE_EDITED = N_("edited guide %(id)s")
NOTE_GUIDE_RETIRED = N_("retired guide %(id)s")
NOTE_GUIDE_RESTORED = N_("restored guide %(id)s")
NOTES = (NOTE_QUESTION_RETIRED_FROM_GUIDES, NOTE_IMPORT, NOTE_QUESTION_CREATED, NOTE_QUESTION_EDITED,
         NOTE_QUESTION_DELETED, NOTE_QUESTION_RETIRED, NOTE_QUESTION_RESTORED, NOTE_GUIDE_CREATED,
         NOTE_GUIDE_EDITED, NOTE_GUIDE_RETIRED, NOTE_GUIDE_RESTORED)


def _note_pattern(template: str) -> re.Pattern:
    pattern = re.escape(template)
    pattern = re.sub(r"%\\\(id\\\)s", r"(?P<id>\\S+)", pattern)
    pattern = re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+)", pattern)
    return re.compile(f"^{pattern}$")


_NOTE_PATTERNS = [(template, _note_pattern(template)) for template in NOTES]


def note(template: str, **params: Any) -> str:
    """The English note stored with a version."""
    return template % params


def note_label(text: str | None) -> str:
    """A stored note in the user's language (notes the bank wrote itself), else as written."""
    for template, pattern in _NOTE_PATTERNS:
        match = pattern.match(text or "")
        if match:
            return gettext(template, **match.groupdict())
    return text or ""


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


@dataclass(frozen=True)
class ChangeLine:
    kind: str  # questions | guides | indicators
    what: str  # added | changed | retired | restored | removed
    label: str  # both, translated
    ids: list[str]


def change_lines(changes: dict[str, Any]) -> list[ChangeLine]:
    """One line per group of changes of a version, in a stable order."""
    out = []
    for kind in KINDS:
        for what, ids in (changes.get(kind) or {}).items():
            out.append(ChangeLine(kind, what, str(CHANGE_LABELS.get((kind, what), f"{kind} {what}")), list(ids)))
    return out


# ---------------------------------------------------------------- field-level diffs


@dataclass(frozen=True)
class FieldChange:
    label: str  # the field, translated
    detail: str  # where inside it (language, probe number, anchor score), or ""
    old: str
    new: str


QUESTION_FIELDS = {
    "text": _l("Question"), "type": _l("Type"), "minutes": _l("Suggested minutes"),
    "indicators": _l("Targeted indicators"), "red_flags": _l("Red flags it can reveal"), "roles": _l("Roles"),
    "probes": _l("Probes"), "listen_for": _l("Listen for"), "red_flag_signs": _l("Red flags"),
    "anchors": _l("Rating anchors"), "retired": _l("retired"),
}
GUIDE_FIELDS = {
    "title": _l("Title"), "role": _l("Role"), "duration_minutes": _l("Interview length (minutes)"),
    "intro": _l("Introduction"), "intro_minutes": _l("Introduction (minutes)"), "closing": _l("Closing"),
    "closing_minutes": _l("Closing (minutes)"), "questions": _l("Questions"), "retired": _l("retired"),
}
_MISSING = object()
WIDTH = 80
CONTEXT = 20


def _flatten(value: Any, path: tuple[str, ...] = ()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, (*path, str(key)))
    elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        for n, item in enumerate(value, 1):
            yield from _flatten(item, (*path, str(n)))
    else:
        yield path, value


def _show(value: Any) -> str:
    if value is _MISSING or value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def shorten_pair(old: str, new: str, width: int = WIDTH) -> tuple[str, str]:
    """Both texts cut around where they differ, so a one-word edit in a long text stays visible."""
    if len(old) <= width and len(new) <= width:
        return old, new
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < min(len(old), len(new)) - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]):
        suffix += 1
    start = max(0, prefix - CONTEXT)

    def cut(text: str) -> str:
        end = min(len(text), len(text) - suffix + CONTEXT, start + width)
        return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")

    return cut(old), cut(new)


def _changes(old: dict | None, new: dict | None, fields: dict[str, Any], prepare) -> list[FieldChange]:
    out = []
    for key, label in fields.items():
        before = dict(_flatten(prepare(key, (old or {}).get(key, _MISSING))))
        after = dict(_flatten(prepare(key, (new or {}).get(key, _MISSING))))
        for path in list(before) + [p for p in after if p not in before]:
            a, b = before.get(path, _MISSING), after.get(path, _MISSING)
            if a != b:
                shown_old, shown_new = shorten_pair(_show(a), _show(b))
                out.append(FieldChange(str(label), " · ".join(path), shown_old, shown_new))
    return out


def _plain(key: str, value: Any) -> Any:
    return value


def _guide_value(key: str, value: Any) -> Any:
    if key == "questions" and isinstance(value, list):
        return [f"{i.get('question')} ({i['minutes']})" if i.get("minutes") else str(i.get("question"))
                for i in value if isinstance(i, dict)]
    return value


def question_changes(old: dict | None, new: dict | None) -> list[FieldChange]:
    """Which fields of a question changed between two of its contents (old → new, shortened)."""
    return _changes(old, new, QUESTION_FIELDS, _plain)


def guide_changes(old: dict | None, new: dict | None) -> list[FieldChange]:
    return _changes(old, new, GUIDE_FIELDS, _guide_value)


def version_details(snapshot: dict[str, Any], previous: dict[str, Any] | None,
                    changes: dict[str, Any]) -> dict[str, dict[str, list[FieldChange]]]:
    """For a version: {"questions": {id: [FieldChange]}, "guides": {...}} of what changed in place."""
    out: dict[str, dict[str, list[FieldChange]]] = {"questions": {}, "guides": {}}
    if previous is None:
        return out
    differ = {"questions": question_changes, "guides": guide_changes}
    for kind in out:
        before = {i["id"]: i for i in previous.get(kind) or []}
        after = {i["id"]: i for i in snapshot.get(kind) or []}
        for what in ("changed", "retired", "restored"):
            for item_id in (changes.get(kind) or {}).get(what, []):
                if item_id in before and item_id in after:
                    out[kind][item_id] = differ[kind](before[item_id], after[item_id])
    return out
