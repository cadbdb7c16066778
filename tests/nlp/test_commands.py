"""The click commands on a bare Flask app (``init_app``)."""
from __future__ import annotations

import json

import pytest
from flask import Flask

from screening.nlp import store
from screening.nlp.bench import format_table
from screening.nlp.commands import init_app


def make_app(models_dir, corpus_dir=None):
    app = Flask(__name__)
    app.config["MODELS_DIR"] = str(models_dir)
    if corpus_dir:
        app.config["CORPUS_DIR"] = str(corpus_dir)
    init_app(app)
    return app


def test_commands_registered(small_models_dir):
    app = make_app(small_models_dir)
    assert {"train", "evaluate", "tag", "bench"} <= set(app.cli.commands)


def test_tag_command(small_models_dir):
    runner = make_app(small_models_dir).test_cli_runner()
    result = runner.invoke(args=["tag", "--lang", "ru", "Я спросила клиентку, что ей нужно. Потом перезвонила."])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["lang"] == "ru" and len(out["sentences"]) == 2
    result = runner.invoke(args=["tag", "--lang", "de", "Hallo"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_evaluate_command(small_models_dir, small_corpus_file):
    runner = make_app(small_models_dir).test_cli_runner()
    result = runner.invoke(args=["evaluate", str(small_corpus_file), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {"n_answers", "n_sentences", "indicators", "star", "rating"} <= set(out)
    result = runner.invoke(args=["evaluate", str(small_corpus_file)])
    assert result.exit_code == 0 and "macro-F1" in result.output


@pytest.fixture
def no_feedback(monkeypatch):
    """The bare app has no database: no reviewer feedback."""
    from screening.nlp import commands

    monkeypatch.setattr(commands, "_feedback_answers", list)


def test_errors_are_clean(tmp_path, small_corpus_file, no_feedback):
    runner = make_app(tmp_path / "empty").test_cli_runner()
    for args in (["tag", "--lang", "en", "hi"], ["evaluate", str(small_corpus_file)], ["bench", "--quick"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert "no active model" in result.output and "Traceback" not in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n")
    result = make_app(tmp_path / "empty").test_cli_runner().invoke(args=["train", "--data", str(bad)])
    assert result.exit_code == 1 and "invalid JSON" in result.output


def test_train_command(small_corpus_file, tmp_path, monkeypatch):
    import screening.nlp.train as train_mod
    from screening.nlp import commands

    feedback = [{"id": "feedback-1", "lang": "en", "form": "feedback", "rating": None, "sentences": [
        {"text": "I rang her back the next day to check.", "indicators": ["ownership"], "star": "action"}]}]
    monkeypatch.setattr(commands, "_feedback_answers", lambda: feedback)

    real = train_mod.train_model
    monkeypatch.setattr(train_mod, "train_model", lambda *a, **kw: real(*a, **{**kw, "small": True}))
    out = tmp_path / "models"
    app = make_app(out, corpus_dir=small_corpus_file)
    result = app.test_cli_runner().invoke(args=["train"])
    assert result.exit_code == 0, result.output
    version = store.active_version(out)
    assert version and version in result.output
    assert "indicators micro-F1" in result.output and "1 feedback answers" in result.output
    meta = json.loads((out / version / "metadata.json").read_text())
    assert meta["data"]["feedback_answers"] == 1


def test_bench_table_format():
    lat = {"ru": {"p50": 1.0, "p95": 2.0}, "en": {"p50": 1.5, "p95": 2.5}}
    result = {
        "targets": {"load_s": 1.5, "train_s": 120, "peak_rss_mb": 400},
        "checks": {"p50_ms": True},
        "corpus": {"train_answers": 10, "heldout_answers": 2},
        "machine": {"cpus": 2},
        "model": {"latency_ms": lat, "tag_latency_ms": lat, "batch_answers_per_s": 900.0,
                  "heldout": {"macro_f1": 0.5, "micro_f1": 0.6, "star_macro_f1": 0.7, "rating_spearman": 0.8,
                              "rating_qwk": 0.8, "rating_mae": 0.4},
                  "load_s": 0.4, "cold_start_s": 2.0, "train_s": 50, "serve_peak_rss_mb": 300,
                  "train_peak_rss_mb": 350},
        "floor": {"latency_ms": lat, "batch_answers_per_s": 5000.0},
        "baselines": {"keywords": {"latency_ms": lat, "heldout": {"macro_f1": 0.3}}},
    }
    table = format_table(result)
    assert "floor: spaCy tokenizer alone" in table and "baseline: keywords" in table
    assert "0.500" in table and "0.300" in table


@pytest.mark.slow
def test_bench_quick(small_models_dir, small_corpus_file, tmp_path):
    """The whole benchmark in quick mode on the small corpus and model (a few seconds)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "small.jsonl").write_text(small_corpus_file.read_text())
    runner = make_app(small_models_dir, corpus_dir=corpus).test_cli_runner()
    result = runner.invoke(args=["bench", "--quick", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {"model", "floor", "baselines", "checks", "targets"} <= set(out)
    assert out["model"]["latency_ms"]["ru"]["p50"] > 0
    assert out["baselines"]["keywords"]["heldout"]["macro_f1"] >= 0
