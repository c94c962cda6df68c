"""A whole network: the forward pass, every gradient of the backward pass, initial parameters and a descent step.

A network of L layers is a dict of parameters ``{"W1": ..., "b1": ..., ..., "WL": ..., "bL": ...}`` and a list of
L activation names, one per layer; its input X has one column per example. `forward` and `gradients` check the
whole network once, up front, and then run the unchecked cores of `backprop.layer`, so that each equation is
implemented in one place and big arrays are not checked again at every layer.

Course 2's options (L2 in `gradients`; dropout masks and batch norm in both) are checked
here too; when one is on, the passes run in `backprop.training`, and when all are off,
the loops below run exactly as before.
"""

import numpy as np

from . import _validation as check
from .activations import get_activation
from .layer import _backward_from_dz, _dz_from_da, _forward
from .losses import _output_dz
from .shapes import as_array, as_matrix, require_shape
from .training import _forward_training, _gradients_training

__all__ = ["forward", "gradients", "random_params", "descent_step"]

# The ε of batch norm: small against a unit's variance over a batch of order 1.
BN_EPS = 1e-8


def forward(params, X, activations, *, keep_prob=1.0, masks=None, bn_eps=BN_EPS):
    """Forward pass through all L layers: A[0] = X, then A[l] = g[l](W[l] A[l-1] + b[l]) for l = 1, ..., L.

    Implements {eq}`eq-linear-forward` and {eq}`eq-activation-forward`, layer after
    layer; with batch norm also {eq}`eq-bn-forward`, and with masks
    {eq}`eq-dropout-forward`. Within a layer the order is linear, batch norm,
    activation, dropout.

    Parameters
    ----------
    params : dict of str to numpy.ndarray
        "W1", "b1", ..., "WL", "bL"; W[l] has shape (n[l], n[l-1]) and b[l] shape
        (n[l], 1). Optionally "gamma{l}" and "beta{l}", both (n[l], 1), for any layer l
        (the output layer too): that layer is batch-normalized, Z̃ = γ * Ẑ + β and
        A[l] = g[l](Z̃).
    X : numpy.ndarray, shape (n[0], m)
        The inputs, one column per example.
    activations : list or tuple of str, length L
        g[1], ..., g[L]: "sigmoid", "tanh", "relu", "leaky_relu" or "linear"; the last may also be "softmax"
        (allowed for any n[L], though with n[L] = 1 its output is always 1).
    keep_prob : float, optional
        Inverted dropout's probability of keeping a unit, in (0, 1]; below 1 it needs
        `masks`.
    masks : dict of int to numpy.ndarray, optional
        {l: D[l]} for hidden layers 1 <= l < L, each (n[l], m) of 0 and 1 (see
        `dropout_masks`): A[l] = g[l](·) * D[l] / keep_prob. Layers without a mask are
        not dropped.
    bn_eps : float, optional
        The ε of batch norm, positive.

    Returns
    -------
    AL : numpy.ndarray, shape (n[L], m)
        The output A[L].
    caches : list of LayerCache or of TrainingCache, length L
        ``caches[l - 1]`` is layer l's: a LayerCache (A_prev, W, b, Z, activation) when
        no layer is normalized or dropped, otherwise a TrainingCache for every layer,
        which adds γ, β, μ, σ², Ẑ, Z̃, ε, the activation before dropout, D[l] and
        keep_prob (None where unused).

    Raises
    ------
    TypeError
        If `params` is not a dict, `activations` is not a list or tuple of str, an array
        is not a real ndarray, `masks` is not a dict, or `keep_prob` or `bn_eps` is not
        a real number.
    ValueError
        If a key is missing or unexpected, the number of activations differs from the
        number of layers, a name is unknown, softmax is not last, or an array has the
        wrong shape, NaN or inf, or no entries; if gamma{l} comes without beta{l} (or
        the reverse); if `keep_prob` is outside (0, 1], or below 1 with no masks; if a
        mask is for the output layer or a layer that does not exist, or holds values
        other than 0 and 1; or if `bn_eps` is not positive.

    See Also
    --------
    gradients
        Every gradient of the backward pass, from the output layer down to the input.
    random_params
        Small random weights and zero biases for a network with the given layer sizes.
    layer_forward
        Forward pass of one layer: Z = W A_prev + b, then A = g(Z).

    Examples
    --------
    >>> import numpy as np
    >>> params = random_params([4, 3, 2], seed=0)
    >>> AL, caches = forward(params, np.ones((4, 5)), ["relu", "softmax"])
    >>> AL.shape, len(caches), np.allclose(AL.sum(axis=0), 1.0)
    ((2, 5), 2, True)
    >>> from backprop import dropout_masks
    >>> masks = dropout_masks([4, 3, 2], m=5, keep_prob=0.5, seed=1)
    >>> AL, caches = forward(params, np.ones((4, 5)), ["relu", "softmax"],
    ...                      keep_prob=0.5, masks=masks)
    >>> np.allclose(caches[1].A_prev, caches[0].A_before_dropout * masks[1] / 0.5)
    True
    """
    func = "forward"
    X, layers, norms, drops, keep_prob, bn_eps = _check_all(
        func, params, X, activations, keep_prob, masks, bn_eps
    )
    if not (norms or drops):
        return _forward_all(X, layers)
    return _forward_training(X, layers, norms, drops, keep_prob, bn_eps)


