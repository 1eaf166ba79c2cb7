"""The memory family's models (the math): continual learning and damage; one model per module."""
