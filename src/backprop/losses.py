"""The loss L of one example, the cost J of a batch, and where the backward pass starts: dZ[L] and dA[L].

Two output layers are supported, each with the loss that makes dZ[L] = A[L] - Y:

- ``"sigmoid"``: binary cross-entropy, summed over the output units; labels Y are 0 or 1.
- ``"softmax"``: categorical cross-entropy; each column of Y is a probability vector (usually one-hot).

dZ and dA are derivatives of the loss L of each example, one column per example (no 1/m); the cost J is the mean
of L over the batch.

`example_losses` and `output_dz` take the output A[L]; `example_losses_from_logits` and `output_dz_from_logits` take
the logits Z[L] instead and stay accurate where A[L] is within rounding of 0 or 1.
"""

import numpy as np

from . import _validation as check
from .activations import _logistic
from .regularization import _l2_term
from .shapes import as_matrix, require_shape

__all__ = [
    "output_dz",
    "output_da",
    "example_losses",
    "cost",
    "example_losses_from_logits",
    "output_dz_from_logits",
]

OUTPUTS = check.OUTPUTS


def output_dz(AL, Y):
    """dZ[L] = A[L] - Y, where the backward pass starts for a cross-entropy loss.

    For a sigmoid output with binary cross-entropy, or a softmax output with categorical cross-entropy.
    Implements {eq}`eq-dz-output` (and {eq}`eq-lr-dz`, its one-unit case). For sigmoid it equals `output_da` times
    `logistic_prime(Z)`; for softmax it equals the softmax Jacobian, transposed, times dA (-Y / A[L] for
    cross-entropy), one example at a time, when each column of Y sums to 1 (one-hot labels do; this function does
    not check it).

    Parameters
    ----------
    AL : numpy.ndarray, shape (n[L], m)
        The network's output A[L].
    Y : numpy.ndarray, shape (n[L], m)
        Labels, one column per example.

    Returns
    -------
    dZ : numpy.ndarray, shape (n[L], m)
        Column i is ∂L⁽ⁱ⁾/∂z[L](i), example i's own derivative (no 1/m).

    Raises
    ------
    TypeError, ValueError
        If an array is not a finite real 2-D ndarray, or Y is not shaped like AL.

    See Also
    --------
    output_da
        dA[L] = -(Y / A[L] - (1 - Y) / (1 - A[L])), the derivative of binary cross-
        entropy with respect to A[L].
    output_dz_from_logits
        dZ[L] = A[L] - Y computed from the logits Z[L], without subtracting numbers that
        are nearly equal.
    layer_backward_from_dz
        Backward pass of one layer from dZ: used for the output layer, whose dZ = A - Y
        comes from the loss.

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(output_dz(np.array([[0.8, 0.3]]), np.array([[1.0, 0.0]])), [[-0.2, 0.3]])
    True
    """
    func = "output_dz"
    AL, Y = _check_pair(func, AL, Y)
    return _output_dz(AL, Y)


def output_da(AL, Y):
    """dA[L] = -(Y / A[L] - (1 - Y) / (1 - A[L])), the derivative of binary cross-entropy with respect to A[L].

    Implements {eq}`eq-da-output`. This is the week-4 starting point; multiplying by the sigmoid's derivative
    gives `output_dz`.

    Parameters
    ----------
    AL : numpy.ndarray, shape (n[L], m)
        Sigmoid outputs, every entry strictly between 0 and 1.
    Y : numpy.ndarray, shape (n[L], m)
        Labels 0 or 1.

    Returns
    -------
    dA : numpy.ndarray, shape (n[L], m)
        Column i is ∂L⁽ⁱ⁾/∂a[L](i), example i's own derivative (no 1/m).

    Raises
    ------
    TypeError, ValueError
        If an array is not a finite real 2-D ndarray, Y is not shaped like AL, AL has entries outside (0, 1), or Y
        has entries other than 0 and 1.

    See Also
    --------
    output_dz
        dZ[L] = A[L] - Y, where the backward pass starts for a cross-entropy loss.
    example_losses
        The loss L of each example: cross-entropy between its column of Y and its column
        of AL.

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(output_da(np.array([[0.8, 0.25]]), np.array([[1.0, 0.0]])), [[-1.25, 1 / 0.75]])
    True
    """
    func = "output_da"
    AL, Y = _check_pair(func, AL, Y)
    _check_probabilities(func, AL, "sigmoid")
    check.labels(func, Y, "sigmoid")
    return -(Y / AL - (1.0 - Y) / (1.0 - AL))  # eq-da-output


