"""Losses, the cost, and where backprop starts: dZ[L] = A[L] - Y agrees with the week-3 and week-4 routes, and the
versions computed from the logits Z[L] stay accurate where A[L] rounds."""

import re
import warnings
from decimal import Decimal, localcontext

import numpy as np
import pytest

from backprop import (
    cost,
    example_losses,
    example_losses_from_logits,
    logistic,
    logistic_prime,
    numerical_gradient,
    output_da,
    output_dz,
    output_dz_from_logits,
    softmax_columns,
    softmax_jacobian,
)


def sigmoid_batch(n=2, m=6, seed=0):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, m))
    return Z, logistic(Z), (rng.uniform(size=(n, m)) < 0.5).astype(float)


def softmax_batch(n=3, m=6, seed=0):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, m))
    return Z, softmax_columns(Z), np.eye(n)[:, rng.integers(0, n, size=m)]


def test_output_dz_equals_output_da_times_logistic_prime():
    # Week 4 starts from dA[L] and multiplies by g'(Z[L]); week 3 writes dZ[L] = A[L] - Y directly.
    Z, AL, Y = sigmoid_batch()
    np.testing.assert_allclose(output_dz(AL, Y), output_da(AL, Y) * logistic_prime(Z), rtol=1e-12, atol=1e-15)


def test_output_da_matches_centred_difference_of_the_loss():
    _, AL, Y = sigmoid_batch(seed=1)
    centred = numerical_gradient(lambda A: float(example_losses(A, Y).sum()), AL)
    np.testing.assert_allclose(output_da(AL, Y), centred, rtol=1e-6)


def test_output_dz_matches_centred_difference_of_the_loss_for_sigmoid():
    Z, _, Y = sigmoid_batch(seed=2)
    centred = numerical_gradient(lambda V: float(example_losses(logistic(V), Y).sum()), Z)
    np.testing.assert_allclose(output_dz(logistic(Z), Y), centred, rtol=1e-6, atol=1e-9)


def test_softmax_jacobian_times_dl_da_is_a_minus_y_for_each_example():
    Z, AL, Y = softmax_batch()
    for i in range(Z.shape[1]):
        dL_da = -Y[:, [i]] / AL[:, [i]]  # the derivative of -sum_k y_k log a_k with respect to a
        np.testing.assert_allclose(softmax_jacobian(Z[:, [i]]) @ dL_da, AL[:, [i]] - Y[:, [i]], atol=1e-14)
    np.testing.assert_allclose(output_dz(AL, Y), AL - Y)


def test_output_dz_matches_centred_difference_of_the_loss_for_softmax():
    Z, _, Y = softmax_batch(seed=3)
    centred = numerical_gradient(lambda V: float(example_losses(softmax_columns(V), Y, "softmax").sum()), Z)
    np.testing.assert_allclose(output_dz(softmax_columns(Z), Y), centred, rtol=1e-6, atol=1e-9)


def test_cost_is_the_mean_of_example_losses_as_a_python_float():
    for output, (_, AL, Y) in (("sigmoid", sigmoid_batch()), ("softmax", softmax_batch())):
        J = cost(AL, Y, output)
        assert type(J) is float
        np.testing.assert_allclose(J, example_losses(AL, Y, output).mean(), rtol=1e-15)


def test_example_losses_has_one_entry_per_example():
    _, AL, Y = sigmoid_batch(n=3, m=7)
    assert example_losses(AL, Y).shape == (1, 7)


