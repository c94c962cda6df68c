"""One layer as a forward/backward pair with a cache, in the style of CS231n's layers.

`layer_forward` computes A[l] from A[l-1] and keeps what the backward pass needs in a `LayerCache`. The backward
pass is split into one small function per equation of the chapter, and `layer_backward` composes them; each line
is tagged with the label of the equation it implements.

dZ and dA stack per-example derivatives: column i is the derivative of example i's own loss L⁽ⁱ⁾ with respect to
its own column, so dZ = m ∂J/∂Z (no 1/m). dW and db are derivatives of the cost J = (1/m) Σᵢ L⁽ⁱ⁾ (they carry the
1/m).

Each public function checks its inputs and then calls a private core that does not; `backprop.network` checks a
whole network once and calls the cores directly, so big arrays are not checked again at every layer.
"""

from typing import NamedTuple

import numpy as np

from . import _validation as check
from .activations import _UNCHECKED, get_activation
from .shapes import as_matrix, require_shape

__all__ = [
    "LayerCache",
    "layer_forward",
    "dz_from_da",
    "weight_gradient",
    "bias_gradient",
    "da_prev",
    "dz_hidden",
    "layer_backward",
    "layer_backward_from_dz",
]

class LayerCache(NamedTuple):
    """What `layer_forward` keeps for the backward pass of layer l.

    Attributes
    ----------
    A_prev : numpy.ndarray, shape (n[l-1], m)
        The layer's input A[l-1].
    W : numpy.ndarray, shape (n[l], n[l-1])
        The layer's weights W[l].
    b : numpy.ndarray, shape (n[l], 1)
        The layer's bias b[l].
    Z : numpy.ndarray, shape (n[l], m)
        The pre-activation W A_prev + b.
    activation : str
        Name of g[l], a key of `backprop.ACTIVATIONS`.

    See Also
    --------
    layer_forward
        Forward pass of one layer: Z = W A_prev + b, then A = g(Z).
    layer_backward
        Backward pass of one layer from dA: dZ by {eq}`eq-dz-from-da`, then
        `layer_backward_from_dz`.
    TrainingCache
        Layer l's cache when batch norm or dropout is on anywhere in the network.

    Examples
    --------
    >>> import numpy as np
    >>> A, cache = layer_forward(np.ones((2, 3)), np.ones((4, 2)), np.zeros((4, 1)), "relu")
    >>> cache.Z.shape, cache.activation
    ((4, 3), 'relu')
    """

    A_prev: np.ndarray
    W: np.ndarray
    b: np.ndarray
    Z: np.ndarray
    activation: str


def layer_forward(A_prev, W, b, activation):
    """Forward pass of one layer: Z = W A_prev + b, then A = g(Z).

    Implements {eq}`eq-linear-forward` and {eq}`eq-activation-forward`.

    Parameters
    ----------
    A_prev : numpy.ndarray, shape (n[l-1], m)
        Activations of the previous layer (X for the first layer), one column per example.
    W : numpy.ndarray, shape (n[l], n[l-1])
        The layer's weights W[l].
    b : numpy.ndarray, shape (n[l], 1)
        The layer's bias b[l]; exactly this shape: it is added to every column.
    activation : str
        Name of g[l]: "sigmoid", "tanh", "relu", "leaky_relu", "linear" or "softmax".

    Returns
    -------
    A : numpy.ndarray, shape (n[l], m)
        The layer's output A[l] = g(Z).
    cache : LayerCache
        (A_prev, W, b, Z, activation), for `layer_backward`.

    Raises
    ------
    TypeError, ValueError
        If an array is not a finite real 2-D ndarray of the shapes above, or `activation` is unknown.

    See Also
    --------
    layer_backward
        Backward pass of one layer from dA: dZ by {eq}`eq-dz-from-da`, then
        `layer_backward_from_dz`.
    layer_backward_from_dz
        Backward pass of one layer from dZ: used for the output layer, whose dZ = A - Y
        comes from the loss.
    LayerCache
        The cache of layer l that layer_forward keeps for the backward pass.
    forward
        Forward pass through all L layers: A[0] = X, then A[l] = g[l](W[l] A[l-1] +
        b[l]) for l = 1, ..., L.

    Examples
    --------
    >>> import numpy as np
    >>> A_prev, W, b = np.ones((2, 4)), np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([[0.5], [-3.0]])
    >>> A, cache = layer_forward(A_prev, W, b, "relu")
    >>> np.allclose(A, [[0.5] * 4, [0.0] * 4]) and np.allclose(cache.Z, [[0.5] * 4, [-0.5] * 4])
    True
    """
    func = "layer_forward"
    A_prev, W, b = check.linear(func, A_prev, W, b)
    get_activation(func, activation)
    return _forward(A_prev, W, b, activation)


