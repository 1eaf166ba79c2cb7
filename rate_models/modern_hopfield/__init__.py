"""The modern_hopfield family's models (the math): one registered model per module."""
