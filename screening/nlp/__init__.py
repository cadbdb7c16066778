"""The evidence tagger: indicators, STAR parts and answer ratings (issue 4).

Importing this package has no side effects; models are loaded by ``Tagger.load`` or
``runtime.get_tagger(app)``.
"""
from __future__ import annotations

from .errors import ModelUnavailable, TaggerError, TaggerInputError
from .labels import INDICATORS, NEGATIVE, POSITIVE, STAR_PARTS

__all__ = ["INDICATORS", "NEGATIVE", "POSITIVE", "STAR_PARTS", "ModelUnavailable", "TaggerError",
           "TaggerInputError"]
