"""The labelled corpus: valid lines, and (once complete) the floors of issue 4."""
from __future__ import annotations

import re

import pytest

from screening.nlp.corpus import counts, load_answers
from screening.nlp.labels import INDICATORS
from tests.nlp_fixtures import CORPUS_DIR

FILE_NAME = re.compile(r"^(ru|en)_(verbatim|notes)(_\d+)?\.jsonl$")


def test_corpus_files_are_valid():
    present = sorted(p.name for p in CORPUS_DIR.glob("*.jsonl"))
    assert all(FILE_NAME.match(name) for name in present), present
    assert {FILE_NAME.match(name).group(1, 2) for name in present} == {
        (lang, form) for lang in ("ru", "en") for form in ("verbatim", "notes")}
    answers = load_answers([CORPUS_DIR])  # raises CorpusError listing every bad line
    for a in answers:
        assert a.form in ("verbatim", "notes"), a.id
        assert a.source.startswith(a.lang + "_" + a.form), a.id


@pytest.mark.corpus_complete
def test_corpus_meets_issue_floors():
    c = counts(load_answers([CORPUS_DIR]))
    for lang in ("ru", "en"):
        assert c[lang]["sentences"] >= 1500, (lang, c[lang]["sentences"])
        low = {i: n for i, n in c[lang]["indicators"].items() if n < 60}
        assert not low, (lang, low)
        assert set(c[lang]["forms"]) == {"verbatim", "notes"}
        assert all(c[lang]["ratings"][str(r)] > 0 for r in range(1, 6))
    assert list(c["ru"]["indicators"]) == list(INDICATORS)
