"""Evaluation on labelled answers (the contract's JSONL format) and the metric functions.

Sentence metrics tag every gold sentence on its own (one sentence per call, no re-splitting,
no neighbours, no question), as the contract says. ``in_context`` repeats them with the
sentences of one answer tagged in one call with its question, so the answer is their context
exactly as when a whole answer is tagged. Rating metrics score each whole answer: its joined
text with its question.
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


def _sentence_block(G: np.ndarray, P: np.ndarray, gold_star: list, pred_star: list, langs: list[str],
                    forms: list[str | None], *, full: bool) -> dict:
    """Indicator and STAR metrics of one way of tagging the gold sentences."""
    ind = indicator_metrics(G, P)
    if not full:
        ind.pop("per_label")
    langs_a = np.array(langs)
    ind["by_lang"] = {}
    for lang in LANGS:
        m = langs_a == lang
        if m.any():
            sub = indicator_metrics(G[m], P[m])
            ind["by_lang"][lang] = {"micro_f1": sub["micro_f1"], "macro_f1": sub["macro_f1"], "n_sentences": int(m.sum())}
    star = star_metrics(gold_star, pred_star)
    if not full:
        star.pop("per_class")
    star["by_lang"] = {}
    for lang in LANGS:
        idx = [k for k, x in enumerate(langs) if x == lang]
        if idx:
            sm = star_metrics([gold_star[k] for k in idx], [pred_star[k] for k in idx])
            star["by_lang"][lang] = {"accuracy": sm["accuracy"], "macro_f1": sm["macro_f1"]}
    by_form = {}
    for form in sorted({f for f in forms if f}):
        idx = [k for k, x in enumerate(forms) if x == form]
        sub = indicator_metrics(G[idx], P[idx])
        sm = star_metrics([gold_star[k] for k in idx], [pred_star[k] for k in idx])
        by_form[form] = {"n_sentences": len(idx),
                         "indicators": {"micro_f1": sub["micro_f1"], "macro_f1": sub["macro_f1"]},
                         "star": {"accuracy": sm["accuracy"], "macro_f1": sm["macro_f1"]}}
    return {"indicators": ind, "star": star, "by_form": by_form}


def evaluate(tagger, path_or_answers: str | Path | Iterable, *, context: bool = True) -> dict:
    """Metrics of ``tagger`` on a JSONL file, or on answers (``Answer`` objects or dicts).

    As the contract says, the sentence metrics (``indicators``, ``star``) tag each gold
    sentence **on its own**: one sentence per call, no neighbours, no question. With
    ``context`` the output also has ``in_context``: the same metrics when the gold sentences
    of an answer are tagged together with its question (as when a whole answer is tagged).
    """
    answers = _as_answers(path_or_answers)
    gold_ind, alone_ind, gold_star, alone_star, langs, forms = [], [], [], [], [], []
    ctx_ind, ctx_star = [], []
    gold_r, pred_r, exp_r, r_forms, r_langs = [], [], [], [], []
    for a in answers:
        if context:
            tagged = _tag_sentences(tagger, [s.text for s in a.sentences], a.lang, a.question)
            for t in tagged:
                ctx_ind.append([i in t["indicators"] for i in INDICATORS])
                ctx_star.append(t["star"])
        for s in a.sentences:
            [t1] = tagger.tag_sentences([s.text], a.lang)
            gold_ind.append([i in s.indicators for i in INDICATORS])
            alone_ind.append([i in t1["indicators"] for i in INDICATORS])
            gold_star.append(s.star)
            alone_star.append(t1["star"])
            langs.append(a.lang)
            forms.append(a.form)
        if a.rating is not None:
            r = tagger.rate(a.text, a.question, a.lang)
            gold_r.append(a.rating)
            pred_r.append(r["rating"])
            exp_r.append(r["expected"])
            r_forms.append(a.form)
            r_langs.append(a.lang)
    G = np.array(gold_ind, dtype=bool).reshape(-1, 12)
    main = _sentence_block(G, np.array(alone_ind, dtype=bool).reshape(-1, 12), gold_star, alone_star, langs, forms,
                           full=True)
    out = {
        "n_answers": len(answers),
        "n_sentences": len(gold_star),
        "model_version": getattr(tagger, "version", None),
        "indicators": main["indicators"],
        "star": main["star"],
        "rating": rating_metrics(gold_r, pred_r, exp_r),
    }
    out["rating"]["by_lang"] = {
        lang: rating_metrics([gold_r[k] for k, x in enumerate(r_langs) if x == lang],
                             [pred_r[k] for k, x in enumerate(r_langs) if x == lang])
        for lang in LANGS if lang in r_langs}
    if context:
        ctx = _sentence_block(G, np.array(ctx_ind, dtype=bool).reshape(-1, 12), gold_star, ctx_star, langs, forms,
                              full=False)
        out["in_context"] = {"indicators": ctx["indicators"], "star": ctx["star"]}
        if ctx["by_form"]:
            out["in_context"]["by_form"] = ctx["by_form"]
    if main["by_form"]:
        by_form = main["by_form"]
        for form, v in by_form.items():
            ridx = [k for k, x in enumerate(r_forms) if x == form]
            v["rating"] = rating_metrics([gold_r[k] for k in ridx], [pred_r[k] for k in ridx])
        out["by_form"] = by_form
    return out
