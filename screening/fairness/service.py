"""The bias audit: optional self-reported categories, scoring rates and impact ratios.

The method is the one of the trust checklist (NYC 6 RCNY §5-300/5-301; 29 CFR 1607.4(D)),
documented in `docs/fairness.md`:

- the sample is every candidate with a hiring score in the chosen scope (a vacancy and/or a
  period of scoring events), one score per candidate: the latest scoring event's;
- M is the median hiring score of the whole sample;
- the scoring rate of a category c is ScR_c = |{i in c : score_i > M}| / n_c (equal to M is
  not above it);
- the impact ratio is IR_c = ScR_c / max_k ScR_k within one family (sex; ethnicity; their
  intersection), flagged below 0.8 (the four-fifths rule);
- a category under 2% of the sample is shown with its count and rate but not ratioed (and
  does not set the maximum);
- "declined" and missing answers are unknown: counted and shown, never in a rate;
- n_c = 0 or a zero maximum gives "undefined", never an error.

Demographics are stored apart (`Demographic`), only admins record or read them, and nothing
in scoring reads them (a test guards that). Arithmetic is exact (`Fraction`), so a ratio of
exactly 0.8 is not flagged.
"""
from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from screening.extensions import db
from screening.models import Candidate, Demographic, Interview, ScoreRecord, User, Vacancy
from screening.services import audit
from screening.services.errors import Forbidden, NotFound, ServiceError

# ---------------------------------------------------------------- categories

DECLINED = "declined"
UNKNOWN = "unknown"
# The fixed list for sex (self-reported); "declined" is an explicit answer that counts as unknown.
SEX_CATEGORIES = ("female", "male", "other")
SEX_VALUES = SEX_CATEGORIES + (DECLINED,)
ETHNICITY_MAX_LENGTH = 80

SEX = "sex"
ETHNICITY = "ethnicity"
INTERSECTION = "sex_ethnicity"
FAMILIES = (SEX, ETHNICITY, INTERSECTION)
INTERSECTION_JOIN = " × "

FOUR_FIFTHS = Fraction(4, 5)
SMALL_SHARE = Fraction(2, 100)

SEX_LABELS = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other"), DECLINED: _l("Declined to answer")}
FAMILY_LABELS = {SEX: _l("Sex"), ETHNICITY: _l("Ethnicity"), INTERSECTION: _l("Sex × ethnicity")}


def _require_admin(actor: User) -> None:
    if actor is None or actor.role != "admin":
        raise Forbidden(_l("Only an admin records or reads self-reported categories."))


@dataclass(frozen=True)
class DemographicsInput:
    """A candidate's self-report. None or "" means not recorded; "declined" is an explicit answer."""

    sex: str | None = None
    ethnicity: str | None = None


def normalise_ethnicity(value: str | None) -> str | None:
    text = " ".join((value or "").split())
    if not text:
        return None
    return DECLINED if text.casefold() == DECLINED else text


def _candidate(candidate_id: int) -> Candidate:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or candidate.erased_at is not None:
        raise NotFound(_l("No such candidate."))
    return candidate


def get_demographics(candidate_id: int, actor: User) -> tuple[Candidate, Demographic | None]:
    _require_admin(actor)
    candidate = _candidate(candidate_id)
    return candidate, db.session.get(Demographic, candidate.id)


def record_demographics(candidate_id: int, data: DemographicsInput, actor: User) -> Demographic | None:
    """Store (or, when both fields are empty, remove) a candidate's self-report. Admin only. Commits.

    The audit event names the fields that changed, never their values.
    """
    _require_admin(actor)
    candidate = _candidate(candidate_id)
    sex = (data.sex or "").strip() or None
    ethnicity = normalise_ethnicity(data.ethnicity)
    reasons = {}
    if sex is not None and sex not in SEX_VALUES:
        reasons["sex"] = _l("Choose one of the listed answers.")
    if ethnicity is not None and len(ethnicity) > ETHNICITY_MAX_LENGTH:
        reasons["ethnicity"] = _l("Up to %(n)d characters.", n=ETHNICITY_MAX_LENGTH)
    elif ethnicity is not None and not ethnicity.isprintable():
        reasons["ethnicity"] = _l("Use plain text.")
    if reasons:
        raise ServiceError(_l("The categories were not saved."), reasons)
    row = db.session.get(Demographic, candidate.id)
    before = (row.sex, row.ethnicity) if row else (None, None)
    changed = [name for name, old, new in ((SEX, before[0], sex), (ETHNICITY, before[1], ethnicity)) if old != new]
    if sex is None and ethnicity is None:
        if row is not None:
            db.session.delete(row)
        row = None
    else:
        if row is None:
            row = Demographic(candidate_id=candidate.id)
            db.session.add(row)
        row.sex, row.ethnicity, row.recorded_at = sex, ethnicity, datetime.now(UTC)
    audit.record("demographics.record", actor_id=actor.id, object_type="candidate", object_id=candidate.id,
                 changed=changed, cleared=row is None)
    db.session.commit()
    return row


