"""One layer's forward/backward pair: each backward equation alone, composed, and against centred differences.

The centred differences are written here, not taken from backprop's own gradient checker, so that the checks do not
rest on the package they check.
"""

import re

import numpy as np
import pytest

from backprop import (
    LayerCache,
    bias_gradient,
    da_prev,
    dz_from_da,
    dz_hidden,
    layer_backward,
    layer_backward_from_dz,
    layer_forward,
    weight_gradient,
)

ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
# g of each element-wise activation, written with numpy alone, for the centred differences below.
G = {
    "sigmoid": lambda Z: 1 / (1 + np.exp(-Z)),
    "tanh": np.tanh,
    "relu": lambda Z: np.maximum(Z, 0.0),
    "leaky_relu": lambda Z: np.where(Z > 0, Z, 0.01 * Z),
    "linear": lambda Z: Z,
}


def centred_gradient(f, x, h=1e-6):
    """The gradient of the scalar f at x by centred differences, one entry at a time."""
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / (2 * h)
    return grad


def away_from_kinks(x):
    """x moved at least 0.1 away from 0, where ReLU and leaky ReLU have no derivative."""
    return x + 0.1 * np.sign(x)


def layer_inputs(n_prev=3, n=4, m=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_prev, m)), rng.normal(size=(n, n_prev)), rng.normal(size=(n, 1))


def test_layer_forward_is_linear_then_activation():
    A_prev, W, b = layer_inputs()
    A, cache = layer_forward(A_prev, W, b, "tanh")
    np.testing.assert_allclose(cache.Z, W @ A_prev + b, rtol=1e-14)
    np.testing.assert_allclose(A, np.tanh(W @ A_prev + b), rtol=1e-14)
    assert cache.activation == "tanh" and cache.A_prev is A_prev and cache.W is W and cache.b is b


def test_layer_forward_bias_is_added_to_every_column():
    A_prev, W, b = layer_inputs()
    _, cache = layer_forward(A_prev, W, b, "linear")
    for i in range(A_prev.shape[1]):
        np.testing.assert_allclose(cache.Z[:, [i]], W @ A_prev[:, [i]] + b, rtol=1e-14)


def test_dz_from_da_is_elementwise_product_not_matmul():
    # Square arrays, so that a matrix product would have the right shape and only the values tell them apart.
    rng = np.random.default_rng(1)
    dA, Z = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    # With losses summing to sum(dA * tanh(Z)), dA is their derivative with respect to A, and dZ the one wanted.
    expected = centred_gradient(lambda v: float(np.sum(dA * np.tanh(v))), Z)
    np.testing.assert_allclose(dz_from_da(dA, Z, "tanh"), expected, rtol=1e-7, atol=1e-9)


def test_weight_gradient_is_mean_of_per_example_outer_products():
    rng = np.random.default_rng(2)
    dZ, A_prev = rng.normal(size=(4, 6)), rng.normal(size=(3, 6))
    outer_sum = sum(np.outer(dZ[:, i], A_prev[:, i]) for i in range(6))
    np.testing.assert_allclose(weight_gradient(dZ, A_prev), outer_sum / 6, rtol=1e-13)


def test_bias_gradient_is_mean_of_columns_with_shape_n_by_1():
    dZ = np.random.default_rng(3).normal(size=(4, 6))
    db = bias_gradient(dZ)
    assert db.shape == (4, 1)
    np.testing.assert_allclose(db[:, 0], dZ.mean(axis=1), rtol=1e-14)


def test_da_prev_is_w_transpose_times_each_example_column():
    rng = np.random.default_rng(4)
    W, dZ = rng.normal(size=(4, 3)), rng.normal(size=(4, 5))
    dA_prev = da_prev(W, dZ)
    for i in range(5):
        np.testing.assert_allclose(dA_prev[:, i], W.T @ dZ[:, i], rtol=1e-14)


