"""Template helpers: navigation by role, labels, date formatting."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, request, url_for
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from screening.models import as_utc


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: object
    roles: tuple[str, ...]
    help: object
    group: str = "main"  # "admin" entries live on the admin hub page, not in the top bar


# One table for the whole navigation; entries whose endpoint does not exist are skipped.
NAVIGATION = (
    NavEntry("interviews.index", _l("Interviews"), ("recruiter", "admin"), _l("Run and continue interviews.")),
    NavEntry("vacancies.index", _l("Vacancies"), ("recruiter", "manager", "admin"), _l("Vacancies and their candidates.")),
    NavEntry("candidates.index", _l("Candidates"), ("recruiter", "admin"), _l("Candidates and their consent.")),
    NavEntry("bank.guides", _l("Guides"), ("recruiter", "manager", "admin"), _l("Interview guides by role.")),
    NavEntry("bank.questions", _l("Question bank"), ("admin",), _l("Questions, probes and rating anchors.")),
    NavEntry("bank.coverage", _l("Coverage"), ("admin",), _l("Indicators across guides."), "admin"),
    NavEntry("classifier.index", _l("Classifier"), ("admin",), _l("Training data, retraining and quality."), "admin"),
    NavEntry("admin.user_list", _l("Users"), ("admin",), _l("Accounts and roles."), "admin"),
    NavEntry("admin.audit", _l("Audit log"), ("admin",), _l("Who did what, and when."), "admin"),
    NavEntry("admin.tokens", _l("API tokens"), ("admin",), _l("Every API token, with its last use."), "admin"),
    NavEntry("fairness.report", _l("Bias audit"), ("admin",), _l("Scoring rates and impact ratios by group."), "admin"),
)

STAR_LABELS = {"situation": _l("Situation"), "task": _l("Task"), "action": _l("Action"), "result": _l("Result")}

FLAG_LABELS = {
    "thin_evidence": _l("thin evidence"), "model_interviewer_disagreement": _l("model and interviewer disagree"),
    "counter_evidence": _l("counter-evidence"), "unanswered_questions": _l("unanswered questions"),
    "unrated_answers": _l("unrated answers"),
}
MODE_LABELS = {"episode": _l("specific episode"), "hypothetical": _l("hypothetical"), "general": _l("general claim")}

STATUS_LABELS = {"in_progress": _l("in progress"), "completed": _l("completed")}

ROLE_LABELS = {"admin": _l("Admin"), "recruiter": _l("Recruiter"), "manager": _l("Hiring manager")}


def nav_items(group: str = "main") -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    if group == "main" and current_user.role == "admin":
        items_admin = NavEntry("admin.hub", _l("Admin"), ("admin",), "")
        entries = [e for e in NAVIGATION if e.group == "main"] + [items_admin]
    else:
        entries = [e for e in NAVIGATION if e.group == group]
    for entry in entries:
        if entry.endpoint in current_app.view_functions and current_user.role in entry.roles:
            blueprint = entry.endpoint.split(".")[0]
            items.append({"url": url_for(entry.endpoint), "label": entry.label, "help": entry.help,
                          "active": request.endpoint == entry.endpoint or (
                              request.blueprint == blueprint and blueprint not in ("bank", "admin"))})
    return items


def format_dt(value: datetime | None, fmt: str = "short") -> str:
    return format_datetime(as_utc(value), fmt) if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(has_endpoint=lambda name: name in current_app.view_functions, nav_items=nav_items, role_label=lambda r: ROLE_LABELS.get(r, r),
                                 star_label=lambda s: STAR_LABELS.get(s, s),
                                 status_label=lambda s: STATUS_LABELS.get(s, s),
                                 flag_label=lambda s: FLAG_LABELS.get(s, s),
                                 mode_label=lambda s: MODE_LABELS.get(s, s))
    app.jinja_env.filters["datetime"] = format_dt