def test_binary_cross_entropy_sums_over_output_units():
    _, AL, Y = sigmoid_batch(n=3, m=4)
    per_unit = -(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    np.testing.assert_allclose(example_losses(AL, Y), per_unit.sum(axis=0, keepdims=True), rtol=1e-13)


def test_categorical_cross_entropy_with_one_hot_labels_is_minus_log_of_true_class():
    _, AL, Y = softmax_batch()
    true_class = Y.argmax(axis=0)
    expected = -np.log(AL[true_class, np.arange(AL.shape[1])])
    np.testing.assert_allclose(example_losses(AL, Y, "softmax")[0], expected, rtol=1e-14)


def test_soft_labels_are_allowed_for_softmax():
    AL, Y = np.array([[0.6], [0.4]]), np.array([[0.25], [0.75]])
    np.testing.assert_allclose(cost(AL, Y, "softmax"), -(0.25 * np.log(0.6) + 0.75 * np.log(0.4)))


def test_losses_near_the_edges_are_finite_and_silent():
    AL, Y = np.array([[1e-300, 1 - 1e-16]]), np.array([[1.0, 0.0]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        losses = example_losses(AL, Y)
        dA = output_da(AL, Y)
    assert np.all(np.isfinite(losses)) and np.all(np.isfinite(dA))


def test_losses_do_not_mutate_inputs():
    _, AL, Y = sigmoid_batch()
    AL0, Y0 = AL.copy(), Y.copy()
    output_dz(AL, Y), output_da(AL, Y), example_losses(AL, Y), cost(AL, Y)
    np.testing.assert_array_equal(AL, AL0)
    np.testing.assert_array_equal(Y, Y0)


def test_output_da_rejects_al_outside_open_interval():
    message = "output_da: AL must lie strictly between 0 and 1, since the loss takes log(AL) and log(1 - AL); 1 of 2 "
    message += "entries are outside (min 0.5, max 1)"
    with pytest.raises(ValueError, match=re.escape(message)):
        output_da(np.array([[0.5, 1.0]]), np.array([[0.0, 1.0]]))


def test_output_da_rejects_labels_other_than_zero_or_one():
    with pytest.raises(ValueError, match=r"output_da: Y must hold labels 0 or 1 for a sigmoid output .*1 of 2 entries"):
        output_da(np.array([[0.5, 0.5]]), np.array([[0.0, 2.0]]))


def test_output_dz_rejects_y_shaped_differently_from_al():
    with pytest.raises(ValueError, match=re.escape("output_dz: Y must have shape (1, 5) like AL; got (5, 1)")):
        output_dz(np.full((1, 5), 0.5), np.zeros((5, 1)))


def test_example_losses_rejects_softmax_output_whose_columns_do_not_sum_to_one():
    AL, Y = np.array([[0.5, 0.2], [0.4, 0.8]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    message = "example_losses: each column of AL must sum to 1 (a softmax output is a probability vector per example); "
    message += "1 of 2 columns do not (column 0 sums to 0.9)"
    with pytest.raises(ValueError, match=re.escape(message)):
        example_losses(AL, Y, "softmax")


def test_example_losses_rejects_softmax_labels_outside_zero_one():
    AL, Y = np.array([[0.5], [0.5]]), np.array([[1.5], [-0.5]])
    message = "example_losses: Y must hold probabilities in [0, 1] for a softmax output; 2 of 2 entries are outside"
    with pytest.raises(ValueError, match=re.escape(message)):
        example_losses(AL, Y, "softmax")


def test_cost_rejects_non_str_output():
    with pytest.raises(TypeError, match="cost: output must be a str, 'sigmoid' or 'softmax'; got NoneType"):
        cost(np.full((1, 2), 0.5), np.zeros((1, 2)), None)


# -- From the logits: eq-loss-from-logits and eq-dz-from-logits. ---------------------------------------------------

# Large logits, where float64's A = σ(z) or softmax(z) is within rounding of 0 or 1.
LARGE = [-700.0, -100.0, -40.0, -36.0, -20.0, 20.0, 30.0, 36.0, 37.0, 40.0, 100.0, 700.0]


def exact_sigmoid_loss_and_dz(z, y):
    """The binary cross-entropy of one unit and its dz = σ(z) - y, as written, at 400 significant digits."""
    with localcontext(prec=400):
        a = 1 / (1 + (-Decimal(z)).exp())
        loss = -(Decimal(y) * a.ln() + (1 - Decimal(y)) * (1 - a).ln())
        return float(loss), float(a - Decimal(y))


def exact_softmax_loss_and_dz(z, y):
    """Categorical cross-entropy of one example and its dz = a - y, as written, at 400 significant digits."""
    with localcontext(prec=400):
        e = [Decimal(v).exp() for v in z]
        a = [v / sum(e) for v in e]
        loss = -sum(Decimal(yk) * ak.ln() for yk, ak in zip(y, a) if yk)
        return float(loss), [float(ak - Decimal(yk)) for ak, yk in zip(a, y)]


def test_sigmoid_from_logits_agrees_with_example_losses_and_output_dz():
    Z, AL, Y = sigmoid_batch(n=3, m=8, seed=4)
    np.testing.assert_allclose(example_losses_from_logits(Z, Y), example_losses(AL, Y), rtol=1e-13)
    np.testing.assert_allclose(output_dz_from_logits(Z, Y), output_dz(AL, Y), rtol=1e-13, atol=1e-16)


def test_softmax_from_logits_agrees_with_example_losses_and_output_dz():
    Z, AL, Y = softmax_batch(n=4, m=8, seed=5)
    losses = example_losses_from_logits(Z, Y, "softmax")
    np.testing.assert_allclose(losses, example_losses(AL, Y, "softmax"), rtol=1e-13)
    np.testing.assert_allclose(output_dz_from_logits(Z, Y, "softmax"), output_dz(AL, Y), rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("y", [0.0, 1.0])
def test_sigmoid_from_logits_is_accurate_at_large_z_where_a_minus_y_is_not(y):
    Z = np.array([LARGE])
    Y = np.full_like(Z, y)
    exact = [exact_sigmoid_loss_and_dz(z, y) for z in LARGE]
    np.testing.assert_allclose(example_losses_from_logits(Z, Y)[0], [loss for loss, _ in exact], rtol=1e-14)
    np.testing.assert_allclose(output_dz_from_logits(Z, Y)[0], [dz for _, dz in exact], rtol=1e-14, atol=0)
    if y == 1.0:
        # A - Y forms 1 - σ(z): already 4 % off at z = 36, and 0 instead of -e⁻³⁷ at z = 37.
        naive = output_dz(logistic(Z), Y)[0]
        at = {z: abs(naive[k] - exact[k][1]) / abs(exact[k][1]) for k, z in enumerate(LARGE)}
        assert at[36.0] > 0.01 and at[37.0] == 1.0


def test_softmax_from_logits_is_accurate_when_one_class_dominates():
    # Each column: the true class (row 0) leads by 40 or 700, or trails; one-hot labels.
    Z = np.array([[40.0, 700.0, -5.0, 0.0], [0.0, 0.0, 30.0, -740.0], [-3.0, -20.0, 0.0, -700.0]])
    Y = np.zeros_like(Z)
    Y[0] = 1.0
    losses = example_losses_from_logits(Z, Y, "softmax")[0]
    dZ = output_dz_from_logits(Z, Y, "softmax")
    for i in range(Z.shape[1]):
        loss, dz = exact_softmax_loss_and_dz(Z[:, i], Y[:, i])
        np.testing.assert_allclose(losses[i], loss, rtol=1e-13)
        np.testing.assert_allclose(dZ[:, i], dz, rtol=1e-13, atol=0)
    # A - Y loses the true class's tiny dz entirely: 1 - e⁻⁴⁰ rounds to 1.
    assert output_dz(softmax_columns(Z), Y)[0, 0] == 0.0 and dZ[0, 0] < 0


def test_softmax_from_logits_handles_ties_for_the_largest_logit():
    Z, Y = np.array([[5.0], [5.0], [-30.0]]), np.array([[1.0], [0.0], [0.0]])
    loss, dz = exact_softmax_loss_and_dz(Z[:, 0], Y[:, 0])
    np.testing.assert_allclose(example_losses_from_logits(Z, Y, "softmax")[0, 0], loss, rtol=1e-14)
    np.testing.assert_allclose(output_dz_from_logits(Z, Y, "softmax")[:, 0], dz, rtol=1e-14)


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_output_dz_from_logits_matches_centred_difference_of_the_loss_from_logits(output):
    Z, _, Y = sigmoid_batch(n=3, m=5, seed=6) if output == "sigmoid" else softmax_batch(n=3, m=5, seed=6)
    Z = 4.0 * Z
    centred = numerical_gradient(lambda V: float(example_losses_from_logits(V, Y, output).sum()), Z)
    np.testing.assert_allclose(output_dz_from_logits(Z, Y, output), centred, rtol=1e-6, atol=1e-9)


def test_softmax_from_logits_with_smoothed_labels_matches_centred_difference():
    Z, _, Y = softmax_batch(n=4, m=5, seed=7)
    Y = 0.9 * Y + 0.1 / 4
    centred = numerical_gradient(lambda V: float(example_losses_from_logits(V, Y, "softmax").sum()), Z)
    np.testing.assert_allclose(output_dz_from_logits(Z, Y, "softmax"), centred, rtol=1e-6, atol=1e-9)


def test_from_logits_is_finite_and_silent_at_extreme_logits():
    Z = np.array([[-1e6, -800.0, 800.0, 1e6]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for output, Y in (("sigmoid", np.array([[0.0, 1.0, 0.0, 1.0]])), ("softmax", np.ones_like(Z))):
            assert np.isfinite(example_losses_from_logits(Z, Y, output)).all()
            assert np.isfinite(output_dz_from_logits(Z, Y, output)).all()
    np.testing.assert_allclose(example_losses_from_logits(Z, np.array([[0.0, 1.0, 0.0, 1.0]])), [[0, 800, 800, 0]])


def test_from_logits_do_not_mutate_inputs():
    Z, _, Y = softmax_batch()
    Z0, Y0 = Z.copy(), Y.copy()
    example_losses_from_logits(Z, Y, "softmax"), output_dz_from_logits(Z, Y, "softmax")
    np.testing.assert_array_equal(Z, Z0)
    np.testing.assert_array_equal(Y, Y0)


def test_from_logits_reject_y_shaped_differently_from_zl():
    for func in (example_losses_from_logits, output_dz_from_logits):
        message = f"{func.__name__}: Y must have shape (1, 5) like ZL; got (5, 1)"
        with pytest.raises(ValueError, match=re.escape(message)):
            func(np.zeros((1, 5)), np.zeros((5, 1)))


def test_from_logits_reject_a_one_dimensional_zl():
    message = "output_dz_from_logits: ZL must be a 2-D array; got 1-D with shape (3,)"
    with pytest.raises(ValueError, match=re.escape(message)):
        output_dz_from_logits(np.zeros(3), np.zeros((1, 3)))


def test_from_logits_reject_non_finite_zl():
    message = "example_losses_from_logits: ZL has 1 non-finite entry (NaN or inf) out of 2"
    with pytest.raises(ValueError, match=re.escape(message)):
        example_losses_from_logits(np.array([[np.inf, 0.0]]), np.zeros((1, 2)))


def test_from_logits_reject_a_list():
    with pytest.raises(TypeError, match=re.escape("output_dz_from_logits: ZL must be a numpy array; got list")):
        output_dz_from_logits([[0.0]], np.zeros((1, 1)))


def test_from_logits_reject_sigmoid_labels_other_than_zero_or_one():
    message = "output_dz_from_logits: Y must hold labels 0 or 1 for a sigmoid output (binary cross-entropy); 1 of 2"
    with pytest.raises(ValueError, match=re.escape(message)):
        output_dz_from_logits(np.zeros((1, 2)), np.array([[0.5, 1.0]]))


def test_from_logits_reject_softmax_labels_whose_columns_do_not_sum_to_one():
    message = "example_losses_from_logits: each column of Y must sum to 1"
    with pytest.raises(ValueError, match=re.escape(message)):
        example_losses_from_logits(np.zeros((2, 1)), np.array([[1.0], [1.0]]), "softmax")


def test_from_logits_reject_an_unknown_output():
    message = "output_dz_from_logits: output must be 'sigmoid' (binary cross-entropy) or 'softmax'"
    with pytest.raises(ValueError, match=re.escape(message)):
        output_dz_from_logits(np.zeros((1, 1)), np.zeros((1, 1)), "relu")
