"""Sentence analysis (lemmas, behavioural markers, mode, person) and the sparse feature matrix.

Feature blocks, each L2-normalised on its own and scaled by a block weight:

* ``w`` lemma unigrams and bigrams (TF-IDF, sublinear tf),
* ``c`` character n-grams (2–5, inside word boundaries, on lowercased forms: robust to typos),
* ``m`` binary behavioural markers: tense/mood, person, negation, modality, conditionals,
  question words, quotes, notes-style abbreviations, the sentence's mode and person, length.
"""
from __future__ import annotations

import math
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

import numpy as np
import scipy.sparse as sp

from .labels import INDICATORS
from .lexicon import cue_hits
from .morph import FLAGS, F, WordAnalyzer

QUOTES = frozenset({'"', "«", "»", "“", "”", "„", "'"})
BLOCKS = ("w", "c", "m", "x")


@dataclass(slots=True)
class SentenceInfo:
    """Model-independent analysis of one sentence."""
    words: list[str] = field(default_factory=list)    # lowercased surface forms of word tokens
    lemmas: list[str] = field(default_factory=list)
    flags: int = 0                                     # OR of the words' flags
    markers: set[str] = field(default_factory=set)     # punctuation / shape markers
    person: str = "none"
    mode: str | None = None                            # None: no verb evidence (context decides)
    n_words: int = 0
    cues: list[int] = field(default_factory=list)      # indicator index of every lexicon cue found
    lead_flags: int = 0                                # flags of the first two words (the subject, often)


def analyse_tokens(tokens: Iterable[str], analyzer: WordAnalyzer) -> SentenceInfo:
    """Analyse the token texts of one sentence."""
    info = SentenceInfo()
    analyse = analyzer.analyse
    markers = info.markers
    flags = 0
    first = True
    last_tok = ""
    for tok in tokens:
        if tok.isspace():
            continue
        lemma, f = analyse(tok)
        if lemma:
            # interned: training keeps the analyses of every corpus sentence, mostly repeated words
            info.words.append(sys.intern(tok.lower().replace("ё", "е")))
            info.lemmas.append(sys.intern(lemma))
            flags |= f
            if len(info.words) <= 2:
                info.lead_flags |= f
            if first:
                markers.add("start_lower" if tok[:1].islower() else "start_upper")
            if tok == "C":
                flags |= F["cand"]
        else:
            if tok in QUOTES:
                markers.add("quote")
            elif "?" in tok:
                markers.add("qmark")
            elif "!" in tok:
                markers.add("excl")
            elif tok in ("→", "->", "=>"):
                markers.add("arrow")
            elif tok in (":",):
                markers.add("colon")
            elif tok in ("—", "–", "-"):
                markers.add("dash")
        first = False
        last_tok = tok
    if last_tok and not any(c in last_tok for c in ".!?…\"»"):
        markers.add("no_final_punct")
    info.flags = flags
    info.n_words = len(info.words)
    info.cues = cue_hits(info.lemmas, analyzer)
    info.person = person_of(flags)
    info.mode = mode_of(flags)
    return info


def person_of(flags: int) -> str:
    if flags & F["first_sg"]:
        return "first_singular"
    if flags & F["first_pl"]:
        return "first_plural"
    if flags & F["cand"]:
        return "third"
    return "none"


def mode_of(flags: int) -> str | None:
    """episode / hypothetical / general from tense, mood and adverbs; None when nothing says."""
    if flags & F["cond"]:
        return "hypothetical"
    if flags & F["past"]:
        return "general" if flags & F["generic"] and not flags & F["cand"] else "episode"
    if flags & (F["futr"] | F["will"]) and flags & (F["first_sg"] | F["first_pl"] | F["will"]):
        return "hypothetical"
    if flags & F["if"]:
        return "hypothetical"
    if flags & (F["generic"] | F["belief"] | F["pres"] | F["modal"]):
        return "general"
    return None


