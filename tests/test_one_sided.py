"""The one-sided difference: right to first order in ε, and no better; the centred difference is right to second."""

import re

import numpy as np
import pytest

from backprop import numerical_gradient
from backprop.one_sided import one_sided_gradient


def test_one_sided_difference_is_exact_on_a_linear_function():
    c = np.array([[1.5, -2.0, 0.25]])
    np.testing.assert_allclose(one_sided_gradient(lambda v: float(np.sum(c * v)), np.ones((1, 3))), c, rtol=1e-9)


def test_one_sided_error_is_half_eps_times_the_second_derivative():
    # f(x) = sum(exp(x)): f'' = f' = exp(x), so the one-sided error is eps / 2 * exp(x) to first order.
    x, eps = np.array([0.0, 1.0, -1.0]), 1e-4
    error = one_sided_gradient(lambda v: float(np.sum(np.exp(v))), x, eps) - np.exp(x)
    np.testing.assert_allclose(error, eps / 2 * np.exp(x), rtol=1e-3)


def test_one_sided_error_shrinks_like_eps_and_centred_like_eps_squared():
    def f(v):
        return float(np.sum(np.sin(v)))

    x = np.array([0.3, 1.1])
    one = [np.abs(one_sided_gradient(f, x, eps) - np.cos(x)).max() for eps in (1e-2, 1e-3)]
    two = [np.abs(numerical_gradient(f, x, eps) - np.cos(x)).max() for eps in (1e-2, 1e-3)]
    np.testing.assert_allclose(one[0] / one[1], 10, rtol=0.05)
    np.testing.assert_allclose(two[0] / two[1], 100, rtol=0.05)


@pytest.mark.parametrize("eps, error", [(0.0, ValueError), (-1e-6, ValueError), ("1e-6", TypeError)])
def test_one_sided_gradient_rejects_bad_eps(eps, error):
    with pytest.raises(error, match="one_sided_gradient: eps must be"):
        one_sided_gradient(lambda v: float(v.sum()), np.ones(2), eps=eps)


def test_one_sided_gradient_rejects_non_callable_f():
    with pytest.raises(TypeError, match="one_sided_gradient: f must be callable; got int"):
        one_sided_gradient(3, np.ones(2))


def test_one_sided_gradient_rejects_f_that_does_not_return_a_scalar_at_x():
    message = "one_sided_gradient: f must return a real scalar; got ndarray at x itself"
    with pytest.raises(TypeError, match=re.escape(message)):
        one_sided_gradient(lambda v: 2 * v, np.ones(2))


def test_one_sided_gradient_rejects_f_that_returns_nan_when_nudged():
    message = "one_sided_gradient: f returned nan when x[1] was nudged"
    with pytest.raises(ValueError, match=re.escape(message)):
        one_sided_gradient(lambda v: float("nan") if v[1] > 1.0 else float(v.sum()), np.ones(2))


def test_one_sided_gradient_rejects_f_that_returns_inf_at_x():
    with pytest.raises(ValueError, match=re.escape("one_sided_gradient: f returned inf at x itself")):
        one_sided_gradient(lambda v: float("inf"), np.ones(2))
