"""Fixtures of the evidence tagger (a pytest plugin: ``pytest_plugins = ["tests.nlp_fixtures"]``).

``small_models_dir`` trains a small model (``small=True``) once per session on a
deterministic subset of the corpus, in a temporary directory, and returns that models dir
(the app tests point ``MODELS_DIR`` at it).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO / "data" / "corpus"
ANSWERS_PER_FILE = 15


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "corpus_complete: checks the final corpus floors of issue 4 (fails while the corpus is "
                   "still being written)")


def small_corpus_lines(per_file: int = ANSWERS_PER_FILE) -> list[str]:
    """The first ``per_file`` valid answers (by id) of every corpus file, as JSON lines."""
    from screening.nlp.corpus import check_answer

    lines = []
    for f in sorted(CORPUS_DIR.glob("*.jsonl")):
        valid = []
        for line in f.read_text(encoding="utf-8").splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                continue  # a line being written right now
            if isinstance(obj, dict) and not check_answer(obj):
                valid.append(obj)
        valid.sort(key=lambda o: str(o["id"]))
        lines.extend(json.dumps(o, ensure_ascii=False) for o in valid[:per_file])
    return lines


@pytest.fixture(scope="session")
def small_corpus_file(tmp_path_factory) -> Path:
    lines = small_corpus_lines()
    if not lines:
        pytest.skip("no corpus in data/corpus")
    path = tmp_path_factory.mktemp("nlp-corpus") / "small.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_models_dir(tmp_path_factory, small_corpus_file) -> Path:
    """A models dir with one small trained, active model."""
    from screening.nlp.train import train_model

    out = tmp_path_factory.mktemp("nlp-models")
    train_model([small_corpus_file], out, small=True)
    return out


@pytest.fixture(scope="session")
def small_tagger(small_models_dir):
    from screening.nlp.tagger import Tagger

    return Tagger.load(small_models_dir)