def example_losses(AL, Y, output="sigmoid"):
    """The loss L of each example: cross-entropy between its column of Y and its column of AL.

    Implements {eq}`eq-loss-bce` (sigmoid, summed over the output units) and {eq}`eq-loss-ce` (softmax).

    Parameters
    ----------
    AL : numpy.ndarray, shape (n[L], m)
        The network's output, every entry strictly between 0 and 1; for softmax each column sums to 1.
    Y : numpy.ndarray, shape (n[L], m)
        Labels: 0 or 1 for sigmoid; for softmax, entries in [0, 1] with each column summing to 1.
    output : {"sigmoid", "softmax"}
        The output layer's activation, which picks the loss.

    Returns
    -------
    numpy.ndarray, shape (1, m)
        L of each example (not divided by m).

    Raises
    ------
    TypeError, ValueError
        If an array is not a finite real 2-D ndarray, the shapes differ, AL or Y has values the loss does not
        allow, or `output` is unknown.

    See Also
    --------
    cost
        The cost J = (1/m) Σᵢ L⁽ⁱ⁾, the mean of `example_losses`, plus maybe an L2 term.
    example_losses_from_logits
        The loss L of each example, computed from the logits Z[L] instead of from A[L].
    output_dz
        dZ[L] = A[L] - Y, where the backward pass starts for a cross-entropy loss.

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(example_losses(np.array([[0.5, 0.9]]), np.array([[1.0, 0.0]])), [[np.log(2), np.log(10)]])
    True
    """
    AL, Y = _check_prediction("example_losses", AL, Y, output)
    return _example_losses(AL, Y, output)


def cost(AL, Y, output="sigmoid", *, params=None, l2=0.0):
    """The cost J = (1/m) Σᵢ L⁽ⁱ⁾, the mean of `example_losses`, plus maybe an L2 term.

    Implements {eq}`eq-cost`; with `params` and `l2` = λ > 0, {eq}`eq-l2-cost` (also written
    {eq}`eq-cost-l2`):
    J = (1/m) Σᵢ L⁽ⁱ⁾ + (λ/2m) Σ_l ‖W[l]‖²_F, no longer a mean of per-example losses.

    Parameters
    ----------
    AL : numpy.ndarray, shape (n[L], m)
        The network's output, every entry strictly between 0 and 1; for softmax each column sums to 1.
    Y : numpy.ndarray, shape (n[L], m)
        Labels: 0 or 1 for sigmoid; for softmax, entries in [0, 1] with each column summing to 1.
    output : {"sigmoid", "softmax"}
        The output layer's activation, which picks the loss.
    params : dict of str to numpy.ndarray, optional
        The network's parameters; the L2 term sums the squares of every "W{l}" in it
        (biases, γ and β are not penalized). Needed when `l2` > 0; when `l2` is 0, J is
        the data term alone.
    l2 : float, optional
        λ, the L2 strength, at least 0.

    Returns
    -------
    float
        J, a Python float.

    Raises
    ------
    TypeError, ValueError
        As `example_losses`, naming `cost`; also if `l2` is not a finite number at least
        0, if `l2` > 0 without `params`, or `params` (when used) is not a dict with W1, ...
        of finite real matrices.

    See Also
    --------
    example_losses
        The loss L of each example: cross-entropy between its column of Y and its column
        of AL.
    gradients
        Every gradient of the backward pass, from the output layer down to the input.

    Examples
    --------
    >>> import numpy as np
    >>> AL, Y = np.array([[0.7, 0.2], [0.3, 0.8]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> np.allclose(cost(AL, Y, "softmax"), -(np.log(0.7) + np.log(0.8)) / 2)
    True
    >>> params = {"W1": np.array([[1.0, 2.0]]), "b1": np.zeros((1, 1))}
    >>> J = cost(AL, Y, "softmax", params=params, l2=0.4)
    >>> np.allclose(J, cost(AL, Y, "softmax") + 0.4 / (2 * 2) * (1 + 4))
    True
    """
    AL, Y = _check_prediction("cost", AL, Y, output)
    l2, weights = check.l2_weights("cost", params, l2)
    J = float(_example_losses(AL, Y, output).mean())  # eq-cost
    return J + _l2_term(weights, l2, AL.shape[1]) if weights else J  # eq-l2-cost


