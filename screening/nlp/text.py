"""Language detection, HTML masking and sentence splitting with character offsets.

Splitting runs on the tokens of a blank spaCy pipeline (``spacy.blank("ru")`` /
``spacy.blank("en")``) and adds rules for interview notes: newlines and bullets end a
sentence, abbreviations common in notes ("канд.", "кл.", "cand.", "cust.") do not, and a
very long run without punctuation is cut at a dash, arrow or semicolon.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from .errors import TaggerInputError
from .labels import LANGS

_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_LATIN = re.compile(r"[a-zA-Z]")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)?[^<>]{0,500}>")
_ENTITY = re.compile(r"&(#\d{1,6}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_BLOCK_TAGS = {"br", "p", "div", "li", "ul", "ol", "tr", "td", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "pre", "table", "section", "article", "hr"}

# Abbreviations after which "." does not end a sentence (lowercase, without the dot).
ABBREVIATIONS = frozenset(["канд", "кл", "клиент", "кл-т", "сотр", "рук", "нач", "зам", "руков", "дир", "фин", "тех", "мес", "мин", "сек", "г", "гг", "р", "руб", "тыс", "т.р", "т.е", "т.к", "т.п", "т.д", "т.н", "др", "пр", "см", "доп", "ед", "напр", "прим", "ок", "ул", "д", "кв", "тел", "вх", "исх", "отд", "бухг", "менедж", "орг", "инф", "кол-во", "им", "св", "спец", "cand", "cust", "mgr", "mngr", "dept", "govt", "approx", "appt", "e.g", "i.e", "etc", "vs", "w/", "w/o", "wk", "yr", "yrs", "hr", "hrs", "min", "mins", "no", "nr", "tel", "mr", "mrs", "ms", "dr", "st", "jr", "sr", "inc", "ltd", "co", "corp", "dept", "est", "fig", "gen", "lt", "col", "sgt", "prof", "rep", "reps", "acct", "accts", "info", "qty"])
# Titles: "." after them does not end a sentence even before a capital letter.
TITLES = frozenset(["mr", "mrs", "ms", "dr", "prof", "st", "г", "гр"])
BULLETS = frozenset({"-", "–", "—", "•", "*", "·", "●", "▪", "‣", "→", ">", "+"})
_TERMINAL_CHARS = set(".!?…")
_CLOSERS = frozenset({'"', "»", "”", "’", "'", ")", "]", "}"})
_LONG_RUN_CUTS = frozenset({"—", "–", "-", "→", ";", "=>", "->"})
MAX_SENTENCE_TOKENS = 60   # a run longer than this is cut at a dash/arrow/semicolon
HARD_SENTENCE_TOKENS = 100  # ... or hard-cut here when it has none


def detect_lang(text: str) -> str:
    """'ru' when Cyrillic letters make up at least 30% of the letters, else 'en' (also for no letters)."""
    cyr = len(_CYRILLIC.findall(text))
    lat = len(_LATIN.findall(text))
    return "ru" if cyr and cyr >= 0.3 * (cyr + lat) else "en"


def check_lang(lang: str | None, text: str) -> str:
    if lang is None or lang == "":
        return detect_lang(text)
    if not isinstance(lang, str) or lang.lower() not in LANGS:
        raise TaggerInputError("lang must be 'ru' or 'en'")
    return lang.lower()


def mask_markup(text: str) -> str:
    """Blank HTML tags and entities with spaces of the same length (offsets stay valid).

    A block-level tag (``<br>``, ``<p>``, ``<li>`` …) becomes a newline so it ends a sentence.
    """
    if "<" not in text and "&" not in text:
        return text

    def tag(m: re.Match) -> str:
        name = (m.group(2) or "").lower()
        n = len(m.group(0))
        return ("\n" + " " * (n - 1)) if name in _BLOCK_TAGS else " " * n

    out = _TAG.sub(tag, text)
    return _ENTITY.sub(lambda m: " " * len(m.group(0)), out)


def _is_terminal(t: str) -> bool:
    return bool(t) and t[-1] in _TERMINAL_CHARS and all(c in _TERMINAL_CHARS for c in t)


def _starts_upper(t: str) -> bool:
    c = t[:1]
    return c.isupper() or c.isdigit()


def split_sentences(doc) -> list[tuple[int, int]]:
    """Split a spaCy Doc into sentences; return (start_token, end_token) pairs (end exclusive).

    Whitespace tokens and leading bullets are left out of every sentence.
    """
    return split_tokens([t.text for t in doc], [t.is_space for t in doc])


def split_tokens(words: Sequence[str], spaces: Sequence[bool]) -> list[tuple[int, int]]:
    """``split_sentences`` on token texts and their is-whitespace flags."""
    out: list[tuple[int, int]] = []
    for s, e in _split_raw(words, spaces):
        out.extend(_cut_long(words, s, e))
    return out


def _split_raw(words: Sequence[str], spaces: Sequence[bool]) -> list[tuple[int, int]]:
    n = len(words)
    spans: list[tuple[int, int]] = []
    start: int | None = None

    def close(end: int) -> None:
        nonlocal start
        if start is not None:
            e = end
            while e > start and spaces[e - 1]:
                e -= 1
            if e > start:
                spans.append((start, e))
        start = None

    i = 0
    while i < n:
        w = words[i]
        if spaces[i]:
            if "\n" in w or "\r" in w or "\u2028" in w:
                close(i)
            i += 1
            continue
        if start is None:
            if w in BULLETS or (len(w) <= 3 and w[:-1].isdigit() and w[-1] in ").") or w in _CLOSERS - {'"', "'"}:
                i += 1  # a bullet or "1)" / "2." starting a line
                continue
            start = i
        if _is_terminal(w) or _ends_with_terminal(w):
            j = i + 1  # absorb closers and further terminals: ?!" ) …
            while j < n and not spaces[j] and (words[j] in _CLOSERS or _is_terminal(words[j])):
                j += 1
            nxt = j
            while nxt < n and spaces[nxt] and "\n" not in words[nxt]:
                nxt += 1
            if nxt >= n or (not spaces[nxt] and _boundary(words, i, nxt, start)):
                close(j)
            i = j
            continue
        i += 1
    close(n)
    return spans


def _ends_with_terminal(w: str) -> bool:
    """A word token with a glued final '.', '!' or '?' that is not an abbreviation ("т.е.", "e.g.")."""
    if w[-1:] not in _TERMINAL_CHARS:
        return False
    return (len(w) > 1 and w[-1] in "!?…" or (w.endswith(".") and "." not in w[:-1]
            and w[:-1].lower() not in ABBREVIATIONS and len(w) > 4))


def _cut_long(words: Sequence[str], s: int, e: int) -> list[tuple[int, int]]:
    """Cut a run longer than MAX_SENTENCE_TOKENS at dashes, arrows and semicolons."""
    if e - s <= MAX_SENTENCE_TOKENS:
        return [(s, e)]
    pieces, cur = [], s
    for k in range(s + 1, e - 1):
        if words[k] in _LONG_RUN_CUTS and k - cur >= 6 and e - k > 4:
            end = k + 1 if words[k] == ";" else k
            pieces.append((cur, end))
            cur = k + 1
    pieces.append((cur, e))
    out = []
    for a, b in pieces:
        while b - a > HARD_SENTENCE_TOKENS:
            out.append((a, a + HARD_SENTENCE_TOKENS))
            a += HARD_SENTENCE_TOKENS
        out.append((a, b))
    return out


def _boundary(words: Sequence[str], i: int, nxt: int, start: int) -> bool:
    """Does the terminal token at i end a sentence, given the next word at nxt?"""
    term = words[i]
    nw = words[nxt]
    if "!" in term or "?" in term or "…" in term or term == "...":
        return True
    prev = words[i - 1].lower() if i - 1 >= start and term == "." else term.lower().rstrip(".")
    if prev in TITLES:
        return False
    if prev in ABBREVIATIONS or (len(prev) == 1 and prev.isalpha()):
        return _starts_upper(nw) and nw.lower() not in ABBREVIATIONS and i - start > 2
    if _starts_upper(nw) or nw in _CLOSERS or nw in {"«", "“", "„"}:
        return True
    # "." followed by a lowercase word: notes; end the sentence after a full word
    return len(prev) >= 4 and prev.isalpha() and i - start >= 3


def token_table(doc, text: str) -> tuple[list[str], list[bool], list[int]]:
    """Token texts, is-whitespace flags and start offsets of a Doc, in one pass over C arrays."""
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    rows = doc.to_array([IDX, LENGTH, IS_SPACE]).tolist() if len(doc) else []
    return [text[i:i + n] for i, n, _ in rows], [bool(sp) for _, _, sp in rows], [i for i, _, _ in rows]


def sentence_offsets(doc, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character offsets (start, end) of token spans."""
    out = []
    for s, e in spans:
        first, last = doc[s], doc[e - 1]
        out.append((first.idx, last.idx + len(last.text)))
    return out
