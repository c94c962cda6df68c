"""Bad input: every public entry point refuses it before computing, naming the function, the argument, and what
was expected against what it got."""

import re

import numpy as np
import pytest

from backprop import (
    as_array,
    as_matrix,
    cost,
    dropout_masks,
    forward,
    gradients,
    random_params,
    require_shape,
)

ACTIVATIONS3 = ["tanh", "relu", "sigmoid"]
M = 5


def network():
    """A 4-5-3-1 network (tanh, relu, sigmoid) with m = 5 examples: params, X, Y."""
    rng = np.random.default_rng(0)
    params = random_params([4, 5, 3, 1], seed=0)
    return params, rng.normal(size=(4, M)), np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])


def softmax_network():
    """A 4-5-3 network (tanh, softmax) with m = 5 one-hot labels: params, X, Y."""
    rng = np.random.default_rng(1)
    return random_params([4, 5, 3], seed=1), rng.normal(size=(4, M)), np.eye(3)[:, [0, 2, 1, 1, 0]]


def with_entry(array, value, index=(0, 0)):
    changed = array.astype(float)
    changed[index] = value
    return changed


def call_forward(change=None, drop=(), X=None, activations=ACTIVATIONS3):
    params, X0, _ = network()
    params = {k: v for k, v in {**params, **(change or {})}.items() if k not in drop}
    return forward(params, X0 if X is None else X, activations)


def call_gradients(change=None, X=None, Y=None, activations=ACTIVATIONS3):
    params, X0, Y0 = network()
    return gradients({**params, **(change or {})}, X0 if X is None else X, Y0 if Y is None else Y, activations)


def call_softmax_gradients(Y):
    params, X, _ = softmax_network()
    return gradients(params, X, Y, ["tanh", "softmax"])


BIAS = "(a 1-D b can broadcast along the wrong axis with no error; an (n, m) b gives each example its own bias)"
NEED3 = "3 layers (one per activation) need exactly W1, b1, ..., W3, b3"
X0 = network()[1]
KNOWN = "'sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear', 'softmax'"


def case(name, call, error, message):
    return pytest.param(call, error, message, id=name)


W2_NAN_INF = with_entry(with_entry(network()[0]["W2"], np.nan), np.inf, (1, 1))
ONE_HOT = np.eye(3)[:, [0, 2, 1, 1, 0]]

