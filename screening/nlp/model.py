"""The trained model: feature settings, scikit-learn estimators and the fast inference maths.

Two stages of sentence models:

* **stage 1** sees one sentence alone (lemma and char n-grams, markers, lexicon cues): a
  LinearSVC per indicator with Platt calibration, and one-vs-rest logistic regressions for
  STAR. A lone sentence (e.g. tagged through the API) is answered by stage 1.
* **stage 2** sees the sentence in its answer: the stage-1 features plus the sentence's
  position, the lexicon cues of the other sentences and the calibrated stage-1
  probabilities of the previous, next and all other sentences (stacking; trained on
  out-of-fold stage-1 outputs).

The artifact (saved with skops by ``store``) is a plain dict of numpy arrays, python values
and scikit-learn estimators. At load the per-label estimators are stacked into coefficient
matrices so a batch of sentences costs a few sparse × dense products.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .features import SentenceInfo, Vectorizer, feature_strings
from .labels import INDICATORS, MODES, NEGATIVE, POSITIVE, RATINGS, STAR_CLASSES
from .morph import F

FORMAT = 2
N_IND = len(INDICATORS)
N_STAR = len(STAR_CLASSES)
POS_IDX = [INDICATORS.index(i) for i in POSITIVE]
NEG_IDX = [INDICATORS.index(i) for i in NEGATIVE]

DEFAULT_SETTINGS: dict = {
    "min_df": 2,
    "char_range": [3, 4],
    "block_weights": {"w": 1.0, "c": 1.0, "m": 0.5, "x": 0.3},
    "C_indicators": 0.3,      # LinearSVC
    "C_star": 1.0,            # logistic regression
    "C_rating": 0.5,
    "context_weight": 0.5,    # scale of the stage-2 context features
    "question_dropout": 3,    # every 3rd training answer (by id hash) is seen without its question
    "cv_folds": 5,
    "stage2_blocks": ["w", "m", "x"],  # stage 2 without char n-grams (docs/tagger.md: Models)
    "context_epsilon": 0.02,  # stage-2 context values below it are 0: keeps that matrix sparse
    "heldout_fraction": 0.2,
    "rating_decision": "expected",   # round the expected rating (else: argmax)
    "hypothetical_cap_episode_share": 0.3,
}


def sentence_docs(infos: Sequence[SentenceInfo], lang: str, settings: dict) -> list[tuple[list[str], ...]]:
    """Stage-1 feature strings of sentences (each on its own)."""
    lo, hi = settings["char_range"]
    return [feature_strings(info, lang, char_range=(lo, hi)) for info in infos]


def answer_contexts(infos: Sequence[SentenceInfo]) -> list[set[int]]:
    """For every sentence: the lexicon cue classes found in the other sentences of the answer."""
    counts = np.zeros(N_IND, dtype=np.int64)
    own = []
    for info in infos:
        s = set(info.cues)
        own.append(s)
        for j in s:
            counts[j] += 1
    return [{j for j in range(N_IND) if counts[j] - (1 if j in s else 0) > 0} for s in own]


CONTEXT_FEATURES: tuple[str, ...] = tuple(
    ["pos_first", "pos_second", "pos_middle", "pos_penultimate", "pos_last"]
    + [f"pos_rel_{q}" for q in range(4)]
    + [f"ctx_cue_{i}" for i in INDICATORS]
    + [f"own_{i}" for i in INDICATORS] + [f"prev_{i}" for i in INDICATORS] + [f"next_{i}" for i in INDICATORS]
    + [f"others_max_{i}" for i in INDICATORS]
    + [f"own_star_{s}" for s in STAR_CLASSES] + [f"prev_star_{s}" for s in STAR_CLASSES]
    + [f"next_star_{s}" for s in STAR_CLASSES]
    + ["q_has", "q_hypothetical"] + [f"q_cue_{i}" for i in INDICATORS]
)
_Q = len(CONTEXT_FEATURES) - N_IND - 2


def context_features(infos: Sequence[SentenceInfo], p1: np.ndarray, s1: np.ndarray,
                     question: SentenceInfo | None = None, epsilon: float = 0.0) -> np.ndarray:
    """Stage-2 context of the sentences of one answer (rows in answer order), with its question
    (the interview question's lexicon cues and whether it is hypothetical) when known."""
    n = len(infos)
    out = np.zeros((n, len(CONTEXT_FEATURES)))
    if n == 0:
        return out
    ctx = answer_contexts(infos)
    for k in range(n):
        row = out[k]
        if k == 0:
            row[0] = 1
        elif k == n - 1:
            row[4] = 1
        else:
            row[2] = 1
        if k == 1:
            row[1] = 1
        if k == n - 2 and n > 2:
            row[3] = 1
        row[5 + min(3, int(4 * k / n))] = 1
        for j in ctx[k]:
            row[9 + j] = 1
    o = 9 + N_IND
    out[:, o:o + N_IND] = p1
    if n > 1:
        out[1:, o + N_IND:o + 2 * N_IND] = p1[:-1]
        out[:-1, o + 2 * N_IND:o + 3 * N_IND] = p1[1:]
        # max over the other sentences: the top value, or the second one for the row holding it
        order = np.argsort(-p1, axis=0)
        top = p1[order[0], np.arange(N_IND)]
        second = p1[order[1], np.arange(N_IND)]
        others = np.tile(top, (n, 1))
        others[order[0], np.arange(N_IND)] = second
        out[:, o + 3 * N_IND:o + 4 * N_IND] = others
    o += 4 * N_IND
    out[:, o:o + N_STAR] = s1
    if n > 1:
        out[1:, o + N_STAR:o + 2 * N_STAR] = s1[:-1]
        out[:-1, o + 2 * N_STAR:o + 3 * N_STAR] = s1[1:]
    if question is not None and question.n_words:
        out[:, _Q] = 1.0
        out[:, _Q + 1] = float(question_is_hypothetical(question))
        for j in set(question.cues):
            out[:, _Q + 2 + j] = 1.0
    # every value is >= 0; the ~80 probability columns are near 0 for most sentences, and kept
    # they would fill the sparse stage-2 training matrix
    out[out < epsilon] = 0.0
    return out


RATING_FEATURES: tuple[str, ...] = tuple(
    [f"max_{i}" for i in INDICATORS]
    + ["n_pos_labels", "n_neg_labels", "sum_pos_max", "sum_neg_max", "pos_mass", "neg_mass",
       "pos_minus_neg"]
    + [f"star_{p}" for p in STAR_CLASSES[:4]]
    + [f"mode_{m}" for m in MODES]
    + ["person_first_singular", "person_first_plural", "person_third",
       "log_sentences", "log_words", "question_hypothetical", "generic_share", "empty"]
)


_QHYP = RATING_FEATURES.index("question_hypothetical")
_EPISODE = RATING_FEATURES.index("mode_episode")


def rating_features(probs: np.ndarray, thresholds: np.ndarray, star: np.ndarray, modes: Sequence[str],
                    persons: Sequence[str], infos: Sequence[SentenceInfo], question_hyp: bool) -> np.ndarray:
    """Aggregate one answer's sentence predictions into the rating model's feature vector."""
    n = len(modes)
    f = np.zeros(len(RATING_FEATURES))
    if n == 0:
        f[-1] = 1.0
        f[RATING_FEATURES.index("question_hypothetical")] = float(question_hyp)
        return f
    mx = probs.max(axis=0)
    above = probs >= thresholds
    k = 0
    f[k:k + N_IND] = mx
    k += N_IND
    pos_max, neg_max = mx[POS_IDX], mx[NEG_IDX]
    f[k] = float(above[:, POS_IDX].any(axis=0).sum())
    f[k + 1] = float(above[:, NEG_IDX].any(axis=0).sum())
    f[k + 2] = pos_max.sum()
    f[k + 3] = neg_max.sum()
    f[k + 4] = np.log1p(probs[:, POS_IDX].sum())
    f[k + 5] = np.log1p(probs[:, NEG_IDX].sum())
    f[k + 6] = pos_max.sum() - 2 * neg_max.sum()
    k += 7
    f[k:k + 4] = star[:, :4].max(axis=0)
    k += 4
    for m in MODES:
        f[k] = sum(1 for x in modes if x == m) / n
        k += 1
    for p in ("first_singular", "first_plural", "third"):
        f[k] = sum(1 for x in persons if x == p) / n
        k += 1
    f[k] = np.log1p(n)
    f[k + 1] = np.log1p(sum(i.n_words for i in infos))
    f[k + 2] = float(question_hyp)
    f[k + 3] = sum(1 for i in infos if i.flags & (F["generic"] | F["belief"])) / n
    return f


def question_is_hypothetical(info: SentenceInfo | None) -> bool:
    """'What would you do if…' / 'Что вы будете делать, если…'."""
    if info is None:
        return False
    fl = info.flags
    return bool(fl & (F["cond"] | F["if"]) or (fl & F["futr"] and fl & F["second"]) or
                (fl & F["will"] and fl & F["second"]))


def stack_linear(models: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """(features × labels) coefficients and intercepts of binary linear estimators."""
    W = np.ascontiguousarray(np.vstack([m.coef_.ravel() for m in models]).T)
    b = np.array([float(np.ravel(m.intercept_)[0]) for m in models])
    return W, b


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def star_normalise(z: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """STAR probabilities from one-vs-rest scores (times per-class weights), normalised to sum to 1."""
    s = sigmoid(z)
    if weights is not None:
        s = s * weights
    return s / s.sum(axis=1, keepdims=True)


def reweight_star(star: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The stage's output STAR probabilities: times the per-class weights fitted on the
    out-of-fold predictions (``train._star_weights``), renormalised."""
    s = star * weights
    return s / np.maximum(s.sum(axis=1, keepdims=True), 1e-12)


class TaggerModel:
    """Inference over a loaded artifact."""

    def __init__(self, artifact: dict) -> None:
        if artifact.get("format") != FORMAT:
            raise ValueError(f"artifact format {artifact.get('format')!r} is not {FORMAT}")
        self.artifact = artifact
        self.settings = dict(artifact["settings"])
        self.vectorizer = Vectorizer.from_state(artifact["vectorizer"])
        self.stages = []
        for name in ("stage1", "stage2"):
            st = artifact[name]
            W, b = stack_linear(st["indicator_models"])
            Ws, bs = stack_linear(st["star_models"])
            cal = np.asarray(st["indicator_calibration"], dtype=np.float64)
            # indicators and STAR in one matrix: one product per stage
            self.stages.append({"M": np.ascontiguousarray(np.hstack([W, Ws])), "b": np.concatenate([b, bs]),
                                "a": cal[:, 0], "c": cal[:, 1],
                                "sw": np.asarray(st.get("star_weights", np.ones(N_STAR)), dtype=np.float64),
                                "thr": np.asarray(st["thresholds"], dtype=np.float64)})
        nf = self.vectorizer.n_features
        self.M2_x = np.ascontiguousarray(self.stages[1]["M"][:nf])
        self.M2_ctx = np.ascontiguousarray(self.stages[1]["M"][nf:])
        self.context_weight = float(self.settings["context_weight"])
        self.context_epsilon = float(self.settings.get("context_epsilon", 0.0))  # 0 before 2026-12-03
        self.thresholds = self.stages[1]["thr"]
        rm, sc = artifact["rating_model"], artifact["rating_scaler"]
        self.rating_classes = [int(c) for c in rm.classes_]
        self.r_mean = np.asarray(sc.mean_, dtype=np.float64)
        self.r_scale = np.asarray(sc.scale_, dtype=np.float64)
        self.r_W = np.asarray(rm.coef_, dtype=np.float64)
        self.r_b = np.asarray(rm.intercept_, dtype=np.float64)

    # sentences ---------------------------------------------------------------------
    def predict_sentences(self, docs: Sequence[tuple[list[str], ...]], infos: Sequence[SentenceInfo],
                          bounds: Sequence[tuple[int, int]] | None = None,
                          questions: Sequence[SentenceInfo | None] | None = None
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Indicator probabilities (n × 12), STAR probabilities (n × 5) and the thresholds that
        apply to each row (n × 12). ``bounds`` gives the (start, end) rows of each answer
        (default: all rows are one answer) and ``questions`` their analysed questions; a
        one-sentence answer is answered by stage 1."""
        n = len(docs)
        if n == 0:
            return np.zeros((0, N_IND)), np.zeros((0, N_STAR)), np.zeros((0, N_IND))
        s1, s2 = self.stages
        X = self.vectorizer.transform(docs)
        Z = X @ s1["M"] + s1["b"]
        p = sigmoid(s1["a"] * Z[:, :N_IND] + s1["c"])
        st_raw = star_normalise(Z[:, N_IND:])  # unweighted: stage 2's context inputs, as in training
        st = reweight_star(st_raw, s1["sw"])
        thr = np.tile(s1["thr"], (n, 1))
        bounds = [(0, n)] if bounds is None else bounds
        questions = [None] * len(bounds) if questions is None else questions
        multi = [(a, b, q) for (a, b), q in zip(bounds, questions) if b - a > 1]
        if multi:
            rows = np.concatenate([np.arange(a, b) for a, b, _ in multi])
            C = np.vstack([context_features(infos[a:b], p[a:b], st_raw[a:b], q, self.context_epsilon)
                           for a, b, q in multi]) * self.context_weight
            Xr = X if len(rows) == n else X[rows]
            Z2 = Xr @ self.M2_x + C @ self.M2_ctx + s2["b"]
            p[rows] = sigmoid(s2["a"] * Z2[:, :N_IND] + s2["c"])
            st[rows] = star_normalise(Z2[:, N_IND:], s2["sw"])
            thr[rows] = s2["thr"]
        return p, st, thr

    # answers -----------------------------------------------------------------------
    def predict_rating(self, feats: np.ndarray) -> np.ndarray:
        """Probabilities over ratings 1..5 (rows: answers)."""
        Z = (np.atleast_2d(feats) - self.r_mean) / self.r_scale
        z = Z @ self.r_W.T + self.r_b
        if len(self.rating_classes) == 2:  # binary logistic regression: one column of scores
            p1 = sigmoid(z[:, 0])
            p = np.column_stack([1.0 - p1, p1])
        else:
            z -= z.max(axis=1, keepdims=True)
            e = np.exp(z)
            p = e / e.sum(axis=1, keepdims=True)
        out = np.zeros((p.shape[0], len(RATINGS)))
        for k, c in enumerate(self.rating_classes):
            out[:, RATINGS.index(c)] = p[:, k]
        return out

    def decide_rating(self, p: np.ndarray, feats: np.ndarray | None = None) -> tuple[int, float]:
        return decide_rating(p, self.settings, feats)


def decide_rating(p: np.ndarray, settings: dict, feats: np.ndarray | None = None) -> tuple[int, float]:
    """The 1–5 rating from the rating probabilities (and the rule below), plus the expected value.

    Rule of the competency model: 4 and 5 need a specific episode, so an answer to a
    hypothetical question ("What would you do if…") that tells almost no past episode
    (fewer than ``hypothetical_cap_episode_share`` of its sentences) is rated at most 3.
    """
    expected = float(np.dot(p, RATINGS))
    if settings.get("rating_decision") == "argmax":
        rating = int(RATINGS[int(np.argmax(p))])
    else:
        rating = int(min(5, max(1, int(np.floor(expected + 0.5)))))
    share = settings.get("hypothetical_cap_episode_share")
    if feats is not None and share is not None and rating > 3 and feats[_QHYP] > 0 and feats[_EPISODE] < share:
        rating = 3
    return rating, expected
