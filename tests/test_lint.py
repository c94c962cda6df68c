"""`make lint` fails on the faults it is there for: an unused import (ruff), and a
parameter left undescribed or a missing "See Also" (numpydoc), each in a module written
for the test."""

import os
import subprocess

from buildkit import ROOT

GOOD = '''"""A module written by tests/test_lint.py."""

__all__ = ["scale", "shift"]


def scale(x, factor):
    """Multiply x by a factor.

    Parameters
    ----------
    x : float
        The number.
    factor : float
        What x is multiplied by.

    Returns
    -------
    float
        x times factor.

    See Also
    --------
    shift : Add an offset to x.
    """
    return x * factor


def shift(x, offset):
    """Add an offset to x.

    Parameters
    ----------
    x : float
        The number.
    offset : float
        What is added to x.

    Returns
    -------
    float
        x plus offset.

    See Also
    --------
    scale : Multiply x by a factor.
    """
    return x + offset
'''


def make_lint(tmp_path, source):
    """`make lint` pointed at one module, `linted.py`, holding `source`."""
    (tmp_path / "linted.py").write_text(source)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    command = ["make", "--no-print-directory", "lint"]
    command += [f"LINT_PATHS={tmp_path}", "DOCSTRING_MODULE=linted"]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_make_lint_passes_a_module_with_complete_docstrings(tmp_path):
    result = make_lint(tmp_path, GOOD)
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_lint_fails_on_an_unused_import(tmp_path):
    result = make_lint(tmp_path, GOOD.replace('__all__', 'import os\n\n__all__', 1))
    assert result.returncode != 0
    assert "F401" in result.stdout and "`os` imported but unused" in result.stdout


def test_make_lint_fails_on_a_parameter_without_description(tmp_path):
    broken = GOOD.replace("        What x is multiplied by.\n", "", 1)
    result = make_lint(tmp_path, broken)
    assert result.returncode != 0
    assert 'linted.scale: PR07 Parameter "factor" has no description' in result.stdout


def test_make_lint_fails_on_an_undocumented_parameter(tmp_path):
    described = "    factor : float\n        What x is multiplied by.\n"
    broken = GOOD.replace(described, "", 1)
    result = make_lint(tmp_path, broken)
    assert result.returncode != 0
    assert "linted.scale: PR01 Parameters {'factor'} not documented" in result.stdout


def test_make_lint_fails_on_a_function_without_see_also(tmp_path):
    see_also = "    See Also\n    --------\n    scale : Multiply x by a factor.\n"
    result = make_lint(tmp_path, GOOD.replace(see_also, "", 1))
    assert result.returncode != 0
    assert "linted.shift: SA01" in result.stdout