def resolve_context(infos: Sequence[SentenceInfo]) -> tuple[list[str], list[str]]:
    """Per-sentence mode and person within one answer: undetermined sentences inherit.

    A sentence without verb evidence takes the mode of the previous determined sentence (or
    the next one); a sentence with a verb but no person marker and no other subject takes
    the answer's dominant person (first person singular, or the candidate in the third
    person in notes: "канд.", "cand.").
    """
    modes: list[str | None] = [i.mode for i in infos]
    last = None
    for k, m in enumerate(modes):
        if m is None:
            modes[k] = last
        else:
            last = m
    nxt = None
    for k in range(len(modes) - 1, -1, -1):
        if modes[k] is None:
            modes[k] = nxt
        else:
            nxt = modes[k]
    persons = [i.person for i in infos]
    determined = [p for p in persons if p in ("first_singular", "third")]
    if determined:
        # pro-drop ("Перезвонила на следующий день", "called cust. back"): a sentence with a verb, no
        # person marker and no other subject (client, he/she) takes the answer's dominant person
        answer_person = max(("first_singular", "third"), key=determined.count)
        persons = [answer_person if p == "none" and i.flags & F["verb"]
                   and not i.lead_flags & (F["client"] | F["subj3"] | F["colleague"]) else p
                   for p, i in zip(persons, infos)]
    return [m or "general" for m in modes], persons


def char_grams(word: str, lo: int = 2, hi: int = 5) -> tuple[str, ...]:
    """char_wb n-grams of one word, padded with spaces (as scikit-learn's ``char_wb``)."""
    w = f" {word} "
    n = len(w)
    out = []
    for k in range(lo, hi + 1):
        if k > n:
            break
        out.extend("c|" + w[i:i + k] for i in range(n - k + 1))
    return tuple(out)


def _len_bucket(n: int) -> str:
    return "1-3" if n <= 3 else "4-7" if n <= 7 else "8-15" if n <= 15 else "16-30" if n <= 30 else "31+"


def feature_strings(info: SentenceInfo, lang: str, mode: str | None = None, person: str | None = None,
                    *, char_range: tuple[int, int] = (2, 5)) -> tuple[list[str], list[str], list[str], list[str]]:
    """The (word features, words for char n-grams, markers, cue) strings of a sentence, with repeats."""
    lemmas = info.lemmas
    wfeats = ["w|" + lem for lem in lemmas]
    wfeats.extend(f"b|{a} {b}" for a, b in pairwise(lemmas))
    cwords = [w for w in info.words if not w[:1].isdigit()]  # expanded to char n-grams by the Vectorizer
    flags = info.flags
    mfeats = ["m|" + name for name in FLAGS if flags & F[name]]
    mfeats.extend("m|" + m for m in info.markers)
    mode = mode or info.mode or "unknown"
    person = person or info.person
    mfeats.append("m|mode=" + mode)
    mfeats.append("m|person=" + person)
    mfeats.append(f"m|{person}&{mode}")
    mfeats.append("m|len=" + _len_bucket(info.n_words))
    mfeats.append("m|lang=" + lang)
    if flags & F["neg"] and flags & F["past"]:
        mfeats.append("m|neg&past")
    if flags & F["neg"] and flags & F["modal"]:
        mfeats.append("m|neg&modal")
    xfeats = ["x|" + INDICATORS[k] for k in info.cues]
    return wfeats, cwords, mfeats, xfeats


