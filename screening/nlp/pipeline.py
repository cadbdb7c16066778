"""Text → sentences with offsets → per-sentence analysis, on blank spaCy pipelines.

One ``Pipeline`` per process holds ``spacy.blank("ru")`` and ``spacy.blank("en")`` (their
tokenizers) and the word analyser; nothing is built at import.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from .features import SentenceInfo, analyse_tokens, resolve_context
from .morph import WordAnalyzer, get_analyzer
from .text import check_lang, mask_markup, split_tokens, token_table

MAX_CHARS = 20_000       # characters of one answer that are analysed; the rest is reported as truncated
MAX_SENTENCES = 300      # sentences of one answer that are analysed


@dataclass(slots=True)
class Segment:
    start: int
    end: int
    info: SentenceInfo
    mode: str = "general"
    person: str = "none"


@dataclass(slots=True)
class Analysed:
    lang: str
    segments: list[Segment]
    truncated: bool
    n_words: int


class Pipeline:
    def __init__(self, analyzer: WordAnalyzer | None = None) -> None:
        self.analyzer = analyzer or get_analyzer()
        self._nlp: dict = {}
        self._lock = threading.Lock()

    def nlp(self, lang: str):
        nlp = self._nlp.get(lang)
        if nlp is None:
            with self._lock:
                nlp = self._nlp.get(lang)
                if nlp is None:
                    import spacy
                    nlp = spacy.blank(lang)
                    self._nlp[lang] = nlp
        return nlp

    def warm(self) -> None:
        for lang in ("ru", "en"):
            self.nlp(lang)
        self.analyzer.warm()

    def analyse_text(self, text: str, lang: str | None = None, *, max_chars: int = MAX_CHARS,
                     max_sentences: int = MAX_SENTENCES) -> Analysed:
        """Split a whole answer into sentences and analyse each (mode/person resolved in context)."""
        if not isinstance(text, str):
            from .errors import TaggerInputError
            raise TaggerInputError("text must be a string")
        lang = check_lang(lang, text[:max_chars])
        truncated = len(text) > max_chars
        work = mask_markup(text[:max_chars])
        if not work.strip():
            return Analysed(lang, [], truncated, 0)
        doc = self.nlp(lang).tokenizer(work)
        words, spaces, starts = token_table(doc, work)
        spans = split_tokens(words, spaces)
        if len(spans) > max_sentences:
            spans = spans[:max_sentences]
            truncated = True
        segments = []
        for s, e in spans:
            info = analyse_tokens(words[s:e], self.analyzer)
            segments.append(Segment(starts[s], starts[e - 1] + len(words[e - 1]), info))
        modes, persons = resolve_context([seg.info for seg in segments])
        for seg, m, p in zip(segments, modes, persons):
            seg.mode, seg.person = m, p
        return Analysed(lang, segments, truncated, sum(seg.info.n_words for seg in segments))

    def analyse_sentence(self, text: str, lang: str | None = None, *, max_chars: int = MAX_CHARS) -> tuple[str, SentenceInfo]:
        """Analyse a text as one sentence (no splitting, no context)."""
        lang = check_lang(lang, text[:max_chars])
        work = mask_markup(text[:max_chars])
        doc = self.nlp(lang).tokenizer(work)
        return lang, analyse_tokens(token_table(doc, work)[0], self.analyzer)


_PIPELINE: Pipeline | None = None
_PIPELINE_LOCK = threading.Lock()


def get_pipeline() -> Pipeline:
    global _PIPELINE
    if _PIPELINE is None:
        with _PIPELINE_LOCK:
            if _PIPELINE is None:
                _PIPELINE = Pipeline()
    return _PIPELINE