CASES = [
    # -- shapes -------------------------------------------------------------------------------------------------
    case(
        "X_examples_as_rows", lambda: call_forward(X=X0.T), ValueError,
        "forward: X must have shape (4, m) to match W1's 4 columns (examples are columns); got (5, 4)",
    ),
    case(
        "X_wrong_rows_in_gradients", lambda: call_gradients(X=X0[:3]), ValueError,
        "gradients: X must have shape (4, m) to match W1's 4 columns (examples are columns); got (3, 5)",
    ),
    case(
        "Y_one_example_short", lambda: call_gradients(Y=np.zeros((1, 4))), ValueError,
        "gradients: Y must have shape (1, 5) like AL; got (1, 4)",
    ),
    case(
        "Y_transposed", lambda: call_gradients(Y=np.zeros((5, 1))), ValueError,
        "gradients: Y must have shape (1, 5) like AL; got (5, 1)",
    ),
    case(
        "W2_does_not_follow_W1", lambda: call_forward({"W2": np.ones((3, 4))}), ValueError,
        "forward: W2 must have shape (3, 5) to follow W1's 5 units; got (3, 4)",
    ),
    case(
        "W3_does_not_follow_W2", lambda: call_forward({"W3": np.ones((1, 5))}), ValueError,
        "forward: W3 must have shape (1, 3) to follow W2's 3 units; got (1, 5)",
    ),
    case(
        "W2_transposed_in_gradients", lambda: call_gradients({"W2": np.ones((5, 3))}), ValueError,
        "gradients: W2 must have shape (5, 5) to follow W1's 5 units; got (5, 3)",
    ),
    case(
        "b1_1d", lambda: call_forward({"b1": np.zeros(5)}), ValueError,
        f"forward: b1 must have shape (5, 1); got (5,) {BIAS}",
    ),
    case(
        "b2_1d", lambda: call_forward({"b2": np.zeros(3)}), ValueError,
        f"forward: b2 must have shape (3, 1); got (3,) {BIAS}",
    ),
    case(
        "b2_n_by_m", lambda: call_forward({"b2": np.zeros((3, M))}), ValueError,
        f"forward: b2 must have shape (3, 1); got (3, 5) {BIAS}",
    ),
    case(
        "b3_row", lambda: call_gradients({"b3": np.zeros((1, M))}), ValueError,
        f"gradients: b3 must have shape (1, 1); got (1, 5) {BIAS}",
    ),
    case(
        "b1_transposed", lambda: call_forward({"b1": np.zeros((1, 5))}), ValueError,
        f"forward: b1 must have shape (5, 1); got (1, 5) {BIAS}",
    ),
    # -- 1-D arrays ---------------------------------------------------------------------------------------------
    case(
        "X_1d", lambda: call_forward(X=X0[0]), ValueError,
        "forward: X must be a 2-D array; got 1-D with shape (5,) (reshape a column to (n, 1), or a row of m examples "
        "to (1, m))",
    ),
    case(
        "Y_1d", lambda: call_gradients(Y=np.zeros(M)), ValueError,
        "gradients: Y must be a 2-D array; got 1-D with shape (5,) (reshape the m labels to a row, Y.reshape(1, -1), "
        "not to a column (m, 1))",
    ),
    case(
        "W1_1d", lambda: call_forward({"W1": np.ones(4)}), ValueError,
        "forward: W1 must be a 2-D array; got 1-D with shape (4,)",
    ),
    # -- parameters and activations -----------------------------------------------------------------------------
    case("missing_W2", lambda: call_forward(drop=("W2",)), ValueError, f"forward: params is missing 'W2'; {NEED3}"),
    case("missing_b3", lambda: call_forward(drop=("b3",)), ValueError, f"forward: params is missing 'b3'; {NEED3}"),
    case(
        "unexpected_W5", lambda: call_forward({"W5": np.ones((1, 1))}), ValueError,
        f"forward: params has unexpected key(s) 'W5'; {NEED3}",
    ),
    case(
        "params_not_dict", lambda: forward([network()[0]], X0, ACTIVATIONS3), TypeError,
        "forward: params must be a dict with keys 'W1', 'b1', ...; got list",
    ),
    case(
        "too_few_activations", lambda: call_forward(activations=["tanh", "sigmoid"]), ValueError,
        "forward: got 2 activations, but params has 3 layers (W1, b1, ..., W3, b3); give one activation per layer",
    ),
    case(
        "too_many_activations", lambda: call_gradients(activations=["tanh", "relu", "relu", "sigmoid"]), ValueError,
        "gradients: got 4 activations, but params has 3 layers (W1, b1, ..., W3, b3); give one activation per layer",
    ),
    case(
        "no_activations", lambda: call_forward(activations=[]), ValueError,
        "forward: activations must name at least one layer; got an empty list",
    ),
    case(
        "activations_a_str", lambda: call_forward(activations="relu"), TypeError,
        "forward: activations must be a list or tuple of names, one per layer; got str",
    ),
    case(
        "activation_not_str", lambda: call_forward(activations=["tanh", None, "sigmoid"]), TypeError,
        "forward: activations[1] must be a str such as 'relu'; got NoneType",
    ),
    case(
        "unknown_activation", lambda: call_forward(activations=["tanh", "rleu", "sigmoid"]), ValueError,
        f"forward: activations[1] must be one of {KNOWN}; got 'rleu'",
    ),
    case(
        "softmax_before_last", lambda: call_forward(activations=["softmax", "relu", "sigmoid"]), ValueError,
        "forward: 'softmax' is only allowed as the last activation (the output layer, where dZ = A - Y); got it at "
        "activations[0] of 3, where backprop needs an element-wise g'",
    ),
    case(
        "output_without_a_loss", lambda: call_gradients(activations=["tanh", "relu", "linear"]), ValueError,
        "gradients: the last activation, activations[2], must be 'sigmoid' (binary cross-entropy) or 'softmax' "
        "(categorical cross-entropy), the outputs whose loss is defined here; got 'linear'",
    ),
    # -- NaN and inf --------------------------------------------------------------------------------------------
    case(
        "nan_in_X", lambda: call_forward(X=with_entry(X0, np.nan)), ValueError,
        "forward: X has 1 non-finite entry (NaN or inf) out of 20; every entry must be finite",
    ),
    case(
        "inf_in_Y", lambda: call_gradients(Y=with_entry(np.zeros((1, M)), -np.inf)), ValueError,
        "gradients: Y has 1 non-finite entry (NaN or inf) out of 5",
    ),
    case(
        "nan_and_inf_in_W2", lambda: call_gradients({"W2": W2_NAN_INF}), ValueError,
        "gradients: W2 has 2 non-finite entries (NaN or inf) out of 15",
    ),
    case(
        "inf_in_b1", lambda: call_forward({"b1": with_entry(np.zeros((5, 1)), np.inf)}), ValueError,
        "forward: b1 has 1 non-finite entry (NaN or inf) out of 5",
    ),
    # -- types --------------------------------------------------------------------------------------------------
    case(
        "X_a_list", lambda: call_forward(X=X0.tolist()), TypeError,
        "forward: X must be a numpy array; got list (convert it with np.array(...))",
    ),
    case(
        "W1_a_list", lambda: call_forward({"W1": np.ones((5, 4)).tolist()}), TypeError,
        "forward: W1 must be a numpy array; got list",
    ),
    case(
        "Y_a_list", lambda: call_gradients(Y=[[0.0, 1.0, 1.0, 0.0, 1.0]]), TypeError,
        "gradients: Y must be a numpy array; got list",
    ),
    case(
        "X_str", lambda: call_forward(X=X0.astype(str)), TypeError,
        "forward: X must hold real numbers (bool, int or float); got dtype <U",
    ),
    case(
        "X_object", lambda: call_forward(X=X0.astype(object)), TypeError,
        "forward: X must hold real numbers (bool, int or float); got dtype object",
    ),
    case(
        "W2_complex", lambda: call_forward({"W2": np.ones((3, 5), dtype=complex)}), TypeError,
        "forward: W2 must hold real numbers (bool, int or float); got dtype complex128",
    ),
    case(
        "Y_complex", lambda: call_gradients(Y=np.zeros((1, M), dtype=complex)), TypeError,
        "gradients: Y must hold real numbers (bool, int or float); got dtype complex128",
    ),
    # -- labels -------------------------------------------------------------------------------------------------
    case(
        "sigmoid_labels_not_0_or_1", lambda: call_gradients(Y=np.array([[0.0, 1.0, 0.5, 2.0, 1.0]])), ValueError,
        "gradients: Y must hold labels 0 or 1 for a sigmoid output (binary cross-entropy); 2 of 5 entries are neither "
        "(min 0, max 2)",
    ),
    case(
        "softmax_columns_not_summing_to_1", lambda: call_softmax_gradients(ONE_HOT * 0.5), ValueError,
        "gradients: each column of Y must sum to 1 (each example's labels are a probability vector, usually one-hot); "
        "5 of 5 columns do not (column 0 sums to 0.5)",
    ),
    case(
        "softmax_labels_negative", lambda: call_softmax_gradients(np.array([[2.0] * M, [-1.0] * M, [0.0] * M])),
        ValueError,
        "gradients: Y must hold probabilities in [0, 1] for a softmax output; 10 of 15 entries are outside "
        "(min -1, max 2)",
    ),
    # -- empty batch --------------------------------------------------------------------------------------------
    case(
        "empty_batch_forward", lambda: call_forward(X=np.zeros((4, 0))), ValueError,
        "forward: X has shape (4, 0) and no entries; every dimension must be at least 1 (a batch needs m >= 1 "
        "examples)",
    ),
    case(
        "empty_batch_gradients", lambda: call_gradients(X=np.zeros((4, 0)), Y=np.zeros((1, 0))), ValueError,
        "gradients: X has shape (4, 0) and no entries",
    ),
    case(
        "empty_layer", lambda: call_forward({"W1": np.zeros((0, 4))}), ValueError,
        "forward: W1 has shape (0, 4) and no entries",
    ),
    # -- cost ---------------------------------------------------------------------------------------------------
    case(
        "cost_AL_outside_open_interval", lambda: cost(np.array([[0.0, 0.5, 1.0, 1.5]]), np.array([[0, 1, 1, 0]])),
        ValueError,
        "cost: AL must lie strictly between 0 and 1, since the loss takes log(AL) and log(1 - AL); 3 of 4 entries "
        "are outside (min 0, max 1.5)",
    ),
    case(
        "cost_shapes_differ", lambda: cost(np.full((1, 5), 0.5), np.zeros((1, 4))), ValueError,
        "cost: Y must have shape (1, 5) like AL; got (1, 4)",
    ),
    case(
        "cost_unknown_output", lambda: cost(np.full((1, 2), 0.5), np.zeros((1, 2)), "relu"), ValueError,
        "cost: output must be 'sigmoid' (binary cross-entropy) or 'softmax' (categorical cross-entropy), the outputs "
        "whose loss is defined here; got 'relu'",
    ),
    case(
        "cost_labels_not_0_or_1", lambda: cost(np.full((1, 2), 0.5), np.array([[0.0, 0.3]])), ValueError,
        "cost: Y must hold labels 0 or 1 for a sigmoid output (binary cross-entropy); 1 of 2 entries are neither",
    ),
    case(
        "cost_AL_a_list", lambda: cost([[0.5]], np.zeros((1, 1))), TypeError,
        "cost: AL must be a numpy array; got list",
    ),
]


