"""Spiking realizations of the modern_hopfield family's models, one module per backend."""
