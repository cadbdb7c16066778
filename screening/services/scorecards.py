"""Scorecards: the recorded score traced to quoted evidence, decisions, reviewer feedback, comparison."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from screening.extensions import db
from screening.models import Answer, Decision, EvidenceTag, Interview, ScoreRecord, User
from screening.nlp.labels import INDICATORS, NEGATIVE, POSITIVE, STAR_PARTS
from screening.services import access, audit, scoring
from screening.services.errors import Conflict, Forbidden, NotFound, ServiceError

DECISIONS = ("advance", "hold", "reject")
BANDS = ("strong_yes", "yes", "mixed", "no", "insufficient")


def quote(answers: dict[int, Answer], answer_id: Any, start: int, end: int) -> str:
    answer = answers.get(int(answer_id))
    return answer.text[start:end].strip() if answer else ""


def segments(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Split an answer into plain and tagged pieces for highlighting (the template escapes them)."""
    out, cursor = [], 0
    for span in sorted(spans, key=lambda s: s["start"]):
        if span["start"] < cursor:
            continue
        if span["start"] > cursor:
            out.append({"text": text[cursor:span["start"]], "tags": []})
        out.append({"text": text[span["start"]:span["end"]], **span})
        cursor = span["end"]
    if cursor < len(text):
        out.append({"text": text[cursor:], "tags": []})
    return out


def _answer_spans(answer: Answer) -> list[dict[str, Any]]:
    spans: dict[tuple[int, int], dict[str, Any]] = {}
    for tag in answer.tags:
        if tag.indicator is None:
            continue
        span = spans.setdefault((tag.start, tag.end), {"start": tag.start, "end": tag.end, "tags": []})
        span["tags"].append(tag)
    for span in spans.values():
        live = [t for t in span["tags"] if t.verdict != "rejected"]
        neg = any(t.indicator in NEGATIVE for t in live)
        pos = any(t.indicator in POSITIVE for t in live)
        span["polarity"] = "mixed" if neg and pos else "neg" if neg else "pos" if pos else None
    return list(spans.values())


@dataclass
class Scorecard:
    interview: Interview
    record: ScoreRecord | None           # the current score (None: not completed, or not scored yet)
    result: dict[str, Any]
    answers: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    red_flags: list[dict[str, Any]]
    decision: Decision | None
    can_decide: bool
    band: str | None = None              # the band under the thresholds that apply now
    recorded_band: str | None = None     # the band stored when it was scored (audit trail)
    thresholds: dict[str, float] = field(default_factory=dict)
    unscored_reason: Any = None          # why a completed interview has no score
    can_rescore: bool = False
    withheld_hidden: int = 0             # evidence quotes from interviews the viewer may not see
    withheld_stale: int = 0              # evidence quotes from answers changed after scoring


