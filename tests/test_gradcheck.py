"""Gradient checking: centred differences are exact on a quadratic, and the check can fail."""

import re

import numpy as np
import pytest

import backprop.gradcheck
from backprop import (
    check_gradients,
    gradients,
    numerical_gradient,
    numerical_jacobian,
    one_sided_gradient,
    random_params,
    relative_error,
)


def small_problem(activations=("tanh", "sigmoid"), m=4, seed=0):
    rng = np.random.default_rng(seed)
    params = random_params([3, 4, 1], seed=seed)
    params["b1"] = rng.normal(size=(4, 1))
    return params, rng.normal(size=(3, m)), (rng.uniform(size=(1, m)) < 0.5).astype(float), list(activations)


def test_numerical_gradient_is_exact_on_a_quadratic():
    rng = np.random.default_rng(0)
    M, c, x = rng.normal(size=(4, 4)), rng.normal(size=4), rng.normal(size=4)
    M = M + M.T

    # f(x + e) - f(x - e) is exactly 2 e f'(x) for a quadratic: the centred difference has no truncation error.
    def f(v):
        return float(0.5 * v @ M @ v + c @ v)

    np.testing.assert_allclose(numerical_gradient(f, x), M @ x + c, rtol=1e-8, atol=1e-9)


def test_numerical_gradient_works_on_any_shape():
    x = np.linspace(-1.0, 1.0, 24).reshape(2, 3, 4)
    np.testing.assert_allclose(numerical_gradient(lambda v: float(np.sum(v**2)), x), 2 * x, rtol=1e-8, atol=1e-8)


# The three estimators share one nudging loop; each is checked to leave the caller's x alone.
@pytest.mark.parametrize("estimate", [numerical_gradient, numerical_jacobian, one_sided_gradient])
def test_difference_estimates_do_not_modify_x(estimate):
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    before = x.copy()
    seen = []

    def f(v):
        seen.append(v is x)
        return float(np.sum(np.sin(v)))

    estimate(f, x)
    np.testing.assert_array_equal(x, before)
    assert not any(seen)


def test_numerical_gradient_accepts_integer_x():
    np.testing.assert_allclose(numerical_gradient(lambda v: float(v.sum()), np.array([1, 2])), [1.0, 1.0])


def test_relative_error_properties():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros((2, 2)), np.zeros((2, 2))) == 0.0
    np.testing.assert_allclose(relative_error(a, -a), 1.0)
    np.testing.assert_allclose(relative_error(a, np.zeros_like(a)), 1.0)
    np.testing.assert_allclose(relative_error(a, b), relative_error(b, a))
    np.testing.assert_allclose(relative_error(1e-8 * a, 1e-8 * b), relative_error(a, b))
    assert 0.0 <= relative_error(a, b) <= 1.0
    assert type(relative_error(a, b)) is float


def test_check_gradients_passes_for_the_real_backward_pass():
    for activations in (("tanh", "sigmoid"), ("relu", "sigmoid")):
        errors = check_gradients(*small_problem(activations))
        assert list(errors) == ["dW1", "db1", "dW2", "db2"]
        assert max(errors.values()) < 1e-7


def test_check_gradients_detects_a_wrong_gradient(monkeypatch):
    # The classic mistake: dW without its 1/m. A check that cannot fail checks nothing.
    def missing_one_over_m(params, X, Y, activations):
        grads = gradients(params, X, Y, activations)
        return dict(grads, dW1=grads["dW1"] * X.shape[1])

    monkeypatch.setattr(backprop.gradcheck, "gradients", missing_one_over_m)
    errors = check_gradients(*small_problem(m=4))
    assert errors["dW1"] > 0.5
    assert errors["db1"] < 1e-7


def test_check_gradients_detects_a_transposed_sign_error(monkeypatch):
    def wrong_sign(params, X, Y, activations):
        grads = gradients(params, X, Y, activations)
        return dict(grads, db2=-grads["db2"])

    monkeypatch.setattr(backprop.gradcheck, "gradients", wrong_sign)
    np.testing.assert_allclose(check_gradients(*small_problem())["db2"], 1.0, rtol=1e-6)


def test_numerical_gradient_rejects_non_callable_f():
    with pytest.raises(TypeError, match="numerical_gradient: f must be callable; got float"):
        numerical_gradient(1.0, np.ones(2))


@pytest.mark.parametrize(
    "eps, error", [(0.0, ValueError), (-1e-6, ValueError), (np.inf, ValueError), ("1e-6", TypeError)]
)
def test_numerical_gradient_rejects_bad_eps(eps, error):
    with pytest.raises(error, match="numerical_gradient: eps must be"):
        numerical_gradient(lambda v: float(v.sum()), np.ones(2), eps=eps)


def test_numerical_gradient_rejects_f_that_does_not_return_a_scalar():
    message = "numerical_gradient: f must return a real scalar; got ndarray when x[0] was nudged"
    with pytest.raises(TypeError, match=re.escape(message)):
        numerical_gradient(lambda v: v * 2, np.ones(2))


