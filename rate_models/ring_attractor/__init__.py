"""The ring_attractor family's models (the math): one registered model per module."""
