"""Spiking realizations of the hopfield family's models, one module per backend."""