def dz_from_da(dA, Z, activation):
    """dZ = dA * g'(Z), an element-wise product (g acts on each entry separately, so its Jacobian is diagonal).

    Implements {eq}`eq-dz-from-da`.

    Parameters
    ----------
    dA : numpy.ndarray, shape (n[l], m)
        Column i is ∂L⁽ⁱ⁾/∂a[l]⁽ⁱ⁾; equal to m ∂J/∂A[l] (no 1/m).
    Z : numpy.ndarray, shape (n[l], m)
        The layer's pre-activations Z[l].
    activation : str
        Name of g[l]; not "softmax".

    Returns
    -------
    dZ : numpy.ndarray, shape (n[l], m)
        Column i is ∂L⁽ⁱ⁾/∂z[l]⁽ⁱ⁾; equal to m ∂J/∂Z[l] (no 1/m).

    Raises
    ------
    TypeError, ValueError
        If an array is not a finite real 2-D ndarray, dA is not shaped like Z, or `activation` is unknown or
        "softmax" (the softmax Jacobian is not diagonal; its output layer uses dZ = A - Y).

    See Also
    --------
    dz_hidden
        dZ[l] = W[l+1]ᵀ dZ[l+1] * g'(Z[l]): `da_prev` of the next layer, then
        `dz_from_da`.
    layer_backward
        Backward pass of one layer from dA: dZ by {eq}`eq-dz-from-da`, then
        `layer_backward_from_dz`.
    softmax_dz_from_da
        dZ = A * (dA - Σₖ Aₖ dAₖ) for A = softmax(Z): each example's softmax Jacobian,
        transposed, times its dA.

    Examples
    --------
    >>> import numpy as np
    >>> dA, Z = np.array([[2.0, 2.0]]), np.array([[-1.0, 1.0]])
    >>> np.allclose(dz_from_da(dA, Z, "relu"), [[0.0, 2.0]])
    True
    """
    func = "dz_from_da"
    Z = as_matrix(func, "Z", Z)
    dA = as_matrix(func, "dA", dA)
    require_shape(func, "dA", dA, Z.shape, like="Z")
    check.elementwise(func, activation)
    return _dz_from_da(dA, Z, activation)


def weight_gradient(dZ, A_prev):
    """dW = (1/m) dZ A_prevᵀ: the mean over the m examples of the outer products dz⁽ⁱ⁾ a_prev⁽ⁱ⁾ᵀ.

    Implements {eq}`eq-dw`, and {eq}`eq-dw-sum`, the same product written as a sum over the examples.

    Parameters
    ----------
    dZ : numpy.ndarray, shape (n[l], m)
        Column i is ∂L⁽ⁱ⁾/∂z[l]⁽ⁱ⁾; equal to m ∂J/∂Z[l] (no 1/m).
    A_prev : numpy.ndarray, shape (n[l-1], m)
        The layer's input A[l-1], one column per example.

    Returns
    -------
    dW : numpy.ndarray, shape (n[l], n[l-1])
        dJ/dW[l], the derivative of the cost (it carries the 1/m).

    Raises
    ------
    TypeError, ValueError
        If an array is not a finite real 2-D ndarray, or the two have different numbers of columns.

    See Also
    --------
    bias_gradient
        db = (1/m) Σᵢ dz⁽ⁱ⁾: the mean of dZ's columns.
    da_prev
        dA_prev = Wᵀ dZ: each unit of layer l-1 collects the dZ of every unit it feeds,
        weighted by W.
    layer_backward_from_dz
        Backward pass of one layer from dZ: used for the output layer, whose dZ = A - Y
        comes from the loss.

    Examples
    --------
    >>> import numpy as np
    >>> dZ, A_prev = np.array([[1.0, 3.0]]), np.array([[2.0, 4.0], [1.0, 1.0]])
    >>> np.allclose(weight_gradient(dZ, A_prev), [[(1 * 2 + 3 * 4) / 2, (1 * 1 + 3 * 1) / 2]])
    True
    """
    func = "weight_gradient"
    dZ = as_matrix(func, "dZ", dZ)
    A_prev = as_matrix(func, "A_prev", A_prev)
    require_shape(func, "A_prev", A_prev, ("n[l-1]", dZ.shape[1]), why=f"to match dZ's {dZ.shape[1]} examples")
    return _weight_gradient(dZ, A_prev)