def list_candidates(actor: User, search: str | None = None) -> list[tuple[Candidate, bool]]:
    """Candidates (not erased) with whether a self-report is on file; the values are not read here."""
    _require_admin(actor)
    query = (sa.select(Candidate, Demographic.candidate_id)
             .outerjoin(Demographic, Demographic.candidate_id == Candidate.id)
             .where(Candidate.erased_at.is_(None)).order_by(Candidate.created_at.desc(), Candidate.id.desc()))
    if search and search.strip():
        like = f"%{search.strip().lower()}%"
        query = query.where(sa.or_(sa.func.lower(Candidate.name).like(like), sa.func.lower(Candidate.email).like(like)))
    return [(candidate, recorded is not None) for candidate, recorded in db.session.execute(query.limit(500))]


# ---------------------------------------------------------------- the computation (pure)


@dataclass(frozen=True)
class CategoryRow:
    category: str
    n: int
    above: int
    share: Fraction                     # n / sample size
    rate: Fraction | None               # None: undefined (n = 0)
    impact_ratio: Fraction | None       # None: not ratioed, or undefined
    ratioed: bool                       # False for categories under 2% of the sample (or n = 0)
    undefined: bool                     # n = 0, or the family's maximum rate is 0
    flagged: bool

    @property
    def small(self) -> bool:
        return self.n > 0 and not self.ratioed

    @property
    def note(self) -> str:
        if self.n == 0:
            return "undefined"
        if not self.ratioed:
            return "not_ratioed"
        return "undefined" if self.undefined else ""


@dataclass(frozen=True)
class FamilyReport:
    family: str
    rows: tuple[CategoryRow, ...]
    declined: int
    missing: int
    max_rate: Fraction | None           # over the ratioed categories; None when there is none

    @property
    def unknown(self) -> int:
        return self.declined + self.missing

    @property
    def flagged(self) -> tuple[CategoryRow, ...]:
        return tuple(r for r in self.rows if r.flagged)

    def row(self, category: str) -> CategoryRow:
        return next(r for r in self.rows if r.category == category)


@dataclass(frozen=True)
class AuditReport:
    n: int
    median: float | None
    above: int
    families: tuple[FamilyReport, ...]
    scope: dict = field(default_factory=dict)

    def family(self, name: str) -> FamilyReport:
        return next(f for f in self.families if f.family == name)