@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_dz_hidden_matches_centred_difference_through_the_next_layer(activation):
    rng = np.random.default_rng(5)
    W_next, dZ_next = rng.normal(size=(2, 4)), rng.normal(size=(2, 5))
    Z = away_from_kinks(rng.normal(size=(4, 5)))

    # Losses summing to sum(dZ_next * Z_next), with Z_next = W_next g(Z) (its bias changes no derivative).
    def loss_sum(Z):
        return float(np.sum(dZ_next * (W_next @ G[activation](Z))))

    expected = centred_gradient(loss_sum, Z)
    np.testing.assert_allclose(dz_hidden(W_next, dZ_next, Z, activation), expected, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_layer_backward_matches_centred_difference(activation):
    A_prev, W, b = layer_inputs(seed=6)
    m = A_prev.shape[1]
    R = np.random.default_rng(7).normal(size=(4, m))

    # A stand-in for the rest of the network: the per-example losses sum to sum(R * A), so dA = R.
    def loss_sum(A_prev, W, b):
        return float(np.sum(R * G[activation](W @ A_prev + b)))

    _, cache = layer_forward(A_prev, W, b, activation)
    dA_prev, dW, db = layer_backward(R, cache)
    # dA_prev is of the summed losses (no 1/m); dW and db are of their mean J (1/m).
    tolerances = {"rtol": 1e-6, "atol": 1e-8}
    np.testing.assert_allclose(dA_prev, centred_gradient(lambda v: loss_sum(v, W, b), A_prev), **tolerances)
    np.testing.assert_allclose(dW, centred_gradient(lambda v: loss_sum(A_prev, v, b), W) / m, **tolerances)
    np.testing.assert_allclose(db, centred_gradient(lambda v: loss_sum(A_prev, W, v), b) / m, **tolerances)


def test_layer_backward_from_dz_matches_centred_difference():
    A_prev, W, b = layer_inputs(seed=10)
    m = A_prev.shape[1]
    _, cache = layer_forward(A_prev, W, b, "softmax")
    dZ = np.random.default_rng(11).normal(size=cache.Z.shape)

    # Losses summing to sum(dZ * Z): dZ is their derivative with respect to Z = W A_prev + b, whatever g is.
    def loss_sum(A_prev, W, b):
        return float(np.sum(dZ * (W @ A_prev + b)))

    dA_prev, dW, db = layer_backward_from_dz(dZ, cache)
    # dA_prev is of the summed losses (no 1/m); dW and db are of their mean J (1/m).
    tolerances = {"rtol": 1e-6, "atol": 1e-8}
    np.testing.assert_allclose(dA_prev, centred_gradient(lambda v: loss_sum(v, W, b), A_prev), **tolerances)
    np.testing.assert_allclose(dW, centred_gradient(lambda v: loss_sum(A_prev, v, b), W) / m, **tolerances)
    np.testing.assert_allclose(db, centred_gradient(lambda v: loss_sum(A_prev, W, v), b) / m, **tolerances)


def test_layer_functions_do_not_mutate_their_inputs():
    A_prev, W, b = layer_inputs(seed=12)
    dA = np.random.default_rng(13).normal(size=(4, 5))
    arrays = [A_prev, W, b, dA]
    before = [x.copy() for x in arrays]
    _, cache = layer_forward(A_prev, W, b, "relu")
    dZ = dz_from_da(dA, cache.Z, "relu")
    Z_before, dZ_before = cache.Z.copy(), dZ.copy()
    layer_backward(dA, cache)
    layer_backward_from_dz(dZ, cache)
    weight_gradient(dZ, A_prev)
    bias_gradient(dZ)
    da_prev(W, dZ)
    dz_hidden(W, dZ, A_prev, "relu")
    for x, x0 in zip(arrays + [cache.Z, dZ], before + [Z_before, dZ_before]):
        np.testing.assert_array_equal(x, x0)
    assert not np.shares_memory(dZ, dA)


def test_layer_accepts_integer_arrays_as_float64():
    A, cache = layer_forward(np.ones((2, 3), dtype=int), np.eye(2, dtype=int), np.zeros((2, 1), dtype=bool), "relu")
    assert A.dtype == np.float64 and cache.W.dtype == np.float64


def test_layer_backward_rejects_da_shaped_differently_from_z():
    _, cache = layer_forward(*layer_inputs(n_prev=2, n=3, m=5), "relu")
    with pytest.raises(ValueError, match=re.escape("layer_backward: dA must have shape (3, 5) like Z; got (5, 3)")):
        layer_backward(np.ones((5, 3)), cache)


def test_layer_backward_from_dz_rejects_dz_shaped_differently_from_z():
    _, cache = layer_forward(*layer_inputs(n_prev=2, n=3, m=5), "softmax")
    message = "layer_backward_from_dz: dZ must have shape (3, 5) like Z; got (5, 3)"
    with pytest.raises(ValueError, match=re.escape(message)):
        layer_backward_from_dz(np.ones((5, 3)), cache)


def test_layer_backward_rejects_softmax_cache():
    _, cache = layer_forward(*layer_inputs(), "softmax")
    with pytest.raises(ValueError, match=r"layer_backward: dZ = dA \* g'\(Z\) needs an element-wise g'.*dZ = A - Y"):
        layer_backward(np.ones((4, 5)), cache)


def test_dz_from_da_rejects_softmax_because_its_jacobian_is_not_diagonal():
    with pytest.raises(ValueError, match=r"dz_from_da: .*'softmax' has none: its Jacobian is not diagonal"):
        dz_from_da(np.ones((3, 2)), np.ones((3, 2)), "softmax")


def test_layer_backward_rejects_a_cache_that_is_not_a_layer_cache():
    message = "layer_backward: cache must be the LayerCache returned by layer_forward; got tuple"
    with pytest.raises(TypeError, match=message):
        layer_backward(np.ones((4, 5)), tuple(layer_forward(*layer_inputs(), "relu")[1]))


def test_layer_backward_rejects_an_inconsistent_cache():
    _, cache = layer_forward(*layer_inputs(), "relu")
    bad = cache._replace(Z=cache.Z.T)
    message = "layer_backward: cache.Z must have shape (4, 5) like W @ A_prev; got (5, 4)"
    with pytest.raises(ValueError, match=re.escape(message)):
        layer_backward(np.ones((4, 5)), bad)
    assert isinstance(bad, LayerCache)


def test_layer_forward_rejects_a_prev_whose_rows_do_not_match_w():
    A_prev, W, b = layer_inputs(n_prev=3, n=4, m=5)
    message = "layer_forward: A_prev must have shape (3, m) to match W's 3 columns (examples are columns); got (5, 3)"
    with pytest.raises(ValueError, match=re.escape(message)):
        layer_forward(A_prev.T, W, b, "relu")


def test_layer_forward_rejects_b_that_would_broadcast():
    A_prev, W, _ = layer_inputs(n_prev=3, n=4, m=5)
    for b in (np.zeros(4), np.zeros((4, 5)), np.zeros((1, 4))):
        message = (
            f"layer_forward: b must have shape (4, 1); got {b.shape} "
            "(a 1-D b can broadcast along the wrong axis with no error; an (n, m) b gives each example its own bias)"
        )
        with pytest.raises(ValueError, match=re.escape(message)):
            layer_forward(A_prev, W, b, "relu")


def test_layer_forward_rejects_unknown_activation():
    with pytest.raises(ValueError, match="layer_forward: activation must be one of 'sigmoid', .*; got 'cube'"):
        layer_forward(*layer_inputs(), "cube")


def test_weight_gradient_rejects_different_numbers_of_examples():
    message = "weight_gradient: A_prev must have shape (n[l-1], 5) to match dZ's 5 examples; got (3, 4)"
    with pytest.raises(ValueError, match=re.escape(message)):
        weight_gradient(np.ones((2, 5)), np.ones((3, 4)))


def test_da_prev_rejects_dz_whose_rows_do_not_match_w():
    message = "da_prev: dZ must have shape (4, m) to match W's 4 rows; got (3, 5)"
    with pytest.raises(ValueError, match=re.escape(message)):
        da_prev(np.ones((4, 3)), np.ones((3, 5)))


def test_dz_hidden_rejects_w_next_that_does_not_take_z_units():
    message = "dz_hidden: W_next must have shape (n[l+1], 4) to take Z's 4 units; got (2, 3)"
    with pytest.raises(ValueError, match=re.escape(message)):
        dz_hidden(np.ones((2, 3)), np.ones((2, 5)), np.ones((4, 5)), "relu")


def test_dz_hidden_rejects_dz_next_with_wrong_shape():
    message = "dz_hidden: dZ_next must have shape (2, 5) to match W_next's rows and Z's examples; got (2, 4)"
    with pytest.raises(ValueError, match=re.escape(message)):
        dz_hidden(np.ones((2, 4)), np.ones((2, 4)), np.ones((4, 5)), "relu")


def test_bias_gradient_rejects_1d():
    with pytest.raises(ValueError, match=r"bias_gradient: dZ must be a 2-D array; got 1-D with shape \(5,\)"):
        bias_gradient(np.ones(5))
