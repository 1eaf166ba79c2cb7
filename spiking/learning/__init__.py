"""Spiking realizations of the learning family's models, one module per backend."""
