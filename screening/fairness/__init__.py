"""The bias audit: optional self-reported categories, scoring rates and impact ratios."""
