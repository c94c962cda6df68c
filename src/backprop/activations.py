"""Activations g and their derivatives g': one function each, acting on every entry separately; and softmax.

Each function accepts a finite real ndarray of any shape (`softmax_columns`, `softmax_jacobian` and
`softmax_dz_from_da` need 2-D) and returns a new float64 array; none writes to its argument. `ACTIVATIONS` maps the
names used in a network's list of activations to an `Activation` holding g and g'.

An element-wise activation has a diagonal Jacobian, so its backward step is the element-wise product
``dA * g'(Z)`` (`backprop.dz_from_da`). A softmax has a full Jacobian per example, diag(a) - a aᵀ
(`softmax_jacobian`), yet multiplying by it needs only O(n) work per example, because of its structure:
`softmax_dz_from_da` does that product for a batch, one column per example.
"""

from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Optional

import numpy as np

from .shapes import as_array, as_matrix, require_shape

__all__ = [
    "logistic",
    "logistic_prime",
    "tanh",
    "tanh_prime",
    "relu",
    "relu_prime",
    "leaky_relu",
    "leaky_relu_prime",
    "linear",
    "linear_prime",
    "softmax_columns",
    "softmax_jacobian",
    "softmax_dz_from_da",
    "Activation",
    "ACTIVATIONS",
    "get_activation",
]

LEAKY_SLOPE = 0.01


def logistic(Z):
    """The logistic sigmoid, 1 / (1 + exp(-Z)), computed without overflow.

    Parameters
    ----------
    Z : numpy.ndarray, any shape, for example (n[l], m)
        Pre-activations.

    Returns
    -------
    numpy.ndarray, same shape as `Z`
        Entries in [0, 1]; they round to exactly 0 or 1 only for abs(Z) beyond about 37 (1) or 745 (0).

    Raises
    ------
    TypeError, ValueError
        If `Z` is not a finite real ndarray (see `backprop.shapes.as_array`).

    See Also
    --------
    logistic_prime
        Derivative of the logistic sigmoid, σ(Z) (1 - σ(Z)).
    tanh
        The hyperbolic tangent.
    softmax_columns
        Softmax of each column: exp(Z) divided by its column's sum, so every column is a
        probability vector.

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(logistic(np.array([[-1000.0, 0.0, 1000.0]])), [[0.0, 0.5, 1.0]])
    True
    """
    return _logistic(as_array("logistic", "Z", Z))


def logistic_prime(Z):
    """Derivative of the logistic sigmoid, σ(Z) (1 - σ(Z)).

    Implements {eq}`eq-sigmoid-prime`.

    Parameters
    ----------
    Z : numpy.ndarray, any shape, for example (n[l], m)
        Pre-activations.

    Returns
    -------
    numpy.ndarray, same shape as `Z`
        Entries in [0, 0.25].

    Raises
    ------
    TypeError, ValueError
        If `Z` is not a finite real ndarray.

    See Also
    --------
    logistic
        The logistic sigmoid, 1 / (1 + exp(-Z)), computed without overflow.
    dz_from_da
        dZ = dA * g'(Z), an element-wise product (g acts on each entry separately, so
        its Jacobian is diagonal).

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(logistic_prime(np.array([[0.0]])), 0.25)
    True
    """
    return _logistic_prime(as_array("logistic_prime", "Z", Z))


def tanh(Z):
    """The hyperbolic tangent.

    Parameters
    ----------
    Z : numpy.ndarray, any shape, for example (n[l], m)
        Pre-activations.

    Returns
    -------
    numpy.ndarray, same shape as `Z`
        Entries in [-1, 1].

    Raises
    ------
    TypeError, ValueError
        If `Z` is not a finite real ndarray.

    See Also
    --------
    tanh_prime
        Derivative of tanh, 1 - tanh(Z)**2.
    logistic
        The logistic sigmoid, 1 / (1 + exp(-Z)), computed without overflow.

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(tanh(np.array([[0.0, 1.0]])), [[0.0, np.tanh(1.0)]])
    True
    """
    return _tanh(as_array("tanh", "Z", Z))