def bias_gradient(dZ):
    """db = (1/m) Σᵢ dz⁽ⁱ⁾: the mean of dZ's columns.

    Implements {eq}`eq-db`, and {eq}`eq-lr-db` for logistic regression's one unit (as a (1, 1) array).

    Parameters
    ----------
    dZ : numpy.ndarray, shape (n[l], m)
        Column i is ∂L⁽ⁱ⁾/∂z[l]⁽ⁱ⁾; equal to m ∂J/∂Z[l] (no 1/m).

    Returns
    -------
    db : numpy.ndarray, shape (n[l], 1)
        dJ/db[l], the derivative of the cost (it carries the 1/m).

    Raises
    ------
    TypeError, ValueError
        If `dZ` is not a finite real 2-D ndarray.

    See Also
    --------
    weight_gradient
        dW = (1/m) dZ A_prevᵀ: the mean over the m examples of the outer products dz⁽ⁱ⁾
        a_prev⁽ⁱ⁾ᵀ.
    da_prev
        dA_prev = Wᵀ dZ: each unit of layer l-1 collects the dZ of every unit it feeds,
        weighted by W.

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(bias_gradient(np.array([[1.0, 3.0], [0.0, -2.0]])), [[2.0], [-1.0]])
    True
    """
    return _bias_gradient(as_matrix("bias_gradient", "dZ", dZ))


def da_prev(W, dZ):
    """dA_prev = Wᵀ dZ: each unit of layer l-1 collects the dZ of every unit it feeds, weighted by W.

    Implements {eq}`eq-da-prev`.

    Parameters
    ----------
    W : numpy.ndarray, shape (n[l], n[l-1])
        The layer's weights W[l].
    dZ : numpy.ndarray, shape (n[l], m)
        Column i is ∂L⁽ⁱ⁾/∂z[l]⁽ⁱ⁾; equal to m ∂J/∂Z[l] (no 1/m).

    Returns
    -------
    dA_prev : numpy.ndarray, shape (n[l-1], m)
        Column i is ∂L⁽ⁱ⁾/∂a[l-1]⁽ⁱ⁾; equal to m ∂J/∂A[l-1] (no 1/m).

    Raises
    ------
    TypeError, ValueError
        If an array is not a finite real 2-D ndarray, or dZ's rows do not match W's.

    See Also
    --------
    dz_hidden
        dZ[l] = W[l+1]ᵀ dZ[l+1] * g'(Z[l]): `da_prev` of the next layer, then
        `dz_from_da`.
    weight_gradient
        dW = (1/m) dZ A_prevᵀ: the mean over the m examples of the outer products dz⁽ⁱ⁾
        a_prev⁽ⁱ⁾ᵀ.
    bias_gradient
        db = (1/m) Σᵢ dz⁽ⁱ⁾: the mean of dZ's columns.

    Examples
    --------
    >>> import numpy as np
    >>> W, dZ = np.array([[1.0, 2.0]]), np.array([[3.0, -1.0]])
    >>> np.allclose(da_prev(W, dZ), [[3.0, -1.0], [6.0, -2.0]])
    True
    """
    func = "da_prev"
    W = as_matrix(func, "W", W)
    dZ = as_matrix(func, "dZ", dZ)
    require_shape(func, "dZ", dZ, (W.shape[0], "m"), why=f"to match W's {W.shape[0]} rows")
    return _da_prev(W, dZ)


