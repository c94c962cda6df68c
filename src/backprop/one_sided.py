"""The one-sided difference: the gradient estimate that gradient checking does not use, kept to show why.

(f(x + ε) - f(x)) / ε has truncation error ε·|f''|/2, of order ε, against ε² for the centred difference of
`numerical_gradient`; rounding adds about 2u·|f|/ε (u ≈ 1.1e-16, the float64 unit roundoff), against u·|f|/ε. At the
step ε = 1e-5 that suits the centred difference, a one-sided estimate of a correct gradient of order 1 is typically
off by a relative error of the order of 1e-6: enough to fail a 1e-7 threshold with a right backward pass. The site's
gradient-checking page measures both.
"""

import numpy as np

from .gradcheck import _check_step, _differences, _scalar

__all__ = ["one_sided_gradient"]


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
