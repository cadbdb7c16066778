"""Training: sentence models (indicators, STAR) and the answer-rating model, with CV metrics.

``train_model`` fits twice: once on the corpus minus a held-out split (hash of the answer id,
20%) to measure the held-out metrics through the real inference path, then on everything for
the artifact it saves. Within each fit, grouped k-fold cross-validation by answer gives
out-of-fold sentence scores, used for (1) Platt calibration of every indicator, (2) per-label
thresholds that maximise F1, (3) the stage-2 (context) models' inputs, (4) the rating model's
training features (no leakage) and (5) the cross-validated metrics in the metadata.
"""
from __future__ import annotations

import copy
import gc
import hashlib
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from .corpus import (
    Answer,
    answers_from_dicts,
    corpus_files,
    counts,
    files_sha256,
    heldout_split,
    load_answers,
)
from .errors import CorpusError
from .evaluate import indicator_metrics, rating_metrics, star_metrics
from .features import BLOCKS, SentenceInfo, Vectorizer
from .labels import INDICATORS, LANGS, RATINGS, STAR_CLASSES
from .model import (
    CONTEXT_FEATURES,
    DEFAULT_SETTINGS,
    FORMAT,
    RATING_FEATURES,
    TaggerModel,
    context_features,
    decide_rating,
    question_is_hypothetical,
    rating_features,
    reweight_star,
    sentence_docs,
    sigmoid,
    stack_linear,
    star_normalise,
)
from .pipeline import Pipeline, get_pipeline

SEED = 0


class _Prepared:
    """Analysed training material of one fit (sentences with labels; answers re-split for rating)."""

    def __init__(self, answers: Sequence[Answer], pipe: Pipeline, settings: dict, cache: dict) -> None:
        self.answers = list(answers)
        self.settings = settings
        self.row_langs: list[str] = []
        self.infos: list[SentenceInfo] = []
        self.bounds: list[tuple[int, int]] = []
        self.Y: list[list[bool]] = []
        self.star: list[int] = []
        self.groups: list[int] = []
        self.langs: list[str] = []
        self.questions: list[SentenceInfo | None] = []
        drop = int(settings.get("question_dropout") or 0)
        for ai, a in enumerate(self.answers):
            q = _analyse_sentence(pipe, a.question, a.lang, cache) if a.question else None
            if drop and int(hashlib.sha256(("q:" + a.id).encode()).hexdigest()[:8], 16) % drop == 0:
                q = None  # so the model also learns to work without the question (e.g. the tag API)
            self.questions.append(q)
            infos = [_analyse_sentence(pipe, s.text, a.lang, cache) for s in a.sentences]
            self.bounds.append((len(self.infos), len(self.infos) + len(infos)))
            self.infos.extend(infos)
            self.row_langs.extend([a.lang] * len(infos))
            for s in a.sentences:
                self.Y.append([i in s.indicators for i in INDICATORS])
                self.star.append(STAR_CLASSES.index(s.star or "none"))
                self.groups.append(ai)
                self.langs.append(a.lang)
        # whole answers, re-split as at inference, for the rating model
        self.rated = [ai for ai, a in enumerate(self.answers) if a.rating is not None]
        self.seg_langs: list[str] = []
        self.seg_infos: list[SentenceInfo] = []
        self.seg_bounds: list[tuple[int, int]] = []
        self.seg_answer: list[int] = []
        self.seg_meta: dict[int, tuple[list[str], list[str], bool]] = {}
        self.seg_questions: list[SentenceInfo | None] = []
        # where each rated answer's re-split sentences are: ("gold", start, end) when the splitter
        # gives back exactly the gold sentences (their rows are reused), else ("seg", start, end)
        self.rated_rows: list[tuple[str, int, int]] = []
        for ai in self.rated:
            a = self.answers[ai]
            modes, persons, infos = _resplit(pipe, a, cache)
            q = _analyse_sentence(pipe, a.question, a.lang, cache) if a.question else None
            self.seg_meta[ai] = (modes, persons, question_is_hypothetical(q))
            if infos is None:
                self.rated_rows.append(("gold", *self.bounds[ai]))
                continue
            self.rated_rows.append(("seg", len(self.seg_infos), len(self.seg_infos) + len(infos)))
            self.seg_bounds.append((len(self.seg_infos), len(self.seg_infos) + len(infos)))
            self.seg_infos.extend(infos)
            self.seg_langs.extend([a.lang] * len(infos))
            self.seg_answer.extend([ai] * len(infos))
            self.seg_questions.append(self.questions[ai])
        self.Y_arr = np.array(self.Y, dtype=bool).reshape(-1, len(INDICATORS))
        self.star_arr = np.array(self.star, dtype=np.int64)
        self.groups_arr = np.array(self.groups, dtype=np.int64)
        self.seg_answer_arr = np.array(self.seg_answer, dtype=np.int64)


    def docs(self) -> Iterator[tuple[list[str], ...]]:
        """Feature strings of the gold sentences, made on the fly (not kept: they are large)."""
        for info, lang in zip(self.infos, self.row_langs):
            yield from sentence_docs([info], lang, self.settings)

    def seg_docs(self) -> Iterator[tuple[list[str], ...]]:
        for info, lang in zip(self.seg_infos, self.seg_langs):
            yield from sentence_docs([info], lang, self.settings)


