"""Scoring an interview: tag each answer, store the evidence, run the formula, record the event.

The formula itself lives in `screening.scoring.formula` (pure). This module is the glue to the
database and the tagger. A scoring event records the time, the model version, the bank version,
the score and who triggered it; the tagger's per-sentence analysis is kept with it (offsets and
numbers only, no text), so a scorecard can be shown and re-derived without re-tagging.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from screening.extensions import db
from screening.models import Answer, EvidenceTag, Interview, ScoreRecord, User, as_utc
from screening.scoring.formula import AnswerEvidence, ScoringSettings, SentenceEvidence, band_for, score_candidate
from screening.services import audit, evidence, settings
from screening.services.errors import ServiceError


def scoring_settings() -> ScoringSettings:
    return ScoringSettings(strong_yes=float(settings.get("band_strong_yes")), yes=float(settings.get("band_yes")),
                           mixed=float(settings.get("band_mixed")))


def _analyse(answer: Answer, question: dict[str, Any], lang: str, tagger) -> dict[str, Any] | None:
    if tagger is None or not answer.text.strip():
        return None
    result = tagger.analyse(answer.text, question["text"].get(lang), lang)
    return {
        "model_version": result["model_version"],
        "rating": result["rating"]["rating"],
        "expected": result["rating"]["expected"],
        "sentences": [{"start": s["start"], "end": s["end"], "indicators": list(s["indicators"]),
                       "probabilities": {k: round(float(v), 4) for k, v in s["probabilities"].items()},
                       "star": s.get("star"), "mode": s.get("mode", "episode"), "person": s.get("person", "none")}
                      for s in result["sentences"]],
    }


def _store_tags(answer: Answer, analysis: dict[str, Any] | None) -> None:
    """Replace the model's unreviewed tags; reviewed ones and reviewers' own tags stay.

    Kept tags still fit the text: saving a changed answer deletes all its tags
    (services.interviews.save_answer). A span outside the text is dropped all the same.
    """
    for tag in list(answer.tags):
        if (tag.source == "model" and tag.verdict is None) or tag.end > len(answer.text):
            answer.tags.remove(tag)
    if analysis is None:
        return
    kept = {(t.start, t.end, t.indicator) for t in answer.tags}
    for s in analysis["sentences"]:
        for indicator in s["indicators"]:
            if (s["start"], s["end"], indicator) not in kept:
                answer.tags.append(EvidenceTag(start=s["start"], end=s["end"], indicator=indicator, star=s["star"],
                                               probability=s["probabilities"].get(indicator),
                                               model_version=analysis["model_version"], source="model"))


def evidence_of(answer: Answer, question: dict[str, Any], analysis: dict[str, Any] | None) -> AnswerEvidence:
    sentences = tuple(SentenceEvidence(start=s["start"], end=s["end"], indicators=tuple(s["indicators"]),
                                       probabilities=s["probabilities"], star=s["star"], mode=s["mode"],
                                       person=s["person"]) for s in (analysis or {}).get("sentences", []))
    return AnswerEvidence(answer_id=answer.id, question_id=answer.question_id,
                          targeted=tuple(question.get("indicators", ())), red_flags=tuple(question.get("red_flags", ())),
                          sentences=sentences, model_rating=(analysis or {}).get("rating"),
                          model_expected=(analysis or {}).get("expected"), interviewer_rating=answer.rating,
                          empty=not answer.text.strip())


def related_interviews(interview: Interview) -> list[Interview]:
    """A candidate's completed interviews for the same vacancy combine into one score."""
    if interview.vacancy_id is None:
        return [interview]
    return list(db.session.scalars(sa.select(Interview).where(
        Interview.candidate_id == interview.candidate_id, Interview.vacancy_id == interview.vacancy_id,
        sa.or_(Interview.status == "completed", Interview.id == interview.id)).order_by(Interview.id)))


