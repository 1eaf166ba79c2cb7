"""The synchronization family's models (the math): one registered model per module."""
