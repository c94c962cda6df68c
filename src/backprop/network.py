"""A whole network: the forward pass, every gradient of the backward pass, initial parameters and a descent step.

A network of L layers is a dict of parameters ``{"W1": ..., "b1": ..., ..., "WL": ..., "bL": ...}`` and a list of
L activation names, one per layer; its input X has one column per example. `forward` and `gradients` check the
whole network once, up front, and then run the unchecked cores of `backprop.layer`, so that each equation is
implemented in one place and big arrays are not checked again at every layer.
"""

import re

import numpy as np

from .activations import get_activation
from .layer import _backward_from_dz, _check_bias, _check_input, _dz_from_da, _forward
from .losses import _check_labels, _check_output, _output_dz
from .shapes import as_array, as_matrix, require_shape

__all__ = ["forward", "gradients", "random_params", "descent_step"]

_WEIGHT_KEY = re.compile(r"W[1-9][0-9]*")


def forward(params, X, activations):
    """Forward pass through all L layers: A[0] = X, then A[l] = g[l](W[l] A[l-1] + b[l]) for l = 1, ..., L.

    Implements {eq}`eq-linear-forward` and {eq}`eq-activation-forward`, layer after layer.

    Parameters
    ----------
    params : dict of str to numpy.ndarray
        "W1", "b1", ..., "WL", "bL", nothing else; W[l] has shape (n[l], n[l-1]) and b[l] shape (n[l], 1).
    X : numpy.ndarray, shape (n[0], m)
        The inputs, one column per example.
    activations : list or tuple of str, length L
        g[1], ..., g[L]: "sigmoid", "tanh", "relu", "leaky_relu" or "linear"; the last may also be "softmax"
        (allowed for any n[L], though with n[L] = 1 its output is always 1).

    Returns
    -------
    AL : numpy.ndarray, shape (n[L], m)
        The output A[L].
    caches : list of LayerCache, length L
        ``caches[l - 1]`` holds layer l's (A_prev, W, b, Z, activation).

    Raises
    ------
    TypeError
        If `params` is not a dict, `activations` is not a list or tuple of str, or an array is not a real ndarray.
    ValueError
        If a key is missing or unexpected, the number of activations differs from the number of layers, a name is
        unknown, softmax is not last, or an array has the wrong shape, NaN or inf, or no entries.

    Examples
    --------
    >>> import numpy as np
    >>> params = random_params([4, 3, 2], seed=0)
    >>> AL, caches = forward(params, np.ones((4, 5)), ["relu", "softmax"])
    >>> AL.shape, len(caches), np.allclose(AL.sum(axis=0), 1.0)
    ((2, 5), 2, True)
    """
    X, layers = _check_network("forward", params, X, activations)
    return _forward_all(X, layers)


def gradients(params, X, Y, activations):
    """Every gradient of the backward pass, from the output layer down to the input.

    Starts from dZ[L] = A[L] - Y ({eq}`eq-dz-output`), then for l = L, ..., 1 applies {eq}`eq-da-prev`,
    {eq}`eq-dw` and {eq}`eq-db`, and below the output {eq}`eq-dz-hidden` (as {eq}`eq-da-prev` followed by
    {eq}`eq-dz-from-da`). The loss is binary cross-entropy summed over the output units for a sigmoid output, and
    categorical cross-entropy for a softmax output.

    Parameters
    ----------
    params : dict of str to numpy.ndarray
        "W1", "b1", ..., "WL", "bL", as for `forward`.
    X : numpy.ndarray, shape (n[0], m)
        The inputs, one column per example.
    Y : numpy.ndarray, shape (n[L], m)
        Labels: 0 or 1 for a sigmoid output; for a softmax output, entries in [0, 1] with each column summing to 1.
    activations : list or tuple of str, length L
        As for `forward`; the last must be "sigmoid" or "softmax".

    Returns
    -------
    dict of str to numpy.ndarray
        For l = 1, ..., L:

        - ``"dZ{l}"``, shape (n[l], m): column i is ∂L⁽ⁱ⁾/∂z[l]⁽ⁱ⁾, so the array is m ∂J/∂Z[l] (no 1/m);
        - ``"dA{l-1}"``, shape (n[l-1], m): m ∂J/∂A[l-1], stacked the same way (no 1/m);
          ``"dA0"`` is m ∂J/∂X;
        - ``"dW{l}"``, shape (n[l], n[l-1]): dJ/dW[l] (carries 1/m);
        - ``"db{l}"``, shape (n[l], 1): dJ/db[l] (carries 1/m).

    Raises
    ------
    TypeError, ValueError
        As `forward`; also if the last activation is neither "sigmoid" nor "softmax", Y is not shaped (n[L], m),
        or Y holds labels its loss does not allow. Everything is checked before anything is computed.

    Examples
    --------
    >>> import numpy as np
    >>> params = random_params([3, 4, 1], seed=0)
    >>> X, Y = np.arange(15.0).reshape(3, 5) / 15, np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
    >>> grads = gradients(params, X, Y, ["tanh", "sigmoid"])
    >>> AL, caches = forward(params, X, ["tanh", "sigmoid"])
    >>> np.allclose(grads["dW1"], grads["dZ1"] @ X.T / 5) and np.allclose(grads["dZ2"], AL - Y)
    True
    """
    func = "gradients"
    X, layers = _check_network(func, params, X, activations)
    L = len(layers)
    _check_output(func, activations[-1], f"the last activation, activations[{L - 1}],")
    Y = as_matrix(func, "Y", Y)
    require_shape(func, "Y", Y, (layers[-1][0].shape[0], X.shape[1]), like="AL")
    _check_labels(func, Y, activations[-1])

    AL, caches = _forward_all(X, layers)
    grads = {}
    dZ = _output_dz(AL, Y)  # eq-dz-output
    for l in range(L, 0, -1):
        dA_prev, dW, db = _backward_from_dz(dZ, caches[l - 1])  # eq-da-prev, eq-dw, eq-db
        grads[f"dZ{l}"], grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = dZ, dA_prev, dW, db
        if l > 1:
            below = caches[l - 2]
            dZ = _dz_from_da(dA_prev, below.Z, below.activation)  # eq-dz-hidden: eq-da-prev, then eq-dz-from-da
    return grads


