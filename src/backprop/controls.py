"""Negative controls: the right version of a formula and its common wrong versions, run through one check.

A check that cannot fail proves nothing. Each core page of the book (labels ``chain-rule-wrong``,
``transpose-wrong``, ``loss-vs-cost-wrong``, ``output-layer-wrong``) writes the right formula and the common wrong
ones as one-line lambdas, runs every one through the same check as the page's derivation, and shows what the check
says about each: the right one passes, every wrong one fails, by a relative error or by the error NumPy raises.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Callable, Collection, Mapping

__all__ = ["Verdict", "check_versions", "versions_table"]

_LAMBDA_BODY = re.compile(r"lambda[^:]*:\s*(.*?),?\s*$")


@dataclass(frozen=True)
class Verdict:
    """What the check says about one version of a formula.

    Attributes
    ----------
    name : str
        The version's name, a key of `check_versions`' `versions`.
    code : str
        The body of the version's lambda, as the page shows it.
    passes : bool
        Whether its relative error is below the check's tolerance.
    says : str
        The check's verdict in words: "passes: relative error 3e-11", "fails: relative error 0.67",
        "fails: ValueError: ...".

    See Also
    --------
    check_versions
        Run each version of a formula through one check; the right ones must pass and
        every other one must fail.
    versions_table
        A Markdown table of the verdicts, with the columns ``| version | code | the
        check says |``.
    """

    name: str
    code: str  # the lambda's body, as the page shows it
    passes: bool
    says: str  # "passes: relative error 3e-11", "fails: relative error 0.67", "fails: ValueError: ..."


def _code_of(name: str, version: Callable) -> str:
    """The body of a one-line lambda, read from its source, so the code shown is the code that ran."""
    try:
        line = inspect.getsource(version).splitlines()[0]
    except (OSError, TypeError) as error:
        raise ValueError(f"check_versions: version {name!r} has no source to show ({error})") from None
    body = _LAMBDA_BODY.search(line)
    if body is None or not body.group(1):
        raise ValueError(f"check_versions: version {name!r} must be a lambda written on one line; its first line is "
                         f"{line.strip()!r}")
    return body.group(1)


def check_versions(
    versions: Mapping[str, Callable],
    error_of: Callable | Mapping[str, Callable],
    *,
    right: str | Collection[str],
    args: tuple = (),
    tol: float = 1e-7,
) -> list[Verdict]:
    """Run each version of a formula through one check; the right ones must pass and every other one must fail.

    Parameters
    ----------
    versions : mapping of name to a one-line lambda
        Each returns the formula's result when called with `args`.
    error_of : callable, or mapping of name to callable
        The check: maps a version's result to its relative error against the reference (centred differences).
        A mapping gives each version its own check (versions of different quantities in one table).
    right : str or collection of str
        The names of the right versions.
    args : tuple, optional
        Passed to every version.
    tol : float, optional
        A version passes when its relative error is below `tol`.

    Returns
    -------
    list of Verdict
        One per version, in the order of `versions`.

    Raises
    ------
    AssertionError
        When a right version fails or a wrong one passes: the check could not tell them apart.
    ValueError
        When `right` names no version, or a version is not a one-line lambda.

    See Also
    --------
    versions_table
        A Markdown table of the verdicts, with the columns ``| version | code | the
        check says |``.
    Verdict
        What the check says about one version of a formula.
    """
    right = {right} if isinstance(right, str) else set(right)
    if not right or not right <= set(versions):
        raise ValueError(f"check_versions: right must name versions among {sorted(versions)}; got {sorted(right)}")
    verdicts = []
    for name, version in versions.items():
        check = error_of[name] if isinstance(error_of, Mapping) else error_of
        try:
            error = check(version(*args))
        except ValueError as message:
            passes, says = False, f"fails: ValueError: {str(message).strip()}"
        else:
            passes = bool(error < tol)
            says = f"passes: relative error {error:.0e}" if passes else f"fails: relative error {error:.2g}"
        if passes != (name in right):
            raise AssertionError(f"check_versions: {'right' if name in right else 'wrong'} version {name!r}: {says}")
        verdicts.append(Verdict(name, _code_of(name, version), passes, says))
    return verdicts


# A layer's array as the code's names spell it in plain text, dA[0] or dZ[L]; outside `code` spans.
_LAYER_ARRAY = re.compile(r"(?<![\w$\\])(d?[A-Za-z])\[(\d|l|L|l-1)\]")


def _typeset(name: str) -> str:
    """`name` with each layer's array written as math: "dA[0], right" -> "$dA^{[0]}$, right"."""
    parts = name.split("`")
    parts[::2] = [_LAYER_ARRAY.sub(r"$\1^{[\2]}$", part) for part in parts[::2]]
    return "`".join(parts)


def versions_table(verdicts: list[Verdict]) -> str:
    """A Markdown table of the verdicts, with the columns ``| version | code | the check says |``.

    A version's name may spell a layer's array as the code does, dA[0]; the table, which MyST parses, typesets it as
    ``$dA^{[0]}$``, as the page's prose does.

    Parameters
    ----------
    verdicts : list of Verdict
        From `check_versions`, one row each, in their order.

    Returns
    -------
    str
        The table in Markdown, a header row, a rule and one line per verdict.

    See Also
    --------
    check_versions
        Run each version of a formula through one check; the right ones must pass and
        every other one must fail.
    Verdict
        What the check says about one version of a formula.
    """
    rows = [f"| {_typeset(v.name)} | `{v.code}` | {v.says} |" for v in verdicts]
    return "\n".join(["| version | code | the check says |", "| --- | --- | --- |", *rows])