def tanh_prime(Z):
    """Derivative of tanh, 1 - tanh(Z)**2.

    Implements {eq}`eq-tanh-prime`. With A = tanh(Z) this is ``1 - A**2``, which is why code that kept the layer's
    output A (as the course's does) can compute g'(Z) without calling tanh again.

    Parameters
    ----------
    Z : numpy.ndarray, any shape, for example (n[l], m)
        Pre-activations.

    Returns
    -------
    numpy.ndarray, same shape as `Z`
        Entries in [0, 1]: 1 - tanh(Z)², which rounds to exactly 0 in float64 once abs(Z) is above about 19.

    Raises
    ------
    TypeError, ValueError
        If `Z` is not a finite real ndarray.

    See Also
    --------
    tanh
        The hyperbolic tangent.
    dz_from_da
        dZ = dA * g'(Z), an element-wise product (g acts on each entry separately, so
        its Jacobian is diagonal).

    Examples
    --------
    >>> import numpy as np
    >>> Z = np.array([[-0.5, 2.0]])
    >>> np.allclose(tanh_prime(Z), 1 - tanh(Z) ** 2)
    True
    """
    return _tanh_prime(as_array("tanh_prime", "Z", Z))


def relu(Z):
    """The rectified linear unit, max(Z, 0).

    Parameters
    ----------
    Z : numpy.ndarray, any shape, for example (n[l], m)
        Pre-activations.

    Returns
    -------
    numpy.ndarray, same shape as `Z`
        Non-negative entries.

    Raises
    ------
    TypeError, ValueError
        If `Z` is not a finite real ndarray.

    See Also
    --------
    relu_prime
        Derivative of ReLU: 1 where Z > 0, else 0.
    leaky_relu
        Leaky ReLU with slope 0.01 for negative inputs: Z where Z > 0, else 0.01 Z.

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(relu(np.array([[-2.0, 0.0, 3.0]])), [[0.0, 0.0, 3.0]])
    True
    """
    return _relu(as_array("relu", "Z", Z))


def relu_prime(Z):
    """Derivative of ReLU: 1 where Z > 0, else 0.

    Implements {eq}`eq-relu-prime`. ReLU has no derivative at exactly 0; this function defines it as 0 there (it
    tests ``Z > 0``), as the course's code does. Any value in [0, 1] would be a valid subgradient.

    Parameters
    ----------
    Z : numpy.ndarray, any shape, for example (n[l], m)
        Pre-activations.

    Returns
    -------
    numpy.ndarray, same shape as `Z`
        Entries 0.0 or 1.0.

    Raises
    ------
    TypeError, ValueError
        If `Z` is not a finite real ndarray.

    See Also
    --------
    relu
        The rectified linear unit, max(Z, 0).
    leaky_relu_prime
        Derivative of leaky ReLU: 1 where Z > 0, else 0.01.
    dz_from_da
        dZ = dA * g'(Z), an element-wise product (g acts on each entry separately, so
        its Jacobian is diagonal).

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(relu_prime(np.array([[-2.0, 0.0, 3.0]])), [[0.0, 0.0, 1.0]])
    True
    """
    return _relu_prime(as_array("relu_prime", "Z", Z))


def leaky_relu(Z):
    """Leaky ReLU with slope 0.01 for negative inputs: Z where Z > 0, else 0.01 Z.

    Parameters
    ----------
    Z : numpy.ndarray, any shape, for example (n[l], m)
        Pre-activations.

    Returns
    -------
    numpy.ndarray, same shape as `Z`
        Z where Z > 0, 0.01 Z elsewhere.

    Raises
    ------
    TypeError, ValueError
        If `Z` is not a finite real ndarray.

    See Also
    --------
    leaky_relu_prime
        Derivative of leaky ReLU: 1 where Z > 0, else 0.01.
    relu
        The rectified linear unit, max(Z, 0).

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(leaky_relu(np.array([[-2.0, 3.0]])), [[-0.02, 3.0]])
    True
    """
    return _leaky_relu(as_array("leaky_relu", "Z", Z))


