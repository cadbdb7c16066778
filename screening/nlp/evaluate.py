"""Evaluation on labelled answers (the contract's JSONL format) and the metric functions.

Sentence metrics tag every gold sentence as one sentence (no re-splitting); the sentences of
one answer are tagged in one call, so the answer is their context exactly as when a whole
answer is tagged. ``sentence_alone`` repeats the sentence metrics with every sentence tagged
in isolation. Rating metrics score each whole answer: its joined text with its question.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .corpus import Answer, answers_from_dicts, load_answers
from .labels import INDICATORS, LANGS, RATINGS, STAR_CLASSES


# --- metric functions -------------------------------------------------------------------------
def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def indicator_metrics(gold: np.ndarray, pred: np.ndarray) -> dict:
    """Micro/macro F1 and per-label precision/recall/F1/support over the 12 indicators.

    ``gold`` and ``pred`` are boolean (n_sentences × 12). Macro averages all twelve labels
    (a label with no support and no predictions counts as F1 = 0, as scikit-learn's default).
    """
    gold = np.asarray(gold, dtype=bool).reshape(-1, len(INDICATORS))
    pred = np.asarray(pred, dtype=bool).reshape(-1, len(INDICATORS))
    per = {}
    tps = fps = fns = 0
    for j, label in enumerate(INDICATORS):
        tp = int(np.sum(gold[:, j] & pred[:, j]))
        fp = int(np.sum(~gold[:, j] & pred[:, j]))
        fn = int(np.sum(gold[:, j] & ~pred[:, j]))
        p, r, f = _prf(tp, fp, fn)
        per[label] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                      "support": int(gold[:, j].sum())}
        tps, fps, fns = tps + tp, fps + fp, fns + fn
    micro = _prf(tps, fps, fns)[2]
    macro = float(np.mean([per[k]["f1"] for k in INDICATORS]))
    return {"micro_f1": round(micro, 4), "macro_f1": round(macro, 4), "per_label": per}


def star_metrics(gold: Sequence[str | None], pred: Sequence[str | None]) -> dict:
    """Accuracy and macro-F1 over the STAR classes present in gold or predictions ("none" included)."""
    g = ["none" if x is None else x for x in gold]
    p = ["none" if x is None else x for x in pred]
    if not g:
        return {"accuracy": 0.0, "macro_f1": 0.0, "per_class": {}}
    classes = [c for c in STAR_CLASSES if c in set(g) | set(p)]
    per = {}
    for c in classes:
        tp = sum(1 for a, b in zip(g, p) if a == c and b == c)
        fp = sum(1 for a, b in zip(g, p) if a != c and b == c)
        fn = sum(1 for a, b in zip(g, p) if a == c and b != c)
        pr, rc, f = _prf(tp, fp, fn)
        per[c] = {"precision": round(pr, 4), "recall": round(rc, 4), "f1": round(f, 4), "support": g.count(c)}
    acc = sum(1 for a, b in zip(g, p) if a == b) / len(g)
    return {"accuracy": round(acc, 4), "macro_f1": round(float(np.mean([per[c]["f1"] for c in classes])), 4),
            "per_class": per}


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho with average ranks for ties; 0.0 when either side is constant."""
    if len(x) < 2:
        return 0.0
    from scipy.stats import rankdata
    rx, ry = rankdata(x), rankdata(y)
    if np.std(rx) == 0 or np.std(ry) == 0:
        return 0.0
    r = float(np.corrcoef(rx, ry)[0, 1])
    return 0.0 if math.isnan(r) else r


def quadratic_weighted_kappa(gold: Sequence[int], pred: Sequence[int], labels: Sequence[int] = RATINGS) -> float:
    """Cohen's kappa with quadratic weights over the ratings 1..5."""
    k = len(labels)
    if not gold:
        return 0.0
    index = {c: i for i, c in enumerate(labels)}
    O = np.zeros((k, k))
    for a, b in zip(gold, pred):
        O[index[int(a)], index[int(b)]] += 1
    W = np.array([[(i - j) ** 2 / (k - 1) ** 2 for j in range(k)] for i in range(k)])
    E = np.outer(O.sum(axis=1), O.sum(axis=0)) / O.sum()
    denom = (W * E).sum()
    return 0.0 if denom == 0 else float(1.0 - (W * O).sum() / denom)


def rating_metrics(gold: Sequence[int], pred: Sequence[int], expected: Sequence[float] | None = None) -> dict:
    out = {
        "spearman": round(spearman(gold, pred), 4),
        "qwk": round(quadratic_weighted_kappa(gold, pred), 4),
        "mae": round(float(np.mean(np.abs(np.asarray(gold) - np.asarray(pred)))) if len(gold) else 0.0, 4),
        "n": len(gold),
    }
    if expected is not None and len(gold):
        out["spearman_expected"] = round(spearman(gold, expected), 4)
    return out


# --- evaluation of a tagger ------------------------------------------------------------------------
def _as_answers(path_or_answers) -> list[Answer]:
    if isinstance(path_or_answers, (str, Path)):
        return load_answers([Path(path_or_answers)])
    items = list(path_or_answers)
    if items and isinstance(items[0], Answer):
        return items
    return answers_from_dicts(items)


def _tag_sentences(tagger, texts: list[str], lang: str, question: str | None) -> list[dict]:
    try:
        return tagger.tag_sentences(texts, lang, question=question)
    except TypeError:  # a tagger without the question parameter
        return tagger.tag_sentences(texts, lang)


def evaluate(tagger, path_or_answers: str | Path | Iterable, *, alone: bool = True) -> dict:
    """Metrics of ``tagger`` on a JSONL file, or on answers (``Answer`` objects or dicts).

    With ``alone`` the output also has ``sentence_alone``: the sentence metrics when every
    sentence is tagged in isolation, without its answer (as a lone sentence sent to the API).
    """
    answers = _as_answers(path_or_answers)
    gold_ind, pred_ind, gold_star, pred_star, langs, forms = [], [], [], [], [], []
    alone_ind, alone_star = [], []
    gold_r, pred_r, exp_r, r_forms, r_langs = [], [], [], [], []
    for a in answers:
        tagged = _tag_sentences(tagger, [s.text for s in a.sentences], a.lang, a.question)
        for s, t in zip(a.sentences, tagged):
            gold_ind.append([i in s.indicators for i in INDICATORS])
            pred_ind.append([i in t["indicators"] for i in INDICATORS])
            gold_star.append(s.star)
            pred_star.append(t["star"])
            langs.append(a.lang)
            forms.append(a.form)
            if alone:
                [t1] = tagger.tag_sentences([s.text], a.lang)
                alone_ind.append([i in t1["indicators"] for i in INDICATORS])
                alone_star.append(t1["star"])
        if a.rating is not None:
            r = tagger.rate(a.text, a.question, a.lang)
            gold_r.append(a.rating)
            pred_r.append(r["rating"])
            exp_r.append(r["expected"])
            r_forms.append(a.form)
            r_langs.append(a.lang)
    G, P = np.array(gold_ind, dtype=bool).reshape(-1, 12), np.array(pred_ind, dtype=bool).reshape(-1, 12)
    ind = indicator_metrics(G, P)
    langs_a = np.array(langs)
    ind["by_lang"] = {}
    for lang in LANGS:
        m = langs_a == lang
        if m.any():
            sub = indicator_metrics(G[m], P[m])
            ind["by_lang"][lang] = {"micro_f1": sub["micro_f1"], "macro_f1": sub["macro_f1"], "n_sentences": int(m.sum())}
    out = {
        "n_answers": len(answers),
        "n_sentences": len(gold_star),
        "model_version": getattr(tagger, "version", None),
        "indicators": ind,
        "star": star_metrics(gold_star, pred_star),
        "rating": rating_metrics(gold_r, pred_r, exp_r),
    }
    star_by_lang = {}
    for lang in LANGS:
        idx = [k for k, x in enumerate(langs) if x == lang]
        if idx:
            sm = star_metrics([gold_star[k] for k in idx], [pred_star[k] for k in idx])
            star_by_lang[lang] = {"accuracy": sm["accuracy"], "macro_f1": sm["macro_f1"]}
    out["star"]["by_lang"] = star_by_lang
    rating_by_lang = {}
    for lang in LANGS:
        idx = [k for k, x in enumerate(r_langs) if x == lang]
        if idx:
            rating_by_lang[lang] = rating_metrics([gold_r[k] for k in idx], [pred_r[k] for k in idx])
    out["rating"]["by_lang"] = rating_by_lang
    if alone:
        A = np.array(alone_ind, dtype=bool).reshape(-1, 12)
        ai = indicator_metrics(G, A)
        sa = star_metrics(gold_star, alone_star)
        out["sentence_alone"] = {
            "indicators": {"micro_f1": ai["micro_f1"], "macro_f1": ai["macro_f1"],
                           "by_lang": {lang: {k: indicator_metrics(G[langs_a == lang], A[langs_a == lang])[k]
                                              for k in ("micro_f1", "macro_f1")}
                                       for lang in LANGS if (langs_a == lang).any()}},
            "star": {"accuracy": sa["accuracy"], "macro_f1": sa["macro_f1"]},
        }
    if any(f for f in forms):
        by_form = {}
        for form in sorted({f for f in forms if f}):
            idx = [k for k, x in enumerate(forms) if x == form]
            sub = indicator_metrics(G[idx], P[idx])
            sm = star_metrics([gold_star[k] for k in idx], [pred_star[k] for k in idx])
            ridx = [k for k, x in enumerate(r_forms) if x == form]
            by_form[form] = {
                "n_sentences": len(idx),
                "indicators": {"micro_f1": sub["micro_f1"], "macro_f1": sub["macro_f1"]},
                "star": {"accuracy": sm["accuracy"], "macro_f1": sm["macro_f1"]},
                "rating": rating_metrics([gold_r[k] for k in ridx], [pred_r[k] for k in ridx]),
            }
        out["by_form"] = by_form
    return out
