"""The checks that the package's public functions share: private, one place for each rule.

Built on the public checks of `backprop.shapes` (`as_array`, `as_matrix`, `require_shape`). A public function runs
these on its inputs and then calls unchecked cores, so each input is checked once: `backprop.network` checks a whole
network here before its passes run. Every error names the function (`func`), the argument, and the expected and
actual value or shape.
"""

import re

import numpy as np

from .activations import get_activation
from .shapes import as_array, as_matrix, require_shape

# A weight matrix's key in params: W1, W2, ... (the number is the layer's).
WEIGHT_KEY = re.compile(r"W([1-9][0-9]*)")
# Outputs whose loss backprop.losses defines; dZ[L] = A[L] - Y for both.
OUTPUTS = ("sigmoid", "softmax")
# How far a column sum may be from 1 and still count as a probability vector (softmax rounds to within ~1e-16).
SUM_TOL = 1e-9


def real_number(func, name, value, what):
    """`value` as a float; TypeError unless it is a real number (bool is not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{func}: {name} must be a real number ({what}); got {type(value).__name__}")
    return float(value)


# -- One layer's arrays ------------------------------------------------------------------------------------------


def layer_input(func, a_name, A_prev, w_name, W):
    """Check that A_prev is a batch (n[l-1], m) that float64 W, shape (n[l], n[l-1]), can take; return it."""
    A_prev = as_matrix(func, a_name, A_prev)
    n_prev = W.shape[1]
    why = f"to match {w_name}'s {n_prev} columns (examples are columns)"
    require_shape(func, a_name, A_prev, (n_prev, "m"), why=why)
    return A_prev


def bias(func, b_name, b, W):
    """Check that b has exactly the shape (n[l], 1) of float64 W's rows; return it as float64."""
    b = as_array(func, b_name, b)
    bias_note = "a 1-D b can broadcast along the wrong axis with no error; an (n, m) b gives each example its own bias"
    require_shape(func, b_name, b, (W.shape[0], 1), note=bias_note)
    return b


def linear(func, A_prev, W, b, names=("A_prev", "W", "b")):
    """Check A_prev (n[l-1], m), W (n[l], n[l-1]) and b (n[l], 1); return them as float64."""
    a_name, w_name, b_name = names
    W = as_matrix(func, w_name, W)
    A_prev = layer_input(func, a_name, A_prev, w_name, W)
    return A_prev, W, bias(func, b_name, b, W)


def elementwise(func, activation):
    """Raise unless `activation` is known and has an element-wise derivative (that is, it is not softmax)."""
    if get_activation(func, activation).g_prime is None:
        raise ValueError(
            f"{func}: dZ = dA * g'(Z) needs an element-wise g', and {activation!r} has none: its Jacobian is not "
            "diagonal (each output depends on every input); for a softmax output layer use "
            "backprop.softmax_dz_from_da(dA, Z), or, with cross-entropy and label columns summing to 1, "
            "dZ = A - Y (backprop.output_dz); "
            "then layer_backward_from_dz"
        )


# -- Batch norm ----------------------------------------------------------------------------------------------------


def bn_eps(func, eps):
    """Return ε as a float; raise unless it is a positive, finite real number."""
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise TypeError(f"{func}: bn_eps must be a real number (the ε of batch norm); got {type(eps).__name__}")
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"{func}: bn_eps must be positive and finite (it keeps sqrt(σ² + ε) above 0); got {eps}")
    return float(eps)


def norm(func, params, l, n):
    """Layer l's (gamma, beta) as float64 (n, 1); None if params has neither."""
    g_key, b_key = f"gamma{l}", f"beta{l}"
    has_gamma, has_beta = g_key in params, b_key in params
    if not (has_gamma or has_beta):
        return None
    if has_gamma != has_beta:
        present, absent = (g_key, b_key) if has_gamma else (b_key, g_key)
        raise ValueError(
            f"{func}: params has {present!r} but not {absent!r}; a batch-normalized "
            f"layer needs both, each of shape ({n}, 1)"
        )
    note = "one entry per unit; a 1-D array could broadcast along the wrong axis"
    pair = []
    for key in (g_key, b_key):
        value = as_array(func, key, params[key])
        require_shape(func, key, value, (n, 1), why=f"to match W{l}'s {n} rows", note=note)
        pair.append(value)
    return tuple(pair)