def _known(value: str | None) -> str | None:
    """A category, or None for unknown (missing, empty or declined)."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    if not text or text.casefold() == DECLINED:
        return None
    return text


def _status(value: str | None) -> str:
    if value is None or not " ".join(str(value).split()):
        return "missing"
    return "known" if _known(value) is not None else DECLINED


def _labels(values: Mapping[Hashable, str | None], listed: Iterable[str] = ()) -> dict[Hashable, str | None]:
    """Group free text case-insensitively; a group is shown as listed, or with its first spelling met."""
    spelling: dict[str, str] = {c.casefold(): c for c in listed}
    out = {}
    for key, value in values.items():
        known = _known(value)
        out[key] = None if known is None else spelling.setdefault(known.casefold(), known)
    return out


def _family(family: str, sample: dict[Hashable, float], median: float | None, values: Mapping[Hashable, str | None],
            statuses: Mapping[Hashable, str], listed: Iterable[str]) -> FamilyReport:
    total = len(sample)
    members: dict[str, list[Hashable]] = {c: [] for c in listed}
    for key in sample:
        category = values.get(key)
        if category is not None:
            members.setdefault(category, []).append(key)
    counts = {}
    for category, keys in members.items():
        above = sum(1 for k in keys if median is not None and sample[k] > median)
        counts[category] = (len(keys), above)
    ratioed = {c for c, (n, _a) in counts.items() if n > 0 and Fraction(n, total) >= SMALL_SHARE}
    rates = {c: Fraction(a, n) if n else None for c, (n, a) in counts.items()}
    max_rate = max((rates[c] for c in ratioed), default=None)
    rows = []
    for category, (n, above) in counts.items():
        rate = rates[category]
        is_ratioed = category in ratioed
        undefined = n == 0 or (is_ratioed and not max_rate)
        ratio = rate / max_rate if is_ratioed and max_rate else None
        rows.append(CategoryRow(category=category, n=n, above=above,
                                share=Fraction(n, total) if total else Fraction(0), rate=rate,
                                impact_ratio=ratio, ratioed=is_ratioed, undefined=undefined,
                                flagged=ratio is not None and ratio < FOUR_FIFTHS))
    order = {c: i for i, c in enumerate(_order(family, counts))}
    rows.sort(key=lambda r: order[r.category])
    declined = sum(1 for k in sample if statuses.get(k, "missing") == DECLINED)
    missing = sum(1 for k in sample if statuses.get(k, "missing") == "missing")
    return FamilyReport(family=family, rows=tuple(rows), declined=declined, missing=missing, max_rate=max_rate)


def _order(family: str, categories: Iterable[str]) -> list[str]:
    def sex_key(c: str) -> tuple[int, str]:
        return (SEX_CATEGORIES.index(c) if c in SEX_CATEGORIES else len(SEX_CATEGORIES), c.casefold())

    if family == SEX:
        return sorted(categories, key=sex_key)
    if family == INTERSECTION:
        return sorted(categories, key=lambda c: (sex_key(c.split(INTERSECTION_JOIN)[0]), c.casefold()))
    return sorted(categories, key=str.casefold)


def bias_audit(scores_by_candidate: Mapping[Hashable, float | None],
               categories: Mapping[Hashable, Mapping[str, str | None]],
               listed: Mapping[str, Iterable[str]] | None = None) -> AuditReport:
    """The bias audit of one sample.

    `scores_by_candidate` maps a candidate to their hiring score (None: not scored, left out of
    the sample). `categories` maps a candidate to {"sex": …, "ethnicity": …}; a missing
    candidate, a missing or empty value and "declined" are unknown. `listed` names categories
    to show even when nobody is in them (n = 0, rate "undefined").
    """
    sample = {k: float(v) for k, v in scores_by_candidate.items() if v is not None}
    median = float(statistics.median(sample.values())) if sample else None
    above = sum(1 for v in sample.values() if median is not None and v > median)
    listed = listed or {}
    sex = _labels({k: (categories.get(k) or {}).get(SEX) for k in sample}, listed.get(SEX, ()))
    ethnicity = _labels({k: (categories.get(k) or {}).get(ETHNICITY) for k in sample}, listed.get(ETHNICITY, ()))
    sex_status = {k: _status((categories.get(k) or {}).get(SEX)) for k in sample}
    eth_status = {k: _status((categories.get(k) or {}).get(ETHNICITY)) for k in sample}
    both = {k: f"{sex[k]}{INTERSECTION_JOIN}{ethnicity[k]}" if sex[k] and ethnicity[k] else None for k in sample}
    # Unknown in the intersection: either part unknown; "declined" when one part is declined and none missing.
    both_status = {k: "known" if both[k] else
                   ("missing" if "missing" in (sex_status[k], eth_status[k]) else DECLINED) for k in sample}
    families = tuple(_family(name, sample, median, values, statuses, listed.get(name, ()))
                     for name, values, statuses in ((SEX, sex, sex_status), (ETHNICITY, ethnicity, eth_status),
                                                    (INTERSECTION, both, both_status)))
    return AuditReport(n=len(sample), median=median, above=above, families=families)


# ---------------------------------------------------------------- the sample from the database


@dataclass(frozen=True)
class Scope:
    vacancy_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def _check_scope(scope: Scope) -> Vacancy | None:
    vacancy = None
    if scope.vacancy_id is not None:
        vacancy = db.session.get(Vacancy, scope.vacancy_id)
        if vacancy is None:
            raise ServiceError(_l("No such vacancy."), {"vacancy": _l("No such vacancy.")})
    if scope.date_from and scope.date_to and scope.date_from > scope.date_to:
        raise ServiceError(_l("The period ends before it starts."), {"date_to": _l("The period ends before it starts.")})
    return vacancy


def gather_sample(scope: Scope) -> dict[int, float | None]:
    """One score per candidate: the latest scoring event's hiring score within the scope.

    A vacancy scope takes the scoring events of the candidate's interviews for that vacancy;
    a period takes the events made on those dates (UTC, both ends included). A candidate whose
    latest event has no hiring score maps to None (left out of the sample by `bias_audit`).
    """
    _check_scope(scope)
    query = (sa.select(Interview.candidate_id, ScoreRecord.hiring_score)
             .join(Interview, Interview.id == ScoreRecord.interview_id)
             .order_by(ScoreRecord.created_at, ScoreRecord.id))
    if scope.vacancy_id is not None:
        query = query.where(Interview.vacancy_id == scope.vacancy_id)
    if scope.date_from is not None:
        query = query.where(ScoreRecord.created_at >= datetime.combine(scope.date_from, time.min, UTC))
    if scope.date_to is not None and scope.date_to < date.max:  # date.max: no upper bound (and no overflow)
        query = query.where(ScoreRecord.created_at < datetime.combine(scope.date_to + timedelta(days=1), time.min, UTC))
    latest: dict[int, float | None] = {}
    for candidate_id, score in db.session.execute(query):
        latest[candidate_id] = score  # ordered oldest first: the last one wins
    return latest


def categories_for(candidate_ids: Iterable[int]) -> dict[int, dict[str, str | None]]:
    ids = list(candidate_ids)
    if not ids:
        return {}
    rows = db.session.scalars(sa.select(Demographic).where(Demographic.candidate_id.in_(ids)))
    return {r.candidate_id: {SEX: r.sex, ETHNICITY: r.ethnicity} for r in rows}


def run_audit(scope: Scope, actor: User, export: bool = False) -> AuditReport:
    """The report for a vacancy and/or a period. Admin only; the view or export is audited. Commits."""
    _require_admin(actor)
    vacancy = _check_scope(scope)
    scores = gather_sample(scope)
    report = bias_audit(scores, categories_for(scores), listed={SEX: SEX_CATEGORIES})
    described = {"vacancy_id": scope.vacancy_id, "vacancy": vacancy.title if vacancy else None,
                 "date_from": scope.date_from.isoformat() if scope.date_from else None,
                 "date_to": scope.date_to.isoformat() if scope.date_to else None}
    audit.record("fairness.export_csv" if export else "fairness.report", actor_id=actor.id,
                 object_type="vacancy" if scope.vacancy_id else None, object_id=scope.vacancy_id,
                 date_from=described["date_from"], date_to=described["date_to"], sample=report.n)
    db.session.commit()
    return AuditReport(n=report.n, median=report.median, above=report.above, families=report.families,
                       scope=described)


# ---------------------------------------------------------------- CSV

CSV_COLUMNS = ("vacancy_id", "date_from", "date_to", "sample_size", "sample_median", "family", "category", "n",
               "share_of_sample", "above_median", "scoring_rate", "impact_ratio", "flagged", "note")


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (ethnicity is free text).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _num(value: Fraction | float | None, digits: int = 4) -> str:
    return "" if value is None else f"{float(value):.{digits}f}"


def report_csv(report: AuditReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    scope = report.scope
    head = [scope.get("vacancy_id") or "", scope.get("date_from") or "", scope.get("date_to") or "", report.n,
            _num(report.median, 2) if report.median is not None else "undefined"]
    for family in report.families:
        for r in family.rows:
            rate = "undefined" if r.rate is None else _num(r.rate)
            if not r.ratioed and r.n > 0:
                ratio = ""
            else:
                ratio = "undefined" if r.undefined else _num(r.impact_ratio)
            writer.writerow(head + [family.family, _csv_safe(r.category), r.n, _num(r.share), r.above, rate, ratio,
                                    ("yes" if r.flagged else "no") if r.impact_ratio is not None else "", r.note])
        writer.writerow(head + [family.family, UNKNOWN, family.unknown, _num(Fraction(family.unknown, report.n))
                                if report.n else "", "", "", "", "",
                                f"unknown: declined={family.declined}; not_recorded={family.missing}"])
    return out.getvalue()