def leaky_relu_prime(Z):
    """Derivative of leaky ReLU: 1 where Z > 0, else 0.01.

    Implements {eq}`eq-leaky-relu-prime`. At exactly 0 it takes the left slope, 0.01, matching `relu_prime`'s
    choice of the left value there.

    Parameters
    ----------
    Z : numpy.ndarray, any shape, for example (n[l], m)
        Pre-activations.

    Returns
    -------
    numpy.ndarray, same shape as `Z`
        Entries 1.0 or 0.01.

    Raises
    ------
    TypeError, ValueError
        If `Z` is not a finite real ndarray.

    See Also
    --------
    leaky_relu
        Leaky ReLU with slope 0.01 for negative inputs: Z where Z > 0, else 0.01 Z.
    relu_prime
        Derivative of ReLU: 1 where Z > 0, else 0.
    dz_from_da
        dZ = dA * g'(Z), an element-wise product (g acts on each entry separately, so
        its Jacobian is diagonal).

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(leaky_relu_prime(np.array([[-2.0, 0.0, 3.0]])), [[0.01, 0.01, 1.0]])
    True
    """
    return _leaky_relu_prime(as_array("leaky_relu_prime", "Z", Z))


def linear(Z):
    """The identity activation, g(Z) = Z (a regression output, or a layer with no non-linearity).

    Parameters
    ----------
    Z : numpy.ndarray, any shape, for example (n[l], m)
        Pre-activations.

    Returns
    -------
    numpy.ndarray, same shape as `Z`
        A copy of `Z`, so that changing the output cannot change `Z`.

    Raises
    ------
    TypeError, ValueError
        If `Z` is not a finite real ndarray.

    See Also
    --------
    linear_prime
        Derivative of the identity: 1 everywhere.

    Examples
    --------
    >>> import numpy as np
    >>> Z = np.array([[-2.0, 3.0]])
    >>> np.allclose(linear(Z), Z)
    True
    """
    return _linear(as_array("linear", "Z", Z))


def linear_prime(Z):
    """Derivative of the identity: 1 everywhere.

    Implements {eq}`eq-linear-prime`.

    Parameters
    ----------
    Z : numpy.ndarray, any shape, for example (n[l], m)
        Pre-activations.

    Returns
    -------
    numpy.ndarray, same shape as `Z`
        All ones.

    Raises
    ------
    TypeError, ValueError
        If `Z` is not a finite real ndarray.

    See Also
    --------
    linear
        The identity activation, g(Z) = Z (a regression output, or a layer with no non-
        linearity).
    dz_from_da
        dZ = dA * g'(Z), an element-wise product (g acts on each entry separately, so
        its Jacobian is diagonal).

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(linear_prime(np.array([[-2.0, 3.0]])), 1.0)
    True
    """
    return _linear_prime(as_array("linear_prime", "Z", Z))


def softmax_columns(Z):
    """Softmax of each column: exp(Z) divided by its column's sum, so every column is a probability vector.

    Parameters
    ----------
    Z : numpy.ndarray, shape (n[L], m)
        Pre-activations of the output layer, one column per example.

    Returns
    -------
    numpy.ndarray, shape (n[L], m)
        Entries in [0, 1]; each column sums to 1.

    Raises
    ------
    TypeError, ValueError
        If `Z` is not a finite real 2-D ndarray.

    See Also
    --------
    softmax_jacobian
        Jacobian of softmax for one example: da_i/dz_j = a_i (δ_ij - a_j), that is
        diag(a) - a aᵀ.
    softmax_dz_from_da
        dZ = A * (dA - Σₖ Aₖ dAₖ) for A = softmax(Z): each example's softmax Jacobian,
        transposed, times its dA.
    logistic
        The logistic sigmoid, 1 / (1 + exp(-Z)), computed without overflow.

    Examples
    --------
    >>> import numpy as np
    >>> A = softmax_columns(np.array([[1.0, 1000.0], [2.0, 1000.0], [3.0, -1000.0]]))
    >>> np.allclose(A.sum(axis=0), 1.0)
    True
    """
    return _softmax_columns(as_matrix("softmax_columns", "Z", Z))