# -- Losses --------------------------------------------------------------------------------------------------------


def output(func, name, arg="output"):
    """Raise unless `name` names an output layer whose loss is defined ("sigmoid" or "softmax")."""
    if not isinstance(name, str):
        raise TypeError(f"{func}: {arg} must be a str, 'sigmoid' or 'softmax'; got {type(name).__name__}")
    if name not in OUTPUTS:
        raise ValueError(
            f"{func}: {arg} must be 'sigmoid' (binary cross-entropy) or 'softmax' (categorical cross-entropy), "
            f"the outputs whose loss is defined here; got {name!r}"
        )


def labels(func, Y, output):
    """Raise unless float64 `Y` holds labels that `output`'s loss allows."""
    if output == "sigmoid":
        bad = Y.size - np.count_nonzero((Y == 0) | (Y == 1))
        if bad:
            raise ValueError(
                f"{func}: Y must hold labels 0 or 1 for a sigmoid output (binary cross-entropy); {bad} of {Y.size} "
                f"entries are neither (min {Y.min():.6g}, max {Y.max():.6g})"
            )
        return
    bad = Y.size - np.count_nonzero((Y >= 0) & (Y <= 1))
    if bad:
        raise ValueError(
            f"{func}: Y must hold probabilities in [0, 1] for a softmax output; {bad} of {Y.size} entries are "
            f"outside (min {Y.min():.6g}, max {Y.max():.6g})"
        )
    columns_sum_to_one(func, "Y", Y, "each example's labels are a probability vector, usually one-hot")


def columns_sum_to_one(func, name, x, why):
    """Raise unless every column of float64 `x` sums to 1 within SUM_TOL."""
    sums = x.sum(axis=0)
    off = np.flatnonzero(np.abs(sums - 1.0) > SUM_TOL)
    if off.size:
        raise ValueError(
            f"{func}: each column of {name} must sum to 1 ({why}); {off.size} of {x.shape[1]} columns do not "
            f"(column {off[0]} sums to {sums[off[0]]:.6g})"
        )


# -- Course 2's options --------------------------------------------------------------------------------------------


def l2(func, value):
    """Return λ as a float; raise unless it is finite and at least 0."""
    value = real_number(func, "l2", value, "the L2 strength λ")
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{func}: l2 must be finite and at least 0 (the L2 strength λ); got {value}")
    return value


def keep_prob(func, value):
    """Return keep_prob as a float; raise unless it lies in (0, 1]."""
    value = real_number(func, "keep_prob", value, "the probability of keeping a unit")
    if not 0 < value <= 1:
        raise ValueError(
            f"{func}: keep_prob must be in (0, 1], the probability of keeping a unit; got {value}"
        )
    return value


def masks(func, masks, keep_prob, sizes, m):
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
        raise TypeError(f"{func}: masks must be a dict {{l: D[l]}} or None; got {type(masks).__name__}")
    L = len(sizes) - 1
    checked = {}
    for l, D in masks.items():
        if isinstance(l, bool) or not isinstance(l, (int, np.integer)):
            raise TypeError(f"{func}: masks keys must be int layer numbers l, 1 <= l < {L}; got {l!r}")
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


def l2_weights(func, params, value):
    """λ as a float and, when λ > 0, params' weight matrices W{l} as float64 (other keys ignored); else None."""
    value = l2(func, value)
    if value == 0:
        return value, None
    if params is None:  # λ > 0 with no weights to penalize would be dropped silently
        raise ValueError(
            f"{func}: l2 = {value!r} > 0 needs the weights: pass params=..., or l2=0 for the data term alone"
        )
    if not isinstance(params, dict):
        raise TypeError(f"{func}: params must be a dict with keys 'W1', ... or None; got {type(params).__name__}")
    keys = [key for key in params if isinstance(key, str) and WEIGHT_KEY.fullmatch(key)]
    if not keys:
        raise ValueError(
            f"{func}: params has no weight matrix W1; the L2 term sums ‖W[l]‖² over W1, W2, ..."
        )
    return value, [as_matrix(func, key, params[key]) for key in keys]