class Vectorizer:
    """Maps feature strings to a sparse matrix: vocabulary, idf and block weights are its state."""

    def __init__(self, vocab: Sequence[str], idf: np.ndarray, params: dict) -> None:
        self.vocab_list = list(vocab)
        self.index = {f: i for i, f in enumerate(self.vocab_list)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.params = dict(params)
        self.block = np.array([BLOCKS.index(_block_of(f)) for f in self.vocab_list], dtype=np.int64)
        self.block_weight = np.array([float(self.params["block_weights"][b]) for b in BLOCKS])
        self.n_features = len(self.vocab_list)
        lo, hi = self.params.get("char_range", (2, 5))
        self.char_range = (int(lo), int(hi))
        self.char_ids = lru_cache(maxsize=200_000)(self._char_ids)

    def _char_ids(self, word: str) -> array:
        """Vocabulary ids of a word's char n-grams (cached per word form, as a compact C array)."""
        index = self.index
        return array("q", (i for i in map(index.get, char_grams(word, *self.char_range)) if i is not None))

    # --- state for the artifact -----------------------------------------------------
    def state(self) -> dict:
        return {"vocab": np.array(self.vocab_list, dtype=str), "idf": self.idf, "params": self.params}

    @classmethod
    def from_state(cls, state: dict) -> Vectorizer:
        return cls([str(v) for v in state["vocab"].tolist()], state["idf"], state["params"])

    # --- fitting -------------------------------------------------------------------------
    @classmethod
    def fit(cls, docs: Iterable[tuple[list[str], ...]], params: dict) -> Vectorizer:
        """Keep features seen in at least ``min_df`` sentences (markers and cues: always); smooth idf."""
        df: Counter = Counter()
        lo, hi = params.get("char_range", (2, 5))
        n = 0
        for wf, cw, mf, xf in docs:
            n += 1
            df.update(set(wf))
            df.update({g for w in cw for g in char_grams(w, lo, hi)})
            df.update(set(mf))
            df.update(set(xf))
        min_df = int(params.get("min_df", 2))
        vocab = sorted(f for f, c in df.items() if c >= min_df or f.startswith(("m|", "x|")))
        # markers and cue counts are not idf-weighted
        idf = np.array([1.0 if f.startswith(("m|", "x|")) else math.log((1 + n) / (1 + df[f])) + 1.0
                        for f in vocab])
        return cls(vocab, idf, params)

    # --- transform -----------------------------------------------------------------------
    def transform(self, docs: Iterable[tuple[list[str], ...]], chunk: int = 512) -> sp.csr_matrix:
        """The weighted sparse matrix of ``docs`` (built in chunks of rows: bounded memory)."""
        parts, batch = [], []
        for doc in docs:
            batch.append(doc)
            if len(batch) == chunk:
                parts.append(self._transform(batch))
                batch = []
        if batch or not parts:
            parts.append(self._transform(batch))
        return parts[0] if len(parts) == 1 else sp.vstack(parts, format="csr")

    def _transform(self, docs: Sequence[tuple[list[str], ...]]) -> sp.csr_matrix:
        index = self.index
        char_ids = self.char_ids
        cols = array("q")  # C longs: no python int objects for the many char n-gram ids
        counts = []
        for wf, cw, mf, xf in docs:
            before = len(cols)
            cols.extend(i for i in map(index.get, wf) if i is not None)
            for w in cw:
                cols.extend(char_ids(w))
            cols.extend(i for i in map(index.get, set(mf)) if i is not None)
            cols.extend(i for i in map(index.get, xf) if i is not None)
            counts.append(len(cols) - before)
        n = len(docs)
        col_arr = np.frombuffer(cols, dtype=np.int64) if len(cols) else np.zeros(0, dtype=np.int64)
        rows = np.repeat(np.arange(n, dtype=np.int64), counts)
        X = sp.csr_matrix((np.ones(len(col_arr)), (rows, col_arr)), shape=(n, self.n_features))
        X.sum_duplicates()
        return self._weight(X)

    def _weight(self, X: sp.csr_matrix) -> sp.csr_matrix:
        """Sublinear tf x idf, then L2 per (row, block) and the block weight."""
        if X.nnz == 0:
            return X
        idx = X.indices
        blk = self.block[idx]
        data = (1.0 + np.log(X.data)) * self.idf[idx]
        row = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        key = row * len(BLOCKS) + blk
        sq = np.bincount(key, weights=data * data, minlength=X.shape[0] * len(BLOCKS))
        norm = np.sqrt(sq[key])
        norm[norm == 0] = 1.0
        data = data / norm * self.block_weight[blk]
        return sp.csr_matrix((data, X.indices.copy(), X.indptr.copy()), shape=X.shape)


def _block_of(feature: str) -> str:
    head = feature[:1]
    return "w" if head in ("w", "b") else head
