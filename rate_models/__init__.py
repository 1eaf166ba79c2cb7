"""Reference models in numpy/scipy: the math, the weights and the learning rules."""
