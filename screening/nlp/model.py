"""The trained model: feature settings, scikit-learn estimators and the fast inference maths.

The artifact (saved with skops by ``store``) is a plain dict of numpy arrays, python values
and scikit-learn estimators. At load the per-label logistic regressions are stacked into one
coefficient matrix so a batch of sentences costs one sparse × dense product.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .features import SentenceInfo, Vectorizer, feature_strings
from .labels import INDICATORS, MODES, NEGATIVE, POSITIVE, RATINGS, STAR_CLASSES
from .morph import F

FORMAT = 1
N_IND = len(INDICATORS)
POS_IDX = [INDICATORS.index(i) for i in POSITIVE]
NEG_IDX = [INDICATORS.index(i) for i in NEGATIVE]

DEFAULT_SETTINGS: dict = {
    "min_df": 2,
    "char_range": [2, 5],
    "block_weights": {"w": 1.0, "c": 1.0, "m": 0.5, "x": 0.3},
    "context": True,          # cue classes of the answer's other sentences as markers
    "position": True,         # the sentence's position in its answer as markers
    "C_indicators": 1.0,
    "C_star": 1.0,
    "C_rating": 0.5,
    "cv_folds": 5,
    "heldout_fraction": 0.2,
    "rating_decision": "expected",   # round the expected rating (else: argmax)
}


def sentence_docs(infos: Sequence[SentenceInfo], lang: str, settings: dict,
                  contexts: Sequence[set[int]] | None = None) -> list[tuple[list[str], ...]]:
    """Feature strings of the sentences of one answer (``contexts``: cue classes of the others)."""
    lo, hi = settings["char_range"]
    if contexts is None and settings.get("context"):
        contexts = answer_contexts(infos)
    out = []
    n = len(infos)
    for k, info in enumerate(infos):
        w, c, m, x = feature_strings(info, lang, char_range=(lo, hi))
        if settings.get("context") and contexts is not None:
            m.extend("m|ctx_" + INDICATORS[j] for j in sorted(contexts[k]))
        if settings.get("position"):
            m.extend(position_markers(k, n))
        out.append((w, c, m, x))
    return out


def position_markers(k: int, n: int) -> list[str]:
    """Where the sentence stands in its answer (STAR parts follow the story's order)."""
    if n <= 1:
        return ["m|pos=only"]
    out = ["m|pos=first" if k == 0 else "m|pos=last" if k == n - 1 else "m|pos=middle",
           f"m|pos_rel={min(3, int(4 * k / n))}"]
    if k == 1:
        out.append("m|pos=second")
    if k == n - 2:
        out.append("m|pos=penultimate")
    return out


def answer_contexts(infos: Sequence[SentenceInfo]) -> list[set[int]]:
    """For every sentence: the lexicon cue classes found in the other sentences of the answer."""
    counts = np.zeros(N_IND, dtype=np.int64)
    own = []
    for info in infos:
        s = set(info.cues)
        own.append(s)
        for j in s:
            counts[j] += 1
    out = []
    for s in own:
        out.append({j for j in range(N_IND) if counts[j] - (1 if j in s else 0) > 0})
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


class TaggerModel:
    """Inference over a loaded artifact."""

    def __init__(self, artifact: dict) -> None:
        if artifact.get("format") != FORMAT:
            raise ValueError(f"artifact format {artifact.get('format')!r} is not {FORMAT}")
        self.artifact = artifact
        self.settings = dict(artifact["settings"])
        self.vectorizer = Vectorizer.from_state(artifact["vectorizer"])
        ind = artifact["indicator_models"]
        self.W_ind = np.ascontiguousarray(np.vstack([m.coef_.ravel() for m in ind]).T)
        self.b_ind = np.array([float(m.intercept_[0]) for m in ind])
        cal = np.asarray(artifact["indicator_calibration"], dtype=np.float64)
        self.cal_a, self.cal_b = cal[:, 0], cal[:, 1]
        self.thresholds = np.asarray(artifact["thresholds"], dtype=np.float64)
        star = artifact["star_models"]
        self.W_star = np.ascontiguousarray(np.vstack([m.coef_.ravel() for m in star]).T)
        self.b_star = np.array([float(m.intercept_[0]) for m in star])
        rm, sc = artifact["rating_model"], artifact["rating_scaler"]
        self.rating_classes = [int(c) for c in rm.classes_]
        self.r_mean = np.asarray(sc.mean_, dtype=np.float64)
        self.r_scale = np.asarray(sc.scale_, dtype=np.float64)
        self.r_W = np.asarray(rm.coef_, dtype=np.float64)
        self.r_b = np.asarray(rm.intercept_, dtype=np.float64)

    # sentences ---------------------------------------------------------------------
    def predict_sentences(self, docs: Sequence[tuple[list[str], ...]]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated indicator probabilities (n × 12) and STAR class probabilities (n × 5)."""
        if not docs:
            return np.zeros((0, N_IND)), np.zeros((0, len(STAR_CLASSES)))
        X = self.vectorizer.transform(docs)
        scores = X @ self.W_ind + self.b_ind
        probs = 1.0 / (1.0 + np.exp(-(self.cal_a * scores + self.cal_b)))
        s = 1.0 / (1.0 + np.exp(-(X @ self.W_star + self.b_star)))  # one-vs-rest, normalised
        return probs, s / s.sum(axis=1, keepdims=True)

    # answers -----------------------------------------------------------------------
    def predict_rating(self, feats: np.ndarray) -> np.ndarray:
        """Probabilities over ratings 1..5 (rows: answers)."""
        Z = (np.atleast_2d(feats) - self.r_mean) / self.r_scale
        z = Z @ self.r_W.T + self.r_b
        if len(self.rating_classes) == 2:  # binary logistic regression: one column of scores
            p1 = 1.0 / (1.0 + np.exp(-z[:, 0]))
            p = np.column_stack([1.0 - p1, p1])
        else:
            z -= z.max(axis=1, keepdims=True)
            e = np.exp(z)
            p = e / e.sum(axis=1, keepdims=True)
        out = np.zeros((p.shape[0], len(RATINGS)))
        for k, c in enumerate(self.rating_classes):
            out[:, RATINGS.index(c)] = p[:, k]
        return out

    def decide_rating(self, p: np.ndarray) -> tuple[int, float]:
        expected = float(np.dot(p, RATINGS))
        if self.settings.get("rating_decision") == "argmax":
            return int(RATINGS[int(np.argmax(p))]), expected
        return int(min(5, max(1, int(np.floor(expected + 0.5))))), expected
