"""Spiking realizations of the synchronization family's models, one module per backend."""
