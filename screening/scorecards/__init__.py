"""Scorecard pages: the score traced to evidence, decisions, reviewer feedback, comparison, exports."""
