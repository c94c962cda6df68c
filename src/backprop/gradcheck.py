"""Gradient checking: compare the backward pass with centred differences of the cost.

A centred difference (f(x + ε) - f(x - ε)) / 2ε has truncation error of order ε², against ε for a one-sided
difference. Rounding adds an error of order u·S/ε, where u ≈ 1.1e-16 is the float64 unit roundoff and S the size of
the numbers f is computed from (at least |f|; larger when f is a small result of larger terms, as -log a is for a
near 1), so the total is smallest near ε ≈ u^(1/3) ≈ 5e-6 for a cost of order 1. The default step, ε = 1e-5, sits there: an analytic gradient that is
right then agrees to a relative error below about 1e-7 (often 1e-10 to 1e-8), and one that is wrong does not.

`one_sided_gradient` is the estimate that gradient checking does not use, kept to show why: (f(x + ε) - f(x)) / ε
has truncation error ε·|f''|/2, of order ε, and rounding adds about 2u·|f|/ε, against u·|f|/ε. At the step ε = 1e-5
that suits the centred difference, a one-sided estimate of a correct gradient of order 1 is typically off by a
relative error of the order of 1e-6: enough to fail a 1e-7 threshold with a right backward pass. The site's
gradient-checking page measures both.
"""

import numpy as np

from .losses import cost
from .network import BN_EPS, forward, gradients
from .shapes import as_array, require_shape

__all__ = [
    "numerical_gradient",
    "numerical_jacobian",
    "one_sided_gradient",
    "relative_error",
    "check_gradients",
]


def numerical_gradient(f, x, eps=1e-5):
    """Centred-difference estimate of the gradient of a scalar function f at x, one entry at a time.

    Implements {eq}`eq-centred-difference`.

    Parameters
    ----------
    f : callable
        Maps an array shaped like `x` to a real scalar.
    x : numpy.ndarray, any shape
        The point. It is not modified: f receives a float64 copy, nudged one entry at a time.
    eps : float, optional
        The step ε, positive.

    Returns
    -------
    numpy.ndarray, same shape as `x`
        Entry i is f(x + ε eᵢ) - f(x - ε eᵢ) divided by the step actually taken, (xᵢ + ε) - (xᵢ - ε) as
        stored in float64, which is 2ε up to rounding.

    Raises
    ------
    TypeError
        If `f` is not callable, `x` is not a real ndarray, `eps` is not a number, or f returns something that is
        not a real scalar.
    ValueError
        If `x` is empty or not finite, `eps` is not positive and finite, or f returns NaN or inf.

    See Also
    --------
    numerical_jacobian
        Centred-difference Jacobian of an array-valued function f at x, in numerator
        layout.
    one_sided_gradient
        One-sided (forward) difference estimate of the gradient of a scalar function f
        at x, one entry at a time.
    relative_error
        ||analytic - numerical|| / (||analytic|| + ||numerical||), with Frobenius norms;
        0.0 when both are zero.
    check_gradients
        Relative error of every dW[l] and db[l] from `gradients` against centred
        differences of the cost J.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0, -2.0], [0.5, 3.0]])
    >>> np.allclose(numerical_gradient(lambda v: float(np.sum(v ** 2)), x), 2 * x)
    True
    """
    func = "numerical_gradient"
    x, eps = _check_step(func, f, x, eps)
    grad = np.empty_like(x)
    for i, slope in _differences(func, f, x, eps, _scalar):
        grad[i] = slope
    return grad


def numerical_jacobian(f, x, eps=1e-5):
    """Centred-difference Jacobian of an array-valued function f at x, in numerator layout.

    Row i holds the derivatives of output entry i, column j the derivatives with respect to input entry j (both
    counted in numpy's C order). For a column x of n entries and a column f(x) of k entries this is the k x n matrix
    ∂f/∂x of numerator layout; for a scalar f it is a 1 x n **row**, the layout that the course transposes.

    Parameters
    ----------
    f : callable
        Maps an array shaped like `x` to a real array (or scalar) of fixed shape.
    x : numpy.ndarray, any shape
        The point. It is not modified.
    eps : float, optional
        The step ε, positive.

    Returns
    -------
    numpy.ndarray, shape (f(x).size, x.size)
        Column j is f(x + ε eⱼ) - f(x - ε eⱼ), flattened, divided by the step actually taken,
        (xⱼ + ε) - (xⱼ - ε) as stored in float64, which is 2ε up to rounding.

    Raises
    ------
    TypeError
        As `numerical_gradient`, or if f returns something that is not a real array.
    ValueError
        As `numerical_gradient`, or if f returns NaN or inf.

    See Also
    --------
    numerical_gradient
        Centred-difference estimate of the gradient of a scalar function f at x, one
        entry at a time.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> J = numerical_jacobian(lambda a: W @ a, np.ones((3, 1)))
    >>> J.shape, np.allclose(J, W)
    ((2, 3), True)
    """
    func = "numerical_jacobian"
    x, eps = _check_step(func, f, x, eps)
    columns = [slope.ravel() for _, slope in _differences(func, f, x, eps, _array)]
    return np.stack(columns, axis=1)