def random_params(layer_dims, seed=0, scale=None):
    """Small random weights and zero biases for a network with the given layer sizes.

    Parameters
    ----------
    layer_dims : list or tuple of int
        [n[0], n[1], ..., n[L]], at least two positive sizes.
    seed : int, optional
        Seed of `numpy.random.default_rng`; the same seed gives the same parameters.
    scale : float, optional
        Standard deviation of every W entry. By default W[l] uses sqrt(1 / n[l-1]) (Xavier/LeCun scaling), which
        keeps Z[l] of order 1 whatever the layer's width.

    Returns
    -------
    dict of str to numpy.ndarray
        "W1", "b1", ..., "WL", "bL"; W[l] shape (n[l], n[l-1]), b[l] zeros of shape (n[l], 1).

    Raises
    ------
    TypeError
        If `layer_dims` is not a list or tuple of int, or `scale` is not a real number.
    ValueError
        If there are fewer than two sizes, a size is below 1, or `scale` is not positive and finite.

    Examples
    --------
    >>> params = random_params([4, 3, 1], seed=0)
    >>> sorted(params), params["W1"].shape, params["b2"].shape
    (['W1', 'W2', 'b1', 'b2'], (3, 4), (1, 1))
    """
    func = "random_params"
    if not isinstance(layer_dims, (list, tuple)):
        raise TypeError(f"{func}: layer_dims must be a list or tuple of int; got {type(layer_dims).__name__}")
    if len(layer_dims) < 2:
        raise ValueError(f"{func}: layer_dims must give at least n[0] and n[1]; got {list(layer_dims)}")
    for l, n in enumerate(layer_dims):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"{func}: layer_dims[{l}] must be an int; got {type(n).__name__}")
        if n < 1:
            raise ValueError(f"{func}: layer_dims[{l}] must be at least 1; got {n}")
    if scale is not None:
        if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)):
            raise TypeError(f"{func}: scale must be a real number or None; got {type(scale).__name__}")
        if not (np.isfinite(scale) and scale > 0):
            raise ValueError(f"{func}: scale must be positive and finite; got {scale}")

    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(layer_dims)):
        n, n_prev = int(layer_dims[l]), int(layer_dims[l - 1])
        std = np.sqrt(1.0 / n_prev) if scale is None else float(scale)
        params[f"W{l}"] = std * rng.standard_normal((n, n_prev))
        params[f"b{l}"] = np.zeros((n, 1))
    return params


