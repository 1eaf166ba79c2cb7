"""Named experiments: a parameter grid or a comparison, plus its figure."""