def one_sided_gradient(f, x, eps=1e-5):
    """One-sided (forward) difference estimate of the gradient of a scalar function f at x, one entry at a time.

    Implements {eq}`eq-one-sided-difference`. For comparison only: check gradients with `numerical_gradient`, whose
    centred difference is far more accurate at the same step.

    Parameters
    ----------
    f : callable
        Maps an array shaped like `x` to a real scalar.
    x : numpy.ndarray, any shape
        The point. It is not modified: f receives a float64 copy, nudged one entry at a time.
    eps : float, optional
        The step ε, positive. The default is the same as `numerical_gradient`'s, so that the two compare at one step.

    Returns
    -------
    numpy.ndarray, same shape as `x`
        Entry i is (f(x + ε eᵢ) - f(x)) / ε, dividing by the step actually taken (x[i] + ε is rounded).

    Raises
    ------
    TypeError
        If `f` is not callable, `x` is not a real ndarray, `eps` is not a number, or f returns something that is
        not a real scalar.
    ValueError
        If `x` is empty or not finite, `eps` is not positive and finite, or f returns NaN or inf.

    See Also
    --------
    numerical_gradient
        Centred-difference estimate of the gradient of a scalar function f at x, one
        entry at a time.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0, -2.0], [0.5, 3.0]])
    >>> # the error of a one-sided difference of sum(x²) is exactly ε per entry: f'' / 2 = 1, times ε
    >>> np.allclose(one_sided_gradient(lambda v: float(np.sum(v ** 2)), x, eps=1e-3), 2 * x + 1e-3)
    True
    """
    func = "one_sided_gradient"
    x, eps = _check_step(func, f, x, eps)
    grad = np.empty_like(x)
    for i, slope in _differences(func, f, x, eps, _scalar, centred=False):
        grad[i] = slope
    return grad


def _check_step(func, f, x, eps):
    """Check the arguments shared by the centred-difference functions; return x as float64 and eps."""
    if not callable(f):
        raise TypeError(f"{func}: f must be callable; got {type(f).__name__}")
    x = as_array(func, "x", x)
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise TypeError(f"{func}: eps must be a real number; got {type(eps).__name__}")
    if not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"{func}: eps must be positive and finite; got {eps}")
    return x, eps


def _differences(func, f, x, eps, value_of, centred=True):
    """Yield (index, slope of f along that entry of x) for every entry of x.

    Centred by {eq}`eq-centred-difference`, or one-sided by {eq}`eq-one-sided-difference` (then f(x) is evaluated
    once, and the point itself stands for the lower end of every step).
    """
    nudged = x.copy()  # the caller's x is never written to, even when it is already float64
    if not centred:
        f_x = value_of(func, f(nudged), None)
    for i in np.ndindex(nudged.shape):
        value = nudged[i]
        nudged[i] = value + eps
        f_plus, up = value_of(func, f(nudged), i), nudged[i]
        if centred:
            nudged[i] = value - eps
            f_minus, down = value_of(func, f(nudged), i), nudged[i]
        else:
            f_minus, down = f_x, value
        nudged[i] = value
        # Divide by the step actually taken: value ± eps is rounded, so up - down may differ from 2 eps (or eps).
        yield i, (f_plus - f_minus) / (up - down)  # eq-centred-difference, eq-one-sided-difference


def relative_error(analytic, numerical):
    """||analytic - numerical|| / (||analytic|| + ||numerical||), with Frobenius norms; 0.0 when both are zero.

    Implements {eq}`eq-relative-error`. It is scale-free, and at most 1.

    Parameters
    ----------
    analytic : numpy.ndarray, any shape
        A gradient from the backward pass.
    numerical : numpy.ndarray, same shape as `analytic`
        The same gradient from `numerical_gradient`.

    Returns
    -------
    float
        In [0, 1]: below about 1e-7 for a correct gradient in float64 (often 1e-10 to 1e-8), and far larger for a
        wrong one.

    Raises
    ------
    TypeError, ValueError
        If either is not a finite real ndarray, or their shapes differ.

    See Also
    --------
    numerical_gradient
        Centred-difference estimate of the gradient of a scalar function f at x, one
        entry at a time.
    check_gradients
        Relative error of every dW[l] and db[l] from `gradients` against centred
        differences of the cost J.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[3.0, 4.0]])
    >>> np.allclose([relative_error(a, a), relative_error(a, -a), relative_error(0 * a, 0 * a)], [0.0, 1.0, 0.0])
    True
    """
    func = "relative_error"
    analytic = as_array(func, "analytic", analytic)
    numerical = as_array(func, "numerical", numerical)
    require_shape(func, "numerical", numerical, analytic.shape, like="analytic")
    scale = np.linalg.norm(analytic) + np.linalg.norm(numerical)
    if scale == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numerical) / scale)  # eq-relative-error


