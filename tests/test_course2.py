"""Course 2's options of the network: L2, inverted dropout with given masks, batch norm.

Every new gradient is checked against centred differences of an independent forward
pass, on random networks of depth 2, 3 and 4 with every mix of the three options; then
the caches, the helpers, the defaults (unchanged bit for bit) and every bad input.
"""

import itertools
import re

import numpy as np
import pytest

from backprop import (
    ACTIVATIONS,
    LayerCache,
    TrainingCache,
    check_gradients,
    cost,
    descent_step,
    dropout_masks,
    example_losses,
    forward,
    gradients,
    numerical_gradient,
    random_params,
    relative_error,
)

EPS_BN = 1e-8
KEEP = 0.8
HIDDEN = ["tanh", "leaky_relu", "sigmoid"]
# Every mix of (l2, dropout, batch norm) at depths 2, 3 and 4.
MIXES = [
    (depth, l2, drop, bn)
    for depth in (2, 3, 4)
    for l2, drop, bn in itertools.product((0.0, 0.3), (False, True), (False, True))
]


def mix_id(case):
    depth, l2, drop, bn = case
    return f"L{depth}-l2={l2}-{'drop' if drop else 'nodrop'}-{'bn' if bn else 'nobn'}"


def make_problem(depth, drop, bn, m=7, seed=0):
    """A random network, X, Y and masks; m = 7 is unlike every n[l] (3, 4, 5, 6, 2, 3).

    With batch norm every hidden layer is normalized, and at depth 3 the output layer
    too. With dropout every hidden layer is masked, except at depth 4, where layer 2 is
    left out (only the layers in masks are dropped).
    """
    rng = np.random.default_rng(seed + 100 * depth + 10 * drop + bn)
    output = "softmax" if depth % 2 else "sigmoid"
    n_out = 3 if output == "softmax" else 2
    sizes = [3] + [4, 5, 6][: depth - 1] + [n_out]
    activations = [HIDDEN[l % 3] for l in range(depth - 1)] + [output]
    params = random_params(sizes, seed=seed)
    for l in range(1, depth + 1):
        params[f"b{l}"] = rng.normal(scale=0.5, size=(sizes[l], 1))
        if bn and (l < depth or depth == 3):
            params[f"gamma{l}"] = rng.uniform(0.5, 1.5, size=(sizes[l], 1))
            params[f"beta{l}"] = rng.normal(scale=0.5, size=(sizes[l], 1))
    X = rng.normal(size=(sizes[0], m))
    if output == "softmax":
        Y = np.eye(n_out)[:, rng.integers(0, n_out, size=m)]
    else:
        Y = rng.integers(0, 2, size=(n_out, m)).astype(float)
    masks = None
    if drop:
        masks = dropout_masks(sizes, m, KEEP, seed=seed + 1)
        if depth == 4:
            del masks[2]
    return params, X, Y, activations, masks


def output_from(params, activations, masks, l, V, start):
    """A[L], written out independently of the package, when layer l's Z (start="Z",
    before batch norm) or its input A[l-1] (start="A", after dropout) is set to V."""
    masks, L = masks or {}, len(activations)
    Z = V if start == "Z" else params[f"W{l}"] @ V + params[f"b{l}"]
    for k in range(l, L + 1):
        if f"gamma{k}" in params:
            Z = (
                params[f"gamma{k}"]
                * (Z - Z.mean(axis=1, keepdims=True))
                / np.sqrt(Z.var(axis=1, keepdims=True) + EPS_BN)
                + params[f"beta{k}"]
            )
        A = ACTIVATIONS[activations[k - 1]].g(Z)
        if k in masks:
            A = A * masks[k] / KEEP
        if k < L:
            Z = params[f"W{k + 1}"] @ A + params[f"b{k + 1}"]
    return A


def total_cost(params, X, Y, activations, masks, l2):
    """J = (1/m) Σᵢ L⁽ⁱ⁾ + (λ/2m) Σ_l ‖W[l]‖², written out independently of `cost`."""
    m = X.shape[1]
    AL = output_from(params, activations, masks, 1, X, "A")
    penalty = sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, len(activations) + 1))
    return (
        float(example_losses(AL, Y, activations[-1]).sum()) / m + l2 / (2 * m) * penalty
    )


