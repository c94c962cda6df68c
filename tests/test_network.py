"""The whole network: `gradients` against centred differences, the L-versus-J convention, and the public helpers."""

import re

import numpy as np
import pytest

from backprop import (
    ACTIVATIONS,
    cost,
    descent_step,
    example_losses,
    forward,
    gradients,
    layer_forward,
    numerical_gradient,
    random_params,
    relative_error,
)

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
OUTPUTS = ["sigmoid", "softmax"]
# Depth 1 has no hidden layer; deeper networks use one hidden activation throughout, so each is checked at depth.
NETWORKS = [[output] for output in OUTPUTS] + [
    [hidden] * (depth - 1) + [output] for depth in (2, 3, 4) for hidden in HIDDEN for output in OUTPUTS
]


def make_problem(activations, m, seed):
    """A random network with random (non-zero) biases, inputs X and labels Y that its output's loss allows."""
    rng = np.random.default_rng(seed)
    L = len(activations)
    n_out = 3 if activations[-1] == "softmax" else 1 + L % 2  # sigmoid with 2 units checks the sum over units
    sizes = [3] + [(4, 3, 5)[l % 3] for l in range(L - 1)] + [n_out]
    params = random_params(sizes, seed=seed)
    for l in range(1, L + 1):
        params[f"b{l}"] = rng.normal(scale=0.5, size=(sizes[l], 1))
    X = rng.normal(size=(sizes[0], m))
    if activations[-1] == "softmax":
        Y = np.eye(n_out)[:, rng.integers(0, n_out, size=m)]
    else:
        Y = rng.integers(0, 2, size=(n_out, m)).astype(float)
    return params, X, Y


def loss_sum_from(l, V, params, Y, activations, start_at="Z"):
    """Sum over examples of the loss L, as a function of Z[l] (start_at="Z") or of A[l] (start_at="A")."""
    A = ACTIVATIONS[activations[l - 1]].g(V) if start_at == "Z" else V
    for k in range(l + 1, len(activations) + 1):
        A, _ = layer_forward(A, params[f"W{k}"], params[f"b{k}"], activations[k - 1])
    return float(example_losses(A, Y, activations[-1]).sum())


@pytest.mark.parametrize(
    "activations, m", [(acts, 1 + i % 8) for i, acts in enumerate(NETWORKS)], ids=lambda v: str(v)
)
def test_dw_and_db_match_centred_differences_of_the_cost(activations, m):
    params, X, Y = make_problem(activations, m, seed=len(activations) * 10 + m)
    grads = gradients(params, X, Y, activations)
    for key in (f"{p}{l}" for l in range(1, len(activations) + 1) for p in "Wb"):

        def J(value, key=key):
            return cost(forward({**params, key: value}, X, activations)[0], Y, activations[-1])

        # eps = 1e-5 balances the centred difference's eps**2 truncation against rounding in J / eps; it keeps the
        # check sharp even where a deep sigmoid network's gradients are small (|db1| ~ 4e-4).
        error = relative_error(grads[f"d{key}"], numerical_gradient(J, params[key], eps=1e-5))
        assert error < 1e-7, f"d{key}: relative error {error:.2e}"


CHAIN_CASES = [
    (["tanh", "relu", "sigmoid"], 4),
    (["leaky_relu", "sigmoid", "softmax"], 5),
    (["linear", "tanh", "sigmoid", "softmax"], 3),
    (["sigmoid"], 3),
]


