"""Spiking realizations of the perceptron family's models, one module per backend."""
