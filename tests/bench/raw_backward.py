"""A hand-written backward pass in raw numpy: the baseline that `make bench` holds `backprop.gradients` against.

It computes exactly what `backprop.gradients` returns for a network of ReLU hidden layers and a softmax output
with categorical cross-entropy (every dZ, dA, dW and db), with no input checks and no abstraction, so the ratio of
the two timings is the price of the package's validation and structure.
"""

import numpy as np


def raw_forward_backward(params, X, Y, L):
    """Forward then backward pass for relu, ..., relu, softmax; returns the same dict as `backprop.gradients`."""
    m = X.shape[1]
    A = {0: X}
    Z = {}
    for l in range(1, L + 1):
        Z[l] = params[f"W{l}"] @ A[l - 1] + params[f"b{l}"]
        if l < L:
            A[l] = np.maximum(Z[l], 0.0)
        else:
            shifted = np.exp(Z[l] - Z[l].max(axis=0, keepdims=True))
            A[l] = shifted / shifted.sum(axis=0, keepdims=True)
    grads = {}
    dZ = A[L] - Y
    for l in range(L, 0, -1):
        grads[f"dZ{l}"] = dZ
        grads[f"dW{l}"] = dZ @ A[l - 1].T / m
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
        dA_prev = params[f"W{l}"].T @ dZ
        grads[f"dA{l - 1}"] = dA_prev
        if l > 1:
            dZ = dA_prev * (Z[l - 1] > 0)
    return grads