def run_gradients(params, X, Y, activations, masks, l2):
    keep_prob = KEEP if masks is not None else 1.0
    return gradients(
        params,
        X,
        Y,
        activations,
        l2=l2,
        keep_prob=keep_prob,
        masks=masks,
        bn_eps=EPS_BN,
    )


# -- Every gradient against centred differences. ---------------------------------------


@pytest.mark.parametrize("case", MIXES, ids=mix_id)
def test_dw_db_dgamma_dbeta_match_centred_differences_of_the_cost(case):
    depth, l2, drop, bn = case
    params, X, Y, activations, masks = make_problem(depth, drop, bn)
    grads = run_gradients(params, X, Y, activations, masks, l2)
    for key in params:

        def J(value, key=key):
            return total_cost({**params, key: value}, X, Y, activations, masks, l2)

        error = relative_error(grads[f"d{key}"], numerical_gradient(J, params[key]))
        assert error < 1e-7 or (key.startswith("b") and f"gamma{key[1:]}" in params), (
            f"d{key}: relative error {error:.2e}"
        )
    assert {key for key in grads if key[1:2] in "gb"} == {
        f"d{key}" for key in params if key[0] in "gb"
    }


@pytest.mark.parametrize("case", MIXES, ids=mix_id)
def test_dz_is_m_times_dj_dz_before_normalization_and_da_is_m_times_dj_da(case):
    depth, l2, drop, bn = case
    params, X, Y, activations, masks = make_problem(depth, drop, bn)
    grads = run_gradients(params, X, Y, activations, masks, l2)
    _, caches = forward(
        params,
        X,
        activations,
        keep_prob=KEEP if drop else 1.0,
        masks=masks,
        bn_eps=EPS_BN,
    )
    m, output = X.shape[1], activations[-1]
    for l in range(1, depth + 1):
        for name, start, V in (
            (f"dZ{l}", "Z", caches[l - 1].Z),
            (f"dA{l - 1}", "A", caches[l - 1].A_prev),
        ):

            def J(V, start=start, l=l):  # the L2 term does not depend on Z or A
                AL = output_from(params, activations, masks, l, V, start)
                return float(example_losses(AL, Y, output).sum()) / m

            error = relative_error(grads[name], m * numerical_gradient(J, V))
            assert error < 1e-7, f"{name}: relative error {error:.2e}"


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_db_of_a_batch_normalized_layer_is_zero_up_to_rounding(depth):
    params, X, Y, activations, masks = make_problem(depth, drop=True, bn=True)
    grads = run_gradients(params, X, Y, activations, masks, 0.3)
    normalized = [l for l in range(1, depth + 1) if f"gamma{l}" in params]
    assert normalized
    for l in normalized:
        np.testing.assert_allclose(grads[f"db{l}"], 0.0, atol=1e-13)
        assert (
            np.abs(grads[f"dZ{l}"]).max() > 1e-3
        )  # dZ itself is not zero; only its row sums are


def test_l2_changes_dw_only_by_lambda_over_m_times_w():
    params, X, Y, activations, masks = make_problem(3, drop=True, bn=True)
    plain = run_gradients(params, X, Y, activations, masks, 0.0)
    decayed = run_gradients(params, X, Y, activations, masks, 0.3)
    m = X.shape[1]
    assert plain.keys() == decayed.keys()
    for key, value in plain.items():
        if key.startswith("dW"):
            np.testing.assert_allclose(
                decayed[key], value + 0.3 / m * params[key[1:]], rtol=1e-14
            )
        else:
            np.testing.assert_array_equal(decayed[key], value)


def test_dropout_backward_applies_the_same_mask_and_one_over_keep_prob():
    params, X, Y, activations, masks = make_problem(3, drop=True, bn=False)
    grads = run_gradients(params, X, Y, activations, masks, 0.0)
    _, caches = forward(params, X, activations, keep_prob=KEEP, masks=masks)
    for l in (1, 2):
        g_prime = ACTIVATIONS[activations[l - 1]].g_prime(caches[l - 1].Z)
        np.testing.assert_allclose(
            grads[f"dZ{l}"], grads[f"dA{l}"] * masks[l] / KEEP * g_prime, rtol=1e-14
        )
        assert np.all(grads[f"dZ{l}"][masks[l] == 0] == 0)


