"""The softmax backward step without its Jacobian: against the full Jacobian product and centred differences."""

import re

import numpy as np
import pytest

from backprop import numerical_gradient, output_dz, softmax_columns, softmax_jacobian
from backprop.products import softmax_dz_from_da


def softmax_inputs(n=5, m=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, m)), rng.normal(scale=2.0, size=(n, m))


def test_softmax_dz_from_da_equals_jacobian_transpose_times_each_column():
    dA, Z = softmax_inputs()
    dZ = softmax_dz_from_da(dA, Z)
    for i in range(Z.shape[1]):
        J = softmax_jacobian(Z[:, [i]])
        np.testing.assert_allclose(dZ[:, [i]], J.T @ dA[:, [i]], rtol=1e-12, atol=1e-15)


def test_softmax_dz_from_da_matches_centred_difference():
    dA, Z = softmax_inputs(seed=1)

    def probe(Z):
        # Σ dA * softmax(Z): its gradient with respect to Z is the backward step applied to dA.
        return float(np.sum(dA * softmax_columns(Z)))

    np.testing.assert_allclose(softmax_dz_from_da(dA, Z), numerical_gradient(probe, Z), rtol=1e-7, atol=1e-10)


def test_softmax_dz_from_da_with_cross_entropy_gives_a_minus_y():
    _, Z = softmax_inputs(seed=2)
    A = softmax_columns(Z)
    Y = np.eye(Z.shape[0])[:, [0, 3, 1, 4]]
    np.testing.assert_allclose(softmax_dz_from_da(-Y / A, Z), output_dz(A, Y), rtol=1e-10, atol=1e-15)


def test_softmax_dz_from_da_columns_sum_to_zero():
    dA, Z = softmax_inputs(seed=3)
    np.testing.assert_allclose(softmax_dz_from_da(dA, Z).sum(axis=0), 0.0, atol=1e-14)


def test_softmax_dz_from_da_ignores_a_constant_added_to_a_column_of_da():
    dA, Z = softmax_inputs(seed=4)
    shifted = dA + np.array([[1.0, -2.0, 3.0, 0.5]])
    np.testing.assert_allclose(softmax_dz_from_da(shifted, Z), softmax_dz_from_da(dA, Z), rtol=1e-12, atol=1e-14)


def test_softmax_dz_from_da_does_not_mutate_its_inputs():
    dA, Z = softmax_inputs(seed=5)
    before = dA.copy(), Z.copy()
    dZ = softmax_dz_from_da(dA, Z)
    np.testing.assert_array_equal(dA, before[0])
    np.testing.assert_array_equal(Z, before[1])
    assert not np.shares_memory(dZ, dA) and not np.shares_memory(dZ, Z)


def test_softmax_dz_from_da_rejects_da_shaped_differently_from_z():
    dA, Z = softmax_inputs()
    with pytest.raises(ValueError, match=re.escape("softmax_dz_from_da: dA must have shape (5, 4) like Z; got (4, 5)")):
        softmax_dz_from_da(dA.T, Z)


def test_softmax_dz_from_da_rejects_1d_z():
    with pytest.raises(ValueError, match=r"softmax_dz_from_da: Z must be a 2-D array; got 1-D with shape \(3,\)"):
        softmax_dz_from_da(np.ones(3), np.ones(3))
