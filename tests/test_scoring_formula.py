"""The hiring-score formula (screening/scoring/formula.py, docs/scoring.md): rules, properties, example."""
from __future__ import annotations

import ast
import importlib.util
import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.nlp.labels import INDICATORS, MODES, NEGATIVE, PERSONS, POSITIVE, STAR_PARTS
from screening.scoring.formula import (
    FLAGS, RECOMMENDATIONS, AnswerEvidence, ScoringSettings, SentenceEvidence, score_candidate,
)

ROOT = Path(__file__).resolve().parent.parent
PROPERTY = settings(max_examples=50, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def sent(labels: dict[str, float] | None = None, star: str | None = "action", mode: str = "episode",
         person: str = "first_singular", start: int = 0) -> SentenceEvidence:
    labels = labels or {}
    return SentenceEvidence(start, start + 40, tuple(labels), {i: labels.get(i, 0.0) for i in INDICATORS}, star,
                            mode, person)


def answer(aid: int | str, sentences=(), model: int | None = 4, interviewer: int | None = None,
           targeted=(), red_flags=(), expected: float | None = None, empty: bool = False) -> AnswerEvidence:
    return AnswerEvidence(aid, f"q{aid}", tuple(targeted), tuple(red_flags), tuple(sentences), model, expected,
                          interviewer, empty)


def episode_answer(aid: int, rating: int, labels: list[str]) -> AnswerEvidence:
    sentences = [sent({}, "situation", start=0)]
    sentences += [sent({lab: 0.9}, "action", start=50 * (k + 1)) for k, lab in enumerate(labels)]
    sentences.append(sent({}, "result", start=500))
    return answer(aid, sentences, model=rating)


def load_tool():
    spec = importlib.util.spec_from_file_location("validate_scoring", ROOT / "tools" / "validate_scoring.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------------ plain rules

def test_no_answers_no_score():
    res = score_candidate([])
    assert res.hiring_score is None and res.low is None and res.high is None
    assert res.recommendation == "insufficient"
    assert "no_scorable_answers" in res.flags
    json.dumps(res.to_dict())


def test_strong_candidate_is_strong_yes_and_weak_one_is_no():
    strong = [episode_answer(k, 5, list(POSITIVE[k:k + 3])) for k in range(5)]
    res = score_candidate(strong)
    assert res.recommendation == "strong_yes" and res.hiring_score >= 90
    weak = [answer(k, [sent({"push": 0.9}, start=0), sent({"disrespect": 0.8}, start=50)], model=1)
            for k in range(5)]
    res = score_candidate(weak)
    assert res.recommendation == "no" and res.hiring_score == 0.0
    assert set(res.red_flags) == {"push", "disrespect"} and "counter_evidence" in res.flags


def test_worked_example_matches_docs():
    res = score_candidate(load_tool().example_answers())
    assert (res.hiring_score, res.low, res.high, res.recommendation) == (58.4, 37.7, 79.1, "mixed")
    c = res.components
    assert (c["points_rating"], c["points_coverage"], c["points_targeted"], c["points_structure"],
            c["points_penalty"]) == (34.4, 13.1, 5.0, 8.2, 2.2)
    assert c["mean_rating"] == 3.5 and c["range_half_width"] == 20.7
    assert res.flags == ("thin_evidence", "model_interviewer_disagreement", "counter_evidence")
    docs = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    assert "58.4" in docs and "37.7" in docs and "79.1" in docs


def test_blend_and_disagreement_flagged_and_widen_the_range():
    base = [episode_answer(k, 4, ["needs", "fit"]) for k in range(4)]
    agree = score_candidate(base + [replace(episode_answer(9, 4, ["ownership"]), interviewer_rating=4)])
    clash = score_candidate(base + [replace(episode_answer(9, 4, ["ownership"]), interviewer_rating=2)])
    a = next(x for x in clash.answers if x.answer_id == 9)
    assert a.blended_rating == 3.0 and a.disagreement and a.interviewer_rating == 2 and a.model_rating == 4
    assert "model_interviewer_disagreement" in clash.flags and "model_interviewer_disagreement" not in agree.flags
    assert clash.high - clash.low > agree.high - agree.low
    only_interviewer = score_candidate([answer(1, model=None, interviewer=5)])
    assert only_interviewer.answers[0].blended_rating == 5.0


def test_interviewer_weight_setting():
    a = [replace(episode_answer(1, 2, ["needs"]), interviewer_rating=5)]
    assert score_candidate(a, ScoringSettings(interviewer_weight=1.0)).answers[0].blended_rating == 5.0
    assert score_candidate(a, ScoringSettings(interviewer_weight=0.0)).answers[0].blended_rating == 2.0
    assert score_candidate(a).answers[0].blended_rating == 3.5


def test_expected_rating_is_used_only_when_asked():
    a = [answer(1, [sent({"needs": 1.0})], model=3, expected=3.6)]
    assert score_candidate(a).answers[0].blended_rating == 3.0
    assert score_candidate(a, ScoringSettings(use_expected=True)).answers[0].blended_rating == 3.6


def test_episode_outweighs_hypothetical_and_general():
    def one(mode):
        return score_candidate([answer(k, [sent({"needs": 0.9, "fit": 0.9}, mode=mode)], model=3)
                                for k in range(3)])
    episode, hypothetical, general = one("episode"), one("hypothetical"), one("general")
    assert episode.hiring_score > hypothetical.hiring_score > general.hiring_score
    assert episode.indicators["needs"].strength > hypothetical.indicators["needs"].strength
    assert "hypothetical_evidence" in hypothetical.flags and "hypothetical_evidence" not in episode.flags


def test_person_third_counts_as_own_and_plural_is_weaker():
    def strength(person):
        return score_candidate([answer(1, [sent({"ownership": 1.0}, person=person)])]).indicators["ownership"].strength
    assert strength("third") == strength("first_singular") == 0.7
    assert strength("first_plural") < strength("first_singular")


def test_targeted_evidence_counts_for_its_question():
    on = score_candidate([answer(1, [sent({"composure": 0.9})], targeted=("composure",)),
                          answer(2, [sent({"needs": 0.9})], targeted=("needs",))])
    off = score_candidate([answer(1, [sent({"needs": 0.9})], targeted=("composure",)),
                           answer(2, [sent({"composure": 0.9})], targeted=("needs",))])
    assert on.components["coverage"] == off.components["coverage"]
    assert on.components["targeted"] > off.components["targeted"] == 0.0
    assert on.hiring_score > off.hiring_score
    assert on.answers[0].targeted == {"composure": 0.63}
    untargeted = score_candidate([answer(1, [sent({"needs": 0.9})])])
    assert untargeted.components["targeted"] is None and untargeted.components["points_targeted"] is None


def test_evidence_refs_strongest_first_at_most_three():
    sentences = [sent({"needs": p}, mode=m, start=60 * k)
                 for k, (p, m) in enumerate([(0.6, "episode"), (0.99, "general"), (0.9, "episode"),
                                            (0.7, "episode"), (0.65, "hypothetical")])]
    res = score_candidate([answer("a", sentences)])
    ind = res.indicators["needs"]
    assert ind.count == 5 and len(ind.refs) == 3
    assert [(r.probability, r.mode) for r in ind.refs] == [(0.9, "episode"), (0.7, "episode"), (0.6, "episode")]
    assert ind.refs[0] == ("a", 120, 160, 0.9, "episode")
    assert list(res.indicators) == list(INDICATORS) and res.red_flags == {}


def test_star_completeness_per_answer():
    res = score_candidate([answer(1, [sent({}, "situation"), sent({"needs": 0.8}, "action", start=50)])])
    a = res.answers[0]
    assert a.star_present == ("situation", "action") and a.star_missing == ("task", "result")
    assert a.structure == 0.6


def test_insufficient_when_evidence_is_thin():
    few = score_candidate([episode_answer(1, 5, ["needs", "fit"]), episode_answer(2, 5, ["ownership"])])
    assert few.hiring_score is not None and few.recommendation == "insufficient" and "few_answers" in few.flags
    generic = score_candidate([answer(k, [sent({}, None)], model=2) for k in range(5)])
    assert generic.recommendation == "insufficient" and "too_little_evidence" in generic.flags
    thin, rich = generic, score_candidate([episode_answer(k, 2, ["needs", "fit", "ownership"]) for k in range(5)])
    assert thin.high - thin.low > rich.high - rich.low


def test_empty_and_unrated_answers():
    res = score_candidate([episode_answer(1, 4, ["needs"]), answer(2, [sent({"fit": 1.0})], empty=True, model=None),
                           answer(3, [sent({"fit": 1.0})], model=None)])
    assert "unanswered_questions" in res.flags and "unrated_answers" in res.flags
    assert res.components["answers_rated"] == 1
    assert res.indicators["fit"].count == 1          # the empty answer's sentences are ignored


def test_bands_follow_the_settings():
    answers = [episode_answer(k, 4, ["needs", "fit", "ownership"]) for k in range(5)]
    score = score_candidate(answers).hiring_score
    top = ScoringSettings(strong_yes=score, yes=score, mixed=0)
    assert score_candidate(answers, top).recommendation == "strong_yes"
    assert score_candidate(answers, ScoringSettings(strong_yes=100, yes=99.9, mixed=99.9)).recommendation == "no"


def test_settings_are_validated_and_round_trip():
    with pytest.raises(ValueError, match="bands"):
        ScoringSettings(strong_yes=50, yes=60)
    with pytest.raises(ValueError, match="episode the largest"):
        ScoringSettings(mode_hypothetical=1.0, mode_episode=0.9)
    with pytest.raises(ValueError, match="unknown scoring settings"):
        ScoringSettings.from_dict({"strong_yes": 80, "bogus": 1})
    s = ScoringSettings(strong_yes=80, interviewer_weight=0.3)
    assert ScoringSettings.from_dict(json.loads(json.dumps(s.to_dict()))) == s


def test_inputs_are_validated():
    with pytest.raises(ValueError, match="mode"):
        sent({"needs": 0.5}, mode="maybe")
    with pytest.raises(ValueError, match="unknown indicators"):
        sent({"charm": 0.5})
    with pytest.raises(ValueError, match="model_rating"):
        answer(1, model=7)
    with pytest.raises(ValueError, match="targeted"):
        answer(1, targeted=("push",))


def test_module_is_pure_domain_code():
    tree = ast.parse((ROOT / "screening" / "scoring" / "formula.py").read_text(encoding="utf-8"))
    imported = {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not imported & {"flask", "sqlalchemy", "spacy", "numpy", "flask_sqlalchemy"}


def test_to_dict_is_json_and_complete():
    res = score_candidate(load_tool().example_answers())
    d = json.loads(json.dumps(res.to_dict()))
    assert d["advisory"] is True and d["recommendation"] in RECOMMENDATIONS
    assert set(d["flags"]) <= set(FLAGS)
    assert d["indicators"]["needs"]["refs"][0] == {"answer_id": 1, "start": 61, "end": 130, "probability": 0.92,
                                                   "mode": "episode"}
    assert d["answers"][1]["disagreement"] is True and d["settings"]["strong_yes"] == 75


# ------------------------------------------------------------------------------ property-based tests

probability = st.floats(min_value=0.05, max_value=1.0, allow_nan=False)


@st.composite
def sentences(draw, labels=st.sampled_from(INDICATORS), min_labels: int = 0):
    chosen = draw(st.lists(labels, min_size=min_labels, max_size=2, unique=True))
    return SentenceEvidence(
        start=draw(st.integers(0, 500)) // 10 * 10, end=600, indicators=tuple(chosen),
        probabilities={i: (draw(probability) if i in chosen else 0.0) for i in INDICATORS},
        star=draw(st.sampled_from((None,) + STAR_PARTS)), mode=draw(st.sampled_from(MODES)),
        person=draw(st.sampled_from(PERSONS)))


@st.composite
def answer_lists(draw):
    n = draw(st.integers(1, 5))
    out = []
    for k in range(n):
        rating = st.one_of(st.none(), st.integers(1, 5))
        out.append(AnswerEvidence(
            answer_id=draw(st.sampled_from([k, f"a{k}"])), question_id=f"q{draw(st.integers(0, 3))}",
            targeted=tuple(draw(st.lists(st.sampled_from(POSITIVE), max_size=2, unique=True))),
            red_flags=tuple(draw(st.lists(st.sampled_from(NEGATIVE), max_size=2, unique=True))),
            sentences=tuple(draw(st.lists(sentences(), max_size=4))), model_rating=draw(rating),
            model_expected=draw(st.one_of(st.none(), st.floats(1.0, 5.0))), interviewer_rating=draw(rating),
            empty=draw(st.booleans()) and draw(st.booleans())))
    return out


def at_least(after, before) -> bool:
    if before.hiring_score is None:
        return True
    return after.hiring_score is not None and after.hiring_score >= before.hiring_score


def with_sentences(a: AnswerEvidence, new) -> AnswerEvidence:
    return replace(a, sentences=tuple(new))


@PROPERTY
@given(answer_lists())
def test_bounds_hold(answers):
    res = score_candidate(answers)
    if res.hiring_score is None:
        assert res.recommendation == "insufficient" and res.low is None and res.high is None
    else:
        assert 0.0 <= res.low <= res.hiring_score <= res.high <= 100.0
        assert res.recommendation in RECOMMENDATIONS
    for ind in res.indicators.values():
        assert 0.0 <= ind.strength <= 1.0 and len(ind.refs) <= 3
    json.dumps(res.to_dict())


@PROPERTY
@given(answer_lists(), st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_answer_order(answers, rnd):
    first = score_candidate(answers).to_dict()
    shuffled = list(answers)
    rnd.shuffle(shuffled)
    assert score_candidate(shuffled).to_dict() == first
    assert score_candidate(list(answers)).to_dict() == first


@PROPERTY
@given(answer_lists(), st.data())
def test_adding_a_positive_sentence_never_lowers_the_score(answers, data):
    k = data.draw(st.integers(0, len(answers) - 1))
    new = data.draw(sentences(labels=st.sampled_from(POSITIVE)))
    changed = list(answers)
    changed[k] = with_sentences(answers[k], answers[k].sentences + (new,))
    assert at_least(score_candidate(changed), score_candidate(answers))


@PROPERTY
@given(answer_lists(), st.data())
def test_raising_a_positive_probability_or_adding_a_positive_label_never_lowers(answers, data):
    candidates = [(k, j) for k, a in enumerate(answers) for j in range(len(a.sentences))]
    if not candidates:
        return
    k, j = data.draw(st.sampled_from(candidates))
    s = answers[k].sentences[j]
    label = data.draw(st.sampled_from(POSITIVE))
    old_p = s.probability(label)
    new_p = data.draw(st.floats(min_value=max(old_p, 0.05), max_value=1.0))
    raised = replace(s, indicators=tuple(dict.fromkeys(s.indicators + (label,))),
                     probabilities={**s.probabilities, label: new_p})
    changed = list(answers)
    changed[k] = with_sentences(answers[k], answers[k].sentences[:j] + (raised,) + answers[k].sentences[j + 1:])
    assert at_least(score_candidate(changed), score_candidate(answers))


@PROPERTY
@given(answer_lists(), st.data())
def test_raising_a_rating_never_lowers_the_score(answers, data):
    k = data.draw(st.integers(0, len(answers) - 1))
    a = answers[k]
    field = data.draw(st.sampled_from(["model_rating", "interviewer_rating", "model_expected"]))
    old = getattr(a, field)
    if old is None:
        return
    new = data.draw(st.integers(int(old), 5) if field != "model_expected" else st.floats(old, 5.0))
    changed = list(answers)
    changed[k] = replace(a, **{field: new})
    for s in (ScoringSettings(), ScoringSettings(use_expected=True)):
        assert at_least(score_candidate(changed, s), score_candidate(answers, s))


@PROPERTY
@given(answer_lists(), st.data())
def test_a_counter_indicator_never_raises_the_score(answers, data):
    k = data.draw(st.integers(0, len(answers) - 1))
    a = answers[k]
    label = data.draw(st.sampled_from(NEGATIVE))
    p = data.draw(probability)
    before = score_candidate(answers)
    # a new sentence with the counter-indicator
    new = data.draw(sentences(labels=st.sampled_from(NEGATIVE), min_labels=1))
    changed = list(answers)
    changed[k] = with_sentences(a, a.sentences + (new,))
    after = score_candidate(changed)
    assert before.hiring_score is None or after.hiring_score <= before.hiring_score
    # the counter-indicator added to (or raised on) an existing sentence
    if a.sentences:
        j = data.draw(st.integers(0, len(a.sentences) - 1))
        s = a.sentences[j]
        raised = replace(s, indicators=tuple(dict.fromkeys(s.indicators + (label,))),
                         probabilities={**s.probabilities, label: max(p, s.probability(label))})
        changed[k] = with_sentences(a, a.sentences[:j] + (raised,) + a.sentences[j + 1:])
        after = score_candidate(changed)
        assert before.hiring_score is None or after.hiring_score <= before.hiring_score


@PROPERTY
@given(answer_lists(), st.data())
def test_an_episode_never_counts_less_than_a_hypothetical_or_general_claim(answers, data):
    candidates = [(k, j) for k, a in enumerate(answers) for j, s in enumerate(a.sentences)
                  if not set(s.indicators) & set(NEGATIVE)]
    if not candidates:
        return
    k, j = data.draw(st.sampled_from(candidates))
    s = answers[k].sentences[j]
    changed = list(answers)
    changed[k] = with_sentences(answers[k], answers[k].sentences[:j] + (replace(s, mode="episode"),)
                                + answers[k].sentences[j + 1:])
    assert at_least(score_candidate(changed), score_candidate(answers))
