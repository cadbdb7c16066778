"""The question bank: the competency model, questions, probes, anchors and role guides, versioned."""