def example_losses_from_logits(ZL, Y, output="sigmoid"):
    """The loss L of each example, computed from the logits Z[L] instead of from A[L].

    Implements {eq}`eq-loss-from-logits`: for sigmoid, Σₖ max(zₖ, 0) - yₖ zₖ + log(1 + exp(-abs(zₖ))); for softmax,
    -Σₖ yₖ log aₖ with log aₖ = zₖ - log Σⱼ exp(zⱼ) (log-sum-exp), which is the form of {eq}`eq-loss-from-logits`
    because each column of Y sums to 1 (checked). In exact arithmetic it equals ``example_losses(g(ZL), Y,
    output)``. In float64 it never forms 1 - A[L] nor takes the log of a rounded A[L], so it stays accurate, and
    finite, where A[L] is close to 0 or 1: `example_losses` refuses an A[L] that has rounded to 1 (a sigmoid's, from
    z ≈ 37), whose loss this function still returns.

    Parameters
    ----------
    ZL : numpy.ndarray, shape (n[L], m)
        The output layer's pre-activations Z[L], any finite values.
    Y : numpy.ndarray, shape (n[L], m)
        Labels: 0 or 1 for sigmoid; for softmax, entries in [0, 1] with each column summing to 1.
    output : {"sigmoid", "softmax"}
        The output layer's activation, which picks the loss.

    Returns
    -------
    numpy.ndarray, shape (1, m)
        L of each example (not divided by m).

    Raises
    ------
    TypeError, ValueError
        If an array is not a finite real 2-D ndarray, Y is not shaped like ZL, Y has values the loss does not allow,
        or `output` is unknown.

    See Also
    --------
    example_losses
        The loss L of each example: cross-entropy between its column of Y and its column
        of AL.
    output_dz_from_logits
        dZ[L] = A[L] - Y computed from the logits Z[L], without subtracting numbers that
        are nearly equal.

    Examples
    --------
    >>> import numpy as np
    >>> ZL, Y = np.array([[0.0, 40.0]]), np.array([[1.0, 0.0]])
    >>> np.allclose(example_losses_from_logits(ZL, Y), [[np.log(2), 40.0]])
    True
    """
    ZL, Y = _check_logits("example_losses_from_logits", ZL, Y, output)
    if output == "sigmoid":
        with np.errstate(under="ignore"):
            softplus = np.log1p(np.exp(-np.abs(ZL)))
        return (np.maximum(ZL, 0.0) - Y * ZL + softplus).sum(axis=0, keepdims=True)  # eq-loss-from-logits
    shifted, rest = _shifted_logits(ZL)
    log_A = shifted - np.log1p(rest)  # log softmax: zₖ - log Σⱼ exp(zⱼ)
    return -(Y * log_A).sum(axis=0, keepdims=True)  # eq-loss-from-logits


