"""Model artifacts: ``<models_dir>/<version>/{model.skops, metadata.json}`` and ``<models_dir>/ACTIVE``.

The model is saved with skops (never pickle or joblib) and loaded with an explicit list of
trusted types. Loading refuses an artifact whose metadata does not match: the skops file's
sha256, the artifact format, and the versions of scikit-learn, spaCy, skops and pymorphy3
recorded at training time.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

from .errors import ModelUnavailable

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
ACTIVE_FILE = "ACTIVE"
_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")

# The only non-default types the artifact may contain (checked by skops before loading).
TRUSTED_TYPES = [
    "sklearn.svm._classes.LinearSVC",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.preprocessing._data.StandardScaler",
]
# Everything else the artifact is made of: containers, scalars and numpy arrays.
_BASIC_TYPES = {("builtins", name) for name in ("dict", "list", "tuple", "str", "int", "float", "bool",
                                                 "NoneType")} | {("numpy", name) for name in (
                    "ndarray", "float64", "float32", "int64", "int32", "bool_", "dtype", "str_")}
# Libraries whose versions must match between training and loading.
CHECKED_LIBRARIES = ("scikit-learn", "spacy", "skops", "pymorphy3")


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("scikit-learn", "spacy", "skops", "pymorphy3", "pymorphy3-dicts-ru", "spacy-lookups-data",
                 "numpy", "scipy"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "missing"
    return out


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _new_version(models_dir: Path, data_sha: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = f"{stamp}-{data_sha[:8]}"
    version, n = base, 1
    while (models_dir / version).exists():
        n += 1
        version = f"{base}-{n}"
    return version


def save(artifact: dict, models_dir: Path, *, data: dict, metrics: dict, settings: dict,
         train_seconds: float, activate: bool = True) -> Path:
    """Write a new version directory; mark it active when asked; return the directory."""
    import skops.io as sio

    from .model import FORMAT

    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    version = _new_version(models_dir, data.get("sha256", "0" * 8))
    vdir = models_dir / version
    tmp = models_dir / f".{version}.tmp"
    tmp.mkdir(parents=True)
    model_path = tmp / MODEL_FILE
    sio.dump(artifact, model_path)
    metadata = {
        "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "format": FORMAT,
        "model_file": MODEL_FILE,
        "model_sha256": sha256_file(model_path),
        "libraries": library_versions(),
        "data": data,
        "metrics": metrics,
        "settings": settings,
        "train_seconds": train_seconds,
        "trusted_types": TRUSTED_TYPES,
    }
    (tmp / METADATA_FILE).write_text(json.dumps(metadata, ensure_ascii=False, indent=1, default=_json_default),
                                     encoding="utf-8")
    os.replace(tmp, vdir)
    if activate:
        set_active(models_dir, version)
    return vdir


def _json_default(o):
    import numpy as np
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def set_active(models_dir: Path, version: str) -> None:
    models_dir = Path(models_dir)
    if not _VERSION_RE.match(version) or not (models_dir / version / METADATA_FILE).is_file():
        raise ModelUnavailable(f"no model version {version!r} in {models_dir}")
    tmp = models_dir / (ACTIVE_FILE + ".tmp")
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, models_dir / ACTIVE_FILE)


def active_version(models_dir: Path) -> str | None:
    path = Path(models_dir) / ACTIVE_FILE
    if not path.is_file():
        return None
    version = path.read_text(encoding="utf-8").strip()
    return version or None


def list_versions(models_dir: Path) -> list[str]:
    models_dir = Path(models_dir)
    if not models_dir.is_dir():
        return []
    return sorted(p.name for p in models_dir.iterdir() if (p / METADATA_FILE).is_file())


def read_metadata(models_dir: Path, version: str) -> dict:
    path = Path(models_dir) / version / METADATA_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelUnavailable(f"model {version!r}: metadata.json is missing") from exc
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"model {version!r}: metadata.json is unreadable ({exc})") from exc
    if not isinstance(meta, dict):
        raise ModelUnavailable(f"model {version!r}: metadata.json is not an object")
    return meta


def check_metadata(meta: dict, version: str, model_path: Path) -> None:
    """Raise ModelUnavailable listing every mismatch between the metadata and this environment."""
    from .model import FORMAT

    problems = []
    if meta.get("version") != version:
        problems.append(f"metadata names version {meta.get('version')!r}")
    if meta.get("format") != FORMAT:
        problems.append(f"artifact format {meta.get('format')!r}, this code reads {FORMAT}")
    if not model_path.is_file():
        problems.append(f"{model_path.name} is missing")
    elif meta.get("model_sha256") != sha256_file(model_path):
        problems.append(f"{model_path.name} does not match its recorded sha256")
    libs = meta.get("libraries") or {}
    current = library_versions()
    for name in CHECKED_LIBRARIES:
        if libs.get(name) != current.get(name):
            problems.append(f"trained with {name} {libs.get(name)}, running {current.get(name)}")
    if problems:
        raise ModelUnavailable(f"model {version!r} cannot be used: " + "; ".join(problems)
                               + " (retrain with `flask --app screening train`)")


def allowed_types() -> set[tuple[str, str]]:
    return _BASIC_TYPES | {tuple(t.rsplit(".", 1)) for t in TRUSTED_TYPES}


def schema_types(model_path: Path) -> set[tuple[str, str]]:
    """Every (module, class) named in the skops file's schema (read as JSON; nothing is executed).

    skops itself trusts all of scikit-learn by default; this audit narrows loading to the
    types listed in TRUSTED_TYPES plus containers, scalars and numpy arrays.
    """
    import zipfile

    try:
        with zipfile.ZipFile(model_path) as zf:
            schema = json.loads(zf.read("schema.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelUnavailable(f"{model_path.name} is not a readable skops file ({exc})") from exc
    found: set[tuple[str, str]] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__class__" in node:
                found.add((str(node.get("__module__")), str(node["__class__"])))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def load(models_dir: Path, version: str | None = None) -> tuple[dict, dict]:
    """Load (artifact, metadata) of ``version`` (default: the active one), checking its metadata."""
    import skops.io as sio

    models_dir = Path(models_dir)
    if version is None:
        version = active_version(models_dir)
        if version is None:
            raise ModelUnavailable(f"no active model in {models_dir} (run `flask --app screening train`)")
    if not _VERSION_RE.match(version):
        raise ModelUnavailable(f"invalid model version {version!r}")
    vdir = models_dir / version
    if not vdir.is_dir():
        raise ModelUnavailable(f"model version {version!r} not found in {models_dir}")
    meta = read_metadata(models_dir, version)
    model_path = vdir / (meta.get("model_file") or MODEL_FILE)
    if model_path.name != MODEL_FILE:
        raise ModelUnavailable(f"model {version!r}: unexpected model file {model_path.name!r}")
    check_metadata(meta, version, model_path)
    unexpected = sorted(".".join(t) for t in schema_types(model_path) - allowed_types())
    if unexpected:
        raise ModelUnavailable(f"model {version!r} could not be loaded: untrusted types {unexpected}")
    try:
        artifact = sio.load(model_path, trusted=list(TRUSTED_TYPES))
    except Exception as exc:  # skops raises several types (untrusted types, bad zip, schema)
        raise ModelUnavailable(f"model {version!r} could not be loaded: {type(exc).__name__}: {exc}") from exc
    if not isinstance(artifact, dict):
        raise ModelUnavailable(f"model {version!r}: unexpected artifact type {type(artifact).__name__}")
    return artifact, meta