def softmax_jacobian(z):
    """Jacobian of softmax for one example: da_i/dz_j = a_i (δ_ij - a_j), that is diag(a) - a aᵀ.

    Implements {eq}`eq-softmax-jacobian`. It is not diagonal: each output depends on every input, which is why
    the element-wise rule dZ = dA * g'(Z) does not apply to a softmax layer.

    Parameters
    ----------
    z : numpy.ndarray, shape (n[L], 1)
        Pre-activations of ONE example, as a column.

    Returns
    -------
    numpy.ndarray, shape (n[L], n[L])
        Symmetric; entry (i, j) is the derivative of softmax output i with respect to input j.

    Raises
    ------
    TypeError, ValueError
        If `z` is not a finite real ndarray of shape (n, 1).

    See Also
    --------
    softmax_columns
        Softmax of each column: exp(Z) divided by its column's sum, so every column is a
        probability vector.
    softmax_dz_from_da
        dZ = A * (dA - Σₖ Aₖ dAₖ) for A = softmax(Z): each example's softmax Jacobian,
        transposed, times its dA.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.array([[0.5], [-1.0], [2.0]])
    >>> a = softmax_columns(z)
    >>> np.allclose(softmax_jacobian(z), np.diag(a[:, 0]) - a @ a.T)
    True
    """
    z = as_matrix("softmax_jacobian", "z", z)
    require_shape("softmax_jacobian", "z", z, ("n", 1), note="one example as a column")
    a = _softmax_columns(z)
    return np.diagflat(a) - a @ a.T  # eq-softmax-jacobian


def softmax_dz_from_da(dA, Z):
    """dZ = A * (dA - Σₖ Aₖ dAₖ) for A = softmax(Z): each example's softmax Jacobian, transposed, times its dA.

    Implements {eq}`eq-softmax-dz-from-da` and, for one example, {eq}`eq-softmax-jacobian-times-da`. Column i is
    (diag(a) - a aᵀ)ᵀ da for a = softmax(Z[:, i]) and da = dA[:, i]; the Jacobian is symmetric, and the product is
    computed in O(n[l]) per example, without the n[l] x n[l] matrix. With dA = -Y / A (categorical cross-entropy)
    and columns of Y that sum to 1, it is A - Y ({eq}`eq-dz-output`).

    Parameters
    ----------
    dA : numpy.ndarray, shape (n[l], m)
        Derivative of each example's loss with respect to its column of A[l], for a softmax layer (no 1/m).
    Z : numpy.ndarray, shape (n[l], m)
        The layer's pre-activations; A = softmax(Z) column by column.

    Returns
    -------
    dZ : numpy.ndarray, shape (n[l], m)
        Column i is ∂L⁽ⁱ⁾/∂z[l]⁽ⁱ⁾; equal to m ∂J/∂Z[l] (no 1/m). Each column sums to 0 (up to rounding).

    Raises
    ------
    TypeError, ValueError
        If an array is not a finite real 2-D ndarray, or dA is not shaped like Z.

    See Also
    --------
    softmax_jacobian
        Jacobian of softmax for one example: da_i/dz_j = a_i (δ_ij - a_j), that is
        diag(a) - a aᵀ.
    dz_from_da
        dZ = dA * g'(Z), an element-wise product (g acts on each entry separately, so
        its Jacobian is diagonal).
    output_dz
        dZ[L] = A[L] - Y, where the backward pass starts for a cross-entropy loss.

    Examples
    --------
    >>> import numpy as np
    >>> from backprop import softmax_columns, softmax_jacobian
    >>> Z, dA = np.array([[0.5, 1.0], [-1.0, 0.0], [2.0, -2.0]]), np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 3.0]])
    >>> dZ = softmax_dz_from_da(dA, Z)
    >>> np.allclose(dZ[:, [1]], softmax_jacobian(Z[:, [1]]).T @ dA[:, [1]])
    True
    """
    func = "softmax_dz_from_da"
    Z = as_matrix(func, "Z", Z)
    dA = as_matrix(func, "dA", dA)
    require_shape(func, "dA", dA, Z.shape, like="Z")
    A = _softmax_columns(Z)
    return A * (dA - (A * dA).sum(axis=0, keepdims=True))  # eq-softmax-dz-from-da