def _resplit(pipe: Pipeline, a: Answer, cache: dict) -> tuple[list[str], list[str], list[SentenceInfo] | None]:
    """The answer's joined text split as at inference: modes, persons and the sentence analyses,
    or None for the analyses when the splitter gives back exactly the gold sentences (their rows
    are reused; not keeping a second copy of them saves memory in training)."""
    key = ("answer", a.text, a.lang)
    if key not in cache:
        analysed = pipe.analyse_text(a.text, a.lang)
        segs = analysed.segments
        same = [a.text[seg.start:seg.end] for seg in segs] == [s.text for s in a.sentences]
        cache[key] = ([seg.mode for seg in segs], [seg.person for seg in segs],
                      None if same else [seg.info for seg in segs])
    return cache[key]


def _analyse_sentence(pipe: Pipeline, text: str, lang: str, cache: dict) -> SentenceInfo:
    key = ("sentence", text, lang)
    info = cache.get(key)
    if info is None:
        info = pipe.analyse_sentence(text, lang)[1]
        cache[key] = info
    return info


def _fold_ids(n_groups: int, k: int) -> np.ndarray:
    """Deterministic assignment of answers (groups) to k folds, interleaved."""
    rng = np.random.RandomState(SEED)
    order = rng.permutation(n_groups)
    fold = np.empty(n_groups, dtype=np.int64)
    fold[order] = np.arange(n_groups) % k
    return fold


def _ensure_both_classes(X, y: np.ndarray):
    if y.min() == y.max():  # a label without positives (tiny fixtures): flip one row
        y = y.copy()
        y[0] = 1 - y[0]
    return X, y