@pytest.mark.parametrize("call, error, message", CASES)
def test_rejects_bad_input_with_a_message_naming_function_and_argument(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        call()


def test_rejects_b_that_would_broadcast_even_when_the_sum_has_the_right_shape():
    # With m = n[1], a b of shape (n, m) would add without complaint and give Z the right shape, wrongly.
    params, X, _ = network()
    X = X[:, :5]
    with pytest.raises(ValueError, match=re.escape(f"forward: b1 must have shape (5, 1); got (5, 5) {BIAS}")):
        forward({**params, "b1": np.zeros((5, 5))}, X, ACTIVATIONS3)


def test_unexpected_key_is_named_when_a_4_layer_network_gets_W5():
    params = random_params([2, 3, 3, 3, 1], seed=0)
    message = "forward: params has unexpected key(s) 'W5'; 4 layers (one per activation) need exactly W1, b1, ..., "
    message += "W4, b4"
    with pytest.raises(ValueError, match=re.escape(message)):
        forward({**params, "W5": np.ones((1, 1))}, np.ones((2, 3)), ["relu"] * 3 + ["sigmoid"])


def test_gradients_checks_everything_before_computing(monkeypatch):
    import backprop.network

    def must_not_run(*args):
        raise AssertionError("the forward pass ran before Y was checked")

    monkeypatch.setattr(backprop.network, "_forward_all", must_not_run)
    with pytest.raises(ValueError, match="gradients: Y must have shape"):
        call_gradients(Y=np.zeros((1, 4)))


def test_as_array_converts_bool_and_int_to_float64_without_touching_the_input():
    for x in (np.array([[True, False]]), np.array([[1, 2]], dtype=np.int8), np.array([[3]], dtype=np.uint16)):
        before = x.copy()
        y = as_array("demo", "x", x)
        assert y.dtype == np.float64 and x.dtype == before.dtype
        np.testing.assert_array_equal(x, before)
        np.testing.assert_array_equal(y, before.astype(float))
        y[...] = 7.0
        np.testing.assert_array_equal(x, before)


def test_as_array_returns_float64_input_itself_without_copying():
    x = np.ones((2, 3))
    assert as_array("demo", "x", x) is x


def test_as_array_reports_long_double_that_overflows_float64():
    x = np.array([[np.longdouble(10) ** 400]]) if np.finfo(np.longdouble).max > 1e400 else np.array([[np.inf]])
    with pytest.raises(ValueError, match=re.escape("demo: x has 1 non-finite entry (NaN or inf) out of 1")):
        as_array("demo", "x", x)


def test_as_array_accepts_large_finite_values_whose_squares_overflow():
    x = np.array([[1e200, -1e300]])
    assert as_array("demo", "x", x) is x


def test_as_matrix_rejects_3d():
    with pytest.raises(ValueError, match=re.escape("demo: A must be a 2-D array; got 3-D with shape (2, 2, 2)")):
        as_matrix("demo", "A", np.ones((2, 2, 2)))


def test_require_shape_treats_str_entries_as_any_length():
    require_shape("demo", "X", np.ones((4, 7)), (4, "m"))
    with pytest.raises(ValueError, match=re.escape("demo: X must have shape (4, m) to match W; got (3, 7)")):
        require_shape("demo", "X", np.ones((3, 7)), (4, "m"), why="to match W")
    with pytest.raises(ValueError, match=re.escape("demo: b must have shape (4, 1); got (4,) (why it matters)")):
        require_shape("demo", "b", np.ones(4), (4, 1), note="why it matters")


@pytest.mark.parametrize("options", [{}, {"masks": "drop", "keep_prob": 0.8}], ids=["plain", "dropout"])
def test_forward_and_gradients_check_each_array_for_nan_once_at_the_entry(monkeypatch, options):
    # The finite check reads every entry; the passes' unchecked cores must not run it again per layer.
    import backprop.shapes

    checked = []
    real = backprop.shapes._require_finite

    def counting(func, name, x):
        checked.append((func, name))
        return real(func, name, x)

    params, X, Y = network()
    if options:
        options = {**options, "masks": dropout_masks(params, M, 0.8, seed=0)}
    monkeypatch.setattr(backprop.shapes, "_require_finite", counting)
    entries = [("forward", "X")] + [("forward", f"{p}{l}") for l in (1, 2, 3) for p in "Wb"]
    entries += [("forward", f"masks[{l}]") for l in options.get("masks", {})]
    forward(params, X, ACTIVATIONS3, **options)
    assert sorted(checked) == sorted(entries)
    checked.clear()
    gradients(params, X, Y, ACTIVATIONS3, **options)
    assert sorted(checked) == sorted([("gradients", name) for _, name in entries] + [("gradients", "Y")])
