"""Label sets of the competency model (../shared/competency-model.md), in its order."""
from __future__ import annotations

INDICATORS: tuple[str, ...] = (
    "needs", "fit", "extra_mile", "perspective", "composure", "ownership", "internal", "loyalty",
    "push", "disrespect", "indifference", "servility",
)
POSITIVE: tuple[str, ...] = INDICATORS[:8]
NEGATIVE: tuple[str, ...] = INDICATORS[8:]
STAR_PARTS: tuple[str, ...] = ("situation", "task", "action", "result")
# The STAR classifier's classes: the four parts and "none" (a sentence with no STAR part).
STAR_CLASSES: tuple[str, ...] = STAR_PARTS + ("none",)
MODES: tuple[str, ...] = ("episode", "hypothetical", "general")
PERSONS: tuple[str, ...] = ("first_singular", "first_plural", "third", "none")
LANGS: tuple[str, ...] = ("ru", "en")
RATINGS: tuple[int, ...] = (1, 2, 3, 4, 5)