def _fit_indicator(X, y: np.ndarray, C: float):
    """LinearSVC (squared hinge, balanced classes); calibrated afterwards by Platt scaling."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import LinearSVC
    X, y = _ensure_both_classes(X, y.astype(np.int64))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LinearSVC(C=C, class_weight="balanced", dual=True, max_iter=5000, random_state=SEED).fit(X, y)


def _fit_logistic(X, y: np.ndarray, C: float):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    X, y = _ensure_both_classes(X, y.astype(np.int64))
    # the dual solver: much faster than the primal one with far more features than sentences
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=True,
                                  random_state=SEED, max_iter=2000).fit(X, y)


def _fit_star(X, y: np.ndarray, C: float) -> list:
    """STAR: one-vs-rest logistic regressions over the five classes (four parts and none)."""
    return [_fit_logistic(X, (y == c).astype(np.int64), C) for c in range(len(STAR_CLASSES))]


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    if y.min() == y.max():
        return 1.0, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m = LogisticRegression(C=1e4, max_iter=1000).fit(scores.reshape(-1, 1), y)
    return float(m.coef_[0, 0]), float(m.intercept_[0])


def _best_threshold(p: np.ndarray, y: np.ndarray, tolerance: float = 0.0) -> float:
    """Threshold on calibrated probabilities maximising F1: the median of the candidate
    thresholds whose F1 is within ``tolerance`` of the best (a stabler choice than the argmax)."""
    y = y.astype(bool)
    if y.sum() == 0:
        return 0.5
    cands = np.unique(np.round(np.quantile(p, np.linspace(0.2, 0.999, 200)), 6))
    scores = []
    for t in cands:
        pred = p >= t
        tp = float(np.sum(pred & y))
        scores.append(2 * tp / (pred.sum() + y.sum()) if pred.sum() + y.sum() else 0.0)
    scores_a = np.array(scores)
    best = cands[scores_a >= scores_a.max() - tolerance - 1e-12]
    return float(min(0.95, max(0.05, np.median(best))))


def _star_weights(oof_star: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-class multipliers of the STAR probabilities that maximise the out-of-fold macro-F1
    (coordinate ascent over a fixed grid, 'action' fixed at 1): rare parts such as 'task' are
    otherwise almost never chosen. Deterministic."""
    from .evaluate import star_metrics
    K = oof_star.shape[1]
    w = np.ones(K)
    if len(y) == 0 or len(set(y.tolist())) < 2:
        return w
    gold = [STAR_CLASSES[c] for c in y]

    def score(v: np.ndarray) -> float:
        return star_metrics(gold, [STAR_CLASSES[c] for c in (oof_star * v).argmax(axis=1)])["macro_f1"]

    best = score(w)
    grid = [0.5, 0.7, 1.0, 1.4, 2.0, 3.0, 4.0, 6.0]
    fixed = STAR_CLASSES.index("action")
    for _ in range(2):
        for c in range(K):
            if c == fixed:
                continue
            for g in grid:
                v = w.copy()
                v[c] = g
                sc = score(v)
                if sc > best + 1e-4:
                    best, w = sc, v
    return w


class _Stage:
    """Cross-validated fitting of one stage: per-fold models, OOF outputs, calibration, thresholds."""

    def __init__(self, settings: dict, *, fit_star_weights: bool = False) -> None:
        self.settings = settings
        self.fit_star_weights = fit_star_weights

    def run(self, X, Y: np.ndarray, star: np.ndarray, fold: np.ndarray, k: int, Xs, seg_fold: np.ndarray) -> None:
        L = Y.shape[1]
        n, m = X.shape[0], (Xs.shape[0] if Xs is not None else 0)
        oof, oof_star = np.zeros((n, L)), np.zeros((n, len(STAR_CLASSES)))
        seg, seg_star = np.zeros((m, L)), np.zeros((m, len(STAR_CLASSES)))
        C, Cs = self.settings["C_indicators"], self.settings["C_star"]
        for f in range(k):
            tr, te = fold != f, fold == f
            if not te.any() or not tr.any():
                continue
            ste = seg_fold == f
            Xtr, Xte = X[tr], X[te]
            ind = [_fit_indicator(Xtr, Y[tr, j], C) for j in range(L)]
            W, b = stack_linear(ind)
            oof[te] = Xte @ W + b
            sm = _fit_star(Xtr, star[tr], Cs)
            Ws, bs = stack_linear(sm)
            oof_star[te] = star_normalise(Xte @ Ws + bs)
            del Xtr, Xte, ind, sm
            if ste.any():
                Xste = Xs[ste]
                seg[ste] = Xste @ W + b
                seg_star[ste] = star_normalise(Xste @ Ws + bs)
                del Xste
        self.cal = np.array([_platt(oof[:, j], Y[:, j]) for j in range(L)])
        self.oof_p = sigmoid(self.cal[:, 0] * oof + self.cal[:, 1])
        self.star_weights = (_star_weights(oof_star, star) if self.fit_star_weights
                             else np.ones(len(STAR_CLASSES)))
        self.oof_star = oof_star  # unweighted: the stage-2 context inputs (as at inference)
        self.oof_star_out = reweight_star(oof_star, self.star_weights)  # the stage's output
        self.seg_p = sigmoid(self.cal[:, 0] * seg + self.cal[:, 1])
        self.seg_star = seg_star
        self.seg_star_out = reweight_star(seg_star, self.star_weights)
        tol = float(self.settings.get("threshold_tolerance", 0.0))
        self.thresholds = np.array([_best_threshold(self.oof_p[:, j], Y[:, j], tol) for j in range(L)])
        self.final_ind = [_fit_indicator(X, Y[:, j], C) for j in range(L)]
        self.final_star = _fit_star(X, star, Cs)

    def artifact(self) -> dict:
        return {"indicator_models": self.final_ind, "indicator_calibration": self.cal,
                "thresholds": self.thresholds, "star_models": self.final_star,
                "star_weights": self.star_weights}