def score_interview(interview: Interview, actor: User | None) -> ScoreRecord:
    """Tag the interview's answers and record a scoring event. Commits."""
    if interview.candidate.active_consent is None:
        raise ServiceError(_l("The candidate has no active consent: the interview is not scored."))
    tagger = None
    if evidence.tagger_enabled():
        from screening.nlp.errors import ModelUnavailable

        try:
            tagger = evidence.tagger()
        except ModelUnavailable:
            tagger = None
    analyses: dict[str, Any] = {}
    evidences: list[AnswerEvidence] = []
    model_version = tagger.version if tagger else None
    for item in related_interviews(interview):
        questions = {q["id"]: q for q in item.guide_snapshot.get("questions", [])}
        previous = current_score(item)
        for answer in item.answers:
            question = questions.get(answer.question_id, {"text": {}, "indicators": [], "red_flags": []})
            if item.id == interview.id or previous is None:
                analysis = _analyse(answer, question, item.lang, tagger)
                if item.id == interview.id:
                    _store_tags(answer, analysis)
            else:  # an earlier interview keeps the analysis it was scored with
                analysis = previous.details.get("analysis", {}).get(str(answer.id))
            analyses[str(answer.id)] = analysis
            evidences.append(evidence_of(answer, question, analysis))
    result = score_candidate(evidences, scoring_settings())
    record = ScoreRecord(interview_id=interview.id, model_version=model_version,
                         bank_version_id=interview.bank_version_id, hiring_score=result.hiring_score,
                         low=result.low, high=result.high, recommendation=result.recommendation,
                         details={**result.to_dict(), "analysis": analyses,
                                  "interview_ids": [i.id for i in related_interviews(interview)],
                                  # the answers as scored: a later edit (after a reopen) makes their
                                  # offsets stale, and the scorecard then withholds their quotes
                                  "answer_versions": {str(a.id): a.version for i in related_interviews(interview)
                                                      for a in i.answers},
                                  "classifier_enabled": tagger is not None},
                         triggered_by_id=actor.id if actor else None, created_at=datetime.now(UTC))
    db.session.add(record)
    db.session.flush()
    audit.record("interview.score", actor_id=actor.id if actor else None, object_type="interview",
                 object_id=interview.id, score=result.hiring_score, model_version=model_version,
                 bank_version=interview.bank_version.number)
    db.session.commit()
    return record


def latest_score(interview: Interview) -> ScoreRecord | None:
    return db.session.scalar(sa.select(ScoreRecord).where(ScoreRecord.interview_id == interview.id)
                             .order_by(ScoreRecord.id.desc()).limit(1))


def current_score(interview: Interview) -> ScoreRecord | None:
    """The score of the interview as it stands: the latest scoring event since its last completion.

    An interview in progress (never completed, or reopened) has none; so has a completed one
    whose scoring did not happen. Earlier events stay in the table as the audit trail.
    """
    if not interview.is_locked:
        return None
    record = latest_score(interview)
    if record is None or interview.completed_at is None:
        return record
    return record if as_utc(record.created_at) >= as_utc(interview.completed_at) else None


def unscored_reason(interview: Interview) -> Any:
    """Why a completed interview has no current score (None: it has one, or is not completed)."""
    if not interview.is_locked or current_score(interview) is not None:
        return None
    if interview.candidate.active_consent is None:
        return _l("the candidate's consent to data processing is withdrawn, and nothing is scored without it.")
    return _l("scoring did not finish (for example the server stopped); score it again.")


def thresholds() -> dict[str, float]:
    """The recommendation thresholds that apply now (admin settings)."""
    current = scoring_settings()
    return {"strong_yes": current.strong_yes, "yes": current.yes, "mixed": current.mixed}


def current_band(record: ScoreRecord | None, bands: ScoringSettings | None = None) -> str | None:
    """The band of a recorded score under the thresholds that apply now.

    The band stored with the scoring event (`record.recommendation`) is kept unchanged for the
    audit trail; everything shown (pages, comparison, CSV, PDF, API) uses this one, so an admin's
    change of thresholds applies at once and everywhere. "Insufficient" does not depend on the
    thresholds, so it stays.
    """
    if record is None:
        return None
    if record.hiring_score is None or record.recommendation == "insufficient":
        return "insufficient"
    return band_for(record.hiring_score, bands or scoring_settings())
