"""One tagger per process and app: loaded on first use, cached in ``app.extensions``."""
from __future__ import annotations

import threading
from pathlib import Path

from .errors import ModelUnavailable
from .tagger import Tagger

EXTENSION_KEY = "screening.tagger"
_LOCK = threading.Lock()


def models_dir(app) -> Path:
    value = app.config.get("MODELS_DIR")
    if not value:
        raise ModelUnavailable("MODELS_DIR is not configured")
    return Path(value)


def get_tagger(app) -> Tagger:
    """The app's tagger, loaded once (thread-safe) from ``MODELS_DIR``; raises ModelUnavailable."""
    tagger = app.extensions.get(EXTENSION_KEY)
    if tagger is not None:
        return tagger
    with _LOCK:
        tagger = app.extensions.get(EXTENSION_KEY)
        if tagger is None:
            tagger = Tagger.load(models_dir(app))
            app.extensions[EXTENSION_KEY] = tagger
    return tagger


def reset_tagger(app) -> None:
    """Forget the cached tagger (after training a new active version)."""
    with _LOCK:
        app.extensions.pop(EXTENSION_KEY, None)
