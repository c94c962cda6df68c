"""Course 2's regularizers: the L2 penalty on the weights, and inverted dropout.

L2 adds (λ/2m) Σ_l ‖W[l]‖²_F to the cost J ({eq}`eq-l2-cost`), so dW[l] gains (λ/m) W[l]
({eq}`eq-l2-dw`) and nothing else changes. Inverted dropout multiplies a hidden layer's
activation by a 0/1 mask D[l] and divides by keep_prob ({eq}`eq-dropout-forward`); the
backward pass applies the same mask and the same 1/keep_prob to dA[l]
({eq}`eq-dropout-backward`).

There is no hidden randomness: `forward` and `gradients` take the masks as an argument,
so a gradient check sees one fixed function. `dropout_masks` draws them from a seed.
"""

import numpy as np

from . import _validation as check
from .shapes import as_matrix

__all__ = ["dropout_masks"]


def dropout_masks(layer_dims, m, keep_prob, seed=0):
    """Dropout masks D[l] for the hidden layers, each entry 1 with chance keep_prob.

    The masks that {eq}`eq-dropout-forward` and {eq}`eq-dropout-backward` take, drawn
    once so that the forward and the backward pass (and a gradient check) all use the
    same ones.

    Parameters
    ----------
    layer_dims : list or tuple of int, or dict of str to numpy.ndarray
        [n[0], n[1], ..., n[L]], or a network's params (its W1, ..., WL give the sizes).
    m : int
        Number of examples, at least 1.
    keep_prob : float
        Probability that a unit is kept, in (0, 1].
    seed : int, optional
        Seed of `numpy.random.default_rng`; the same seed gives the same masks.

    Returns
    -------
    dict of int to numpy.ndarray
        {l: D[l]} for l = 1, ..., L-1, D[l] of shape (n[l], m) holding 0.0 and 1.0; the
        output layer L gets no mask (empty dict for L = 1).

    Raises
    ------
    TypeError
        If `layer_dims` is neither sizes nor params, a size or `m` is not an int, or
        `keep_prob` is not a real number.
    ValueError
        If a size or `m` is below 1, or `keep_prob` is outside (0, 1].

    See Also
    --------
    forward
        Forward pass through all L layers: A[0] = X, then A[l] = g[l](W[l] A[l-1] +
        b[l]) for l = 1, ..., L.
    gradients
        Every gradient of the backward pass, from the output layer down to the input.

    Examples
    --------
    >>> import numpy as np
    >>> masks = dropout_masks([4, 3, 5, 1], m=6, keep_prob=0.8, seed=0)
    >>> sorted(masks), masks[1].shape, masks[2].shape
    ([1, 2], (3, 6), (5, 6))
    >>> set(np.unique(masks[1])) <= {0.0, 1.0}
    True
    """
    func = "dropout_masks"
    sizes = _sizes(func, layer_dims)
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)):
        raise TypeError(
            f"{func}: m must be an int, the number of examples; got {type(m).__name__}"
        )
    if m < 1:
        raise ValueError(f"{func}: m must be at least 1; got {m}")
    keep_prob = check.keep_prob(func, keep_prob)
    rng = np.random.default_rng(seed)
    return {
        l: (rng.random((sizes[l], int(m))) < keep_prob).astype(np.float64)
        for l in range(1, len(sizes) - 1)
    }


# -- Unchecked cores. ------------------------------------------------------------------


def _l2_term(weights, l2, m):
    """(λ/2m) Σ_l ‖W[l]‖²_F for float64 matrices `weights`."""
    return l2 / (2 * m) * sum(float(np.vdot(W, W)) for W in weights)  # eq-l2-cost


def _drop(A, D, keep_prob):
    return A * D / keep_prob  # eq-dropout-forward


# -- Checks of dropout_masks's sizes (the options' checks are in backprop._validation). ---------------------


def _sizes(func, layer_dims):
    if isinstance(layer_dims, dict):
        count = sum(
            1
            for key in layer_dims
            if isinstance(key, str) and check.WEIGHT_KEY.fullmatch(key)
        )
        if count == 0 or any(f"W{l}" not in layer_dims for l in range(1, count + 1)):
            raise ValueError(
                f"{func}: layer_dims as params must hold W1, ..., WL; got keys "
                f"{sorted(layer_dims)}"
            )
        Ws = [
            as_matrix(func, f"W{l}", layer_dims[f"W{l}"]) for l in range(1, count + 1)
        ]
        return [Ws[0].shape[1]] + [W.shape[0] for W in Ws]
    if not isinstance(layer_dims, (list, tuple)):
        raise TypeError(
            f"{func}: layer_dims must be a list or tuple of int, or params; got "
            f"{type(layer_dims).__name__}"
        )
    if len(layer_dims) < 2:
        raise ValueError(
            f"{func}: layer_dims must give at least n[0] and n[1]; got "
            f"{list(layer_dims)}"
        )
    for l, n in enumerate(layer_dims):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(
                f"{func}: layer_dims[{l}] must be an int; got {type(n).__name__}"
            )
        if n < 1:
            raise ValueError(f"{func}: layer_dims[{l}] must be at least 1; got {n}")
    return [int(n) for n in layer_dims]