# -- The defaults: today's results, bit for bit. ---------------------------------------


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_defaults_give_todays_results_bit_for_bit(depth):
    params, X, Y, activations, _ = make_problem(depth, drop=False, bn=False)
    today = gradients(params, X, Y, activations)
    AL, caches = forward(params, X, activations)
    assert all(type(cache) is LayerCache for cache in caches)
    ones = {l: np.ones((params[f"W{l}"].shape[0], X.shape[1])) for l in range(1, depth)}
    for kwargs in (
        {"l2": 0.0, "keep_prob": 1.0, "masks": None},
        {"l2": 0, "masks": {}},
        {"masks": ones},
    ):
        grads = gradients(params, X, Y, activations, **kwargs)
        assert list(grads) == list(today)
        for key, value in today.items():
            np.testing.assert_array_equal(
                grads[key], value, err_msg=f"{key} with {sorted(kwargs)}"
            )
        np.testing.assert_array_equal(
            forward(params, X, activations, **kwargs_without_l2(kwargs))[0], AL
        )
    assert cost(AL, Y, activations[-1], params=params, l2=0.0) == cost(
        AL, Y, activations[-1]
    )
    with pytest.raises(ValueError, match=r"cost: l2 = 0.5 > 0 needs the weights"):
        cost(AL, Y, activations[-1], params=None, l2=0.5)  # λ is never dropped silently


def kwargs_without_l2(kwargs):
    return {key: value for key, value in kwargs.items() if key != "l2"}


# -- The caches. -----------------------------------------------------------------------


def test_training_cache_holds_the_batch_norm_and_dropout_intermediates():
    params, X, _, activations, masks = make_problem(3, drop=True, bn=True)
    AL, caches = forward(
        params, X, activations, keep_prob=KEEP, masks=masks, bn_eps=EPS_BN
    )
    assert all(type(cache) is TrainingCache for cache in caches)
    A = X
    for l, cache in enumerate(caches, start=1):
        np.testing.assert_array_equal(cache.A_prev, A)
        np.testing.assert_allclose(
            cache.Z, params[f"W{l}"] @ A + params[f"b{l}"], rtol=1e-14
        )
        np.testing.assert_allclose(
            cache.mu, cache.Z.mean(axis=1, keepdims=True), rtol=1e-13
        )
        np.testing.assert_allclose(
            cache.var, cache.Z.var(axis=1, keepdims=True), rtol=1e-13
        )
        np.testing.assert_allclose(cache.Zhat.mean(axis=1), 0.0, atol=1e-14)
        np.testing.assert_allclose(
            cache.Ztilde, cache.gamma * cache.Zhat + cache.beta, rtol=1e-14
        )
        np.testing.assert_allclose(
            cache.A_before_dropout, ACTIVATIONS[cache.activation].g(cache.Ztilde)
        )
        assert cache.eps == EPS_BN
        if l < 3:
            assert cache.keep_prob == KEEP
            np.testing.assert_array_equal(cache.D, masks[l])
            A = cache.A_before_dropout * masks[l] / KEEP
        else:
            assert cache.D is None and cache.keep_prob is None
            A = cache.A_before_dropout
    np.testing.assert_array_equal(AL, A)


def test_training_cache_fields_of_an_unused_option_are_none():
    params, X, _, activations, masks = make_problem(2, drop=True, bn=False)
    _, caches = forward(params, X, activations, keep_prob=KEEP, masks=masks)
    for cache in caches:
        assert all(
            getattr(cache, f) is None
            for f in ("gamma", "beta", "mu", "var", "Zhat", "Ztilde", "eps")
        )
    assert caches[1].D is None and caches[0].D is not None


# -- The helpers: dropout_masks, cost with L2, descent_step. ---------------------------


def test_dropout_masks_cover_hidden_layers_and_repeat_with_the_seed():
    masks = dropout_masks([3, 40, 50, 2], m=400, keep_prob=0.7, seed=5)
    assert (
        sorted(masks) == [1, 2]
        and masks[1].shape == (40, 400)
        and masks[2].shape == (50, 400)
    )
    assert all(set(np.unique(D)) == {0.0, 1.0} for D in masks.values())
    np.testing.assert_allclose(masks[1].mean(), 0.7, atol=0.02)
    again = dropout_masks(random_params([3, 40, 50, 2]), m=400, keep_prob=0.7, seed=5)
    np.testing.assert_array_equal(again[2], masks[2])
    assert not np.array_equal(
        dropout_masks([3, 40, 50, 2], 400, 0.7, seed=6)[1], masks[1]
    )
    assert dropout_masks([3, 2], m=4, keep_prob=0.5) == {}
    assert np.all(dropout_masks([3, 4, 1], m=5, keep_prob=1.0)[1] == 1.0)