def gradients(
    params, X, Y, activations, *, l2=0.0, keep_prob=1.0, masks=None, bn_eps=BN_EPS
):
    """Every gradient of the backward pass, from the output layer down to the input.

    Starts from dZ[L] = A[L] - Y ({eq}`eq-dz-output`), then for l = L, ..., 1 applies {eq}`eq-da-prev`,
    {eq}`eq-dw` and {eq}`eq-db`, and below the output {eq}`eq-dz-hidden` (as {eq}`eq-da-prev` followed by
    {eq}`eq-dz-from-da`). The loss is binary cross-entropy summed over the output units for a sigmoid output, and
    categorical cross-entropy for a softmax output.

    The options are those of `forward`, plus `l2`. With `l2` = λ the cost is
    {eq}`eq-l2-cost` and dW[l] gains (λ/m) W[l] ({eq}`eq-l2-dw`); dZ, dA and db do not
    change. A masked layer's dA[l] passes back through the same mask and 1/keep_prob
    ({eq}`eq-dropout-backward`). For a normalized layer the backward pass goes through
    Z̃, Ẑ, σ² and μ to Z ({eq}`eq-bn-dgamma`, {eq}`eq-bn-dbeta`, {eq}`eq-bn-dz`); a
    normalized output layer's A[L] - Y is dZ̃[L].
    Implements {eq}`eq-l2-dw` (also written {eq}`eq-dw-l2`), {eq}`eq-dropout-backward`,
    {eq}`eq-bn-dgamma`, {eq}`eq-bn-dbeta`, {eq}`eq-bn-dz` and {eq}`eq-bn-db` (no other public
    function computes them).

    Parameters
    ----------
    params : dict of str to numpy.ndarray
        "W1", "b1", ..., "WL", "bL", and maybe "gamma{l}", "beta{l}", as for `forward`.
    X : numpy.ndarray, shape (n[0], m)
        The inputs, one column per example.
    Y : numpy.ndarray, shape (n[L], m)
        Labels: 0 or 1 for a sigmoid output; for a softmax output, entries in [0, 1] with each column summing to 1.
    activations : list or tuple of str, length L
        As for `forward`; the last must be "sigmoid" or "softmax".
    l2 : float, optional
        λ, the L2 strength, at least 0.
    keep_prob, masks, bn_eps : optional
        As for `forward`.

    Returns
    -------
    dict of str to numpy.ndarray
        For l = 1, ..., L:

        - ``"dZ{l}"``, shape (n[l], m): m ∂J/∂Z[l] (no 1/m). Above the highest
          batch-normalized layer, column i is also ∂L⁽ⁱ⁾/∂z[l]⁽ⁱ⁾, example i's own loss;
          at and below it, where the examples are coupled, it is m ∂J/∂Z[l] only (Z[l]
          taken before normalization);
        - ``"dA{l-1}"``, shape (n[l-1], m): m ∂J/∂A[l-1] (no 1/m), one example per
          column in the same layers as dZ, A[l-1] being layer l's input (after dropout);
          ``"dA0"`` is m ∂J/∂X;
        - ``"dW{l}"``, shape (n[l], n[l-1]): dJ/dW[l] (carries 1/m), with (λ/m) W[l];
        - ``"db{l}"``, shape (n[l], 1): dJ/db[l] (carries 1/m), 0 up to rounding for a
          batch-normalized layer;
        - for a batch-normalized layer only, ``"dgamma{l}"`` and ``"dbeta{l}"``, shape
          (n[l], 1): dJ/dγ[l] and dJ/dβ[l] (carry 1/m).

    Raises
    ------
    TypeError, ValueError
        As `forward`; also if the last activation is neither "sigmoid" nor "softmax", Y is not shaped (n[L], m),
        Y holds labels its loss does not allow, or `l2` is not a finite number at least
        0. Everything is checked before anything is computed.

    See Also
    --------
    forward
        Forward pass through all L layers: A[0] = X, then A[l] = g[l](W[l] A[l-1] +
        b[l]) for l = 1, ..., L.
    descent_step
        One step of gradient descent on J: W[l] - α dW[l] and b[l] - α db[l] for every
        layer.
    check_gradients
        Relative error of every dW[l] and db[l] from `gradients` against centred
        differences of the cost J.

    Examples
    --------
    >>> import numpy as np
    >>> params = random_params([3, 4, 1], seed=0)
    >>> X, Y = np.arange(15.0).reshape(3, 5) / 15, np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
    >>> grads = gradients(params, X, Y, ["tanh", "sigmoid"])
    >>> AL, caches = forward(params, X, ["tanh", "sigmoid"])
    >>> np.allclose(grads["dW1"], grads["dZ1"] @ X.T / 5) and np.allclose(grads["dZ2"], AL - Y)
    True
    >>> decayed = gradients(params, X, Y, ["tanh", "sigmoid"], l2=0.7)
    >>> np.allclose(decayed["dW1"], grads["dW1"] + 0.7 / 5 * params["W1"])
    True
    """
    func = "gradients"
    X, layers, norms, drops, keep_prob, bn_eps = _check_all(
        func, params, X, activations, keep_prob, masks, bn_eps
    )
    l2 = check.l2(func, l2)
    L = len(layers)
    check.output(func, activations[-1], f"the last activation, activations[{L - 1}],")
    Y = as_matrix(func, "Y", Y)
    require_shape(func, "Y", Y, (layers[-1][0].shape[0], X.shape[1]), like="AL")
    check.labels(func, Y, activations[-1])

    if norms or drops or l2:
        return _gradients_training(X, Y, layers, norms, drops, keep_prob, bn_eps, l2)
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

    See Also
    --------
    forward
        Forward pass through all L layers: A[0] = X, then A[l] = g[l](W[l] A[l-1] +
        b[l]) for l = 1, ..., L.
    descent_step
        One step of gradient descent on J: W[l] - α dW[l] and b[l] - α db[l] for every
        layer.

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

    Also γ[l] - α dγ[l] and β[l] - α dβ[l] for a batch-normalized layer. Implements
    {eq}`eq-l2-update` when dW[l] comes from `gradients` with l2 = λ: W[l] shrinks by the
    factor (1 - αλ/m) (weight decay) before the data term's step.

    Parameters
    ----------
    params : dict of str to numpy.ndarray
        "W1", "b1", ..., "WL", "bL"; W[l] shape (n[l], n[l-1]), b[l] shape (n[l], 1);
        maybe "gamma{l}" and "beta{l}", (n[l], 1), as for `forward`.
    grads : dict of str to numpy.ndarray
        Must hold "dW{l}" and "db{l}" (dJ/dW[l], dJ/db[l]) shaped like W[l] and b[l],
        and "dgamma{l}", "dbeta{l}" for each gamma{l}, beta{l}; other keys, such as the
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

    See Also
    --------
    gradients
        Every gradient of the backward pass, from the output layer down to the input.
    random_params
        Small random weights and zero biases for a network with the given layer sizes.

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
    counted = "one per W in params"
    layers, norms = _check_layers(func, params, _count_layers(params), counted)

    new = {}
    for l, (W, b) in enumerate(layers, start=1):
        pairs = [(f"W{l}", W), (f"b{l}", b)]
        if l in norms:
            pairs += [(f"gamma{l}", norms[l][0]), (f"beta{l}", norms[l][1])]
        for name, value in pairs:
            if f"d{name}" not in grads:
                raise ValueError(f"{func}: grads is missing 'd{name}', the gradient for params' {name!r}")
            grad = as_array(func, f"d{name}", grads[f"d{name}"])
            require_shape(func, f"d{name}", grad, value.shape, like=name)
            new[name] = value - learning_rate * grad
    return {key: new[key] for key in params}


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
    layers, norms = _check_layers(func, params, len(names), "one per activation")
    X = check.layer_input(func, "X", X, "W1", layers[0][0])
    return X, [(W, b, name) for (W, b), name in zip(layers, names)], norms


