"""Course 2's regularizers: the L2 penalty on the weights, and inverted dropout.

L2 adds (λ/2m) Σ_l ‖W[l]‖²_F to the cost J ({eq}`eq-l2-cost`), so dW[l] gains (λ/m) W[l]
({eq}`eq-l2-dw`) and nothing else changes. Inverted dropout multiplies a hidden layer's
activation by a 0/1 mask D[l] and divides by keep_prob ({eq}`eq-dropout-forward`); the
backward pass applies the same mask and the same 1/keep_prob to dA[l]
({eq}`eq-dropout-backward`).

There is no hidden randomness: `forward` and `gradients` take the masks as an argument,
so a gradient check sees one fixed function. `dropout_masks` draws them from a seed.
"""

import re

import numpy as np

from .shapes import as_matrix, require_shape

__all__ = ["dropout_masks"]

_WEIGHT_KEY = re.compile(r"W([1-9][0-9]*)")


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
    keep_prob = _check_keep_prob(func, keep_prob)
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


# -- Checks, shared with backprop.network and backprop.losses. -------------------------


def _real(func, name, value, what):
    if isinstance(value, bool) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(
            f"{func}: {name} must be a real number ({what}); got {type(value).__name__}"
        )
    return float(value)


def _check_l2(func, l2):
    """Return λ as a float; raise unless it is finite and at least 0."""
    l2 = _real(func, "l2", l2, "the L2 strength λ")
    if not (np.isfinite(l2) and l2 >= 0):
        raise ValueError(
            f"{func}: l2 must be finite and at least 0 (the L2 strength λ); got {l2}"
        )
    return l2


def _check_keep_prob(func, keep_prob):
    """Return keep_prob as a float; raise unless it lies in (0, 1]."""
    keep_prob = _real(func, "keep_prob", keep_prob, "the probability of keeping a unit")
    if not 0 < keep_prob <= 1:
        raise ValueError(
            f"{func}: keep_prob must be in (0, 1], the probability of keeping a unit; "
            f"got {keep_prob}"
        )
    return keep_prob


def _check_masks(func, masks, keep_prob, sizes, m):
    """Check masks against sizes [n[0], ..., n[L]] and m; return {l: D[l]} in float64.

    Returns an empty dict when no layer is dropped, so callers test it for truth.
    """
    if masks is None:
        if keep_prob != 1.0:
            raise ValueError(
                f"{func}: keep_prob is {keep_prob} but masks is None, so no layer "
                "would be dropped; pass masks={l: D[l]} for the hidden layers, for "
                "example from dropout_masks"
            )
        return {}
    if not isinstance(masks, dict):
        raise TypeError(
            f"{func}: masks must be a dict {{l: D[l]}} or None; got "
            f"{type(masks).__name__}"
        )
    L = len(sizes) - 1
    checked = {}
    for l, D in masks.items():
        if isinstance(l, bool) or not isinstance(l, (int, np.integer)):
            raise TypeError(
                f"{func}: masks keys must be int layer numbers l, 1 <= l < {L}; got "
                f"{l!r}"
            )
        if l == L:
            raise ValueError(
                f"{func}: masks has a mask for layer {l}, the output layer; dropout "
                f"applies only to hidden layers, 1 <= l < {L}"
            )
        if not 1 <= l < L:
            hidden = f"1 <= l < {L}" if L > 1 else "and this network has none"
            raise ValueError(f"{func}: masks key {l} is not a hidden layer ({hidden})")
        D = as_matrix(func, f"masks[{l}]", D)
        require_shape(func, f"masks[{l}]", D, (sizes[l], m), why=f"like A[{l}]")
        bad = D.size - np.count_nonzero((D == 0) | (D == 1))
        if bad:
            raise ValueError(
                f"{func}: masks[{l}] must hold only 0 and 1 (keep_prob scales the kept "
                f"units); {bad} of {D.size} entries are neither"
            )
        checked[int(l)] = D
    return checked


def _l2_from_params(func, params, l2, m):
    """(λ/2m) Σ_l ‖W[l]‖²_F over params' W{l} (other keys ignored); 0 if no params."""
    l2 = _check_l2(func, l2)
    if l2 == 0:
        return 0.0
    if params is None:  # λ > 0 with no weights to penalize would be dropped silently
        raise ValueError(
            f"{func}: l2 = {l2!r} > 0 needs the weights: pass params=..., or l2=0 for the "
            "data term alone"
        )
    if not isinstance(params, dict):
        raise TypeError(
            f"{func}: params must be a dict with keys 'W1', ... or None; got "
            f"{type(params).__name__}"
        )
    keys = [
        key for key in params if isinstance(key, str) and _WEIGHT_KEY.fullmatch(key)
    ]
    if not keys:
        raise ValueError(
            f"{func}: params has no weight matrix W1; the L2 term sums ‖W[l]‖² over "
            "W1, W2, ..."
        )
    return _l2_term([as_matrix(func, key, params[key]) for key in keys], l2, m)


def _sizes(func, layer_dims):
    if isinstance(layer_dims, dict):
        count = sum(
            1
            for key in layer_dims
            if isinstance(key, str) and _WEIGHT_KEY.fullmatch(key)
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
