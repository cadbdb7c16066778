"""get_tagger: one load per process and app, thread-safe; reset after training."""
from __future__ import annotations

import threading

import pytest
from flask import Flask

from screening.nlp.errors import ModelUnavailable
from screening.nlp.runtime import EXTENSION_KEY, get_tagger, reset_tagger
from screening.nlp.tagger import Tagger


def make_app(models_dir):
    app = Flask(__name__)
    app.config["MODELS_DIR"] = str(models_dir)
    return app


def test_loads_once_and_caches(small_models_dir, monkeypatch):
    app = make_app(small_models_dir)
    calls = []
    real = Tagger.load.__func__

    def counting(cls, models_dir, version=None):
        calls.append(models_dir)
        return real(cls, models_dir, version)

    monkeypatch.setattr(Tagger, "load", classmethod(counting))
    results = []
    threads = [threading.Thread(target=lambda: results.append(get_tagger(app))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert all(r is results[0] for r in results)
    assert app.extensions[EXTENSION_KEY] is results[0]
    reset_tagger(app)
    assert EXTENSION_KEY not in app.extensions
    assert get_tagger(app) is not results[0]
    assert len(calls) == 2


def test_no_model(tmp_path):
    app = make_app(tmp_path)
    with pytest.raises(ModelUnavailable):
        get_tagger(app)
    app.config["MODELS_DIR"] = None
    with pytest.raises(ModelUnavailable, match="MODELS_DIR"):
        get_tagger(app)