def output_dz_from_logits(ZL, Y, output="sigmoid"):
    """dZ[L] = A[L] - Y computed from the logits Z[L], without subtracting numbers that are nearly equal.

    Implements {eq}`eq-dz-from-logits`: dZ = (1 - Y) * A - Y * (1 - A), which is A - Y, with 1 - A never computed
    by subtracting an A close to 1 from 1. For sigmoid, 1 - σ(z) is computed as σ(-z). For softmax, 1 - aₖ is
    computed as the sum of the column's other entries where aₖ is the column's largest (the only entry that can be
    close to 1); any other aₖ is at most 1/2, and 1 - aₖ loses nothing. In exact arithmetic it equals
    ``output_dz(g(ZL), Y)``. In float64, with labels 0 or 1 (one-hot for softmax), every entry keeps a small relative
    error, also where A[L] - Y is tiny and ``A - Y`` keeps only an absolute error of about 1e-16.

    Parameters
    ----------
    ZL : numpy.ndarray, shape (n[L], m)
        The output layer's pre-activations Z[L], any finite values.
    Y : numpy.ndarray, shape (n[L], m)
        Labels: 0 or 1 for sigmoid; for softmax, entries in [0, 1] with each column summing to 1.
    output : {"sigmoid", "softmax"}
        The output layer's activation: sigmoid with binary cross-entropy, or softmax with categorical cross-entropy.

    Returns
    -------
    dZ : numpy.ndarray, shape (n[L], m)
        Column i is ∂L⁽ⁱ⁾/∂z[L](i), example i's own derivative (no 1/m).

    Raises
    ------
    TypeError, ValueError
        If an array is not a finite real 2-D ndarray, Y is not shaped like ZL, Y has values the loss does not allow,
        or `output` is unknown.

    See Also
    --------
    output_dz
        dZ[L] = A[L] - Y, where the backward pass starts for a cross-entropy loss.
    example_losses_from_logits
        The loss L of each example, computed from the logits Z[L] instead of from A[L].

    Examples
    --------
    >>> import numpy as np
    >>> ZL, Y = np.array([[0.0, 40.0]]), np.array([[1.0, 1.0]])
    >>> np.allclose(output_dz_from_logits(ZL, Y), [[-0.5, -np.exp(-40.0)]], rtol=1e-15, atol=0)
    True
    """
    ZL, Y = _check_logits("output_dz_from_logits", ZL, Y, output)
    if output == "sigmoid":
        A, one_minus_A = _logistic(ZL), _logistic(-ZL)  # σ(-z) = 1 - σ(z)
    else:
        shifted, rest = _shifted_logits(ZL)
        with np.errstate(under="ignore"):
            A = np.exp(shifted) / (1.0 + rest)
        # For a largest entry, 1 - aₖ is the sum of the others, rest / (1 + rest); any other aₖ is at most 1/2.
        top = shifted == 0.0
        one_minus_A = np.where(top, rest / (1.0 + rest), 1.0 - A)
    return (1.0 - Y) * A - Y * one_minus_A  # eq-dz-from-logits


# -- Unchecked cores. ---------------------------------------------------------------------------------------------


def _output_dz(AL, Y):
    return AL - Y  # eq-dz-output


def _example_losses(AL, Y, output):
    if output == "sigmoid":
        # log1p(-a) is log(1 - a) without the rounding of 1 - a when a is tiny.
        return -(Y * np.log(AL) + (1.0 - Y) * np.log1p(-AL)).sum(axis=0, keepdims=True)  # eq-loss-bce
    return -(Y * np.log(AL)).sum(axis=0, keepdims=True)  # eq-loss-ce


def _shifted_logits(ZL):
    """Each column of ZL minus its largest entry (shifted), and rest, the row (1, m) with Σⱼ exp(shifted) = 1 + rest.

    Subtracting the max keeps exp() at most 1. Summing rest without the max's own exp(0) = 1 keeps it accurate when
    it is tiny, so that log1p(rest) = log Σⱼ exp(shifted) is accurate too.
    """
    shifted = ZL - ZL.max(axis=0, keepdims=True)
    first_top = shifted.argmax(axis=0)
    with np.errstate(under="ignore"):
        e = np.exp(shifted)
    e[first_top, np.arange(ZL.shape[1])] = 0.0
    return shifted, e.sum(axis=0, keepdims=True)


# -- Checks of this module's arguments (those shared with backprop.network are in backprop._validation). ---------


def _check_logits(func, ZL, Y, output):
    check.output(func, output)
    ZL, Y = _check_pair(func, ZL, Y, name="ZL")
    check.labels(func, Y, output)
    return ZL, Y


def _check_pair(func, AL, Y, name="AL"):
    """Both arrays as float64 matrices, Y shaped like the first, which the messages call `name`."""
    AL = as_matrix(func, name, AL)
    Y = as_matrix(func, "Y", Y)
    require_shape(func, "Y", Y, AL.shape, like=name)
    return AL, Y


def _check_probabilities(func, AL, output):
    """Raise unless float64 `AL` is strictly inside (0, 1) and, for softmax, its columns sum to 1."""
    bad = AL.size - np.count_nonzero((AL > 0) & (AL < 1))
    if bad:
        raise ValueError(
            f"{func}: AL must lie strictly between 0 and 1, since the loss takes log(AL) and log(1 - AL); {bad} of "
            f"{AL.size} entries are outside (min {AL.min():.6g}, max {AL.max():.6g})"
        )
    if output == "softmax":
        check.columns_sum_to_one(func, "AL", AL, "a softmax output is a probability vector per example")


def _check_prediction(func, AL, Y, output):
    check.output(func, output)
    AL, Y = _check_pair(func, AL, Y)
    _check_probabilities(func, AL, output)
    check.labels(func, Y, output)
    return AL, Y