def test_cost_adds_lambda_over_2m_times_the_squared_weights():
    params, X, Y, activations, _ = make_problem(3, drop=False, bn=True)
    AL, _ = forward(params, X, activations)
    m, output = X.shape[1], activations[-1]
    squares = sum(np.sum(params[f"W{l}"] ** 2) for l in (1, 2, 3))
    np.testing.assert_allclose(
        cost(AL, Y, output, params=params, l2=0.3),
        cost(AL, Y, output) + 0.3 / (2 * m) * squares,
        rtol=1e-14,
    )
    np.testing.assert_allclose(
        cost(AL, Y, output, params=params, l2=0.3),
        total_cost(params, X, Y, activations, None, 0.3),
        rtol=1e-13,
    )


def test_descent_step_with_l2_is_weight_decay_and_updates_gamma_and_beta():
    params, X, Y, activations, _ = make_problem(2, drop=False, bn=True)
    m, rate = X.shape[1], 0.1
    data = gradients(params, X, Y, activations)
    grads = gradients(params, X, Y, activations, l2=0.3)
    new = descent_step(params, grads, rate)
    assert list(new) == list(params)
    for l in (1, 2):
        np.testing.assert_allclose(
            new[f"W{l}"],
            (1 - rate * 0.3 / m) * params[f"W{l}"] - rate * data[f"dW{l}"],
            rtol=1e-13,
        )
    np.testing.assert_allclose(
        new["gamma1"], params["gamma1"] - rate * grads["dgamma1"], rtol=1e-14
    )
    np.testing.assert_allclose(
        new["beta1"], params["beta1"] - rate * grads["dbeta1"], rtol=1e-14
    )


# -- Bad input. ------------------------------------------------------------------------


def small(bn=False):
    """A depth-2 network with n = [3, 4, 2] and m = 7, for the error messages."""
    return make_problem(2, drop=False, bn=bn)


BAD_OPTIONS = [
    (
        {"keep_prob": 0.0},
        ValueError,
        ("forward: keep_prob must be in (0, 1], the probability of keeping a unit; "
        "got 0.0"),
    ),
    (
        {"keep_prob": 1.5},
        ValueError,
        ("forward: keep_prob must be in (0, 1], the probability of keeping a unit; "
        "got 1.5"),
    ),
    ({"keep_prob": float("nan")}, ValueError, "forward: keep_prob must be in (0, 1]"),
    (
        {"keep_prob": "0.8"},
        TypeError,
        "forward: keep_prob must be a real number (the probability of keeping a unit)",
    ),
    (
        {"keep_prob": 0.8},
        ValueError,
        "forward: keep_prob is 0.8 but masks is None, so no layer would be dropped",
    ),
    (
        {"masks": [np.ones((4, 7))]},
        TypeError,
        "forward: masks must be a dict {l: D[l]} or None; got list",
    ),
    (
        {"masks": {1: np.ones((7, 4))}},
        ValueError,
        "forward: masks[1] must have shape (4, 7) like A[1]; got (7, 4)",
    ),
    (
        {"masks": {1: np.ones(4)}},
        ValueError,
        "forward: masks[1] must be a 2-D array; got 1-D with shape (4,)",
    ),
    (
        {"masks": {1: np.full((4, 7), 0.5)}},
        ValueError,
        ("forward: masks[1] must hold only 0 and 1 (keep_prob scales the kept units); "
        "28 of 28 entries are neither"),
    ),
    (
        {"masks": {1: np.where(np.eye(4, 7), np.nan, 1.0)}},
        ValueError,
        "forward: masks[1] has 4 non-finite entries (NaN or inf) out of 28",
    ),
    (
        {"masks": {2: np.ones((2, 7))}},
        ValueError,
        ("forward: masks has a mask for layer 2, the output layer; dropout applies "
        "only to hidden layers, 1 <= l < 2"),
    ),
    (
        {"masks": {0: np.ones((3, 7))}},
        ValueError,
        "forward: masks key 0 is not a hidden layer (1 <= l < 2)",
    ),
    (
        {"masks": {3: np.ones((3, 7))}},
        ValueError,
        "forward: masks key 3 is not a hidden layer (1 <= l < 2)",
    ),
    (
        {"masks": {"1": np.ones((4, 7))}},
        TypeError,
        "forward: masks keys must be int layer numbers l, 1 <= l < 2; got '1'",
    ),
    (
        {"bn_eps": 0.0},
        ValueError,
        ("forward: bn_eps must be positive and finite (it keeps sqrt(σ² + ε) above 0); "
        "got 0.0"),
    ),
    ({"bn_eps": -1e-5}, ValueError, "forward: bn_eps must be positive and finite"),
    (
        {"bn_eps": float("inf")},
        ValueError,
        "forward: bn_eps must be positive and finite",
    ),
    (
        {"bn_eps": None},
        TypeError,
        "forward: bn_eps must be a real number (the ε of batch norm); got NoneType",
    ),
]


