"""The learning family's models (the math): one registered model per module."""
