"""The tagger as the rest of the app uses it: live evidence while typing, and whether it is on."""
from __future__ import annotations

from typing import Any

from flask import current_app

from screening.nlp.labels import NEGATIVE, STAR_PARTS
from screening.services import settings


def tagger_enabled() -> bool:
    return bool(settings.get("classifier_enabled"))


def tagger():
    """The process-wide tagger, or raise ModelUnavailable.

    Training may run in another process (the admin's retrain button, `flask train`), so a
    tagger whose version is no longer the active one is dropped and the new one loaded.
    """
    from screening.nlp import runtime, store

    cached = current_app.extensions.get(runtime.EXTENSION_KEY)
    if cached is not None and cached.version != store.active_version(runtime.models_dir(current_app)):
        runtime.reset_tagger(current_app)
    return runtime.get_tagger(current_app)


def live_evidence(text: str, lang: str) -> dict[str, Any]:
    """Sentences with their indicators and the STAR parts present, for the interview room."""
    from screening.nlp.errors import TaggerError

    if not tagger_enabled():
        return {"available": False, "reason": "disabled", "sentences": [], "star": {}}
    try:
        result = tagger().tag(text, lang)
    except TaggerError as exc:
        return {"available": False, "reason": str(exc), "sentences": [], "star": {}}
    present = {s["star"] for s in result["sentences"] if s.get("star")}
    sentences = [{
        "start": s["start"], "end": s["end"], "indicators": s["indicators"], "star": s.get("star"),
        "polarity": _polarity(s["indicators"]),
        "probabilities": {i: round(s["probabilities"][i], 3) for i in s["indicators"]},
    } for s in result["sentences"]]
    return {"available": True, "model_version": result["model_version"], "sentences": sentences,
            "star": {part: part in present for part in STAR_PARTS}}


def _polarity(indicators: list[str]) -> str | None:
    negative = any(i in NEGATIVE for i in indicators)
    positive = any(i not in NEGATIVE for i in indicators)
    if negative and positive:
        return "mixed"
    return "neg" if negative else ("pos" if positive else None)