@pytest.mark.parametrize(
    "kwargs, error, message", BAD_OPTIONS, ids=lambda v: str(v)[:40]
)
def test_forward_and_gradients_reject_bad_dropout_and_batch_norm_options(
    kwargs, error, message
):
    params, X, Y, activations, _ = small(bn=True)
    with pytest.raises(error, match=re.escape(message)):
        forward(params, X, activations, **kwargs)
    with pytest.raises(
        error, match=re.escape(message.replace("forward:", "gradients:"))
    ):
        gradients(params, X, Y, activations, **kwargs)


@pytest.mark.parametrize(
    "l2, error, message",
    [
        (
            -0.1,
            ValueError,
            "l2 must be finite and at least 0 (the L2 strength λ); got -0.1",
        ),
        (
            float("inf"),
            ValueError,
            "l2 must be finite and at least 0 (the L2 strength λ); got inf",
        ),
        (float("nan"), ValueError, "l2 must be finite and at least 0"),
        ("0.1", TypeError, "l2 must be a real number (the L2 strength λ); got str"),
        (True, TypeError, "l2 must be a real number (the L2 strength λ); got bool"),
    ],
)
def test_gradients_and_cost_reject_a_bad_l2(l2, error, message):
    params, X, Y, activations, _ = small()
    with pytest.raises(error, match=re.escape("gradients: " + message)):
        gradients(params, X, Y, activations, l2=l2)
    AL, _ = forward(params, X, activations)
    with pytest.raises(error, match=re.escape("cost: " + message)):
        cost(AL, Y, activations[-1], params=params, l2=l2)


def test_cost_rejects_params_that_are_not_a_network():
    AL, Y = np.array([[0.2, 0.9]]), np.array([[0.0, 1.0]])
    with pytest.raises(
        TypeError,
        match=re.escape(
            "cost: params must be a dict with keys 'W1', ... or None; got list"
        ),
    ):
        cost(AL, Y, params=[np.ones((1, 2))], l2=0.1)
    with pytest.raises(
        ValueError, match=re.escape("cost: params has no weight matrix W1")
    ):
        cost(AL, Y, params={"b1": np.ones((1, 1))}, l2=0.1)
    with pytest.raises(
        ValueError,
        match=re.escape("cost: W1 has 1 non-finite entry (NaN or inf) out of 2"),
    ):
        cost(AL, Y, params={"W1": np.array([[np.nan, 1.0]])}, l2=0.1)


BAD_NORMS = [
    (
        {"gamma1": np.ones((4, 1))},
        ("beta1",),
        ("params has 'gamma1' but not 'beta1'; a batch-normalized layer needs both, "
        "each of shape (4, 1)"),
    ),
    (
        {"beta2": np.zeros((2, 1))},
        ("gamma2",),
        ("params has 'beta2' but not 'gamma2'; a batch-normalized layer needs both, "
        "each of shape (2, 1)"),
    ),
    (
        {"gamma1": np.ones(4)},
        (),
        "gamma1 must have shape (4, 1) to match W1's 4 rows; got (4,)",
    ),
    (
        {"beta1": np.zeros((1, 4))},
        (),
        "beta1 must have shape (4, 1) to match W1's 4 rows; got (1, 4)",
    ),
    (
        {"gamma1": np.ones((4, 7))},
        (),
        "gamma1 must have shape (4, 1) to match W1's 4 rows; got (4, 7)",
    ),
    (
        {"beta1": np.full((4, 1), np.inf)},
        (),
        "beta1 has 4 non-finite entries (NaN or inf) out of 4",
    ),
    (
        {"gamma3": np.ones((1, 1)), "beta3": np.ones((1, 1))},
        (),
        "params has unexpected key(s) 'gamma3', 'beta3'",
    ),
]


