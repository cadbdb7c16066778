"""Training: determinism, reviewer feedback, corpus errors."""
from __future__ import annotations

import json

import pytest

from screening.nlp import store
from screening.nlp.errors import CorpusError
from screening.nlp.tagger import Tagger
from screening.nlp.train import train_model

PROBES = [
    ("Я спросила клиентку, что именно ей нужно, и предложила вариант дешевле.", "ru"),
    ("канд. не стал перезванивать: \"это не моя зона\"", "ru"),
    ("I called the customer back the next day to check that the fix worked.", "en"),
    ("cand. said the client is always right, gave a refund against the rules", "en"),
]


def predictions(models_dir):
    tagger = Tagger.load(models_dir)
    return [tagger.analyse(text, None, lang) for text, lang in PROBES]


def strip_version(outs):
    return [{k: v for k, v in o.items() if k != "model_version"} for o in outs]


def test_training_is_deterministic(small_corpus_file, small_models_dir, tmp_path):
    again = tmp_path / "again"
    vdir = train_model([small_corpus_file], again, small=True)
    assert vdir.parent == again and store.active_version(again) == vdir.name
    assert strip_version(predictions(again)) == strip_version(predictions(small_models_dir))
    m1 = json.loads((vdir / "metadata.json").read_text())
    m0 = json.loads((small_models_dir / store.active_version(small_models_dir) / "metadata.json").read_text())
    assert m1["data"]["sha256"] == m0["data"]["sha256"]
    assert m1["metrics"] == m0["metrics"]


def test_feedback_answers_and_no_activate(small_corpus_file, tmp_path):
    out = tmp_path / "fb"
    extra = [{"id": "fb-1", "lang": "ru", "question": None, "rating": None,
              "sentences": [{"text": "Я сама перезвонила клиенту через день.", "indicators": ["ownership"],
                             "star": "action"}]}]
    vdir = train_model([small_corpus_file], out, extra_answers=extra, activate=False, small=True)
    assert store.active_version(out) is None
    meta = json.loads((vdir / "metadata.json").read_text())
    assert meta["data"]["feedback_answers"] == 1
    assert meta["metrics"]["heldout"] is None or "indicators" in meta["metrics"]["heldout"]
    assert Tagger.load(out, vdir.name).version == vdir.name


def test_bad_corpus(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "lang": "de", "sentences": [], "rating": 9}\nnot json\n')
    with pytest.raises(CorpusError) as err:
        train_model([bad], tmp_path / "m", small=True)
    assert "bad.jsonl:1" in str(err.value) and "bad.jsonl:2" in str(err.value)
    with pytest.raises(CorpusError, match="no such file"):
        train_model([tmp_path / "missing"], tmp_path / "m", small=True)
    with pytest.raises(CorpusError):
        train_model([tmp_path / "m"] if (tmp_path / "m").mkdir() is None else [], tmp_path / "m2", small=True)
    bad_fb = [{"id": "fb", "lang": "ru", "sentences": [{"text": "x", "indicators": ["nope"]}]}]
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "g", "lang": "ru", "rating": 3, "sentences": [
        {"text": "Я спросила, что нужно.", "indicators": ["needs"], "star": "action"}]}) + "\n")
    with pytest.raises(CorpusError, match="unknown indicators"):
        train_model([good], tmp_path / "m3", extra_answers=bad_fb, small=True)


def test_star_weights_are_fitted_and_optional(small_tagger):
    import numpy as np

    from screening.nlp.model import TaggerModel
    from screening.nlp.train import _star_weights

    art = small_tagger.model.artifact
    w = np.asarray(art["stage1"]["star_weights"])
    assert w.shape == (5,) and (w > 0).all()
    assert (np.asarray(art["stage2"]["star_weights"]) == 1.0).all()  # fitted for stage 1 only
    # the weights favour a rare class that the raw probabilities never pick
    oof = np.array([[0.1, 0.3, 0.6, 0.0, 0.0]] * 4 + [[0.1, 0.1, 0.8, 0.0, 0.0]] * 4)
    y = np.array([1] * 4 + [2] * 4)
    w = _star_weights(oof, y)
    assert ((oof * w).argmax(axis=1) == y).all()
    # an artifact without weights (older training code) still loads: weights of 1
    old = {**art, "stage1": {k: v for k, v in art["stage1"].items() if k != "star_weights"}}
    assert (TaggerModel(old).stages[0]["sw"] == 1.0).all()


def test_stage2_leaves_out_char_ngrams_and_near_zero_context(small_tagger):
    import numpy as np

    from screening.nlp.features import BLOCKS
    from screening.nlp.model import TaggerModel, context_features

    model: TaggerModel = small_tagger.model
    assert model.settings["stage2_blocks"] == ["w", "m", "x"]
    chars = model.vectorizer.block == BLOCKS.index("c")
    assert chars.any() and (~chars).any()
    # stage 1 uses every block; stage 2 has no weight on a char n-gram, but on the others
    assert np.abs(model.stages[0]["M"][: model.vectorizer.n_features][chars]).sum() > 0
    assert not model.M2_x[chars].any()
    assert np.abs(model.M2_x[~chars]).sum() > 0
    assert np.abs(model.M2_ctx).sum() > 0
    # the context of a real answer: no value strictly between 0 and the epsilon
    eps = model.settings["context_epsilon"]
    assert eps == model.context_epsilon > 0
    analysed = small_tagger._analyse_text(
        "Клиентка пришла с жалобой. Я спросила, что случилось. Потом перезвонила ей на следующий день.", "ru")
    infos = [seg.info for seg in analysed.segments]
    n = len(infos)
    rng = np.random.default_rng(0)
    p, st = rng.uniform(0, 0.05, (n, 12)), rng.uniform(0, 0.05, (n, 5))
    C = context_features(infos, p, st, epsilon=eps)
    assert n >= 3 and not ((C > 0) & (C < eps)).any() and (C >= eps).any()
    assert ((context_features(infos, p, st) > 0) & (C == 0)).any()  # epsilon 0 keeps them
    # an artifact trained before the setting existed keeps every value, as it was trained
    old = {**model.artifact, "settings": {k: v for k, v in model.settings.items() if k != "context_epsilon"}}
    assert TaggerModel(old).context_epsilon == 0.0
