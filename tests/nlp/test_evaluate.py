"""Metrics on hand-made cases whose results are known, and evaluate()'s keys."""
from __future__ import annotations

import json

import numpy as np
import pytest

from screening.nlp.evaluate import (
    evaluate,
    indicator_metrics,
    quadratic_weighted_kappa,
    rating_metrics,
    spearman,
    star_metrics,
)
from screening.nlp.labels import INDICATORS


def test_indicator_metrics_known_values():
    gold = np.zeros((4, 12), dtype=bool)
    pred = np.zeros((4, 12), dtype=bool)
    gold[0, 0] = gold[1, 0] = True        # needs: 2 gold
    pred[0, 0] = pred[2, 0] = True        # 1 tp, 1 fp, 1 fn -> P = R = F1 = 0.5
    gold[3, 1] = pred[3, 1] = True        # fit: perfect
    m = indicator_metrics(gold, pred)
    assert m["per_label"]["needs"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert m["per_label"]["fit"]["f1"] == 1.0
    assert m["micro_f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1), abs=1e-4)   # tp 2, fp 1, fn 1
    assert m["macro_f1"] == pytest.approx((0.5 + 1.0) / 12, abs=1e-4)


def test_star_metrics_known_values():
    m = star_metrics(["action", "action", "result", None], ["action", "result", "result", None])
    assert m["accuracy"] == 0.75
    # action: P 1, R .5 -> .6667; result: P .5, R 1 -> .6667; none: 1
    assert m["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3, abs=1e-4)


def test_rating_metrics_known_values():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3], [2, 2, 2]) == 0.0
    assert quadratic_weighted_kappa([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) == pytest.approx(1.0)
    # sklearn's cohen_kappa_score(weights="quadratic") gives 0.8 here
    assert quadratic_weighted_kappa([1, 2, 3, 4, 5], [2, 2, 3, 4, 4]) == pytest.approx(
        _sklearn_qwk([1, 2, 3, 4, 5], [2, 2, 3, 4, 4]))
    r = rating_metrics([1, 3, 5], [2, 3, 4])
    assert r["mae"] == pytest.approx(2 / 3, abs=1e-4)
    assert r["spearman"] == pytest.approx(1.0)


def _sklearn_qwk(a, b):
    from sklearn.metrics import cohen_kappa_score
    return cohen_kappa_score(a, b, weights="quadratic", labels=[1, 2, 3, 4, 5])


class FakeTagger:
    """Predicts 'needs' for sentences containing 'asked', star 'action' for all, rating = #sentences."""
    version = "fake"

    def tag_sentences(self, texts, lang):
        return [{"indicators": ["needs"] if "asked" in t else [], "star": "action"} for t in texts]

    def rate(self, text, question=None, lang=None):
        n = text.count(".")
        return {"rating": n, "expected": float(n), "probabilities": {}}


def test_evaluate_on_a_known_file(tmp_path):
    rows = [
        {"id": "a", "lang": "en", "form": "verbatim", "question": "Q", "rating": 2, "sentences": [
            {"text": "I asked her.", "indicators": ["needs"], "star": "action"},
            {"text": "She left.", "indicators": [], "star": "result"}]},
        {"id": "b", "lang": "ru", "form": "notes", "question": "Q", "rating": 1, "sentences": [
            {"text": "asked nothing.", "indicators": [], "star": "action"}]},
    ]
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = evaluate(FakeTagger(), path)
    assert {"n_answers", "n_sentences", "indicators", "star", "rating"} <= set(out)
    assert out["n_answers"] == 2 and out["n_sentences"] == 3
    assert {"micro_f1", "macro_f1", "per_label", "by_lang"} <= set(out["indicators"])
    assert set(out["indicators"]["per_label"]) == set(INDICATORS)
    for v in out["indicators"]["per_label"].values():
        assert set(v) == {"precision", "recall", "f1", "support"}
    assert out["indicators"]["per_label"]["needs"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}
    assert out["indicators"]["by_lang"]["en"]["micro_f1"] == 1.0
    assert out["indicators"]["by_lang"]["ru"]["micro_f1"] == 0.0
    assert {"accuracy", "macro_f1"} <= set(out["star"])
    assert out["star"]["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert {"spearman", "qwk", "mae"} <= set(out["rating"])
    assert out["rating"]["mae"] == 0.0 and out["rating"]["spearman"] == pytest.approx(1.0)
    assert set(out["by_form"]) == {"notes", "verbatim"}
    # the same from dicts
    assert evaluate(FakeTagger(), rows)["indicators"] == out["indicators"]


class ContextFake(FakeTagger):
    """'needs' for sentences with 'asked' only when a sentence is tagged alone; 'action' only in context."""

    def tag_sentences(self, texts, lang, question=None):
        alone = len(texts) == 1 and question is None
        return [{"indicators": ["needs"] if alone and "asked" in t else [], "star": "result" if alone else "action"}
                for t in texts]


def test_sentence_metrics_tag_each_sentence_alone(tmp_path):
    rows = [{"id": "a", "lang": "en", "form": "verbatim", "question": "Q", "rating": 2, "sentences": [
        {"text": "I asked her.", "indicators": ["needs"], "star": "result"},
        {"text": "She left.", "indicators": [], "star": "result"}]}]
    out = evaluate(ContextFake(), rows)
    # the contract's blocks: each gold sentence tagged on its own (no neighbours, no question)
    assert out["indicators"]["per_label"]["needs"]["f1"] == 1.0
    assert out["star"]["accuracy"] == 1.0
    assert out["by_form"]["verbatim"]["indicators"]["micro_f1"] == 1.0
    # the in-context figures: the answer's sentences tagged together with the question
    ctx = out["in_context"]
    assert ctx["indicators"]["micro_f1"] == 0.0 and ctx["star"]["accuracy"] == 0.0
    assert ctx["indicators"]["by_lang"]["en"]["macro_f1"] == 0.0
    assert ctx["by_form"]["verbatim"]["star"]["accuracy"] == 0.0
    assert "in_context" not in evaluate(ContextFake(), rows, context=False)


def test_evaluate_real_tagger_keys(small_tagger, small_corpus_file):
    out = evaluate(small_tagger, small_corpus_file)
    assert out["model_version"] == small_tagger.version
    assert 0.0 <= out["indicators"]["macro_f1"] <= 1.0
    assert set(out["indicators"]["by_lang"]) == {"ru", "en"}
    assert -1.0 <= out["rating"]["spearman"] <= 1.0
    assert set(out["in_context"]["indicators"]["by_lang"]) == {"ru", "en"}
    assert 0.0 <= out["in_context"]["star"]["macro_f1"] <= 1.0
