"""The classifier's admin pages and its public model card."""
