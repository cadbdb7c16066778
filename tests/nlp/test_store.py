"""Artifacts: skops only, metadata checked on load, ACTIVE pointer."""
from __future__ import annotations

import json
import pickle
import shutil
import zipfile

import pytest

from screening.nlp import store
from screening.nlp.errors import ModelUnavailable
from screening.nlp.tagger import Tagger


@pytest.fixture
def models_copy(small_models_dir, tmp_path):
    dst = tmp_path / "models"
    shutil.copytree(small_models_dir, dst)
    return dst


def version_dir(models_dir):
    return models_dir / store.active_version(models_dir)


def test_artifact_layout(small_models_dir):
    version = store.active_version(small_models_dir)
    vdir = small_models_dir / version
    assert sorted(p.name for p in vdir.iterdir()) == ["metadata.json", "model.skops"]
    assert zipfile.is_zipfile(vdir / "model.skops")  # the skops format, not a pickle stream
    meta = json.loads((vdir / "metadata.json").read_text())
    for key in ("version", "created_at", "model_sha256", "libraries", "data", "metrics", "settings",
                "train_seconds"):
        assert key in meta
    assert meta["version"] == version
    assert meta["model_sha256"] == store.sha256_file(vdir / "model.skops")
    assert len(meta["data"]["sha256"]) == 64
    assert meta["data"]["counts"]["ru"]["sentences"] > 0
    assert {"scikit-learn", "spacy", "skops", "pymorphy3"} <= set(meta["libraries"])
    assert meta["metrics"]["cv"]["indicators"]["macro_f1"] >= 0
    assert not list(small_models_dir.rglob("*.pkl")) and not list(small_models_dir.rglob("*.joblib"))


def test_load_never_unpickles(small_models_dir, monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("pickle used")

    monkeypatch.setattr(pickle, "load", boom)
    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "Unpickler", boom)
    tagger = Tagger.load(small_models_dir)
    assert tagger.tag("I asked what she needed.", "en")["sentences"]


def test_no_active_model(tmp_path):
    with pytest.raises(ModelUnavailable, match="no active model"):
        Tagger.load(tmp_path)
    with pytest.raises(ModelUnavailable, match="not found"):
        Tagger.load(tmp_path, "20200101T000000Z-deadbeef")
    with pytest.raises(ModelUnavailable, match="invalid model version"):
        Tagger.load(tmp_path, "../etc")


def test_tampered_model_file(models_copy):
    path = version_dir(models_copy) / "model.skops"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelUnavailable, match="sha256"):
        Tagger.load(models_copy)


def test_library_version_mismatch(models_copy):
    meta_path = version_dir(models_copy) / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["libraries"]["scikit-learn"] = "0.0.1"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelUnavailable, match="scikit-learn"):
        Tagger.load(models_copy)


@pytest.mark.parametrize("change", [
    lambda m: m.update(version="other"),
    lambda m: m.update(format=99),
    lambda m: m["libraries"].update(spacy="1.0.0"),
    lambda m: m.update(model_sha256="0" * 64),
])
def test_metadata_mismatch(models_copy, change):
    meta_path = version_dir(models_copy) / "metadata.json"
    meta = json.loads(meta_path.read_text())
    change(meta)
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelUnavailable):
        Tagger.load(models_copy)


def test_broken_metadata(models_copy):
    (version_dir(models_copy) / "metadata.json").write_text("{not json")
    with pytest.raises(ModelUnavailable, match="metadata.json"):
        Tagger.load(models_copy)


def test_untrusted_type_is_refused(models_copy):
    """A skops file holding a type outside the trusted list is refused even with a matching hash."""
    import skops.io as sio
    from sklearn.tree import DecisionTreeClassifier

    vdir = version_dir(models_copy)
    sio.dump({"format": 1, "evil": DecisionTreeClassifier()}, vdir / "model.skops")
    meta = json.loads((vdir / "metadata.json").read_text())
    meta["model_sha256"] = store.sha256_file(vdir / "model.skops")
    (vdir / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ModelUnavailable, match="could not be loaded"):
        Tagger.load(models_copy)


def test_set_active_and_versions(models_copy):
    version = store.active_version(models_copy)
    assert store.list_versions(models_copy) == [version]
    with pytest.raises(ModelUnavailable):
        store.set_active(models_copy, "nope")
    (models_copy / "ACTIVE").unlink()
    assert store.active_version(models_copy) is None
    store.set_active(models_copy, version)
    assert Tagger.load(models_copy).version == version