def dz_hidden(W_next, dZ_next, Z, activation):
    """dZ[l] = W[l+1]ᵀ dZ[l+1] * g'(Z[l]): `da_prev` of the next layer, then `dz_from_da`.

    Implements {eq}`eq-dz-hidden`.

    Parameters
    ----------
    W_next : numpy.ndarray, shape (n[l+1], n[l])
        The next layer's weights W[l+1].
    dZ_next : numpy.ndarray, shape (n[l+1], m)
        Column i is ∂L⁽ⁱ⁾/∂z[l+1]⁽ⁱ⁾; equal to m ∂J/∂Z[l+1] (no 1/m).
    Z : numpy.ndarray, shape (n[l], m)
        This layer's pre-activations Z[l].
    activation : str
        Name of g[l]; not "softmax".

    Returns
    -------
    dZ : numpy.ndarray, shape (n[l], m)
        Column i is ∂L⁽ⁱ⁾/∂z[l]⁽ⁱ⁾; equal to m ∂J/∂Z[l] (no 1/m).

    Raises
    ------
    TypeError, ValueError
        If an array is not a finite real 2-D ndarray of the shapes above, or `activation` is unknown or "softmax".

    See Also
    --------
    da_prev
        dA_prev = Wᵀ dZ: each unit of layer l-1 collects the dZ of every unit it feeds,
        weighted by W.
    dz_from_da
        dZ = dA * g'(Z), an element-wise product (g acts on each entry separately, so
        its Jacobian is diagonal).

    Examples
    --------
    >>> import numpy as np
    >>> W_next, dZ_next, Z = np.array([[1.0, -2.0]]), np.array([[0.5]]), np.array([[3.0], [-3.0]])
    >>> np.allclose(dz_hidden(W_next, dZ_next, Z, "relu"), [[0.5], [0.0]])
    True
    """
    func = "dz_hidden"
    Z = as_matrix(func, "Z", Z)
    W_next = as_matrix(func, "W_next", W_next)
    dZ_next = as_matrix(func, "dZ_next", dZ_next)
    require_shape(func, "W_next", W_next, ("n[l+1]", Z.shape[0]), why=f"to take Z's {Z.shape[0]} units")
    require_shape(
        func, "dZ_next", dZ_next, (W_next.shape[0], Z.shape[1]), why="to match W_next's rows and Z's examples"
    )
    check.elementwise(func, activation)
    return _dz_from_da(_da_prev(W_next, dZ_next), Z, activation)  # eq-dz-hidden: eq-da-prev, then eq-dz-from-da


def layer_backward(dA, cache):
    """Backward pass of one layer from dA: dZ by {eq}`eq-dz-from-da`, then `layer_backward_from_dz`.

    Implements {eq}`eq-dz-from-da`, {eq}`eq-da-prev`, {eq}`eq-dw` and {eq}`eq-db`, the step
    {eq}`eq-layer-backward-step`.

    Parameters
    ----------
    dA : numpy.ndarray, shape (n[l], m)
        Column i is ∂L⁽ⁱ⁾/∂a[l]⁽ⁱ⁾; equal to m ∂J/∂A[l] (no 1/m).
    cache : LayerCache
        From `layer_forward`; its activation must not be "softmax".

    Returns
    -------
    dA_prev : numpy.ndarray, shape (n[l-1], m)
        Column i is ∂L⁽ⁱ⁾/∂a[l-1]⁽ⁱ⁾; equal to m ∂J/∂A[l-1] (no 1/m).
    dW : numpy.ndarray, shape (n[l], n[l-1])
        dJ/dW[l] (carries 1/m).
    db : numpy.ndarray, shape (n[l], 1)
        dJ/db[l] (carries 1/m).

    Raises
    ------
    TypeError, ValueError
        If `cache` is not a consistent LayerCache, dA is not shaped like cache.Z, or the activation is "softmax".

    See Also
    --------
    layer_forward
        Forward pass of one layer: Z = W A_prev + b, then A = g(Z).
    layer_backward_from_dz
        Backward pass of one layer from dZ: used for the output layer, whose dZ = A - Y
        comes from the loss.
    dz_from_da
        dZ = dA * g'(Z), an element-wise product (g acts on each entry separately, so
        its Jacobian is diagonal).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> A, cache = layer_forward(rng.normal(size=(3, 5)), rng.normal(size=(2, 3)), np.zeros((2, 1)), "tanh")
    >>> dA_prev, dW, db = layer_backward(np.ones((2, 5)), cache)
    >>> dA_prev.shape, dW.shape, db.shape
    ((3, 5), (2, 3), (2, 1))
    """
    func = "layer_backward"
    cache = _check_cache(func, cache)
    dA = as_matrix(func, "dA", dA)
    require_shape(func, "dA", dA, cache.Z.shape, like="Z")
    check.elementwise(func, cache.activation)
    dZ = _dz_from_da(dA, cache.Z, cache.activation)  # eq-dz-from-da
    return _backward_from_dz(dZ, cache)  # eq-da-prev, eq-dw, eq-db