def test_numerical_gradient_rejects_f_that_returns_nan():
    with pytest.raises(ValueError, match=re.escape("numerical_gradient: f returned nan when x[0, 0] was nudged")):
        numerical_gradient(lambda v: float("nan"), np.ones((1, 1)))


def test_numerical_gradient_rejects_a_list():
    with pytest.raises(TypeError, match=r"numerical_gradient: x must be a numpy array; got list"):
        numerical_gradient(lambda v: 0.0, [1.0, 2.0])


def test_relative_error_rejects_different_shapes():
    message = "relative_error: numerical must have shape (2, 3) like analytic; got (3, 2)"
    with pytest.raises(ValueError, match=re.escape(message)):
        relative_error(np.ones((2, 3)), np.ones((3, 2)))


def test_check_gradients_validates_like_gradients():
    params, X, Y, activations = small_problem()
    with pytest.raises(ValueError, match=re.escape("gradients: Y must have shape (1, 4) like AL; got (1, 3)")):
        check_gradients(params, X, Y[:, :3], activations)


def test_numerical_jacobian_of_a_linear_map_is_its_matrix_in_numerator_layout():
    W = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(numerical_jacobian(lambda a: W @ a, np.ones((3, 1))), W, atol=1e-9)


def test_numerical_jacobian_of_a_scalar_is_a_row():
    a = np.array([[1.0], [2.0], [3.0]])
    J = numerical_jacobian(lambda v: float(np.sum(v**2)), a)
    assert J.shape == (1, 3)
    np.testing.assert_allclose(J, 2 * a.T, rtol=1e-9)


def test_numerical_jacobian_rejects_an_output_with_nan():
    with pytest.raises(ValueError, match=r"numerical_jacobian: f\(x\) with x\[0, 0\] nudged has 1 non-finite"):
        numerical_jacobian(lambda v: np.where(v > 1.0, np.nan, v), np.ones((1, 1)))


# Negative controls (the `<page>-wrong` sections): one check, the right version and the wrong ones.

def _controls():
    rng = np.random.default_rng(3)
    W, dZ = rng.normal(size=(3, 3)), rng.normal(size=(3, 4))
    reference = W.T @ dZ
    versions = {
        "right": lambda: W.T @ dZ,
        "transpose dropped": lambda: W @ dZ,
        "shape error": lambda: dZ @ W,
    }
    return versions, (lambda result: relative_error(result, reference))


def test_check_versions_passes_the_right_version_and_fails_the_wrong_ones_with_what_the_check_says():
    versions, error_of = _controls()
    verdicts = backprop.check_versions(versions, error_of, right="right")
    assert [v.passes for v in verdicts] == [True, False, False]
    assert verdicts[0].says.startswith("passes: relative error")
    assert re.fullmatch(r"fails: relative error 0\.\d+|fails: relative error 1(\.\d+)?", verdicts[1].says)
    assert verdicts[2].says.startswith("fails: ValueError: matmul")
    assert [v.code for v in verdicts] == ["W.T @ dZ", "W @ dZ", "dZ @ W"]


def test_check_versions_raises_when_the_check_cannot_tell_a_wrong_version_from_the_right_one():
    versions, error_of = _controls()
    with pytest.raises(AssertionError, match="wrong version 'transpose dropped': passes"):
        backprop.check_versions(versions, error_of, right="right", tol=10.0)
    with pytest.raises(AssertionError, match="right version 'transpose dropped': fails"):
        backprop.check_versions(versions, error_of, right=["right", "transpose dropped"])


def test_check_versions_names_a_version_that_is_not_a_one_line_lambda_and_a_right_name_that_is_missing():
    versions, error_of = _controls()

    def right():
        return versions["right"]()

    with pytest.raises(ValueError, match="check_versions: version 'right' must be a lambda written on one line"):
        backprop.check_versions({"right": right}, error_of, right="right")
    with pytest.raises(ValueError, match="check_versions: right must name versions"):
        backprop.check_versions(versions, error_of, right="missing")


def test_versions_table_has_one_row_per_version_with_its_code_and_verdict():
    versions, error_of = _controls()
    table = backprop.versions_table(backprop.check_versions(versions, error_of, right="right"))
    lines = table.splitlines()
    assert lines[0] == "| version | code | the check says |" and len(lines) == 2 + len(versions)
    assert lines[3].startswith("| transpose dropped | `W @ dZ` | fails: relative error ")


def test_versions_table_typesets_a_layers_array_in_a_name_as_math_but_not_in_code():
    versions, error_of = _controls()
    named = {"dA[0], right": versions["right"], "`dZ[1]` dropped, dW[l] kept": versions["transpose dropped"]}
    table = backprop.versions_table(backprop.check_versions(named, error_of, right="dA[0], right"))
    names = [line.split(" | ")[0] for line in table.splitlines()[2:]]
    assert names == ["| $dA^{[0]}$, right", "| `dZ[1]` dropped, $dW^{[l]}$ kept"]