def check_gradients(
    params, X, Y, activations, eps=1e-5, *, l2=0.0, keep_prob=1.0, masks=None,
    bn_eps=BN_EPS,
):
    """Relative error of every dW[l] and db[l] from `gradients` against centred differences of the cost J.

    With Course 2's options (the same as `gradients`), J includes the L2 term
    ({eq}`eq-l2-cost`), the forward pass uses the given dropout masks, fixed while J is
    differentiated, and dγ[l], dβ[l] of each batch-normalized layer are checked too.

    Parameters
    ----------
    params : dict of str to numpy.ndarray
        "W1", "b1", ..., "WL", "bL", as for `forward`.
    X : numpy.ndarray, shape (n[0], m)
        The inputs, one column per example.
    Y : numpy.ndarray, shape (n[L], m)
        Labels allowed by the output's loss, as for `gradients`.
    activations : list or tuple of str, length L
        The last must be "sigmoid" or "softmax"; it also picks the loss.
    eps : float, optional
        The step of the centred differences.
    l2, keep_prob, masks, bn_eps : optional
        As for `gradients`.

    Returns
    -------
    dict of str to float
        ``"dW{l}"`` and ``"db{l}"`` for l = 1, ..., L: `relative_error` of dJ/dW[l] and dJ/db[l]. Below about 1e-7
        means the backward pass agrees with the cost it differentiates. The network is small in practice: this
        costs two forward passes per parameter. For a batch-normalized layer,
        ``"dgamma{l}"`` and ``"dbeta{l}"`` instead of ``"db{l}"``: J does not depend on
        b[l] there, both sides of db[l] are 0 up to rounding, and their relative error
        would measure only the rounding.

    Raises
    ------
    TypeError, ValueError
        As `gradients`, and as `numerical_gradient` for `eps`.

    See Also
    --------
    gradients
        Every gradient of the backward pass, from the output layer down to the input.
    numerical_gradient
        Centred-difference estimate of the gradient of a scalar function f at x, one
        entry at a time.
    relative_error
        ||analytic - numerical|| / (||analytic|| + ||numerical||), with Frobenius norms;
        0.0 when both are zero.

    Examples
    --------
    >>> import numpy as np
    >>> from backprop import random_params
    >>> rng = np.random.default_rng(0)
    >>> params, X = random_params([3, 4, 2], seed=0), rng.normal(size=(3, 5))
    >>> Y = np.eye(2)[:, [0, 1, 1, 0, 1]]
    >>> errors = check_gradients(params, X, Y, ["tanh", "softmax"])
    >>> sorted(errors), np.allclose(list(errors.values()), 0.0, atol=1e-7)
    (['dW1', 'dW2', 'db1', 'db2'], True)
    """
    # Only the options given are passed on: a call without them is today's call.
    options = {} if masks is None and keep_prob == 1.0 and bn_eps is BN_EPS else {
        "keep_prob": keep_prob, "masks": masks, "bn_eps": bn_eps
    }
    with_l2 = {"l2": l2} if l2 else {}
    grads = gradients(params, X, Y, activations, **options, **with_l2)
    output = activations[-1]
    errors = {}
    for l in range(1, len(activations) + 1):
        normalized = f"dgamma{l}" in grads
        names = [f"W{l}", f"gamma{l}", f"beta{l}"] if normalized else [f"W{l}", f"b{l}"]
        for name in names:

            def J(value, name=name):
                changed = {**params, name: value}
                AL = forward(changed, X, activations, **options)[0]
                return cost(AL, Y, output, params=changed if l2 else None, l2=l2)

            errors[f"d{name}"] = relative_error(grads[f"d{name}"], numerical_gradient(J, params[name], eps))
    return errors


def _where(index):
    """Where f was evaluated, for an error message: at x itself (index None) or with one entry nudged."""
    return "at x itself" if index is None else f"when x{list(index)} was nudged"


def _scalar(func, value, index):
    """`value` as a float, or an error saying where f returned it."""
    if isinstance(value, (str, bytes)) or np.ndim(value) != 0 or np.iscomplexobj(value):
        raise TypeError(f"{func}: f must return a real scalar; got {type(value).__name__} {_where(index)}")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: f must return a real scalar; got {type(value).__name__} {_where(index)}") from None
    if not np.isfinite(value):
        raise ValueError(f"{func}: f returned {value} {_where(index)}; it must stay finite")
    return value


def _array(func, value, index):
    """`value` as a float64 array, or an error naming the entry of x that was nudged when f returned it."""
    value = np.asarray(value) if np.isscalar(value) else value
    return as_array(func, f"f(x) with x{list(index)} nudged", value)
