"""numpydoc's validation of the public API's docstrings, over every name in `__all__`.

    python tests/docstring_lint.py [MODULE]   # MODULE defaults to backprop

`make lint` runs it; it prints one line per fault and exits 1 if there is any. Every
check of numpydoc's `validate` is enforced except those in IGNORED, each with the reason
the house style breaks it. So every parameter is described (PR01, PR02, PR07), every
function says what it returns (RT01, RT03), sections come in order (GL07), and every
public name points to the names that belong with it under "See Also" (SA01), each with
a description (SA04). A class's parameters are its fields: documented under
"Attributes" (as the NamedTuples and dataclasses here are), they count as described.
Names that are data, not a function or a class (ACTIVATIONS), have no docstring of
their own: the API page describes them.
"""

import importlib
import inspect
import sys

from numpydoc.docscrape import ClassDoc
from numpydoc.validate import validate

IGNORED = {
    "ES01": "an extended summary: a short function's summary line says it all",
    "SS02": "summaries may start with the course's lower-case names: 'dZ = dA * g'(Z)'",
    "SA03": "See Also descriptions are their targets' summaries, which may start 'dZ'",
    "RT02": "a returned array is named as the course names it: 'dZ : numpy.ndarray'",
    "RT04": "return descriptions may start with a lower-case name: 'dJ/dW[l]'",
    "PR08": "parameter descriptions may start with a symbol: 'λ, the L2 strength'",
    "EX01": "check_versions reads its lambdas' source, which a doctest's lambdas lack",
}


def _fields(cls) -> dict[str, str]:
    """A class's documented fields, name -> description, in both sections."""
    doc = ClassDoc(cls, config={"show_class_members": False})
    entries = [*doc["Parameters"], *doc["Attributes"]]
    return {entry.name: " ".join(entry.desc).strip() for entry in entries}


def _errors(module_name: str, name: str, obj) -> list[tuple[str, str]]:
    found = validate(f"{module_name}.{name}")["errors"]
    errors = [(code, message) for code, message in found if code not in IGNORED]
    if inspect.isclass(obj):
        # numpydoc looks for a constructor's parameters under "Parameters" only.
        errors = [(code, message) for code, message in errors if code != "PR01"]
        fields = _fields(obj)
        for param in inspect.signature(obj).parameters:
            if param not in fields:
                errors.append(("PR01", f"Field {param!r} not documented"))
            elif not fields[param]:
                errors.append(("PR07", f"Field {param!r} has no description"))
    return errors


def problems(module_name: str) -> list[str]:
    """One line per fault, '<module>.<name>: <code> <message>', over its __all__."""
    module = importlib.import_module(module_name)
    lines = []
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            errors = _errors(module_name, name, obj)
            where = f"{module_name}.{name}"
            lines += [f"{where}: {code} {message}" for code, message in errors]
    return lines


def main(argv: list[str]) -> int:
    module_name = argv[1] if len(argv) > 1 else "backprop"
    lines = problems(module_name)
    if not lines:
        return 0
    print("\n".join(lines))
    print(f"docstring_lint: {len(lines)} fault(s) in {module_name}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
