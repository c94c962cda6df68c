"""Activations and their derivatives: each g' against centred differences of g, and the softmax Jacobian."""

import re
import warnings

import numpy as np
import pytest

from backprop import (
    ACTIVATIONS,
    Activation,
    get_activation,
    leaky_relu,
    leaky_relu_prime,
    linear,
    linear_prime,
    logistic,
    logistic_prime,
    relu,
    relu_prime,
    softmax_columns,
    softmax_jacobian,
    tanh,
    tanh_prime,
)

PAIRS = {
    "logistic": (logistic, logistic_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "linear": (linear, linear_prime),
}


def points_away_from_kinks(shape, seed=0):
    """Random points at least 0.1 from 0, where ReLU and leaky ReLU are not differentiable."""
    Z = np.random.default_rng(seed).normal(scale=2.0, size=shape)
    return Z + 0.1 * np.sign(Z)


@pytest.mark.parametrize("name", PAIRS)
def test_derivative_matches_centred_difference(name):
    g, g_prime = PAIRS[name]
    Z, h = points_away_from_kinks((4, 6)), 1e-6
    # Each activation acts entry by entry, so one nudge of every entry at once gives every derivative.
    centred = (g(Z + h) - g(Z - h)) / (2 * h)
    np.testing.assert_allclose(g_prime(Z), centred, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", PAIRS)
def test_accepts_any_dimension_and_returns_new_float64_array(name):
    g, g_prime = PAIRS[name]
    for Z in (np.array(0.5), np.arange(-2, 3), np.arange(24).reshape(2, 3, 4) - 12):
        before = Z.copy()
        for out in (g(Z), g_prime(Z)):
            assert out.shape == Z.shape and out.dtype == np.float64
            assert not np.shares_memory(out, Z)
        np.testing.assert_array_equal(Z, before)


def test_linear_returns_a_copy_even_for_float64_input():
    Z = np.array([[1.0, -2.0]])
    A = linear(Z)
    A[0, 0] = 99.0
    np.testing.assert_array_equal(Z, [[1.0, -2.0]])


def test_logistic_matches_definition():
    Z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(logistic(Z), 1 / (1 + np.exp(-Z)), rtol=1e-14)


def test_logistic_has_no_overflow_warning_at_large_inputs():
    Z = np.array([-1e4, -1000.0, -40.0, 0.0, 40.0, 1000.0, 1e4])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        A = logistic(Z)
        dA = logistic_prime(Z)
    assert np.all(np.isfinite(A)) and np.all(np.isfinite(dA))
    np.testing.assert_allclose(A[[0, 1, 3, 5, 6]], [0.0, 0.0, 0.5, 1.0, 1.0])
    # Far left the logistic is exp(Z) to full relative precision, not rounded to 0.
    np.testing.assert_allclose(A[2], np.exp(-40.0), rtol=1e-12)


def test_tanh_prime_is_one_minus_a_squared_at_hand_worked_points():
    # tanh(ln k) = (k - 1/k) / (k + 1/k): A = 0, 3/5 and 4/5 at k = 1, 2, 3, so 1 - A² = 1, 16/25 and 9/25.
    Z = np.log(np.array([[1.0, 2.0, 3.0, 0.5]]))
    np.testing.assert_allclose(tanh(Z), [[0.0, 0.6, 0.8, -0.6]], rtol=1e-15, atol=1e-16)
    np.testing.assert_allclose(tanh_prime(Z), [[1.0, 0.64, 0.36, 0.64]], rtol=1e-15)


def test_relu_prime_at_zero_is_zero():
    np.testing.assert_array_equal(relu_prime(np.array([[-1.0, 0.0, 1.0]])), [[0.0, 0.0, 1.0]])


def test_leaky_relu_prime_at_zero_is_the_left_slope():
    np.testing.assert_array_equal(leaky_relu_prime(np.array([[-1.0, 0.0, 1.0]])), [[0.01, 0.01, 1.0]])
    np.testing.assert_allclose(leaky_relu(np.array([[-3.0, 2.0]])), [[-0.03, 2.0]])


def test_softmax_columns_sum_to_one():
    Z = np.random.default_rng(1).normal(scale=5.0, size=(4, 7))
    A = softmax_columns(Z)
    np.testing.assert_allclose(A.sum(axis=0), 1.0, rtol=1e-14)
    assert np.all(A > 0)


def test_softmax_is_invariant_to_shifting_a_column():
    Z = np.random.default_rng(2).normal(size=(3, 5))
    shift = np.array([[-700.0, 0.0, 3.0, 500.0, 1e4]])
    np.testing.assert_allclose(softmax_columns(Z + shift), softmax_columns(Z), rtol=1e-10)


def test_softmax_of_huge_inputs_has_no_warning():
    Z = np.array([[1000.0, -1000.0], [999.0, 1000.0]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        A = softmax_columns(Z)
    np.testing.assert_allclose(A[:, 0], [1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(1.0))], rtol=1e-12)
    np.testing.assert_allclose(A[:, 1], [0.0, 1.0])


def test_softmax_jacobian_matches_centred_difference():
    z, h = np.random.default_rng(3).normal(size=(4, 1)), 1e-6
    centred = np.empty((4, 4))
    for j in range(4):
        step = np.zeros((4, 1))
        step[j] = h
        centred[:, j] = ((softmax_columns(z + step) - softmax_columns(z - step)) / (2 * h))[:, 0]
    np.testing.assert_allclose(softmax_jacobian(z), centred, rtol=1e-7, atol=1e-10)


def test_softmax_jacobian_is_diag_a_minus_a_a_transpose_at_a_hand_worked_point():
    # z = log(1, 2, 1) gives a = (1/4, 1/2, 1/4); entry (i, j) is a_i (δ_ij - a_j).
    z = np.log(np.array([[1.0], [2.0], [1.0]]))
    J = softmax_jacobian(z)
    expected = [[3 / 16, -1 / 8, -1 / 16], [-1 / 8, 1 / 4, -1 / 8], [-1 / 16, -1 / 8, 3 / 16]]
    np.testing.assert_allclose(J, expected, rtol=1e-14, atol=1e-16)
    # Not diagonal, symmetric, and each row sums to 0 because the outputs always sum to 1.
    assert np.count_nonzero(J - np.diag(np.diag(J))) > 0
    np.testing.assert_allclose(J, J.T)
    np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-15)


def test_softmax_jacobian_rejects_more_than_one_column():
    with pytest.raises(ValueError, match=re.escape("softmax_jacobian: z must have shape (n, 1); got (3, 2)")):
        softmax_jacobian(np.ones((3, 2)))


def test_softmax_columns_rejects_1d():
    with pytest.raises(ValueError, match=r"softmax_columns: Z must be a 2-D array; got 1-D with shape \(3,\)"):
        softmax_columns(np.ones(3))


@pytest.mark.parametrize("name", PAIRS)
def test_rejects_non_finite_input(name):
    g, g_prime = PAIRS[name]
    for f in (g, g_prime):
        with pytest.raises(ValueError, match=rf"{f.__name__}: Z has 1 non-finite entry \(NaN or inf\) out of 3"):
            f(np.array([0.0, np.inf, 1.0]))


def test_rejects_list_input():
    with pytest.raises(TypeError, match=r"relu: Z must be a numpy array; got list"):
        relu([1.0, -1.0])


def test_activations_table_names_and_derivatives():
    assert list(ACTIVATIONS) == ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"]
    assert ACTIVATIONS["sigmoid"] == Activation("sigmoid", logistic, logistic_prime)
    assert ACTIVATIONS["softmax"].g is softmax_columns and ACTIVATIONS["softmax"].g_prime is None
    assert all(act.name == name for name, act in ACTIVATIONS.items())


def test_activations_table_is_read_only():
    with pytest.raises(TypeError):
        ACTIVATIONS["cube"] = Activation("cube", np.cbrt, None)


def test_get_activation_rejects_unknown_name_listing_known_ones():
    message = (
        "forward: activations[1] must be one of 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear', 'softmax'; "
        "got 'rleu'"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        get_activation("forward", "rleu", "activations[1]")


def test_get_activation_rejects_non_str():
    with pytest.raises(TypeError, match="layer_forward: activation must be a str such as 'relu'; got int"):
        get_activation("layer_forward", 3)
