"""Loading and validating labelled answers (the contract's evaluation format).

One answer per JSON line: ``id``, ``lang``, ``question``, ``sentences`` (each with ``text``,
``indicators`` and ``star``) and the expert ``rating``; extra keys (``form``, ``setting``,
``question_type``) are kept when present.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CorpusError
from .labels import INDICATORS, LANGS, RATINGS, STAR_PARTS


@dataclass(frozen=True)
class Sentence:
    text: str
    indicators: tuple[str, ...] = ()
    star: str | None = None


@dataclass(frozen=True)
class Answer:
    id: str
    lang: str
    sentences: tuple[Sentence, ...]
    rating: int | None = None
    question: str | None = None
    form: str | None = None
    setting: str | None = None
    question_type: str | None = None
    source: str | None = field(default=None, compare=False)

    @property
    def text(self) -> str:
        """The answer's text: its sentences joined by single spaces (contract)."""
        return " ".join(s.text for s in self.sentences)


def check_answer(obj: object, *, require_rating: bool = True) -> list[str]:
    """Return the problems of one decoded JSON line (empty when it is valid)."""
    if not isinstance(obj, dict):
        return ["not a JSON object"]
    problems = []
    for key in ("id", "lang", "sentences") + (("rating",) if require_rating else ()):
        if key not in obj:
            problems.append(f"missing key {key!r}")
    if obj.get("lang") not in LANGS:
        problems.append(f"lang must be ru or en, got {obj.get('lang')!r}")
    rating = obj.get("rating")
    if (require_rating or rating is not None) and (rating not in RATINGS or isinstance(rating, bool)):
        problems.append(f"rating must be 1..5, got {rating!r}")
    sentences = obj.get("sentences")
    if not isinstance(sentences, list) or not sentences:
        problems.append("no sentences")
        sentences = []
    for i, s in enumerate(sentences):
        if not isinstance(s, dict):
            problems.append(f"sentence {i}: not an object")
            continue
        if not isinstance(s.get("text"), str) or not s["text"].strip():
            problems.append(f"sentence {i}: empty text")
        indicators = s.get("indicators", [])
        if not isinstance(indicators, list):
            problems.append(f"sentence {i}: indicators must be a list")
        else:
            unknown = set(map(str, indicators)) - set(INDICATORS)
            if unknown:
                problems.append(f"sentence {i}: unknown indicators {sorted(unknown)}")
        if s.get("star") not in STAR_PARTS and s.get("star") is not None:
            problems.append(f"sentence {i}: bad star {s.get('star')!r}")
    return problems


def answer_from_dict(obj: dict, *, source: str | None = None) -> Answer:
    """Build an Answer from an already checked dict."""
    sentences = tuple(
        Sentence(text=s["text"], indicators=tuple(i for i in INDICATORS if i in set(s.get("indicators") or ())),
                 star=s.get("star"))
        for s in obj["sentences"]
    )
    return Answer(id=str(obj["id"]), lang=obj["lang"], sentences=sentences, rating=obj.get("rating"),
                  question=obj.get("question"), form=obj.get("form"), setting=obj.get("setting"),
                  question_type=obj.get("question_type"), source=source)


def answers_from_dicts(objs: Iterable[dict], *, require_rating: bool = True, source: str = "extra") -> list[Answer]:
    """Validate and convert answers given as dicts (e.g. reviewer feedback); raises CorpusError."""
    answers, errors = [], []
    for n, obj in enumerate(objs, 1):
        problems = check_answer(obj, require_rating=require_rating)
        if problems:
            errors.extend(f"{source}[{n}]: {p}" for p in problems)
        else:
            answers.append(answer_from_dict(obj, source=source))
    if errors:
        raise CorpusError("; ".join(errors[:20]))
    return answers


def corpus_files(paths: Iterable[Path | str]) -> list[Path]:
    """Expand directories to their ``*.jsonl`` files (sorted); keep files as given."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(p.glob("*.jsonl")))
        elif p.is_file():
            files.append(p)
        else:
            raise CorpusError(f"{p}: no such file or directory")
    if not files:
        raise CorpusError("no *.jsonl files in " + ", ".join(map(str, paths)))
    return files


def read_jsonl(path: Path) -> tuple[list[tuple[int, dict]], list[str]]:
    rows, errors = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append((n, json.loads(line)))
        except json.JSONDecodeError as exc:
            errors.append(f"{path}:{n}: invalid JSON: {exc}")
    return rows, errors


def load_answers(paths: Iterable[Path | str], *, require_rating: bool = True) -> list[Answer]:
    """Load and validate answers from files or directories; raises CorpusError listing the problems."""
    answers: list[Answer] = []
    errors: list[str] = []
    seen: set[str] = set()
    for f in corpus_files(paths):
        rows, errs = read_jsonl(f)
        errors.extend(errs)
        for n, obj in rows:
            problems = check_answer(obj, require_rating=require_rating)
            errors.extend(f"{f}:{n}: {p}" for p in problems)
            if problems:
                continue
            if str(obj["id"]) in seen:
                errors.append(f"{f}:{n}: duplicate id {obj['id']!r}")
                continue
            seen.add(str(obj["id"]))
            answers.append(answer_from_dict(obj, source=f.name))
    if errors:
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        raise CorpusError("; ".join(errors[:20]) + more)
    return answers


def files_sha256(files: Sequence[Path], extra: Sequence[Answer] = ()) -> str:
    """One hash over the training files' names and bytes, plus any extra answers."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda p: p.name):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    for a in extra:
        h.update(repr(a).encode() + b"\0")
    return h.hexdigest()


def counts(answers: Sequence[Answer]) -> dict:
    """Answers, sentences, indicator and STAR counts per language."""
    out: dict = {}
    for lang in LANGS:
        group = [a for a in answers if a.lang == lang]
        sents = [s for a in group for s in a.sentences]
        ind = Counter(i for s in sents for i in s.indicators)
        out[lang] = {
            "answers": len(group),
            "sentences": len(sents),
            "indicators": {i: ind.get(i, 0) for i in INDICATORS},
            "star": {p: sum(1 for s in sents if s.star == p) for p in STAR_PARTS}
                    | {"none": sum(1 for s in sents if s.star is None)},
            "ratings": {str(r): sum(1 for a in group if a.rating == r) for r in RATINGS},
            "forms": dict(sorted(Counter(a.form or "unknown" for a in group).items())),
        }
    return out


def in_heldout(answer_id: str, fraction: float = 0.2) -> bool:
    """Deterministic held-out membership by a hash of the answer id (stable as the corpus grows)."""
    h = int.from_bytes(hashlib.sha256(answer_id.encode()).digest()[:8], "big")
    return (h % 10_000) < fraction * 10_000


def heldout_split(answers: Sequence[Answer], fraction: float = 0.2) -> tuple[list[Answer], list[Answer]]:
    train = [a for a in answers if not in_heldout(a.id, fraction)]
    test = [a for a in answers if in_heldout(a.id, fraction)]
    return train, test
