"""Realizations of the memory family (none yet: see docs/models/memory.rst)."""