def descent_step(params, grads, learning_rate):
    """One step of gradient descent on J: W[l] - α dW[l] and b[l] - α db[l] for every layer.

    Parameters
    ----------
    params : dict of str to numpy.ndarray
        "W1", "b1", ..., "WL", "bL"; W[l] shape (n[l], n[l-1]), b[l] shape (n[l], 1).
    grads : dict of str to numpy.ndarray
        Must hold "dW{l}" and "db{l}" (dJ/dW[l], dJ/db[l]) shaped like W[l] and b[l]; other keys, such as the
        "dZ{l}" and "dA{l}" that `gradients` also returns, are ignored.
    learning_rate : float
        α, positive and finite.

    Returns
    -------
    dict of str to numpy.ndarray
        New parameters with the same keys and shapes; `params` itself is unchanged.

    Raises
    ------
    TypeError
        If `params` or `grads` is not a dict, an array is not a real ndarray, or `learning_rate` is not a number.
    ValueError
        If a key is missing or unexpected, a shape differs, an entry is NaN or inf, or `learning_rate` is not
        positive and finite.

    Examples
    --------
    >>> import numpy as np
    >>> params = random_params([2, 1], seed=0)
    >>> new = descent_step(params, {"dW1": np.ones((1, 2)), "db1": np.ones((1, 1))}, 0.1)
    >>> np.allclose(new["W1"], params["W1"] - 0.1) and np.allclose(new["b1"], -0.1)
    True
    """
    func = "descent_step"
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float, np.integer, np.floating)):
        raise TypeError(f"{func}: learning_rate must be a real number; got {type(learning_rate).__name__}")
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"{func}: learning_rate must be positive and finite; got {learning_rate}")
    if not isinstance(grads, dict):
        raise TypeError(f"{func}: grads must be a dict such as the one gradients returns; got {type(grads).__name__}")
    layers = _check_layers(func, params, _count_layers(params), "one per W in params")

    new = {}
    for l, (W, b) in enumerate(layers, start=1):
        for name, value in ((f"W{l}", W), (f"b{l}", b)):
            if f"d{name}" not in grads:
                raise ValueError(f"{func}: grads is missing 'd{name}', the gradient for params' {name!r}")
            grad = as_array(func, f"d{name}", grads[f"d{name}"])
            require_shape(func, f"d{name}", grad, value.shape, like=name)
            new[name] = value - learning_rate * grad
    return new


# -- Checks, run once per call before anything is computed. -------------------------------------------------------


def _check_network(func, params, X, activations):
    """Check activations, params and X together; return X and [(W, b, activation)] as float64, one per layer."""
    names = _check_activations(func, activations)
    P = _count_layers(params)
    if P != len(names) and isinstance(params, dict) and set(params) == set(_expected_keys(P)):
        raise ValueError(
            f"{func}: got {len(names)} activations, but params has {P} layers ({_describe_keys(P)}); "
            "give one activation per layer"
        )
    layers = _check_layers(func, params, len(names), "one per activation")
    X = _check_input(func, "X", X, "W1", layers[0][0])
    return X, [(W, b, name) for (W, b), name in zip(layers, names)]


def _check_activations(func, activations):
    if not isinstance(activations, (list, tuple)):
        raise TypeError(
            f"{func}: activations must be a list or tuple of names, one per layer; got {type(activations).__name__}"
        )
    if not activations:
        raise ValueError(f"{func}: activations must name at least one layer; got an empty {type(activations).__name__}")
    L = len(activations)
    for l, name in enumerate(activations):
        act = get_activation(func, name, f"activations[{l}]")
        if act.g_prime is None and l != L - 1:
            raise ValueError(
                f"{func}: {name!r} is only allowed as the last activation (the output layer, where dZ = A - Y); "
                f"got it at activations[{l}] of {L}, where backprop needs an element-wise g'"
            )
    return list(activations)


def _count_layers(params):
    """How many layers params describes, counting its weight matrices W1, W2, ... (0 if it is not a dict)."""
    if not isinstance(params, dict):
        return 0
    return sum(1 for key in params if isinstance(key, str) and _WEIGHT_KEY.fullmatch(key))


def _expected_keys(L):
    return [f"{p}{l}" for l in range(1, L + 1) for p in "Wb"]


def _describe_keys(L):
    return ", ".join(_expected_keys(L)) if L <= 2 else f"W1, b1, ..., W{L}, b{L}"


def _check_layers(func, params, L, counted):
    """Check params holds exactly W1, b1, ..., WL, bL with chained shapes; return [(W, b)] as float64."""
    if not isinstance(params, dict):
        raise TypeError(f"{func}: params must be a dict with keys 'W1', 'b1', ...; got {type(params).__name__}")
    if L == 0:
        raise ValueError(f"{func}: params has no weight matrix W1; expected keys W1, b1, W2, b2, ...")
    expected = _expected_keys(L)
    expected_set = set(expected)
    missing = [key for key in expected if key not in params]
    extra = [key for key in params if key not in expected_set]
    if missing or extra:
        which = ", ".join(repr(key) for key in (missing or extra))
        problem = f"is missing {which}" if missing else f"has unexpected key(s) {which}"
        layers = f"{L} layer{'' if L == 1 else 's'} ({counted})"
        raise ValueError(f"{func}: params {problem}; {layers} need{'s' if L == 1 else ''} exactly {_describe_keys(L)}")

    layers = []
    for l in range(1, L + 1):
        W = as_matrix(func, f"W{l}", params[f"W{l}"])
        if l > 1:
            n_prev = layers[-1][0].shape[0]
            require_shape(func, f"W{l}", W, (W.shape[0], n_prev), why=f"to follow W{l - 1}'s {n_prev} units")
        layers.append((W, _check_bias(func, f"b{l}", params[f"b{l}"], W)))
    return layers


def _forward_all(X, layers):
    A, caches = X, []
    for W, b, activation in layers:
        A, cache = _forward(A, W, b, activation)  # eq-linear-forward, eq-activation-forward
        caches.append(cache)
    return A, caches