@pytest.mark.parametrize(
    "change, remove, message", BAD_NORMS, ids=lambda v: str(v)[:30]
)
def test_forward_and_gradients_reject_bad_gamma_and_beta(change, remove, message):
    params, X, Y, activations, _ = small(bn=True)
    params = {
        key: value for key, value in {**params, **change}.items() if key not in remove
    }
    with pytest.raises(ValueError, match=re.escape("forward: " + message)):
        forward(params, X, activations)
    with pytest.raises(ValueError, match=re.escape("gradients: " + message)):
        gradients(params, X, Y, activations)


@pytest.mark.parametrize(
    "args, error, message",
    [
        (([3, 4, 1], 5, 0.0), ValueError, "dropout_masks: keep_prob must be in (0, 1]"),
        (([3, 4, 1], 0, 0.5), ValueError, "dropout_masks: m must be at least 1; got 0"),
        (
            ([3, 4, 1], 5.0, 0.5),
            TypeError,
            "dropout_masks: m must be an int, the number of examples; got float",
        ),
        (
            ([3], 5, 0.5),
            ValueError,
            "dropout_masks: layer_dims must give at least n[0] and n[1]; got [3]",
        ),
        (
            ([3, 0, 1], 5, 0.5),
            ValueError,
            "dropout_masks: layer_dims[1] must be at least 1; got 0",
        ),
        (
            ("341", 5, 0.5),
            TypeError,
            ("dropout_masks: layer_dims must be a list or tuple of int, or params; "
            "got str"),
        ),
        (
            ({"b1": np.ones((1, 1))}, 5, 0.5),
            ValueError,
            "dropout_masks: layer_dims as params must hold W1, ..., WL",
        ),
    ],
)
def test_dropout_masks_rejects_bad_arguments(args, error, message):
    with pytest.raises(error, match=re.escape(message)):
        dropout_masks(*args)


def test_descent_step_rejects_a_missing_dgamma():
    params, X, Y, activations, _ = small(bn=True)
    grads = gradients(params, X, Y, activations)
    del grads["dgamma1"]
    with pytest.raises(
        ValueError, match=re.escape("descent_step: grads is missing 'dgamma1'")
    ):
        descent_step(params, grads, 0.1)


@pytest.mark.parametrize("case", [c for c in MIXES if c[0] == 3], ids=mix_id)
def test_check_gradients_takes_the_options_and_checks_gamma_beta(case):
    depth, l2, drop, bn = case
    params, X, Y, activations, masks = make_problem(depth, drop, bn)
    options = {"keep_prob": KEEP if drop else 1.0, "masks": masks, "bn_eps": EPS_BN}
    errors = check_gradients(params, X, Y, activations, l2=l2, **options)
    expected = {f"dW{l}" for l in (1, 2, 3)}
    for l in (1, 2, 3):
        expected |= {f"dgamma{l}", f"dbeta{l}"} if bn else {f"db{l}"}
    assert set(errors) == expected
    assert max(errors.values()) < 1e-7, errors


def test_gradients_with_options_checks_everything_before_computing(monkeypatch):
    import backprop.network

    def must_not_run(*args):
        raise AssertionError("a pass ran before every input was checked")

    monkeypatch.setattr(backprop.network, "_gradients_training", must_not_run)
    monkeypatch.setattr(backprop.network, "_forward_all", must_not_run)
    params, X, Y, activations, masks = make_problem(3, drop=True, bn=True)
    message = "gradients: Y must have shape (3, 7)"
    with pytest.raises(ValueError, match=re.escape(message)):
        gradients(params, X, Y[:, :5], activations, l2=0.1, keep_prob=KEEP, masks=masks)
    with pytest.raises(ValueError, match=re.escape("gradients: l2 must be finite")):
        gradients(params, X, Y, activations, l2=-1.0, keep_prob=KEEP, masks=masks)
