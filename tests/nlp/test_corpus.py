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


def _corpus_stats(*args: str):
    import subprocess
    import sys
    from pathlib import Path

    tool = Path(__file__).resolve().parents[2] / "data" / "tools" / "corpus_stats.py"
    return subprocess.run([sys.executable, str(tool), *args], capture_output=True, text=True, timeout=60)


def test_corpus_stats_tool_reports_bad_lines_and_bad_arguments(tmp_path):
    good = tmp_path / "en_notes.jsonl"
    good.write_text('{"id": "a", "lang": "en", "rating": 3, "sentences": '
                    '[{"text": "asked why", "indicators": ["needs"], "star": "action"}]}\n', encoding="utf-8")
    ok = _corpus_stats(str(good))
    assert ok.returncode == 0 and '"needs": 1' in ok.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "b", "lang": "xx", "rating": 9, "sentences": []}\nnot json\n', encoding="utf-8")
    failed = _corpus_stats(str(bad))
    assert failed.returncode == 1
    assert "bad.jsonl:1: lang must be ru or en" in failed.stdout and "bad.jsonl:2: invalid JSON" in failed.stdout
    missing = _corpus_stats(str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr
    assert "Traceback" not in missing.stderr + failed.stderr
    assert _corpus_stats("--help").returncode == 0
