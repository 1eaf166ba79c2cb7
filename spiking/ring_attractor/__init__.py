"""Spiking realizations of the ring_attractor family's models, one module per backend."""
