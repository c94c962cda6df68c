"""backprop: the backpropagation formulas of a fully connected network, in numpy, a function for each step.

Conventions (those of the Deep Learning Specialization, Course 1):

- Examples are **columns**. X = A[0] has shape (n[0], m); Z[l] = W[l] A[l-1] + b[l] and A[l] = g[l](Z[l]) have
  shape (n[l], m); W[l] has shape (n[l], n[l-1]) and b[l] exactly (n[l], 1); Y has shape (n[L], m).
- ``dZ[l]`` and ``dA[l]`` stack per-example derivatives: column i is the derivative of example i's own **loss**
  L⁽ⁱ⁾ with respect to its own column, so ``dZ[l]`` = m ∂J/∂Z[l] and carries no 1/m. ``dW[l]`` and ``db[l]`` are
  derivatives of the **cost J** = (1/m) Σᵢ L⁽ⁱ⁾: they carry the 1/m.
- Every ``dV`` has the shape of ``V``.
- Course 2's options: `gradients` takes ``l2`` (λ); `forward` and `gradients` take
  dropout ``masks`` (from `dropout_masks`) with ``keep_prob``, and batch-normalize layer
  l when params holds ``gamma{l}`` and ``beta{l}`` (ε is ``bn_eps``). With batch norm
  the examples are coupled, and ``dZ[l]`` keeps the meaning m ∂J/∂Z[l].
- Every function of the pass checks its inputs first, and its errors name the function, the argument, and the expected
  and actual shapes. Arrays are computed in float64, and no function writes to its caller's arrays.

Each formula function's docstring links the equations it implements on the site (``eq-dw``, ...).
"""

from . import (
    activations,
    controls,
    gradcheck,
    layer,
    losses,
    network,
    regularization,
    shapes,
    training,
)
from .activations import *  # noqa: F403 (each module's __all__ is the list of its public names)
from .controls import *  # noqa: F403
from .gradcheck import *  # noqa: F403
from .layer import *  # noqa: F403
from .losses import *  # noqa: F403
from .network import *  # noqa: F403
from .regularization import *  # noqa: F403
from .shapes import *  # noqa: F403
from .training import *  # noqa: F403

__version__ = "0.1.0"

# The public names, in the API page's order of concepts; each module's __all__ is the one list of its own.
__all__ = [
    *activations.__all__,
    *layer.__all__,
    *losses.__all__,
    *network.__all__,
    *regularization.__all__,
    *training.__all__,
    *gradcheck.__all__,
    *controls.__all__,
    *shapes.__all__,
]
