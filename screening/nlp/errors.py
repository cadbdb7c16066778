"""Domain errors of the evidence tagger."""
from __future__ import annotations


class TaggerError(Exception):
    """Base class of every error the tagger raises on purpose."""


class TaggerInputError(TaggerError):
    """The input cannot be tagged (e.g. an unknown language); the message is user-facing."""


class ModelUnavailable(TaggerError):
    """No active model, or an artifact whose metadata does not match this environment."""


class CorpusError(TaggerError):
    """A labelled JSONL file is malformed; the message lists the file, line and reason."""
