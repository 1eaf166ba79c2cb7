"""Spiking realizations of the boltzmann family's models, one module per backend."""
