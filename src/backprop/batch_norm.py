"""Batch normalization of a layer's Z over the batch, and its backward pass.

A layer l is normalized when params holds ``gamma{l}`` and ``beta{l}``, both (n[l], 1).
Between the linear step and the activation, each unit's row of Z[l] = W[l] A[l-1] + b[l]
is centred on its batch mean μ and divided by sqrt(σ² + ε), σ² being the biased (1/m)
variance over the batch; then it is scaled by γ and shifted by β ({eq}`eq-bn-forward`):

    Ẑ = (Z - μ) / sqrt(σ² + ε),   Z̃ = γ * Ẑ + β,   A = g(Z̃).

μ and σ² depend on every example, so example i's output depends on every column of Z:
the examples are coupled, and dZ[l] is defined as m ∂J/∂Z[l] (Z before normalization),
which is what it means without batch norm too. The backward pass ({eq}`eq-bn-dgamma`,
{eq}`eq-bn-dbeta`, {eq}`eq-bn-dz`) goes from dZ̃ = m ∂J/∂Z̃ to dγ, dβ (∂J, carrying the
1/m) and dZ:

    dγ = (1/m) Σᵢ dZ̃ * Ẑ,   dβ = (1/m) Σᵢ dZ̃,
    dZ = γ / sqrt(σ² + ε) * (dZ̃ - dβ - Ẑ * dγ).

Each row of that dZ sums to 0 (Ẑ's rows do), so db[l] = (1/m) Σᵢ dZ[l] is 0 up to
rounding: β does b's job, and the course drops b.
"""

import numpy as np

__all__ = []  # its options are those of forward and gradients; its checks are in backprop._validation


# -- Unchecked cores: float64 arrays, Z (n, m), gamma and beta (n, 1). -----------------


def _normalize(Z, gamma, beta, eps):
    """Return mu, var (n, 1), Zhat and Ztilde (n, m) for one layer."""
    mu = Z.mean(axis=1, keepdims=True)  # eq-bn-forward
    centred = Z - mu
    var = (centred * centred).mean(axis=1, keepdims=True)  # eq-bn-forward: biased, 1/m
    Zhat = centred / np.sqrt(var + eps)  # eq-bn-forward
    return mu, var, Zhat, gamma * Zhat + beta  # eq-bn-forward


def _normalize_backward(dZtilde, Zhat, var, gamma, eps):
    """Return dZ (m ∂J/∂Z), dgamma and dbeta (∂J) from dZtilde = m ∂J/∂Ztilde."""
    m = dZtilde.shape[1]
    dgamma = (dZtilde * Zhat).sum(axis=1, keepdims=True) / m  # eq-bn-dgamma
    dbeta = dZtilde.sum(axis=1, keepdims=True) / m  # eq-bn-dbeta
    dZ = gamma / np.sqrt(var + eps) * (dZtilde - dbeta - Zhat * dgamma)  # eq-bn-dz
    return dZ, dgamma, dbeta