@pytest.mark.parametrize("activations, m", CHAIN_CASES)
def test_dz_is_derivative_of_the_loss_of_each_example_not_of_the_cost(activations, m):
    params, X, Y = make_problem(activations, m, seed=7)
    grads = gradients(params, X, Y, activations)
    _, caches = forward(params, X, activations)
    for l in range(1, len(activations) + 1):
        Z = caches[l - 1].Z
        # Column i of Z[l] only affects example i, so d(sum of L)/dZ stacks each example's own dL/dz.
        dL = numerical_gradient(lambda V: loss_sum_from(l, V, params, Y, activations), Z)
        assert relative_error(grads[f"dZ{l}"], dL) < 1e-7
        dJ = numerical_gradient(lambda V: loss_sum_from(l, V, params, Y, activations) / m, Z)
        np.testing.assert_allclose(grads[f"dZ{l}"], m * dJ, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("activations, m", CHAIN_CASES)
def test_da_is_derivative_of_the_loss_of_each_example(activations, m):
    params, X, Y = make_problem(activations, m, seed=8)
    grads = gradients(params, X, Y, activations)
    _, caches = forward(params, X, activations)
    for l in range(1, len(activations) + 1):
        A_prev = caches[l - 1].A_prev
        dL = numerical_gradient(lambda V: loss_sum_from(l - 1, V, params, Y, activations, start_at="A"), A_prev)
        assert relative_error(grads[f"dA{l - 1}"], dL) < 1e-7


@pytest.mark.parametrize("activations, m", CHAIN_CASES)
def test_dw_and_db_carry_one_over_m_and_dz_does_not(activations, m):
    params, X, Y = make_problem(activations, m, seed=9)
    grads = gradients(params, X, Y, activations)
    AL, caches = forward(params, X, activations)
    np.testing.assert_allclose(grads[f"dZ{len(activations)}"], AL - Y, rtol=1e-14)
    for l, cache in enumerate(caches, start=1):
        dZ = grads[f"dZ{l}"]
        np.testing.assert_allclose(grads[f"dW{l}"], dZ @ cache.A_prev.T / m, rtol=1e-13)
        np.testing.assert_allclose(grads[f"db{l}"], dZ.sum(axis=1, keepdims=True) / m, rtol=1e-13)
        np.testing.assert_allclose(grads[f"dA{l - 1}"], cache.W.T @ dZ, rtol=1e-13)


def test_gradients_has_exactly_the_documented_keys_and_shapes():
    activations, m = ["tanh", "relu", "softmax"], 6
    params, X, Y = make_problem(activations, m, seed=10)
    sizes = [X.shape[0]] + [params[f"W{l}"].shape[0] for l in range(1, 4)]
    grads = gradients(params, X, Y, activations)
    expected = {}
    for l in range(1, 4):
        expected |= {
            f"dZ{l}": (sizes[l], m),
            f"dA{l - 1}": (sizes[l - 1], m),
            f"dW{l}": (sizes[l], sizes[l - 1]),
            f"db{l}": (sizes[l], 1),
        }
    assert {key: value.shape for key, value in grads.items()} == expected
    assert all(value.dtype == np.float64 for value in grads.values())


def test_gradients_matches_a_hand_written_relu_softmax_backward_pass():
    activations, m = ["relu", "relu", "softmax"], 8
    params, X, Y = make_problem(activations, m, seed=11)
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = W1 @ X + b1
    Z2 = W2 @ np.maximum(Z1, 0) + b2
    Z3 = W3 @ np.maximum(Z2, 0) + b3
    dZ3 = np.exp(Z3) / np.exp(Z3).sum(axis=0) - Y
    dZ2 = (W3.T @ dZ3) * (Z2 > 0)
    dZ1 = (W2.T @ dZ2) * (Z1 > 0)
    grads = gradients(params, X, Y, activations)
    for name, value in {"dZ3": dZ3, "dZ2": dZ2, "dZ1": dZ1, "dW1": dZ1 @ X.T / m, "dA0": W1.T @ dZ1}.items():
        np.testing.assert_allclose(grads[name], value, rtol=1e-12, atol=1e-15)


def test_forward_matches_layer_by_layer_and_returns_one_cache_per_layer():
    activations = ["leaky_relu", "tanh", "sigmoid"]
    params, X, _ = make_problem(activations, 5, seed=12)
    AL, caches = forward(params, X, activations)
    A = X
    for l, cache in enumerate(caches, start=1):
        A, expected = layer_forward(A, params[f"W{l}"], params[f"b{l}"], activations[l - 1])
        np.testing.assert_allclose(cache.Z, expected.Z, rtol=1e-14)
        assert cache.activation == activations[l - 1]
    assert len(caches) == 3
    np.testing.assert_allclose(AL, A, rtol=1e-14)


def test_forward_and_gradients_do_not_mutate_inputs():
    activations = ["relu", "softmax"]
    params, X, Y = make_problem(activations, 4, seed=13)
    copies = {key: value.copy() for key, value in params.items()}, X.copy(), Y.copy()
    forward(params, X, activations)
    gradients(params, X, Y, activations)
    for key, value in copies[0].items():
        np.testing.assert_array_equal(params[key], value)
    np.testing.assert_array_equal(X, copies[1])
    np.testing.assert_array_equal(Y, copies[2])


def test_forward_accepts_integer_inputs_and_tuple_of_activations():
    params = random_params([2, 3, 1], seed=0)
    AL, _ = forward(params, np.array([[1, 0], [0, 1]]), ("relu", "sigmoid"))
    assert AL.shape == (1, 2) and AL.dtype == np.float64


def test_softmax_output_with_one_unit_is_allowed_and_always_one():
    AL, _ = forward(random_params([2, 1], seed=0), np.ones((2, 3)), ["softmax"])
    np.testing.assert_allclose(AL, 1.0)


def test_random_params_shapes_scaling_and_seed():
    params = random_params([400, 30, 2], seed=3)
    assert list(params) == ["W1", "b1", "W2", "b2"]
    assert params["W1"].shape == (30, 400) and params["b2"].shape == (2, 1)
    np.testing.assert_array_equal(params["b1"], 0.0)
    np.testing.assert_allclose(params["W1"].std(), np.sqrt(1 / 400), rtol=0.05)
    np.testing.assert_array_equal(random_params([400, 30, 2], seed=3)["W2"], params["W2"])
    assert not np.array_equal(random_params([400, 30, 2], seed=4)["W2"], params["W2"])
    np.testing.assert_allclose(random_params([400, 30], seed=3, scale=2.0)["W1"].std(), 2.0, rtol=0.05)


@pytest.mark.parametrize(
    "layer_dims, scale, error, message",
    [
        ([3], None, ValueError, "random_params: layer_dims must give at least n[0] and n[1]; got [3]"),
        ([3, 0], None, ValueError, "random_params: layer_dims[1] must be at least 1; got 0"),
        ([3, 2.0], None, TypeError, "random_params: layer_dims[1] must be an int; got float"),
        ("32", None, TypeError, "random_params: layer_dims must be a list or tuple of int; got str"),
        ([3, 2], -1.0, ValueError, "random_params: scale must be positive and finite; got -1.0"),
    ],
)
def test_random_params_rejects_bad_arguments(layer_dims, scale, error, message):
    with pytest.raises(error, match=re.escape(message)):
        random_params(layer_dims, scale=scale)


def test_descent_step_returns_new_params_and_lowers_the_cost():
    activations = ["tanh", "sigmoid"]
    params, X, Y = make_problem(activations, 8, seed=14)
    before = {key: value.copy() for key, value in params.items()}
    grads = gradients(params, X, Y, activations)
    new = descent_step(params, grads, 0.1)
    assert list(new) == list(params)
    for key in params:
        np.testing.assert_array_equal(params[key], before[key])
        np.testing.assert_allclose(new[key], params[key] - 0.1 * grads[f"d{key}"], rtol=1e-14)
    J = cost(forward(params, X, activations)[0], Y)
    assert cost(forward(new, X, activations)[0], Y) < J


def test_descent_step_rejects_a_gradient_shaped_unlike_its_parameter():
    params = random_params([3, 2], seed=0)
    with pytest.raises(ValueError, match=re.escape("descent_step: dW1 must have shape (2, 3) like W1; got (3, 2)")):
        descent_step(params, {"dW1": np.ones((3, 2)), "db1": np.ones((2, 1))}, 0.1)


def test_descent_step_rejects_a_missing_gradient():
    params = random_params([3, 2], seed=0)
    message = "descent_step: grads is missing 'db1', the gradient for params' 'b1'"
    with pytest.raises(ValueError, match=re.escape(message)):
        descent_step(params, {"dW1": np.ones((2, 3))}, 0.1)


@pytest.mark.parametrize("rate, error", [(0.0, ValueError), (float("nan"), ValueError), ("0.1", TypeError)])
def test_descent_step_rejects_a_bad_learning_rate(rate, error):
    with pytest.raises(error, match="descent_step: learning_rate must be"):
        descent_step(random_params([3, 2]), {"dW1": np.ones((2, 3)), "db1": np.ones((2, 1))}, rate)


def test_descent_step_rejects_params_with_extra_keys():
    params = dict(random_params([3, 2]), b2=np.ones((1, 1)))
    message = "descent_step: params has unexpected key(s) 'b2'; 1 layer (one per W in params) needs exactly W1, b1"
    with pytest.raises(ValueError, match=re.escape(message)):
        descent_step(params, {"dW1": np.ones((2, 3)), "db1": np.ones((2, 1))}, 0.1)


def test_descent_step_rejects_params_without_weights():
    with pytest.raises(ValueError, match=re.escape("descent_step: params has no weight matrix W1")):
        descent_step({}, {}, 0.1)
