"""The hiring-score formula: the evidence of a candidate's interviews in, a 0–100 score out.

Pure domain code (no Flask, no database, no spaCy): frozen dataclasses in, frozen
dataclasses out. ``docs/scoring.md`` explains every part with its weight and a worked
example; the names of ``ScoreResult.components`` are the names used there.

In short, over all answers of all interviews of one candidate for one vacancy::

    rating     R = mean over rated answers of (blended rating − 1) / 4
    coverage   C = min(1, Σ strength of the 8 positive indicators / coverage_target)
    targeted   T = mean over rated answers with targeted indicators of their targeted strength
    structure  S = mean over rated answers of the STAR shape of the told episode
    penalty    P = min(penalty_cap, penalty_per_counter × Σ strength of the 4 counter-indicators)

    hiring score = clip(100 × (wR·R + wC·C + wT·T + wS·S) / (wR + wC + wT + wS) − P, 0, 100)

where an indicator's strength is ``1 − Π (1 − gain × p × mode weight × person weight)``
over the sentences labelled with it (T is left out, and the weights renormalised, when no
question carries targeted indicators). The score only advises: the band is a suggestion,
and "insufficient" says that the evidence is too thin for one.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

from screening.nlp.labels import INDICATORS, MODES, NEGATIVE, PERSONS, POSITIVE, STAR_PARTS

FORMULA_VERSION = "1"
RECOMMENDATIONS: tuple[str, ...] = ("strong_yes", "yes", "mixed", "no", "insufficient")
# Flag codes, in the order they are reported.
FLAGS: tuple[str, ...] = (
    "no_scorable_answers",            # nothing rated at all: no score
    "few_answers",                    # fewer rated answers than min_answers: "insufficient"
    "thin_evidence",                  # fewer evidence sentences than evidence_target (range widened)
    "too_little_evidence",            # fewer evidence sentences than min_evidence: "insufficient"
    "hypothetical_evidence",          # most positive evidence is hypothetical or general, not an episode
    "model_interviewer_disagreement",  # at least one answer where model and interviewer disagree
    "counter_evidence",               # at least one counter-indicator is evidenced
    "unanswered_questions",           # answers without text and without an interviewer rating
    "unrated_answers",                # answers with text but neither a model nor an interviewer rating
)


# ------------------------------------------------------------------------------------------ input

@dataclass(frozen=True)
class SentenceEvidence:
    """One tagged sentence of an answer (the tagger's output, or gold labels)."""
    start: int
    end: int                                   # offsets in the answer text
    indicators: tuple[str, ...]                # labels above threshold
    probabilities: Mapping[str, float]         # all 12 ids (a missing id: 1.0 if labelled, else 0.0)
    star: str | None                           # situation/task/action/result/None
    mode: str = "episode"                      # "episode" | "hypothetical" | "general"
    person: str = "first_singular"             # "first_singular" | "first_plural" | "third" | "none"

    def __post_init__(self) -> None:
        object.__setattr__(self, "indicators", tuple(self.indicators))
        problems = []
        unknown = [i for i in self.indicators if i not in INDICATORS]
        if unknown:
            problems.append(f"unknown indicators {unknown}")
        bad = {k: v for k, v in self.probabilities.items()
               if k not in INDICATORS or not isinstance(v, int | float) or not 0.0 <= v <= 1.0}
        if bad:
            problems.append(f"probabilities must be 12 known ids with values in 0..1, got {bad}")
        if self.star is not None and self.star not in STAR_PARTS:
            problems.append(f"star must be one of {STAR_PARTS} or None, got {self.star!r}")
        if self.mode not in MODES:
            problems.append(f"mode must be one of {MODES}, got {self.mode!r}")
        if self.person not in PERSONS:
            problems.append(f"person must be one of {PERSONS}, got {self.person!r}")
        if not 0 <= self.start <= self.end:
            problems.append(f"bad offsets {self.start}..{self.end}")
        if problems:
            raise ValueError("; ".join(problems))

    def probability(self, indicator: str) -> float:
        """The evidence probability of ``indicator``: its probability when labelled, else 0."""
        if indicator not in self.indicators:
            return 0.0
        return float(self.probabilities.get(indicator, 1.0))


@dataclass(frozen=True)
class AnswerEvidence:
    """One answer of an interview with its question's targets and its ratings."""
    answer_id: int | str
    question_id: str
    targeted: tuple[str, ...]                  # the question's targeted positive indicators
    red_flags: tuple[str, ...]                 # counter-indicators the question can reveal
    sentences: tuple[SentenceEvidence, ...]
    model_rating: int | None                   # the tagger's predicted 1–5 (None: no text / tagger off)
    model_expected: float | None               # expected rating (probability-weighted), 1.0–5.0
    interviewer_rating: int | None             # 1–5 given by the interviewer, or None
    empty: bool = False                        # no answer text

    def __post_init__(self) -> None:
        for name in ("targeted", "red_flags", "sentences"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        problems = []
        if any(i not in POSITIVE for i in self.targeted):
            problems.append(f"targeted must be positive indicators, got {self.targeted}")
        if any(i not in NEGATIVE for i in self.red_flags):
            problems.append(f"red_flags must be counter-indicators, got {self.red_flags}")
        for name in ("model_rating", "interviewer_rating"):
            value = getattr(self, name)
            if value is not None and value not in (1, 2, 3, 4, 5):
                problems.append(f"{name} must be 1..5 or None, got {value!r}")
        if self.model_expected is not None and not 1.0 <= self.model_expected <= 5.0:
            problems.append(f"model_expected must be in 1.0..5.0, got {self.model_expected!r}")
        if problems:
            raise ValueError("; ".join(problems))


@dataclass(frozen=True)
class ScoringSettings:
    """The formula's knobs, admin-adjustable; the defaults are documented in docs/scoring.md."""
    # recommendation bands: lower bounds of the hiring score (below `mixed`: "no")
    strong_yes: float = 75
    yes: float = 60
    mixed: float = 45
    # the answer rating
    interviewer_weight: float = 0.5            # share of the interviewer's rating in the blend, when given
    disagreement: float = 1.5                  # |model − interviewer| ≥ this → flagged
    use_expected: bool = False                 # blend the model's expected rating instead of its 1–5 rating
    # weights of the four parts (renormalised over the parts that apply)
    weight_rating: float = 0.55
    weight_coverage: float = 0.25
    weight_targeted: float = 0.10
    weight_structure: float = 0.10
    # strength of evidence
    evidence_gain: float = 0.7                 # how much of the remaining gap one full-weight sentence closes
    coverage_target: float = 6.0               # Σ positive strengths that counts as full coverage
    mode_episode: float = 1.0                  # weight of a sentence by mode, positive evidence
    mode_hypothetical: float = 0.5
    mode_general: float = 0.4
    counter_mode_hypothetical: float = 0.75    # weight by mode, counter-evidence (an episode: 1.0)
    counter_mode_general: float = 0.75
    person_plural: float = 0.8                 # "we" (first_plural); the other persons weigh 1.0
    # the STAR shape of an answer (situation or task / action / result)
    star_context: float = 0.3
    star_action: float = 0.3
    star_result: float = 0.4
    # counter-indicator penalty, in score points
    penalty_per_counter: float = 6.0
    penalty_cap: float = 20.0
    # when the advice is "insufficient"
    min_answers: int = 3                       # rated answers
    min_evidence: int = 3                      # evidence sentences (any indicator)
    # the confidence range: half-width in score points
    range_base: float = 4.0
    range_answers: float = 15.0                # ÷ √(rated answers)
    range_evidence: float = 10.0               # × the missing share of evidence_target
    evidence_target: int = 10
    range_disagreement: float = 15.0           # × the share of rated answers with disagreement

    def __post_init__(self) -> None:
        problems = []
        if not 0 <= self.mixed <= self.yes <= self.strong_yes <= 100:
            problems.append("bands must satisfy 0 ≤ mixed ≤ yes ≤ strong_yes ≤ 100")
        if not 0 <= self.interviewer_weight <= 1:
            problems.append("interviewer_weight must be in 0..1")
        if not self.disagreement > 0:
            problems.append("disagreement must be > 0")
        weights = ("weight_rating", "weight_coverage", "weight_targeted", "weight_structure")
        if any(getattr(self, w) < 0 for w in weights):
            problems.append("weights must be ≥ 0")
        if self.weight_rating + self.weight_coverage + self.weight_structure <= 0:
            problems.append("weight_rating + weight_coverage + weight_structure must be > 0")
        if not 0 < self.evidence_gain <= 1:
            problems.append("evidence_gain must be in (0, 1]")
        if not 0 < self.coverage_target <= len(POSITIVE):
            problems.append(f"coverage_target must be in (0, {len(POSITIVE)}]")
        if not 0 <= self.mode_general <= self.mode_episode <= 1 or not 0 <= self.mode_hypothetical <= self.mode_episode:
            problems.append("mode weights must be in 0..1 with episode the largest")
        if not (0 <= self.counter_mode_hypothetical <= 1 and 0 <= self.counter_mode_general <= 1):
            problems.append("counter mode weights must be in 0..1")
        if not 0 <= self.person_plural <= 1:
            problems.append("person_plural must be in 0..1")
        if min(self.star_context, self.star_action, self.star_result) < 0 or \
                not math.isclose(self.star_context + self.star_action + self.star_result, 1.0):
            problems.append("star weights must be ≥ 0 and sum to 1")
        if self.penalty_per_counter < 0 or self.penalty_cap < 0:
            problems.append("penalties must be ≥ 0")
        if self.min_answers < 1 or self.min_evidence < 0:
            problems.append("min_answers must be ≥ 1 and min_evidence ≥ 0")
        if min(self.range_base, self.range_answers, self.range_evidence, self.range_disagreement) < 0:
            problems.append("range parts must be ≥ 0")
        if self.evidence_target < 1:
            problems.append("evidence_target must be ≥ 1")
        if problems:
            raise ValueError("; ".join(problems))

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> ScoringSettings:
        """Settings from stored values; unknown names raise ValueError, missing ones take defaults."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ValueError(f"unknown scoring settings: {unknown}")
        return cls(**dict(values))

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def mode_weight(self, mode: str, counter: bool = False) -> float:
        if mode == "episode":
            return 1.0 if counter else self.mode_episode
        if mode == "hypothetical":
            return self.counter_mode_hypothetical if counter else self.mode_hypothetical
        return self.counter_mode_general if counter else self.mode_general

    def person_weight(self, person: str) -> float:
        return self.person_plural if person == "first_plural" else 1.0


# ----------------------------------------------------------------------------------------- output

class EvidenceRef(NamedTuple):
    """A quoted sentence: ``text[start:end]`` of the answer ``answer_id``."""
    answer_id: int | str
    start: int
    end: int
    probability: float
    mode: str


@dataclass(frozen=True)
class IndicatorResult:
    indicator: str
    positive: bool
    strength: float                            # 0–1, see docs/scoring.md
    count: int                                 # sentences labelled with it
    refs: tuple[EvidenceRef, ...]              # the strongest (at most 3), strongest first

    def to_dict(self) -> dict[str, Any]:
        return {"indicator": self.indicator, "positive": self.positive, "strength": self.strength,
                "count": self.count, "refs": [r._asdict() for r in self.refs]}


@dataclass(frozen=True)
class AnswerResult:
    answer_id: int | str
    question_id: str
    model_rating: int | None
    model_expected: float | None
    interviewer_rating: int | None
    blended_rating: float | None               # None: the answer is not rated
    disagreement: bool
    star_present: tuple[str, ...]
    star_missing: tuple[str, ...]
    evidence_sentences: int
    indicators: tuple[str, ...]                # positive indicators evidenced in this answer
    red_flags: tuple[str, ...]                 # counter-indicators evidenced in this answer
    targeted: Mapping[str, float]              # strength, within this answer, of each targeted indicator
    structure: float                           # the STAR shape of the episode, 0–1
    empty: bool

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("star_present", "star_missing", "indicators", "red_flags"):
            out[name] = list(out[name])
        out["targeted"] = dict(self.targeted)
        return out


@dataclass(frozen=True)
class ScoreResult:
    hiring_score: float | None                 # 0–100, one decimal; None: nothing scorable
    low: float | None
    high: float | None
    recommendation: str                        # strong_yes | yes | mixed | no | insufficient — advice only
    components: Mapping[str, Any]
    indicators: Mapping[str, IndicatorResult]  # all 12 ids, in model order
    red_flags: Mapping[str, IndicatorResult]   # evidenced counter-indicators only
    answers: tuple[AnswerResult, ...]          # in a deterministic order (by answer id)
    flags: tuple[str, ...]
    settings: ScoringSettings = field(default_factory=ScoringSettings)
    formula_version: str = FORMULA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "formula_version": self.formula_version,
            "advisory": True,
            "hiring_score": self.hiring_score,
            "low": self.low,
            "high": self.high,
            "recommendation": self.recommendation,
            "components": dict(self.components),
            "indicators": {k: v.to_dict() for k, v in self.indicators.items()},
            "red_flags": {k: v.to_dict() for k, v in self.red_flags.items()},
            "answers": [a.to_dict() for a in self.answers],
            "flags": list(self.flags),
            "settings": self.settings.to_dict(),
        }


# ---------------------------------------------------------------------------------------- formula

class _Hit(NamedTuple):
    weight: float          # probability × mode weight × person weight
    probability: float
    order: int             # position of the answer in the sorted order
    start: int
    end: int
    answer_id: int | str
    mode: str


def _answer_key(answer: AnswerEvidence) -> tuple:
    """A total order on answers that does not depend on the input order."""
    aid = answer.answer_id
    id_key = (0, aid, "") if isinstance(aid, int) and not isinstance(aid, bool) else (1, 0, str(aid))
    content = (
        -1 if answer.model_rating is None else answer.model_rating,
        -1.0 if answer.model_expected is None else answer.model_expected,
        -1 if answer.interviewer_rating is None else answer.interviewer_rating,
        answer.empty, answer.targeted, answer.red_flags,
        tuple((s.start, s.end, s.indicators, tuple(sorted(s.probabilities.items())), s.star or "", s.mode, s.person)
              for s in answer.sentences),
    )
    return id_key, answer.question_id, content


def _noisy_or(weights: Sequence[float], gain: float) -> float:
    """1 − Π(1 − gain·w): each sentence closes a share of the remaining gap (order-independent)."""
    rest = 1.0
    for w in sorted(weights, reverse=True):
        rest *= 1.0 - gain * w
    return 1.0 - rest


def _model_part(answer: AnswerEvidence, settings: ScoringSettings) -> float | None:
    if settings.use_expected and answer.model_expected is not None:
        return float(answer.model_expected)
    if answer.model_rating is not None:
        return float(answer.model_rating)
    if answer.model_expected is not None:
        return float(answer.model_expected)
    return None


def _blend(model: float | None, interviewer: int | None, settings: ScoringSettings) -> float | None:
    if model is None:
        return None if interviewer is None else float(interviewer)
    if interviewer is None:
        return model
    w = settings.interviewer_weight
    return (1.0 - w) * model + w * interviewer


def _structure(sentences: Sequence[SentenceEvidence], settings: ScoringSettings) -> float:
    """The STAR shape of an answer: the best mode weight per part, from sentences without counter-evidence."""
    best = {"context": 0.0, "action": 0.0, "result": 0.0}
    for s in sentences:
        if s.star is None or any(i in NEGATIVE for i in s.indicators):
            continue
        part = "context" if s.star in ("situation", "task") else s.star
        best[part] = max(best[part], settings.mode_weight(s.mode))
    return (settings.star_context * best["context"] + settings.star_action * best["action"]
            + settings.star_result * best["result"])


def band_for(score: float, settings: ScoringSettings) -> str:
    """The recommendation band of a hiring score under the given thresholds (not "insufficient":
    whether the evidence suffices for advice at all does not depend on the thresholds)."""
    if score >= settings.strong_yes:
        return "strong_yes"
    if score >= settings.yes:
        return "yes"
    if score >= settings.mixed:
        return "mixed"
    return "no"


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0


def score_candidate(answers: Sequence[AnswerEvidence], settings: ScoringSettings = ScoringSettings()) -> ScoreResult:
    """Score all answers of one candidate's interviews for one vacancy (see the module docstring)."""
    ordered = sorted(answers, key=_answer_key)
    gain = settings.evidence_gain
    hits: dict[str, list[_Hit]] = {i: [] for i in INDICATORS}
    counts = dict.fromkeys(INDICATORS, 0)
    answer_results: list[AnswerResult] = []
    rated: list[float] = []
    targeted_scores: list[float] = []
    structures: list[float] = []
    n_evidence = n_positive_sentences = n_positive_episode = 0
    n_disagree = n_unanswered = n_unrated = 0

    for order, answer in enumerate(ordered):
        sentences = () if answer.empty else answer.sentences
        local: dict[str, list[float]] = {i: [] for i in INDICATORS}
        for s in sentences:
            if s.indicators:
                n_evidence += 1
            if any(i in POSITIVE for i in s.indicators):
                n_positive_sentences += 1
                n_positive_episode += s.mode == "episode"
            for i in s.indicators:
                counts[i] += 1
                p = s.probability(i)
                w = p * settings.mode_weight(s.mode, counter=i in NEGATIVE) * settings.person_weight(s.person)
                local[i].append(w)
                hits[i].append(_Hit(w, p, order, s.start, s.end, answer.answer_id, s.mode))

        model = _model_part(answer, settings)
        blended = _blend(model, answer.interviewer_rating, settings)
        disagreement = (model is not None and answer.interviewer_rating is not None
                        and abs(model - answer.interviewer_rating) >= settings.disagreement - 1e-9)
        structure = _structure(sentences, settings)
        targeted = {i: round(_noisy_or(local[i], gain), 3) for i in answer.targeted}
        if blended is not None:
            rated.append(blended)
            n_disagree += disagreement
            if not answer.empty:
                structures.append(structure)
                if answer.targeted:
                    targeted_scores.append(_mean([_noisy_or(local[i], gain) for i in answer.targeted]))
        elif answer.empty:
            n_unanswered += 1
        else:
            n_unrated += 1
        present = {s.star for s in sentences if s.star}
        answer_results.append(AnswerResult(
            answer_id=answer.answer_id, question_id=answer.question_id, model_rating=answer.model_rating,
            model_expected=answer.model_expected, interviewer_rating=answer.interviewer_rating,
            blended_rating=None if blended is None else round(blended, 2), disagreement=disagreement,
            star_present=tuple(p for p in STAR_PARTS if p in present),
            star_missing=tuple(p for p in STAR_PARTS if p not in present),
            evidence_sentences=sum(1 for s in sentences if s.indicators),
            indicators=tuple(i for i in POSITIVE if local[i]), red_flags=tuple(i for i in NEGATIVE if local[i]),
            targeted=targeted, structure=round(structure, 3), empty=answer.empty,
        ))

    strengths = {i: _noisy_or([h.weight for h in hits[i]], gain) for i in INDICATORS}
    indicator_results = {}
    for i in INDICATORS:
        best = sorted(hits[i], key=lambda h: (-h.weight, -h.probability, h.order, h.start, h.end))[:3]
        indicator_results[i] = IndicatorResult(
            indicator=i, positive=i in POSITIVE, strength=round(strengths[i], 3), count=counts[i],
            refs=tuple(EvidenceRef(h.answer_id, h.start, h.end, round(h.probability, 4), h.mode) for h in best))
    red_flags = {i: indicator_results[i] for i in NEGATIVE if hits[i]}

    # the four parts and the penalty
    n_rated = len(rated)
    coverage_sum = math.fsum(strengths[i] for i in POSITIVE)
    parts = {
        "rating": (settings.weight_rating, _mean([(r - 1.0) / 4.0 for r in rated])),
        "coverage": (settings.weight_coverage, min(1.0, coverage_sum / settings.coverage_target)),
        "targeted": (settings.weight_targeted, _mean(targeted_scores) if targeted_scores else None),
        "structure": (settings.weight_structure, _mean(structures)),
    }
    total_weight = math.fsum(w for w, v in parts.values() if v is not None)
    counter_sum = math.fsum(strengths[i] for i in NEGATIVE)
    penalty = min(settings.penalty_cap, settings.penalty_per_counter * counter_sum)
    points = {k: (100.0 * w * v / total_weight if v is not None else None) for k, (w, v) in parts.items()}

    # the confidence range
    range_answers = settings.range_answers / math.sqrt(n_rated) if n_rated else 0.0
    range_evidence = settings.range_evidence * max(0.0, 1.0 - n_evidence / settings.evidence_target)
    range_disagreement = settings.range_disagreement * (n_disagree / n_rated if n_rated else 0.0)
    half_width = settings.range_base + range_answers + range_evidence + range_disagreement

    if n_rated:
        raw = math.fsum(p for p in points.values() if p is not None) - penalty
        raw = min(100.0, max(0.0, raw))
        score = round(raw, 1)
        low = min(score, round(max(0.0, raw - half_width), 1))
        high = max(score, round(min(100.0, raw + half_width), 1))
    else:
        score = low = high = None

    flags = []
    if not n_rated:
        flags.append("no_scorable_answers")
    elif n_rated < settings.min_answers:
        flags.append("few_answers")
    if n_evidence < settings.evidence_target:
        flags.append("thin_evidence")
    if n_evidence < settings.min_evidence:
        flags.append("too_little_evidence")
    if n_positive_sentences and 2 * n_positive_episode < n_positive_sentences:
        flags.append("hypothetical_evidence")
    if n_disagree:
        flags.append("model_interviewer_disagreement")
    if red_flags:
        flags.append("counter_evidence")
    if n_unanswered:
        flags.append("unanswered_questions")
    if n_unrated:
        flags.append("unrated_answers")

    if score is None or n_rated < settings.min_answers or n_evidence < settings.min_evidence:
        recommendation = "insufficient"
    else:
        recommendation = band_for(score, settings)

    def r4(x: float | None) -> float | None:
        return None if x is None else round(x, 4)

    def r1(x: float | None) -> float | None:
        return None if x is None else round(x, 1)

    components = {
        "answers": len(ordered),
        "answers_rated": n_rated,
        "evidence_sentences": n_evidence,
        "disagreements": n_disagree,
        "mean_rating": None if not n_rated else round(_mean(rated), 2),
        "rating": r4(parts["rating"][1]) if n_rated else None,
        "coverage_sum": round(coverage_sum, 3),
        "coverage": r4(parts["coverage"][1]),
        "targeted": r4(parts["targeted"][1]),
        "structure": r4(parts["structure"][1]) if n_rated else None,
        "counter_sum": round(counter_sum, 3),
        "weight_total": round(total_weight, 4),
        "points_rating": r1(points["rating"]) if n_rated else None,
        "points_coverage": r1(points["coverage"]) if n_rated else None,
        "points_targeted": r1(points["targeted"]) if n_rated else None,
        "points_structure": r1(points["structure"]) if n_rated else None,
        "points_penalty": round(penalty, 1),
        "range_half_width": round(half_width, 1),
        "range_answers": round(range_answers, 1),
        "range_evidence": round(range_evidence, 1),
        "range_disagreement": round(range_disagreement, 1),
    }
    return ScoreResult(
        hiring_score=score, low=low, high=high, recommendation=recommendation, components=components,
        indicators=indicator_results, red_flags=red_flags, answers=tuple(answer_results), flags=tuple(flags),
        settings=settings,
    )
