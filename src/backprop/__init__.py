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

from .activations import (
    ACTIVATIONS,
    Activation,
    get_activation,
    leaky_relu,
    leaky_relu_prime,
    linear,
    linear_prime,
    logistic,
    logistic_prime,
    relu,
    relu_prime,
    softmax_columns,
    softmax_jacobian,
    tanh,
    tanh_prime,
)
from .controls import Verdict, check_versions, versions_table
from .gradcheck import check_gradients, numerical_gradient, numerical_jacobian, relative_error
from .layer import (
    LayerCache,
    bias_gradient,
    da_prev,
    dz_from_da,
    dz_hidden,
    layer_backward,
    layer_backward_from_dz,
    layer_forward,
    weight_gradient,
)
from .losses import (
    cost,
    example_losses,
    example_losses_from_logits,
    output_da,
    output_dz,
    output_dz_from_logits,
)
from .network import descent_step, forward, gradients, random_params
from .one_sided import one_sided_gradient
from .products import softmax_dz_from_da
from .regularization import dropout_masks
from .shapes import as_array, as_matrix, require_shape
from .training import TrainingCache

__version__ = "0.1.0"

__all__ = [
    # activations
    "logistic",
    "logistic_prime",
    "tanh",
    "tanh_prime",
    "relu",
    "relu_prime",
    "leaky_relu",
    "leaky_relu_prime",
    "linear",
    "linear_prime",
    "softmax_columns",
    "softmax_jacobian",
    "softmax_dz_from_da",
    "Activation",
    "ACTIVATIONS",
    "get_activation",
    # one layer
    "LayerCache",
    "layer_forward",
    "dz_from_da",
    "weight_gradient",
    "bias_gradient",
    "da_prev",
    "dz_hidden",
    "layer_backward",
    "layer_backward_from_dz",
    # losses
    "output_dz",
    "output_da",
    "example_losses",
    "cost",
    "output_dz_from_logits",
    "example_losses_from_logits",
    # the network
    "forward",
    "gradients",
    "random_params",
    "descent_step",
    # Course 2: L2, dropout, batch norm
    "TrainingCache",
    "dropout_masks",
    # gradient checking
    "numerical_gradient",
    "numerical_jacobian",
    "one_sided_gradient",
    "relative_error",
    "check_gradients",
    # negative controls
    "check_versions",
    "versions_table",
    "Verdict",
    # input checks
    "as_array",
    "as_matrix",
    "require_shape",
]
