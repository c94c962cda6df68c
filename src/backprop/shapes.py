"""The conventions, enforced: the checks every public function runs on its inputs before it computes.

Numpy broadcasting turns many shape mistakes into wrong numbers rather than errors (a bias of shape ``(n,)`` or
``(n, m)`` adds without complaint), so every public function of `backprop` checks its arrays first. An error names
the function, the argument, what was expected and what was received, for example::

    layer_backward: dA must have shape (3, 5) like Z; got (5, 3)

Every array is converted to float64 on the way in. The conversion makes a new array when the dtype differs, and
never writes to the caller's array.
"""

import numpy as np

__all__ = ["as_array", "as_matrix", "require_shape"]

# bool, signed int, unsigned int and float: the dtypes that convert to float64 without losing meaning.
_REAL_KINDS = "biuf"


def as_array(func, name, x):
    """Check that `x` is a non-empty, finite, real ndarray and return it as float64.

    Parameters
    ----------
    func : str
        Name of the public function doing the check; it starts the error message.
    name : str
        Name of the argument being checked, as the caller knows it (``"X"``, ``"W2"``).
    x : numpy.ndarray, any shape
        The array to check. bool, integer and float dtypes are accepted.

    Returns
    -------
    numpy.ndarray, same shape as `x`
        `x` as float64: `x` itself if it already is, otherwise a new array.

    Raises
    ------
    TypeError
        If `x` is not a numpy array (a list, say), or its dtype is not real numeric (complex, object, str).
    ValueError
        If `x` has no entries (a dimension of length 0, such as a batch of m = 0 examples), or has NaN or inf
        entries; the message says how many.

    See Also
    --------
    as_matrix
        Check that `x` is a non-empty, finite, real 2-D ndarray and return it as
        float64.
    require_shape
        Check that `x` has exactly the expected shape.

    Examples
    --------
    >>> import numpy as np
    >>> x = as_array("demo", "x", np.array([[1, 2], [3, 4]]))
    >>> x.dtype == np.float64 and np.allclose(x, [[1.0, 2.0], [3.0, 4.0]])
    True
    """
    if not isinstance(x, np.ndarray):
        hint = " (convert it with np.array(...))" if isinstance(x, (list, tuple)) else ""
        raise TypeError(f"{func}: {name} must be a numpy array; got {type(x).__name__}{hint}")
    if x.dtype.kind not in _REAL_KINDS:
        raise TypeError(f"{func}: {name} must hold real numbers (bool, int or float); got dtype {x.dtype}")
    if x.size == 0:
        raise ValueError(
            f"{func}: {name} has shape {x.shape} and no entries; every dimension must be at least 1 "
            "(a batch needs m >= 1 examples)"
        )
    # A float wider than float64 (longdouble) can exceed its range; the inf it becomes is reported just below.
    with np.errstate(over="ignore"):
        x = np.asarray(x, dtype=np.float64)
    _require_finite(func, name, x)
    return x


def as_matrix(func, name, x):
    """Check that `x` is a non-empty, finite, real 2-D ndarray and return it as float64.

    Parameters
    ----------
    func : str
        Name of the public function doing the check; it starts the error message.
    name : str
        Name of the argument being checked.
    x : numpy.ndarray, shape (n, m)
        The matrix to check: a batch `(n[l], m)`, a weight matrix `(n[l], n[l-1])` or a bias `(n[l], 1)`.

    Returns
    -------
    numpy.ndarray, shape (n, m)
        `x` as float64 (`x` itself if it already is).

    Raises
    ------
    TypeError
        As `as_array`: not an ndarray, or not a real dtype.
    ValueError
        As `as_array` (empty, NaN or inf), or if `x` is not 2-D; the message says how to reshape a 1-D array.

    See Also
    --------
    as_array
        Check that `x` is a non-empty, finite, real ndarray and return it as float64.
    require_shape
        Check that `x` has exactly the expected shape.

    Examples
    --------
    >>> import numpy as np
    >>> as_matrix("demo", "X", np.ones((3, 5))).shape
    (3, 5)
    """
    x = as_array(func, name, x)
    if x.ndim != 2:
        # Labels of one output unit are a row, one per example: a column (m, 1) would be m units of one example.
        how = ("reshape the m labels to a row, Y.reshape(1, -1), not to a column (m, 1)" if name == "Y"
               else "reshape a column to (n, 1), or a row of m examples to (1, m)")
        raise ValueError(f"{func}: {name} must be a 2-D array; got {x.ndim}-D with shape {x.shape} ({how})")
    return x


def require_shape(func, name, x, shape, like=None, why=None, note=None):
    """Check that `x` has exactly the expected shape.

    Parameters
    ----------
    func : str
        Name of the public function doing the check.
    name : str
        Name of the argument being checked.
    x : numpy.ndarray
        The array whose shape is checked.
    shape : tuple of int or str
        The expected shape. A str entry, such as ``"m"``, matches any length and is shown as written.
    like : str, optional
        Name of the array whose shape `x` must copy; the message reads "must have shape (3, 5) like Z".
    why : str, optional
        Where the expected shape comes from, shown after it ("to follow W1's 3 units").
    note : str, optional
        Why the rule matters, shown in brackets at the end of the message.

    Returns
    -------
    None
        Nothing: the check either passes or raises.

    Raises
    ------
    ValueError
        If the shapes differ, for example ``layer_backward: dA must have shape (3, 5) like Z; got (5, 3)``.

    See Also
    --------
    as_array
        Check that `x` is a non-empty, finite, real ndarray and return it as float64.
    as_matrix
        Check that `x` is a non-empty, finite, real 2-D ndarray and return it as
        float64.

    Examples
    --------
    >>> import numpy as np
    >>> require_shape("demo", "dZ", np.zeros((3, 5)), (3, "m"), like="Z") is None
    True
    """
    matches = len(x.shape) == len(shape) and all(
        isinstance(want, str) or got == want for got, want in zip(x.shape, shape)
    )
    if not matches:
        expected = "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
        message = f"{func}: {name} must have shape {expected}"
        message += f" like {like}" if like else ""
        message += f" {why}" if why else ""
        message += f"; got {x.shape}"
        message += f" ({note})" if note else ""
        raise ValueError(message)


def _require_finite(func, name, x):
    """Raise ValueError, counting them, if float64 `x` has NaN or inf entries."""
    # The sum of squares (one BLAS call, about twice as fast as a boolean mask, on every forward pass) is finite
    # only if every entry is; when it overflows from large finite entries, the exact count below finds nothing.
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.vdot(x, x)):
            return
    bad = x.size - np.count_nonzero(np.isfinite(x))
    if bad:
        raise ValueError(
            f"{func}: {name} has {bad} non-finite entr{'y' if bad == 1 else 'ies'} (NaN or inf) out of {x.size}; "
            "every entry must be finite"
        )
