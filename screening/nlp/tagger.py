"""The evidence tagger: sentences with indicators, probabilities, STAR parts, mode and person; ratings."""
from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .errors import TaggerInputError
from .features import SentenceInfo, resolve_context
from .labels import INDICATORS, RATINGS, STAR_CLASSES
from .model import TaggerModel, question_is_hypothetical, rating_features, sentence_docs
from .pipeline import MAX_CHARS, Analysed, Pipeline, get_pipeline
from .text import check_lang

MAX_QUESTION_CHARS = 2_000


class Tagger:
    """A loaded model plus the text pipeline. Thread-safe for concurrent ``tag``/``rate`` calls."""

    def __init__(self, model: TaggerModel, version: str, *, pipeline: Pipeline | None = None,
                 metadata: dict | None = None) -> None:
        self.model = model
        self.version = version
        self.metadata = metadata or {}
        self.pipeline = pipeline or get_pipeline()
        self.load_seconds: float | None = None

    @classmethod
    def load(cls, models_dir: Path | str, version: str | None = None) -> Tagger:
        """Load ``version`` (default: the active one) from ``models_dir``; raises ModelUnavailable."""
        from . import store

        t0 = time.perf_counter()
        artifact, meta = store.load(Path(models_dir), version)
        tagger = cls(TaggerModel(artifact), meta["version"], metadata=meta)
        tagger.pipeline.warm()
        tagger.load_seconds = time.perf_counter() - t0
        return tagger

    # --- public API -------------------------------------------------------------------------
    def tag(self, text: str, lang: str | None = None) -> dict:
        """The contract's tag output for a whole answer (split into sentences here)."""
        analysed = self._analyse_text(text, lang)
        probs, star, thr = self._predict(analysed, None)
        return self._tag_output(text, analysed, probs, star, thr)

    def tag_sentences(self, texts: Sequence[str], lang: str | None = None, question: str | None = None
                      ) -> list[dict]:
        """Tag each text as one sentence (no splitting); the texts are the sentences of one answer
        and are each other's context (with the answer's question, when given). Offsets are
        relative to each text."""
        texts = [t if isinstance(t, str) else "" for t in texts]
        if lang is None:
            lang = check_lang(None, " ".join(texts)[:MAX_CHARS])
        else:
            lang = check_lang(lang, "")
        infos = [self.pipeline.analyse_sentence(t, lang, max_chars=MAX_CHARS)[1] for t in texts]
        docs = sentence_docs(infos, lang, self.model.settings)
        probs, star, thr = self.model.predict_sentences(docs, infos, None, [self._question(question, lang)])
        modes, persons = resolve_context(infos)
        out = []
        for k, t in enumerate(texts):
            end = min(len(t), MAX_CHARS)
            out.extend(self._sentences(t, [(0, end)], infos[k:k + 1], probs[k:k + 1], star[k:k + 1], thr[k:k + 1],
                                       modes[k:k + 1], persons[k:k + 1]))
        return out

    def rate(self, text: str, question: str | None = None, lang: str | None = None) -> dict:
        """The 1–5 rating of a whole answer: {"rating", "expected", "probabilities"}."""
        analysed = self._analyse_text(text, lang)
        probs, star, thr = self._predict(analysed, question)
        return self._rating(analysed, probs, star, thr, question)

    def analyse(self, text: str, question: str | None = None, lang: str | None = None) -> dict:
        """Tag output plus the ``rating`` block, in one pass (used when scoring an answer)."""
        analysed = self._analyse_text(text, lang)
        probs, star, thr = self._predict(analysed, question)
        out = self._tag_output(text, analysed, probs, star, thr)
        out["rating"] = self._rating(analysed, probs, star, thr, question)
        return out

    def analyse_batch(self, texts: Sequence[str], questions: Sequence[str | None] | None = None,
                      lang: str | None = None, *, chunk: int = 64) -> list[dict]:
        """``analyse`` for many answers: one matrix product per chunk of answers (bounded memory)."""
        questions = list(questions) if questions is not None else [None] * len(texts)
        if len(questions) != len(texts):
            raise TaggerInputError("questions must match texts")
        out: list[dict] = []
        for k in range(0, len(texts), chunk):
            out.extend(self._analyse_chunk(texts[k:k + chunk], questions[k:k + chunk], lang))
        return out

    def _analyse_chunk(self, texts: Sequence[str], questions: Sequence[str | None], lang: str | None) -> list[dict]:
        analysed = [self._analyse_text(t, lang) for t in texts]
        docs, infos, bounds = [], [], []
        for a in analysed:
            seg_infos = [s.info for s in a.segments]
            bounds.append((len(docs), len(docs) + len(seg_infos)))
            infos.extend(seg_infos)
            docs.extend(sentence_docs(seg_infos, a.lang, self.model.settings))
        qinfos = [self._question(q, a.lang) for q, a in zip(questions, analysed)]
        probs, star, thr = self.model.predict_sentences(docs, infos, bounds, qinfos)
        outs, feats = [], []
        for a, (s, e), text, q in zip(analysed, bounds, texts, questions):
            outs.append(self._tag_output(text, a, probs[s:e], star[s:e], thr[s:e]))
            feats.append(self._rating_features(a, probs[s:e], star[s:e], thr[s:e], q))
        if feats:
            F = np.vstack(feats)
            for out, a, p, f in zip(outs, analysed, self.model.predict_rating(F), F):
                out["rating"] = self._rating_block(a, p, f)
        return outs

    # --- internals --------------------------------------------------------------------------
    def _analyse_text(self, text: str, lang: str | None) -> Analysed:
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise TaggerInputError("text must be a string")
        return self.pipeline.analyse_text(text, lang)

    def _question(self, question: str | None, lang: str) -> SentenceInfo | None:
        if question and isinstance(question, str) and question.strip():
            return self.pipeline.analyse_sentence(question[:MAX_QUESTION_CHARS], lang)[1]
        return None

    def _predict(self, analysed: Analysed, question: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        infos = [s.info for s in analysed.segments]
        docs = sentence_docs(infos, analysed.lang, self.model.settings)
        return self.model.predict_sentences(docs, infos, None, [self._question(question, analysed.lang)])

    def _sentences(self, text: str, spans: Sequence[tuple[int, int]], infos: Sequence[SentenceInfo],
                   probs: np.ndarray, star: np.ndarray, thr: np.ndarray, modes: Sequence[str],
                   persons: Sequence[str]) -> list[dict]:
        """Sentence dicts of the contract (plus mode and person); numpy → python once per answer."""
        if not len(spans):
            return []
        rounded = np.round(probs, 4).tolist()
        above = (probs >= thr).tolist()
        star_idx = star.argmax(axis=1).tolist()
        out = []
        for k, (start, end) in enumerate(spans):
            if infos[k].n_words:
                indicators = [lab for lab, on in zip(INDICATORS, above[k]) if on]
                probabilities = dict(zip(INDICATORS, rounded[k]))
                part = STAR_CLASSES[star_idx[k]]
            else:  # no words (emoji, punctuation): no evidence
                indicators, probabilities, part = [], dict.fromkeys(INDICATORS, 0.0), "none"
            out.append({"text": text[start:end], "start": start, "end": end, "indicators": indicators,
                        "probabilities": probabilities, "star": None if part == "none" else part,
                        "mode": modes[k], "person": persons[k]})
        return out

    def _tag_output(self, text: str, analysed: Analysed, probs: np.ndarray, star: np.ndarray,
                    thr: np.ndarray) -> dict:
        segs = analysed.segments
        sentences = self._sentences(text, [(s.start, s.end) for s in segs], [s.info for s in segs], probs, star,
                                    thr, [s.mode for s in segs], [s.person for s in segs])
        out = {"lang": analysed.lang, "model_version": self.version, "sentences": sentences}
        if analysed.truncated:
            out["truncated"] = True
        return out

    def _rating_features(self, analysed: Analysed, probs: np.ndarray, star: np.ndarray, thr: np.ndarray,
                         question: str | None) -> np.ndarray:
        q = self._question(question, analysed.lang)
        segs = analysed.segments
        return rating_features(probs, thr, star, [s.mode for s in segs], [s.person for s in segs],
                               [s.info for s in segs], question_is_hypothetical(q))

    def _rating_block(self, analysed: Analysed, p: np.ndarray, feats: np.ndarray) -> dict:
        if not any(s.info.n_words for s in analysed.segments):
            # nothing to rate: "no relevant evidence"
            return {"rating": 2, "expected": 2.0, "probabilities": {str(r): float(r == 2) for r in RATINGS}}
        rating, expected = self.model.decide_rating(p, feats)
        return {"rating": rating, "expected": round(expected, 3),
                "probabilities": {str(r): round(float(p[k]), 4) for k, r in enumerate(RATINGS)}}

    def _rating(self, analysed: Analysed, probs: np.ndarray, star: np.ndarray, thr: np.ndarray,
                question: str | None) -> dict:
        feats = self._rating_features(analysed, probs, star, thr, question)
        return self._rating_block(analysed, self.model.predict_rating(feats)[0], feats)
