"""The hiring score: a transparent formula from interview evidence to a 0–100 score (docs/scoring.md)."""
