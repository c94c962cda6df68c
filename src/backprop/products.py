"""The backward step through a softmax layer, without forming its Jacobian.

An element-wise activation has a diagonal Jacobian, so its backward step is the element-wise product
``dA * g'(Z)`` (`backprop.dz_from_da`). A softmax has a full Jacobian per example, diag(a) - a aᵀ
(`backprop.softmax_jacobian`), yet multiplying by it needs only O(n) work per example, because of its structure:
this module does that product for a batch, one column per example.
"""

import numpy as np

from .activations import softmax_columns
from .shapes import as_matrix, require_shape

__all__ = ["softmax_dz_from_da"]


def softmax_dz_from_da(dA, Z):
    """dZ = A * (dA - Σₖ Aₖ dAₖ) for A = softmax(Z): each example's softmax Jacobian, transposed, times its dA.

    Implements {eq}`eq-softmax-dz-from-da` and, for one example, {eq}`eq-softmax-jacobian-times-da`. Column i is
    (diag(a) - a aᵀ)ᵀ da for a = softmax(Z[:, i]) and da = dA[:, i]; the Jacobian is symmetric, and the product is
    computed in O(n[l]) per example, without the n[l] x n[l] matrix. With dA = -Y / A (categorical cross-entropy)
    and columns of Y that sum to 1, it is A - Y ({eq}`eq-dz-output`).

    Parameters
    ----------
    dA : numpy.ndarray, shape (n[l], m)
        Derivative of each example's loss with respect to its column of A[l], for a softmax layer (no 1/m).
    Z : numpy.ndarray, shape (n[l], m)
        The layer's pre-activations; A = softmax(Z) column by column.

    Returns
    -------
    dZ : numpy.ndarray, shape (n[l], m)
        Column i is ∂L⁽ⁱ⁾/∂z[l]⁽ⁱ⁾; equal to m ∂J/∂Z[l] (no 1/m). Each column sums to 0 (up to rounding).

    Raises
    ------
    TypeError, ValueError
        If an array is not a finite real 2-D ndarray, or dA is not shaped like Z.

    Examples
    --------
    >>> import numpy as np
    >>> from backprop import softmax_columns, softmax_jacobian
    >>> Z, dA = np.array([[0.5, 1.0], [-1.0, 0.0], [2.0, -2.0]]), np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 3.0]])
    >>> dZ = softmax_dz_from_da(dA, Z)
    >>> np.allclose(dZ[:, [1]], softmax_jacobian(Z[:, [1]]).T @ dA[:, [1]])
    True
    """
    func = "softmax_dz_from_da"
    Z = as_matrix(func, "Z", Z)
    dA = as_matrix(func, "dA", dA)
    require_shape(func, "dA", dA, Z.shape, like="Z")
    A = softmax_columns(Z)
    return A * (dA - (A * dA).sum(axis=0, keepdims=True))  # eq-softmax-dz-from-da
