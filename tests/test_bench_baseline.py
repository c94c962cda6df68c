"""The benchmark compares like with like: the raw-numpy baseline computes exactly what `gradients` returns."""

import numpy as np
from bench.raw_backward import raw_forward_backward

import backprop


def test_raw_baseline_returns_the_same_gradients_as_the_package():
    sizes, activations, m = [7, 5, 4, 3], ["relu", "relu", "softmax"], 6
    rng = np.random.default_rng(3)
    params = backprop.random_params(sizes, seed=3)
    X = rng.normal(size=(sizes[0], m))
    Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], size=m)]

    ours = backprop.gradients(params, X, Y, activations)
    raw = raw_forward_backward(params, X, Y, len(activations))

    assert ours.keys() == raw.keys()
    for key in ours:
        np.testing.assert_allclose(ours[key], raw[key], rtol=1e-12, atol=1e-14, err_msg=key)
