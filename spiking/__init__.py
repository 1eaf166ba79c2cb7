"""Spiking realizations (Brian2, Nengo); each file realizes the reference of the same name."""
