"""Kept so that ``from backprop.products import softmax_dz_from_da`` still works: the function lives with softmax in
`backprop.activations`."""

from .activations import softmax_dz_from_da

__all__ = ["softmax_dz_from_da"]