def _check_all(func, params, X, activations, keep_prob, masks, bn_eps):
    """`_check_network`, then the options: X, layers, norms, masks, keep_prob, ε."""
    X, layers, norms = _check_network(func, params, X, activations)
    defaults = type(keep_prob) is float and keep_prob == 1.0 and bn_eps is BN_EPS
    if defaults and masks is None:
        return X, layers, norms, {}, 1.0, BN_EPS  # nothing to convert
    keep_prob = check.keep_prob(func, keep_prob)
    sizes = [X.shape[0]] + [W.shape[0] for W, _, _ in layers]
    drops = check.masks(func, masks, keep_prob, sizes, X.shape[1])
    return X, layers, norms, drops, keep_prob, check.bn_eps(func, bn_eps)


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
    return sum(1 for key in params if isinstance(key, str) and check.WEIGHT_KEY.fullmatch(key))


def _expected_keys(L):
    return [f"{p}{l}" for l in range(1, L + 1) for p in "Wb"]


def _describe_keys(L):
    return ", ".join(_expected_keys(L)) if L <= 2 else f"W1, b1, ..., W{L}, b{L}"


def _check_layers(func, params, L, counted):
    """Check params holds exactly W1, b1, ..., WL, bL with chained shapes (and maybe
    gamma{l}, beta{l}); return [(W, b)] and {l: (gamma, beta)}, all float64.
    """
    if not isinstance(params, dict):
        raise TypeError(f"{func}: params must be a dict with keys 'W1', 'b1', ...; got {type(params).__name__}")
    if L == 0:
        raise ValueError(f"{func}: params has no weight matrix W1; expected keys W1, b1, W2, b2, ...")
    expected = _expected_keys(L)
    expected_set = set(expected)
    missing = [key for key in expected if key not in params]
    extra = [key for key in params if key not in expected_set]
    if extra and not missing:
        optional = {f"{p}{l}" for l in range(1, L + 1) for p in ("gamma", "beta")}
        extra = [key for key in extra if key not in optional]
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
        layers.append((W, check.bias(func, f"b{l}", params[f"b{l}"], W)))
    norms = {}
    if len(params) > 2 * L:
        for l, (W, _) in enumerate(layers, start=1):
            pair = check.norm(func, params, l, W.shape[0])
            if pair is not None:
                norms[l] = pair
    return layers, norms


def _forward_all(X, layers):
    A, caches = X, []
    for W, b, activation in layers:
        A, cache = _forward(A, W, b, activation)  # eq-linear-forward, eq-activation-forward
        caches.append(cache)
    return A, caches