def get_scorecard(interview_id: int, actor: User, audit_view: bool = True) -> Scorecard:
    interview = access.interview_for_view(actor, interview_id)
    record = scoring.current_score(interview)
    result = record.details if record else {}
    # A combined score spans the candidate's interviews for the vacancy; show only those the
    # viewer may see now (a recruiter taken off the vacancy keeps the interview they ran).
    ids = [int(i) for i in result.get("interview_ids", [interview.id])]
    visible = {i.id: i for i in db.session.scalars(access.interviews_query(actor).where(Interview.id.in_(ids)))}
    interviews = [visible[i] for i in ids if i in visible]
    scored_versions = result.get("answer_versions")
    answers_by_id = {a.id: a for i in interviews for a in i.answers}
    stale = {a.id for a in answers_by_id.values()
             if scored_versions is not None and scored_versions.get(str(a.id), a.version) != a.version}
    per_answer = {str(a["answer_id"]): a for a in result.get("answers", [])}
    answers = []
    for item in interviews:
        questions = {q["id"]: q for q in item.guide_snapshot.get("questions", [])}
        for answer in item.answers:
            scored = per_answer.get(str(answer.id), {}) if record else {}
            answers.append({"answer": answer, "interview": item, "question": questions.get(answer.question_id, {}),
                            "segments": segments(answer.text, _answer_spans(answer)), "scored": scored,
                            "stale": answer.id in stale,
                            "star_present": scored.get("star_present", []),
                            "star_missing": scored.get("star_missing", list(STAR_PARTS))})
    withheld = {"hidden": 0, "stale": 0}

    def refs(block: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for r in block.get("refs", []):
            answer_id = int(r["answer_id"])
            if answer_id not in answers_by_id:
                withheld["hidden"] += 1
            elif answer_id in stale:
                withheld["stale"] += 1
            else:
                out.append({**r, "quote": quote(answers_by_id, answer_id, r["start"], r["end"])})
        return out

    indicators = [{**result["indicators"][i], "refs": refs(result["indicators"][i])}
                  for i in INDICATORS if i in result.get("indicators", {})]
    red_flags = [{**v, "refs": refs(v)} for v in result.get("red_flags", {}).values()]
    decision = latest_decision(interview)
    if audit_view:
        audit.record("scorecard.view", actor_id=actor.id, object_type="interview", object_id=interview.id)
        db.session.commit()
    return Scorecard(interview=interview, record=record, result=result, answers=answers, indicators=indicators,
                     red_flags=red_flags, decision=decision, can_decide=can_decide(actor, interview),
                     band=scoring.current_band(record), recorded_band=record.recommendation if record else None,
                     thresholds=scoring.thresholds(), unscored_reason=scoring.unscored_reason(interview),
                     can_rescore=can_rescore(actor, interview), withheld_hidden=withheld["hidden"],
                     withheld_stale=withheld["stale"])


def can_rescore(actor: User, interview: Interview) -> bool:
    """Who may score a completed interview again: whoever may edit it (not hiring managers)."""
    return interview.is_locked and actor.role in ("admin", "recruiter")


def rescore(interview_id: int, actor: User) -> ScoreRecord:
    """Score a completed interview again with the active model (also one that was never scored)."""
    interview = access.interview_for_edit(actor, interview_id)
    if not interview.is_locked:
        raise ServiceError(_l("Complete the interview first."))
    return scoring.score_interview(interview, actor)  # refuses without consent; commits


def record_pdf_export(interview_id: int, actor: User) -> None:
    """Audit a PDF export of the scorecard (the page renders it; this records that it left)."""
    access.interview_for_view(actor, interview_id)
    audit.record("scorecard.export_pdf", actor_id=actor.id, object_type="interview", object_id=interview_id)
    db.session.commit()


def can_decide(actor: User, interview: Interview) -> bool:
    if actor.role == "admin":
        return True
    return actor.role == "manager" and interview.vacancy is not None and interview.vacancy.manager_id == actor.id


def latest_decision(interview: Interview) -> Decision | None:
    query = sa.select(Decision).where(Decision.candidate_id == interview.candidate_id)
    query = query.where(Decision.vacancy_id == interview.vacancy_id) if interview.vacancy_id else \
        query.where(Decision.interview_id == interview.id)
    return db.session.scalar(query.order_by(Decision.id.desc()).limit(1))


def decide(interview_id: int, actor: User, decision: str, rationale: str) -> Decision:
    """A person's decision; the score only advises. Every decision needs its reason."""
    interview = access.interview_for_view(actor, interview_id)
    if not can_decide(actor, interview):
        raise Forbidden(_l("Only the vacancy's hiring manager or an admin decides."))
    reasons = {}
    if decision not in DECISIONS:
        reasons["decision"] = _l("Choose advance, hold or reject.")
    rationale = (rationale or "").strip()
    if not rationale or len(rationale) > 4000:
        reasons["rationale"] = _l("Give the reason for the decision (up to 4000 characters).")
    if not interview.is_locked:
        reasons["decision"] = _l("Complete the interview before deciding.")
    if reasons:
        raise ServiceError(_l("The decision was not recorded."), reasons)
    record = scoring.current_score(interview)
    band = scoring.current_band(record)
    row = Decision(candidate_id=interview.candidate_id, vacancy_id=interview.vacancy_id, interview_id=interview.id,
                   decision=decision, rationale=rationale, decided_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record("decision", actor_id=actor.id, object_type="interview", object_id=interview.id, decision=decision,
                 recommendation=band, recorded_recommendation=record.recommendation if record else None,
                 overrides=bool(record and _contradicts(decision, band)))
    db.session.commit()
    return row


def _contradicts(decision: str, recommendation: str | None) -> bool:
    return (decision == "advance" and recommendation == "no") or \
        (decision == "reject" and recommendation in ("strong_yes", "yes"))


# ---------------------------------------------------------------- reviewer feedback on tags


def _reviewable_answer(actor: User, answer_id: int) -> Answer:
    """An answer the actor may see, of a completed interview: reviewers judge the text as scored.

    An interview in progress (or reopened) can still change, and a changed answer loses its
    tags (services.interviews.save_answer), so tags are reviewed only once it is completed.
    """
    answer = db.session.get(Answer, answer_id)
    if answer is None:
        raise NotFound(_l("No such answer."))
    interview = access.interview_for_view(actor, answer.interview_id)  # 404 when not visible
    if not interview.is_locked:
        raise ServiceError(_l("Evidence is reviewed once the interview is completed."),
                           {"span": _l("Evidence is reviewed once the interview is completed.")})
    return answer


def review_tag(tag_id: int, verdict: str, actor: User) -> EvidenceTag:
    tag = db.session.get(EvidenceTag, tag_id)
    if tag is None:
        raise NotFound(_l("No such evidence tag."))
    _reviewable_answer(actor, tag.answer_id)
    if verdict not in ("confirmed", "rejected", "clear"):
        raise ServiceError(_l("A verdict is confirmed, rejected or clear."))
    tag.verdict = None if verdict == "clear" else verdict
    tag.reviewer_id, tag.reviewed_at = actor.id, datetime.now(UTC)
    audit.record("evidence.review", actor_id=actor.id, object_type="evidence_tag", object_id=tag.id, verdict=verdict)
    db.session.commit()
    return tag


def add_tag(answer_id: int, start: int, end: int, indicator: str, actor: User, star: str | None = None) -> EvidenceTag:
    answer = _reviewable_answer(actor, answer_id)
    if indicator not in INDICATORS:
        raise ServiceError(_l("Unknown indicator."), {"indicator": _l("Unknown indicator.")})
    if not (0 <= start < end <= len(answer.text)) or not answer.text[start:end].strip():
        raise ServiceError(_l("Choose a sentence of the answer."), {"start": _l("Choose a sentence of the answer.")})
    if any(t.start == start and t.end == end and t.indicator == indicator for t in answer.tags):
        raise Conflict(_l("This sentence already carries that indicator."))
    tag = EvidenceTag(answer_id=answer.id, start=start, end=end, indicator=indicator, star=star, source="reviewer",
                      verdict="confirmed", reviewer_id=actor.id, reviewed_at=datetime.now(UTC))
    db.session.add(tag)
    db.session.flush()
    audit.record("evidence.add", actor_id=actor.id, object_type="evidence_tag", object_id=tag.id, indicator=indicator)
    db.session.commit()
    return tag


def sentence_spans(answer_id: int, record: ScoreRecord | None, stale: bool = False) -> list[tuple[int, int]]:
    """The sentence boundaries the tagger found, for the "add a tag" choice (none once the answer changed)."""
    if record is None or stale:
        return []
    analysis = record.details.get("analysis", {}).get(str(answer_id)) or {}
    return [(s["start"], s["end"]) for s in analysis.get("sentences", [])]


# ---------------------------------------------------------------- a vacancy's candidates side by side


def vacancy_rows(vacancy_id: int, actor: User, sort: str = "score") -> list[dict[str, Any]]:
    vacancy = access.vacancy_for_view(actor, vacancy_id)
    bands = scoring.scoring_settings()
    interviews = db.session.scalars(access.interviews_query(actor).where(Interview.vacancy_id == vacancy.id)
                                    .order_by(Interview.id)).all()
    latest: dict[int, tuple[Interview, ScoreRecord | None]] = {}
    for interview in interviews:
        record = scoring.current_score(interview)
        current = latest.get(interview.candidate_id)
        # The newest scored interview carries the combined score of the candidate's interviews.
        if current is None or (record is not None and (current[1] is None or record.id > current[1].id)):
            latest[interview.candidate_id] = (interview, record)
    rows = []
    for interview, record in latest.values():
        details = record.details if record else {}
        positive = [v for k, v in details.get("indicators", {}).items() if k in POSITIVE]
        ranked = sorted(positive, key=lambda v: (-v["strength"], v["indicator"]))
        decision = latest_decision(interview)
        rows.append({
            "candidate": interview.candidate, "interview": interview, "record": record,
            "score": record.hiring_score if record else None, "low": record.low if record else None,
            "high": record.high if record else None, "band": scoring.current_band(record, bands),
            "recorded_band": record.recommendation if record else None,
            "strongest": [v["indicator"] for v in ranked[:2] if v["strength"] > 0],
            "weakest": [v["indicator"] for v in sorted(positive, key=lambda v: (v["strength"], v["indicator"]))[:2]],
            "red_flags": sum(v["count"] for v in details.get("red_flags", {}).values()),
            "decision": decision.decision if decision else None, "status": interview.status,
        })
    keys = {
        "score": lambda r: (r["score"] is None, -(r["score"] or 0)),
        "name": lambda r: r["candidate"].name.casefold(),
        "red_flags": lambda r: (-r["red_flags"], r["candidate"].name.casefold()),
        "band": lambda r: (BANDS.index(r["band"]) if r["band"] in BANDS else 99, -(r["score"] or 0)),
        "decision": lambda r: (r["decision"] or "~", r["candidate"].name.casefold()),
    }
    return sorted(rows, key=keys.get(sort, keys["score"]))


def vacancy_csv(vacancy_id: int, actor: User) -> str:
    rows = vacancy_rows(vacancy_id, actor)
    out = io.StringIO()
    writer = csv.writer(out)
    # `recommendation` uses the thresholds that apply now (as the pages do); the band stored
    # when the interview was scored follows for the record.
    writer.writerow(["candidate", "interview_id", "status", "hiring_score", "low", "high", "recommendation",
                     "strongest", "weakest", "red_flag_sentences", "decision", "recommendation_when_scored"])
    for r in rows:
        writer.writerow([_csv_safe(r["candidate"].name), r["interview"].id, r["status"], r["score"], r["low"], r["high"],
                         r["band"], " ".join(r["strongest"]), " ".join(r["weakest"]), r["red_flags"], r["decision"],
                         r["recorded_band"]])
    audit.record("vacancy.export_csv", actor_id=actor.id, object_type="vacancy", object_id=vacancy_id)
    db.session.commit()
    return out.getvalue()


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def api_scorecard(card: Scorecard) -> dict[str, Any]:
    if card.record is None:
        if card.unscored_reason is not None:
            raise Conflict(_l("The interview is completed, not scored yet: %(reason)s", reason=card.unscored_reason))
        raise Conflict(_l("The interview is not completed yet, so it has no score."))
    result = card.result
    return {
        "interview_id": card.interview.id, "candidate_id": card.interview.candidate_id,
        "vacancy_id": card.interview.vacancy_id, "advisory": True,
        "hiring_score": card.record.hiring_score, "recommendation": card.band,
        "recommendation_when_scored": card.recorded_band, "thresholds": card.thresholds,
        "confidence": {"low": card.record.low, "high": card.record.high},
        "model_version": card.record.model_version, "bank_version": card.interview.bank_version.number,
        "scored_at": card.record.created_at.isoformat(), "flags": result.get("flags", []),
        "components": result.get("components", {}),
        "indicators": {i["indicator"]: {"positive": i["positive"], "strength": i["strength"], "count": i["count"],
                                        "evidence": [{"answer_id": r["answer_id"], "start": r["start"], "end": r["end"],
                                                      "quote": r["quote"], "probability": r["probability"],
                                                      "mode": r["mode"]} for r in i["refs"]]}
                       for i in card.indicators},
        "red_flags": {f["indicator"]: {"count": f["count"], "evidence": [{"answer_id": r["answer_id"], "quote": r["quote"]}
                                                                         for r in f["refs"]]} for f in card.red_flags},
        "answers": [{"answer_id": a["answer"].id, "question_id": a["answer"].question_id,
                     "rating": a["scored"].get("model_rating"), "interviewer_rating": a["answer"].rating,
                     "blended_rating": a["scored"].get("blended_rating"),
                     "disagreement": a["scored"].get("disagreement", False),
                     "star_present": a["star_present"], "star_missing": a["star_missing"]} for a in card.answers],
        "decision": {"decision": card.decision.decision, "rationale": card.decision.rationale,
                     "decided_at": card.decision.decided_at.isoformat()} if card.decision else None,
    }
