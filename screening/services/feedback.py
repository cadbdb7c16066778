"""Reviewer feedback on evidence tags, turned into training examples for the next `train`.

Only sentences a reviewer acted on are used: their labels become the confirmed and added
indicators, without the rejected ones. Answers that were erased are gone with their tags.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from screening.extensions import db
from screening.models import Answer, EvidenceTag, Interview


def feedback_answers() -> list[dict[str, Any]]:
    if not sa.inspect(db.session.connection()).has_table(EvidenceTag.__tablename__):
        return []  # no database yet (e.g. `train` before `init-db`): nothing was reviewed
    reviewed = sa.select(EvidenceTag.answer_id).where(
        sa.or_(EvidenceTag.verdict.is_not(None), EvidenceTag.source == "reviewer"))
    answers = db.session.scalars(sa.select(Answer).where(Answer.id.in_(reviewed)).order_by(Answer.id)).all()
    out = []
    for answer in answers:
        spans: dict[tuple[int, int], dict[str, Any]] = defaultdict(lambda: {"labels": set(), "touched": False, "star": None})
        for tag in answer.tags:
            span = spans[(tag.start, tag.end)]
            span["star"] = span["star"] or tag.star
            if tag.source == "reviewer" or tag.verdict is not None:
                span["touched"] = True
            if tag.indicator and (tag.source == "reviewer" or tag.verdict != "rejected"):
                span["labels"].add(tag.indicator)
        sentences = [{"text": answer.text[start:end], "indicators": sorted(span["labels"]), "star": span["star"]}
                     for (start, end), span in sorted(spans.items()) if span["touched"] and answer.text[start:end].strip()]
        if sentences:
            interview = db.session.get(Interview, answer.interview_id)
            out.append({"id": f"feedback-{answer.id}", "lang": interview.lang, "form": "feedback",
                        "sentences": sentences, "rating": None})
    return out