def _without_blocks(X, vec: Vectorizer, blocks: Sequence[int]):
    """X with the values of the given feature blocks removed (same columns: the stage's weights
    for them come out as zeros, so inference needs no change)."""
    if not blocks:
        return X
    X = X.copy()
    X.data[np.isin(vec.block[X.indices], blocks)] = 0.0
    X.eliminate_zeros()
    return X


def _with_context(X, infos: Sequence[SentenceInfo], bounds: Sequence[tuple[int, int]], p: np.ndarray,
                  s: np.ndarray, settings: dict, questions: Sequence[SentenceInfo | None]):
    import scipy.sparse as sp
    C = np.zeros((X.shape[0], len(CONTEXT_FEATURES)))
    eps = float(settings["context_epsilon"])
    for (a, b), q in zip(bounds, questions):
        C[a:b] = context_features(infos[a:b], p[a:b], s[a:b], q, eps)
    return sp.hstack([X, sp.csr_matrix(C * float(settings["context_weight"]))], format="csr")


def fit_models(answers: Sequence[Answer], settings: dict, *, pipe: Pipeline | None = None,
               cache: dict | None = None) -> tuple[dict, dict]:
    """Fit every model on ``answers``; return (artifact dict, cross-validated metrics)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    pipe = pipe or get_pipeline()
    cache = {} if cache is None else cache
    prep = _Prepared(answers, pipe, settings, cache)
    n_sentences = len(prep.infos)
    if not n_sentences:
        raise CorpusError("no sentences to train on")
    vec_params = {"min_df": settings["min_df"], "block_weights": settings["block_weights"],
                  "char_range": settings["char_range"]}
    vec = Vectorizer.fit(prep.docs(), vec_params)
    X = vec.transform(prep.docs())
    Xs = vec.transform(prep.seg_docs()) if prep.seg_infos else None
    vec.char_ids.cache_clear()
    gc.collect()
    Y = prep.Y_arr
    k = max(2, min(int(settings["cv_folds"]), len(prep.answers)))
    fold_of_answer = _fold_ids(len(prep.answers), k)
    fold = fold_of_answer[prep.groups_arr]
    seg_fold = fold_of_answer[prep.seg_answer_arr] if Xs is not None else np.zeros(0, dtype=np.int64)

    # stage 1: each sentence on its own
    # (STAR class weights for stage 1 only: measured, they lift the lone-sentence STAR macro-F1 on
    # CV and data/dev, while on stage 2 they helped CV but cost data/dev 0.01-0.02)
    s1 = _Stage(settings, fit_star_weights=bool(settings.get("star_weights_stage1", True)))
    s1.run(X, Y, prep.star_arr, fold, k, Xs, seg_fold)
    # stage 2: the sentence in its answer, on out-of-fold stage-1 outputs
    drop = [BLOCKS.index(b) for b in BLOCKS if b not in settings["stage2_blocks"]]
    X2 = _with_context(_without_blocks(X, vec, drop), prep.infos, prep.bounds, s1.oof_p, s1.oof_star,
                       settings, prep.questions)
    del X
    Xs2 = (_with_context(_without_blocks(Xs, vec, drop), prep.seg_infos, prep.seg_bounds, s1.seg_p,
                         s1.seg_star, settings, prep.seg_questions) if Xs is not None else None)
    del Xs
    gc.collect()
    s2 = _Stage(settings)
    s2.run(X2, Y, prep.star_arr, fold, k, Xs2, seg_fold)

    # sentence outputs as at inference: stage 2 inside multi-sentence answers, stage 1 alone
    single = np.zeros(n_sentences, dtype=bool)
    for a, b in prep.bounds:
        single[a:b] = (b - a) == 1
    oof_p = np.where(single[:, None], s1.oof_p, s2.oof_p)
    oof_star = np.where(single[:, None], s1.oof_star_out, s2.oof_star_out)
    oof_thr = np.where(single[:, None], s1.thresholds, s2.thresholds)
    seg_single = np.zeros(len(prep.seg_infos), dtype=bool)
    for a, b in prep.seg_bounds:
        seg_single[a:b] = (b - a) == 1
    seg_p = np.where(seg_single[:, None], s1.seg_p, s2.seg_p)
    seg_star = np.where(seg_single[:, None], s1.seg_star_out, s2.seg_star_out)
    seg_thr = np.where(seg_single[:, None], s1.thresholds, s2.thresholds)

    # rating model on out-of-fold sentence predictions of the re-split answers
    feats, ratings = [], []
    for ai, (kind, a, b) in zip(prep.rated, prep.rated_rows):
        modes, persons, qhyp = prep.seg_meta[ai]
        if kind == "gold":
            P, T, S, infos = oof_p[a:b], oof_thr[a:b], oof_star[a:b], prep.infos[a:b]
        else:
            P, T, S, infos = seg_p[a:b], seg_thr[a:b], seg_star[a:b], prep.seg_infos[a:b]
        feats.append(rating_features(P, T, S, modes, persons, infos, qhyp))
        ratings.append(prep.answers[ai].rating)
    F = np.array(feats).reshape(-1, len(RATING_FEATURES))
    r = np.array(ratings, dtype=np.int64)
    scaler = StandardScaler().fit(F if len(F) > 1 else np.zeros((2, len(RATING_FEATURES))))

    def fit_rating(Fm, rm):
        if len(set(rm.tolist())) < 2:  # degenerate (tiny fixtures): add one row per rating
            Fm = np.vstack([Fm, np.zeros((len(RATINGS), Fm.shape[1]))])
            rm = np.concatenate([rm, np.array(RATINGS)])
        from sklearn.exceptions import ConvergenceWarning
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return LogisticRegression(C=settings["C_rating"], max_iter=5000, random_state=SEED).fit(
                scaler.transform(Fm), rm)

    rated_fold = fold_of_answer[np.array(prep.rated, dtype=np.int64)] if prep.rated else np.zeros(0, dtype=np.int64)
    r_pred = np.zeros(len(r), dtype=np.int64)
    r_exp = np.zeros(len(r))
    for f in range(k):
        tr, te = rated_fold != f, rated_fold == f
        if not te.any() or not tr.any():
            continue
        rm = fit_rating(F[tr], r[tr])
        for row, p in zip(np.where(te)[0], _rating_probs(rm, scaler.transform(F[te]))):
            r_pred[row], r_exp[row] = decide_rating(p, settings, F[row])
    rating_model = fit_rating(F, r)

    artifact = {
        "format": FORMAT,
        "settings": copy.deepcopy(settings),
        "vectorizer": vec.state(),
        "stage1": s1.artifact(),
        "stage2": s2.artifact(),
        "rating_model": rating_model,
        "rating_scaler": scaler,
        "rating_feature_names": list(RATING_FEATURES),
        "context_feature_names": list(CONTEXT_FEATURES),
    }
    pred = oof_p >= oof_thr
    ind = indicator_metrics(Y, pred)
    langs = np.array(prep.langs)
    ind["by_lang"] = {lang: {kk: indicator_metrics(Y[langs == lang], pred[langs == lang])[kk]
                             for kk in ("micro_f1", "macro_f1")} for lang in LANGS if (langs == lang).any()}
    stage1 = indicator_metrics(Y, s1.oof_p >= s1.thresholds)
    star_gold = [STAR_CLASSES[c] for c in prep.star_arr]
    metrics = {
        "n_answers": len(prep.answers),
        "n_sentences": n_sentences,
        "folds": k,
        "indicators": ind,
        "indicators_sentence_alone": {"micro_f1": stage1["micro_f1"], "macro_f1": stage1["macro_f1"]},
        "star": star_metrics(star_gold, [STAR_CLASSES[c] for c in oof_star.argmax(axis=1)]),
        "star_sentence_alone": {kk: v for kk, v in star_metrics(
            star_gold, [STAR_CLASSES[c] for c in s1.oof_star_out.argmax(axis=1)]).items() if kk != "per_class"},
        "rating": rating_metrics(r.tolist(), r_pred.tolist(), r_exp.tolist()) if len(r) else {},
        "thresholds": {lab: round(float(t), 4) for lab, t in zip(INDICATORS, s2.thresholds)},
    }
    return artifact, metrics


def _rating_probs(model, Z: np.ndarray) -> np.ndarray:
    p = model.predict_proba(Z)
    out = np.zeros((p.shape[0], len(RATINGS)))
    for k, c in enumerate(model.classes_):
        out[:, RATINGS.index(int(c))] = p[:, k]
    return out


def _release_memory_eagerly() -> None:
    """glibc only: serve large allocations (≥ 1 MiB) by mmap so that freed matrices go back to the
    system at once instead of fragmenting the heap (training's peak RSS drops by ~30 MB)."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


def train_model(corpus_paths: list[Path], out_dir: Path, *, extra_answers: Iterable[dict] = (),
                activate: bool = True, small: bool = False) -> Path:
    """Train on the corpus (plus reviewer-feedback answers) and save a new version; return its dir."""
    from . import store
    from .evaluate import evaluate
    from .tagger import Tagger

    t0 = time.perf_counter()
    paths = [Path(p) for p in corpus_paths]
    files = corpus_files(paths)
    answers = load_answers(files)
    extra = answers_from_dicts(list(extra_answers), require_rating=False, source="feedback") if extra_answers else []
    if not answers:
        raise CorpusError("the corpus is empty")
    _release_memory_eagerly()
    settings = copy.deepcopy(DEFAULT_SETTINGS)
    if small:
        settings["cv_folds"] = 3
    pipe = get_pipeline()
    pipe.warm()
    cache: dict = {}

    heldout = None
    train_part, test_part = heldout_split(answers, settings["heldout_fraction"])
    if not small and test_part and train_part:
        art_h, _ = fit_models(train_part + extra, settings, pipe=pipe, cache=cache)
        tagger_h = Tagger(TaggerModel(art_h), version="heldout", pipeline=pipe)
        heldout = evaluate(tagger_h, test_part)
        heldout.pop("model_version", None)
        del art_h, tagger_h
        gc.collect()

    artifact, cv = fit_models(answers + extra, settings, pipe=pipe, cache=cache)
    cache.clear()
    gc.collect()
    train_seconds = round(time.perf_counter() - t0, 2)
    data = {
        "sha256": files_sha256(files, extra),
        "files": [f.name for f in files],
        "counts": counts(answers),
        "feedback_answers": len(extra),
        "heldout_ids_rule": "sha256(answer id) mod 10000 < 2000",
        "heldout_answers": len(test_part) if heldout else 0,
    }
    return store.save(artifact, Path(out_dir), data=data, metrics={"cv": cv, "heldout": heldout},
                      settings=settings, train_seconds=train_seconds, activate=activate)
