"""Kept so that ``from backprop.one_sided import one_sided_gradient`` still works: the function lives with the
centred differences in `backprop.gradcheck`."""

from .gradcheck import one_sided_gradient

__all__ = ["one_sided_gradient"]
