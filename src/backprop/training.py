"""The network's passes with Course 2's options on: L2, inverted dropout, batch norm.

`backprop.network` checks everything and, when an option is on, calls the two cores here;
with every option off it runs its own loop, untouched, so today's results and speed stay
as they were. Within a layer the order is: linear, batch norm, activation, dropout.
"""

from typing import NamedTuple

import numpy as np

from .activations import _UNCHECKED
from .batch_norm import _normalize, _normalize_backward
from .layer import _backward_from_dz, _dz_from_da, _forward
from .losses import _output_dz
from .regularization import _drop

__all__ = ["TrainingCache"]


class TrainingCache(NamedTuple):
    """Layer l's cache when batch norm or dropout is on anywhere in the network.

    `forward` returns one per layer in that case (and a `LayerCache` per layer
    otherwise). The first five fields are those of `LayerCache`, so ``cache.Z`` and
    ``cache.A_prev`` mean the same in both; the fields of an option the layer does not
    use are None. Order within the layer: Z = W A_prev + b, then batch norm
    (Z → Ẑ → Z̃), then g, then dropout.

    Attributes
    ----------
    A_prev : numpy.ndarray, shape (n[l-1], m)
        The layer's input A[l-1] (after layer l-1's dropout, if any).
    W : numpy.ndarray, shape (n[l], n[l-1])
        The layer's weights W[l].
    b : numpy.ndarray, shape (n[l], 1)
        The layer's bias b[l].
    Z : numpy.ndarray, shape (n[l], m)
        W A_prev + b, before normalization.
    activation : str
        Name of g[l].
    gamma : numpy.ndarray, shape (n[l], 1), or None
        γ[l] if the layer is batch-normalized ({eq}`eq-bn-forward`).
    beta : numpy.ndarray, shape (n[l], 1), or None
        β[l] if the layer is batch-normalized.
    mu : numpy.ndarray, shape (n[l], 1), or None
        The batch mean μ of each unit's row of Z.
    var : numpy.ndarray, shape (n[l], 1), or None
        The biased (1/m) batch variance σ² of each unit's row of Z.
    Zhat : numpy.ndarray, shape (n[l], m), or None
        Ẑ = (Z - μ) / sqrt(σ² + ε).
    Ztilde : numpy.ndarray, shape (n[l], m), or None
        Z̃ = γ * Ẑ + β, the input of g when the layer is normalized.
    eps : float or None
        The ε (`bn_eps`) used for this layer.
    A_before_dropout : numpy.ndarray, shape (n[l], m)
        g applied to Z̃ (normalized) or to Z; the layer's output when it has no mask.
    D : numpy.ndarray, shape (n[l], m), or None
        The mask D[l] of 0 and 1, if layer l is dropped ({eq}`eq-dropout-forward`).
    keep_prob : float or None
        The keep_prob used with D.

    See Also
    --------
    forward
        Forward pass through all L layers: A[0] = X, then A[l] = g[l](W[l] A[l-1] +
        b[l]) for l = 1, ..., L.
    LayerCache
        The cache of layer l that layer_forward keeps for the backward pass.

    Examples
    --------
    >>> import numpy as np
    >>> from backprop import forward, random_params
    >>> params = {**random_params([3, 4, 1], seed=0), "gamma1": np.ones((4, 1)),
    ...           "beta1": np.zeros((4, 1))}
    >>> _, caches = forward(params, np.ones((3, 5)), ["relu", "sigmoid"])
    >>> caches[0].Zhat.shape, caches[0].D is None, caches[1].gamma is None
    ((4, 5), True, True)
    """

    A_prev: np.ndarray
    W: np.ndarray
    b: np.ndarray
    Z: np.ndarray
    activation: str
    gamma: np.ndarray | None
    beta: np.ndarray | None
    mu: np.ndarray | None
    var: np.ndarray | None
    Zhat: np.ndarray | None
    Ztilde: np.ndarray | None
    eps: float | None
    A_before_dropout: np.ndarray
    D: np.ndarray | None
    keep_prob: float | None


def _forward_training(X, layers, norms, drops, keep_prob, bn_eps):
    """The forward pass with batch norm and/or dropout: A[L] and one TrainingCache a layer.

    layers is [(W, b, activation)], norms {l: (gamma, beta)}, drops {l: D[l]}, all checked.
    """
    A, caches = X, []
    for l, (W, b, activation) in enumerate(layers, start=1):
        A_prev = A
        Z = W @ A_prev + b  # eq-linear-forward
        gamma = beta = mu = var = Zhat = Ztilde = eps = None
        if l in norms:
            (gamma, beta), eps = norms[l], bn_eps
            mu, var, Zhat, Ztilde = _normalize(Z, gamma, beta, eps)  # eq-bn-forward
        G = _UNCHECKED[activation].g(Z if Ztilde is None else Ztilde)  # eq-activation-forward
        D = drops.get(l)
        A = G if D is None else _drop(G, D, keep_prob)  # eq-dropout-forward
        kept = None if D is None else keep_prob
        caches.append(
            TrainingCache(
                A_prev, W, b, Z, activation, gamma, beta, mu, var, Zhat, Ztilde, eps, G, D, kept
            )
        )
    return A, caches


def _gradients_training(X, Y, layers, norms, drops, keep_prob, bn_eps, l2):
    """`gradients` with any of L2 (l2 > 0), dropout (drops) and batch norm (norms) on."""
    if norms or drops:
        AL, caches = _forward_training(X, layers, norms, drops, keep_prob, bn_eps)
    else:
        A, caches = X, []
        for W, b, activation in layers:
            A, cache = _forward(A, W, b, activation)  # eq-linear-forward, eq-activation-forward
            caches.append(cache)
        AL = A
    m = X.shape[1]
    grads = {}
    dV = _output_dz(AL, Y)  # eq-dz-output: dZ[L], or dZ̃[L] if layer L is normalized
    for l in range(len(layers), 0, -1):
        cache = caches[l - 1]
        dZ = dV
        if l in norms:
            dZ, dgamma, dbeta = _normalize_backward(
                dV, cache.Zhat, cache.var, cache.gamma, cache.eps
            )  # eq-bn-dgamma, eq-bn-dbeta, eq-bn-dz
            grads[f"dgamma{l}"], grads[f"dbeta{l}"] = dgamma, dbeta
        dA_prev, dW, db = _backward_from_dz(dZ, cache)  # eq-da-prev, eq-dw, eq-db
        if l2:
            dW = dW + (l2 / m) * cache.W  # eq-l2-dw
        grads[f"dZ{l}"], grads[f"dA{l - 1}"] = dZ, dA_prev
        grads[f"dW{l}"], grads[f"db{l}"] = dW, db
        if l > 1:
            below, k = caches[l - 2], l - 1
            # eq-dropout-backward: the same mask and 1/keep_prob as on the way forward
            dG = _drop(dA_prev, below.D, keep_prob) if k in drops else dA_prev
            pre = below.Ztilde if k in norms else below.Z
            dV = _dz_from_da(dG, pre, below.activation)  # eq-dz-from-da
    return grads
