"""Importing the package has no side effects: no model, spaCy or pymorphy3 loading at import."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_import_has_no_side_effects():
    code = (
        "import sys\n"
        "import screening.nlp, screening.nlp.tagger, screening.nlp.runtime, screening.nlp.commands, "
        "screening.nlp.train, screening.nlp.evaluate, screening.nlp.bench, screening.nlp.store\n"
        "from screening.nlp import morph, pipeline, lexicon\n"
        "assert morph._ANALYZER is None and pipeline._PIPELINE is None and lexicon._COMPILED is None\n"
        "heavy = [m for m in ('spacy', 'pymorphy3', 'skops', 'sklearn') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], check=False, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_public_names():
    from screening.nlp import errors, labels

    assert labels.INDICATORS[:3] == ("needs", "fit", "extra_mile") and len(labels.INDICATORS) == 12
    assert labels.POSITIVE + labels.NEGATIVE == labels.INDICATORS and len(labels.NEGATIVE) == 4
    assert labels.STAR_PARTS == ("situation", "task", "action", "result")
    assert issubclass(errors.TaggerInputError, errors.TaggerError)
    assert issubclass(errors.ModelUnavailable, errors.TaggerError)