@dataclass(frozen=True)
class Activation:
    """An activation g and its derivative g', both element-wise.

    Parameters
    ----------
    name : str
        The name used in a network's list of activations.
    g : callable
        Maps Z, shape (n[l], m), to A = g(Z), same shape.
    g_prime : callable or None
        Maps Z to g'(Z), same shape. None for softmax, whose derivative is a Jacobian per example, not an
        element-wise function; softmax is only used as the output layer, where dZ = A - Y.

    See Also
    --------
    ACTIVATIONS
        Every activation by name, read-only.
    get_activation
        Look up an activation by name, with an error that names the caller.

    Examples
    --------
    >>> import numpy as np
    >>> act = Activation("relu", relu, relu_prime)
    >>> np.allclose(act.g(np.array([[-1.0, 2.0]])), [[0.0, 2.0]])
    True
    """

    name: str
    g: Callable[[np.ndarray], np.ndarray]
    g_prime: Optional[Callable[[np.ndarray], np.ndarray]]


ACTIVATIONS = MappingProxyType(
    {
        "sigmoid": Activation("sigmoid", logistic, logistic_prime),
        "tanh": Activation("tanh", tanh, tanh_prime),
        "relu": Activation("relu", relu, relu_prime),
        "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_prime),
        "linear": Activation("linear", linear, linear_prime),
        "softmax": Activation("softmax", softmax_columns, None),
    }
)


def get_activation(func, name, arg="activation"):
    """Look up an activation by name, with an error that names the caller.

    Parameters
    ----------
    func : str
        Name of the public function asking; it starts the error message.
    name : str
        One of "sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax".
    arg : str, optional
        How the caller refers to `name` in its own arguments, for the message (``"activations[2]"``).

    Returns
    -------
    Activation
        The entry of `ACTIVATIONS` named `name`.

    Raises
    ------
    TypeError
        If `name` is not a str.
    ValueError
        If `name` is not a known activation; the message lists the known ones.

    See Also
    --------
    ACTIVATIONS
        Every activation by name, read-only.
    Activation
        An activation g and its derivative g', both element-wise.

    Examples
    --------
    >>> get_activation("demo", "tanh").name
    'tanh'
    """
    if not isinstance(name, str):
        raise TypeError(f"{func}: {arg} must be a str such as 'relu'; got {type(name).__name__}")
    if name not in ACTIVATIONS:
        known = ", ".join(repr(k) for k in ACTIVATIONS)
        raise ValueError(f"{func}: {arg} must be one of {known}; got {name!r}")
    return ACTIVATIONS[name]


# -- Unchecked cores: float64 arrays, already checked by the caller. Each equation lives here, once. --------------


def _logistic(Z):
    # exp(-|Z|) is at most 1, so it cannot overflow, and it keeps tiny values of the logistic accurate for Z << 0.
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0, e) / (1.0 + e)


def _logistic_prime(Z):
    s = _logistic(Z)
    return s * (1.0 - s)  # eq-sigmoid-prime


def _tanh(Z):
    return np.tanh(Z)


def _tanh_prime(Z):
    return 1.0 - np.tanh(Z) ** 2  # eq-tanh-prime


def _relu(Z):
    return np.maximum(Z, 0.0)


def _relu_prime(Z):
    return (Z > 0).astype(np.float64)  # eq-relu-prime


def _leaky_relu(Z):
    return np.where(Z > 0, Z, LEAKY_SLOPE * Z)


def _leaky_relu_prime(Z):
    return np.where(Z > 0, 1.0, LEAKY_SLOPE)  # eq-leaky-relu-prime


def _linear(Z):
    return Z.copy()  # a new array, so that changing A cannot change the Z it came from


def _linear_prime(Z):
    return np.ones_like(Z)  # eq-linear-prime


def _softmax_columns(Z):
    # Softmax is unchanged by subtracting a constant from a column; subtracting its max keeps exp() at most 1.
    with np.errstate(under="ignore"):
        e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


# The same table as ACTIVATIONS, with the unchecked cores: the passes of backprop.layer, backprop.network and
# backprop.training check their arrays once at the entry, then use these at every layer.
_UNCHECKED = MappingProxyType(
    {
        "sigmoid": Activation("sigmoid", _logistic, _logistic_prime),
        "tanh": Activation("tanh", _tanh, _tanh_prime),
        "relu": Activation("relu", _relu, _relu_prime),
        "leaky_relu": Activation("leaky_relu", _leaky_relu, _leaky_relu_prime),
        "linear": Activation("linear", _linear, _linear_prime),
        "softmax": Activation("softmax", _softmax_columns, None),
    }
)