def layer_backward_from_dz(dZ, cache):
    """Backward pass of one layer from dZ: used for the output layer, whose dZ = A - Y comes from the loss.

    Implements {eq}`eq-da-prev`, {eq}`eq-dw` and {eq}`eq-db`.

    Parameters
    ----------
    dZ : numpy.ndarray, shape (n[l], m)
        Column i is ∂L⁽ⁱ⁾/∂z[l]⁽ⁱ⁾; equal to m ∂J/∂Z[l] (no 1/m).
    cache : LayerCache
        From `layer_forward`.

    Returns
    -------
    dA_prev : numpy.ndarray, shape (n[l-1], m)
        Column i is ∂L⁽ⁱ⁾/∂a[l-1]⁽ⁱ⁾; equal to m ∂J/∂A[l-1] (no 1/m).
    dW : numpy.ndarray, shape (n[l], n[l-1])
        dJ/dW[l] (carries 1/m).
    db : numpy.ndarray, shape (n[l], 1)
        dJ/db[l] (carries 1/m).

    Raises
    ------
    TypeError, ValueError
        If `cache` is not a consistent LayerCache, or dZ is not shaped like cache.Z.

    See Also
    --------
    layer_backward
        Backward pass of one layer from dA: dZ by {eq}`eq-dz-from-da`, then
        `layer_backward_from_dz`.
    layer_forward
        Forward pass of one layer: Z = W A_prev + b, then A = g(Z).
    output_dz
        dZ[L] = A[L] - Y, where the backward pass starts for a cross-entropy loss.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> A, cache = layer_forward(rng.normal(size=(3, 5)), rng.normal(size=(2, 3)), np.zeros((2, 1)), "softmax")
    >>> dA_prev, dW, db = layer_backward_from_dz(A - np.eye(2)[:, [0, 1, 1, 0, 1]], cache)
    >>> np.allclose(dW, (A - np.eye(2)[:, [0, 1, 1, 0, 1]]) @ cache.A_prev.T / 5)
    True
    """
    func = "layer_backward_from_dz"
    cache = _check_cache(func, cache)
    dZ = as_matrix(func, "dZ", dZ)
    require_shape(func, "dZ", dZ, cache.Z.shape, like="Z")
    return _backward_from_dz(dZ, cache)


# -- Unchecked cores: each equation lives here, once. Inputs are float64 2-D arrays of consistent shapes. ----------


def _forward(A_prev, W, b, activation):
    Z = W @ A_prev + b  # eq-linear-forward
    A = _UNCHECKED[activation].g(Z)  # eq-activation-forward
    return A, LayerCache(A_prev, W, b, Z, activation)


def _dz_from_da(dA, Z, activation):
    return dA * _UNCHECKED[activation].g_prime(Z)  # eq-dz-from-da


def _weight_gradient(dZ, A_prev):
    return dZ @ A_prev.T / dZ.shape[1]  # eq-dw


def _bias_gradient(dZ):
    return dZ.sum(axis=1, keepdims=True) / dZ.shape[1]  # eq-db


def _da_prev(W, dZ):
    return W.T @ dZ  # eq-da-prev


def _backward_from_dz(dZ, cache):
    dA_prev = _da_prev(cache.W, dZ)  # eq-da-prev
    dW = _weight_gradient(dZ, cache.A_prev)  # eq-dw
    db = _bias_gradient(dZ)  # eq-db
    return dA_prev, dW, db


# -- Checks of this module's arguments (those shared with backprop.network are in backprop._validation). ---------


def _check_cache(func, cache):
    """Check that `cache` is a LayerCache whose arrays agree; return it with float64 arrays."""
    if not isinstance(cache, LayerCache):
        raise TypeError(f"{func}: cache must be the LayerCache returned by layer_forward; got {type(cache).__name__}")
    A_prev, W, b = check.linear(func, cache.A_prev, cache.W, cache.b, ("cache.A_prev", "cache.W", "cache.b"))
    Z = as_matrix(func, "cache.Z", cache.Z)
    require_shape(func, "cache.Z", Z, (W.shape[0], A_prev.shape[1]), why="like W @ A_prev")
    get_activation(func, cache.activation, "cache.activation")
    return LayerCache(A_prev, W, b, Z, cache.activation)
