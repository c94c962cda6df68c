"""Typeset formulas that execute: each formula of the forward and backward pass, as the reader sees it, is evaluated.

A local Sphinx extension (loaded from conf/). While a page is read, every display equation is parsed from its TeX,
the text KaTeX typesets, by a small parser for the course's notation, and evaluated with numpy on random networks whose
sizes all differ from each other and from m (so a missing transpose cannot hide behind a square matrix). Every side of
the equation must equal the quantity its left-hand side names, as ``backprop.forward`` and ``backprop.gradients``
compute it, or as centred differences give it (``\\partial J / \\partial W^{[l]}``, the gradient of one example's loss).

What the notation means here:

- ``Z^{[l]}``, ``A^{[l]}``, ``W^{[l]}``, ``b^{[l]}``, ``X``, ``Y``, ``dZ^{[l]}``, ``dA^{[l]}``, ``dW^{[l]}``, ``db^{[l]}``,
  ``J``, ``\\mathcal L`` (the losses), ``m``, ``n^{[l]}``; a generic layer ``l`` (with ``l+1``, ``l-1``) is checked at
  every layer where the formula applies, ``L`` is the output layer, and ``[2]`` on a page about two layers is the
  output layer of a two-layer network. ``^T`` transposes, ``(i)`` is column i of the batch, ``_j``, ``_{jk}`` are
  entries (free indices on the left-hand side run over the whole array; ``\\sum_{j=1}^{n^{[l]}}`` sums over units).
- Juxtaposition and ``\\cdot`` are matrix products (or a number times an array), ``*`` and ``\\odot`` element-wise
  products of equal shapes, ``\\frac`` divides by a number or entry by entry, ``+`` and ``-`` need equal shapes or a
  column added to every column (the bias). Nothing else broadcasts: a wrong shape is a wrong formula.
- ``g^{[l]}`` and ``g^{[l]\\prime}`` are layer l's activation and its derivative; ``\\sigma``, ``\\tanh``, ``\\log``,
  ``\\operatorname{diag}`` (a column to a diagonal matrix).
- Lower-case symbols (``z^{[l]}``, ``dz^{[l]}``, ``a``) are one example's columns: such a formula is checked on networks
  with m = 1. A lower-case weight ``w^{[l]}`` makes it the one-unit scalar version, checked with every n[l] = 1.
  Without any layer (``Z = w^T X + b``, ``dw``), the formula is Week 2's logistic regression: one sigmoid unit, whose
  column of weights is ``w = W^{[1]T}``.

A mismatch is a build warning (so a strict build fails) naming the page, the line, the label, the quantity and the
difference::

    transpose.md:142: WARNING: formula (eq-dw): dW[l] as typeset has shape (5, 3); the package gives (3, 5) ...

A display equation that is not a computable statement of the pass (notation, a Taylor expansion, a Jacobian in
numerator layout) carries a marker, a MyST comment on the line just above it, that readers never see::

    % formula: not checked (a Taylor expansion, not a formula of the pass)

An unmarked equation the parser cannot read is a warning too, so every display equation is either checked or marked
with its reason. `make bench` prints, per page, checked / marked / total (`page_report`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from pathlib import Path

import numpy as np

MARKER = re.compile(r"^formula:\s*not checked\s*\((.+)\)\s*$", re.S)
WHERE = re.compile(r"^formula:\s*where\s+(.+?)\s*$", re.S)
_CONDITION = re.compile(r"layer (\d+) is (sigmoid|tanh|relu)|one unit per layer|one example|l < L|numerator layout"
                        r"|the output is softmax|one layer, A its input|one weight, a its input"
                        r"|the output has one unit|batch norm")
RTOL = 1e-7  # centred differences agree to about 1e-9 here; a wrong formula is off by far more
LAMBDA = 0.4  # the L2 strength λ of a formula that writes one


class FormulaError(Exception):
    """The TeX is not a formula this checker can read (not a wrong formula: that is a `Mismatch`)."""


class Mismatch(Exception):
    """The formula as typeset disagrees with the package or with centred differences."""


class _NotApplicable(Exception):
    """The formula names a layer this network does not have (l + 1 at the output layer, say)."""


# --------------------------------------------------------------------------------------------------------------------
# Tokens

_IGNORED = {
    r"\!", r"\,", r"\;", r"\:", r"\ ", r"\left", r"\right", r"\bigl", r"\bigr", r"\Bigl", r"\Bigr", r"\big", r"\Big",
    r"\biggl", r"\biggr", r"\textstyle", r"\displaystyle", r"\limits", r"\quad", r"\qquad",
}
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[A-Za-z]|\d+(?:\.\d+)?|\S")


def tokenize(tex: str) -> list[str]:
    """TeX as tokens, spacing dropped, ``\\frac1m`` and ``\\tfrac{1}{m}`` both as ``\\frac {1} {m}``."""
    tokens = [t for t in _TOKEN.findall(tex) if t not in _IGNORED and t != "{}"]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        i += 1
        if t not in (r"\frac", r"\tfrac", r"\dfrac"):
            out.append(t)
            continue
        out.append(r"\frac")
        for _ in range(2):  # unbraced arguments are one character: \frac12, \frac1m
            if i < len(tokens) and tokens[i] != "{":
                if re.fullmatch(r"\d\d+", tokens[i]):
                    out += ["{", tokens[i][0], "}"]
                    tokens[i] = tokens[i][1:]
                else:
                    out += ["{", tokens[i], "}"]
                    i += 1
            else:
                depth = 0
                while i < len(tokens):
                    out.append(tokens[i])
                    depth += {"{": 1, "}": -1}.get(tokens[i], 0)
                    i += 1
                    if depth == 0:
                        break
    return out


# --------------------------------------------------------------------------------------------------------------------
# The tree

@dataclass
class Sym:
    name: str  # "Z", "dZ", "z", "dz", "W", "w", "b", "db", "A", "X", "Y", "J", "m", "n", "Loss", ...
    # (the rows layout, \tilde Z: the course's array transposed, is the flag `rows`)
    layer: str | None = None  # "l", "l+1", "L", "2", ...
    column: str | None = None  # "i": column i of the batch
    sub: tuple = ()  # entry indices: ("j",), ("j", "k"), ("i", ":")
    transpose: bool = False
    power: int | None = None
    rows: bool = False
    updated: bool = False  # W^{[l]} := ...: the parameter after one step of gradient descent


@dataclass
class Num:
    value: float


@dataclass
class Call:
    func: str  # "g", "sigma", "tanh", "diag", "log", "exp"
    arg: object
    layer: str | None = None
    prime: bool = False
    transpose: bool = False
    power: int | None = None


@dataclass
class Bin:
    op: str  # "@" (juxtaposition), "*", "+", "-", "/"
    left: object
    right: object


@dataclass
class Neg:
    arg: object


@dataclass
class Sum:
    var: str
    upper: object  # None: over every entry of the arrays its body indexes by `var` (\\sum_j)
    body: object
    skip: str | None = None  # \\sum_{j \\neq k}: leave out j = k
    op: str = "sum"  # or "max": \\max_j z_j


@dataclass
class Group:
    arg: object
    transpose: bool = False
    power: int | None = None
    sub: tuple = ()  # (W^{[2]T})_{kj}: an entry of the group


@dataclass
class Inner:
    """``\\langle U, V \\rangle``: the sum of the products of the entries, tr(UᵀV)."""

    left: object
    right: object


@dataclass
class Stack:
    """``\\begin{bmatrix} x^{(1)} & \\cdots & x^{(m)} \\end{bmatrix}``: the columns x^{(i)} side by side."""

    body: object


@dataclass
class Cases:
    """``\\begin{cases} v_1, & z > 0 \\\\ v_2, & z < 0 \\end{cases}``: entry by entry, the value whose condition
    holds."""

    rows: list  # [(value node, (left node, op, right node))]


@dataclass
class Norm:
    """``\\lVert W \\rVert_F^2``: the sum of the squares of the entries (Frobenius)."""

    arg: object
    power: int | None = None


@dataclass
class Derivative:
    """``\\frac{\\partial}{\\partial W_{jk}} (expression)``: the expression as written, differentiated in V by
    centred differences (every other symbol held fixed)."""

    expr: object
    wrt: object


@dataclass
class Partial:
    """``\\partial J / \\partial V`` (shape of V) or ``\\partial \\mathcal L^{(i)} / \\partial V`` (one example's)."""

    of: Sym
    wrt: Sym


_NODES = (Sym, Num, Call, Bin, Neg, Sum, Group, Partial, Cases, Norm, Stack, Inner, Derivative)
_LETTERS = set("ZAWbXYJmnLzawxyKDG")
_GREEK = {r"\gamma": "gamma", r"\beta": "beta", r"\mu": "mu", r"\varepsilon": "epsilon", r"\epsilon": "epsilon"}
_LOCAL = set("sc")  # a symbol the formula itself defines: dZ = A * (dA - s), \quad s = ...
_CASES = re.compile(r"\\begin\{cases\}(.*?)\\end\{cases\}", re.S)
_COLUMNS = re.compile(r"\\begin\{bmatrix\}(.*?)&\s*\\cdots\s*&(.*?)\\end\{bmatrix\}", re.S)


def _columns_tex(match) -> str:
    """[x^{(1)} ... x^{(m)}] as \\stackcols{x^{(i)}}, when the last entry is the first with m for 1."""
    first, last = match.group(1).strip(), match.group(2).strip()
    if first == last and re.fullmatch(r"\d+", first):  # [1 \cdots 1]: the row of m ones
        return r"\stackcols{" + first + "}"
    if "(1)" not in first or first.replace("(1)", "(m)") != last:
        return match.group(0)
    return r"\stackcols{" + first.replace("(1)", "(i)") + "}"
_GRAD_BASES = set("ZAWbzawxG")
_STOP = {"+", "-", "=", ")", "]", "}", "&", ",", ".", r"\rangle", "|"}


class _Parser:
    def __init__(self, tokens: list[str]):
        self.t = tokens
        self.i = 0

    def peek(self, k=0):
        j = self.i + k
        return self.t[j] if j < len(self.t) else None

    def take(self, expected=None):
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise FormulaError(f"expected {expected or 'more'} at {' '.join(self.t[self.i:self.i + 6])!r}")
        self.i += 1
        return tok

    def group_tokens(self) -> list[str]:
        """The tokens of a braced group, braces dropped, or one token."""
        if self.peek() != "{":
            return [self.take()]
        self.take("{")
        depth, out = 1, []
        while True:
            tok = self.take()
            depth += {"{": 1, "}": -1}.get(tok, 0)
            if depth == 0:
                return out
            out.append(tok)

    def expr(self):
        node = Neg(self.term()) if self.peek() == "-" and self.take() else self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            node = Bin(op, node, self.term())
        return node

    def term(self):
        """Element-wise products of matrix products: as in the formulas, W^T dZ * g'(Z) and g'(Z) * W^T dZ are both
        g'(Z) times (W^T dZ), entry by entry (NumPy would read g1p * W2.T @ dZ2 as (g1p * W2.T) @ dZ2)."""
        node = self.chain()
        while self.peek() in ("*", r"\odot", r"\oslash", "/"):
            op = "*" if self.take() in ("*", r"\odot") else "/"
            node = Bin(op, node, self.chain())
        return node

    def chain(self):
        """Juxtaposition and \\cdot: matrix products, or a number times an array."""
        node = self.factor()
        while True:
            tok = self.peek()
            if tok == r"\cdot":
                self.take()
                node = Bin("@", node, self.factor())
            elif tok is not None and tok not in _STOP and tok not in ("*", r"\odot", r"\oslash", "/"):
                node = Bin("@", node, self.factor())
            else:
                return node

    def postfix(self, node):
        while self.peek() in ("^", "_"):
            if self.take() == "_":
                if not isinstance(node, Group):
                    raise FormulaError("a subscript on a function's value")
                node.sub = _subscript(self.group_tokens())
                continue
            sup = self.group_tokens()
            if sup in (["T"], [r"\top"]):
                node.transpose = True
            elif len(sup) == 1 and sup[0].isdigit():
                node.power = int(sup[0])
            else:
                raise FormulaError(f"superscript {''.join(sup)!r} on a group")
        return node

    def factor(self):
        tok = self.peek()
        if tok is None:
            raise FormulaError("the formula ends too early")
        if tok == r"\sigma" and self.peek(1) == "^" and self.peek(2) == "{" and self.peek(3) == "2" or (
                tok == r"\sigma" and self.peek(1) == "^" and self.peek(2) == "2"):  # σ², σ^{2[l]}: a variance
            self.take(), self.take()
            sup = self.group_tokens()
            node = Sym("sigma2")
            _read_superscript(node, sup[1:])
            if self.peek() == "^":
                raise FormulaError("a variance with a second superscript")
            return node
        if tok in ("(", "["):
            self.take()
            inner = self.expr()
            self.take(")" if tok == "(" else "]")
            return self.postfix(Group(inner))
        if tok == "{":
            return self.postfix(Group(_parse_tokens(self.group_tokens())))
        if re.fullmatch(r"\d+(?:\.\d+)?", tok):
            self.take()
            return Num(float(tok))
        if tok == r"\frac":
            self.take()
            top, bottom = self.group_tokens(), self.group_tokens()
            if top == [r"\partial"]:  # ∂/∂V Σ_i L^{(i)}: the derivative of the summed losses, m ∂J/∂V
                summed = self.chain()
                if (isinstance(summed, Sum) and summed.var == "i" and isinstance(summed.body, Sym)
                        and summed.body.name == "Loss" and summed.body.column == "i"):
                    return Bin("@", Sym("m"), _partial([r"\partial", "J"], bottom))
                wrt = _parse_tokens(bottom[1:]) if bottom[:1] == [r"\partial"] else None
                if not isinstance(wrt, Sym):
                    raise FormulaError("∂/∂V of an expression, with V not a symbol")
                return Derivative(summed, wrt)  # ∂/∂W_jk (the penalty): the written expression's own derivative
            if top and top[0] == r"\partial":
                return _partial(top, bottom)
            if top[:1] == ["d"] and bottom[:1] == ["d"] and len(top) > 1 and len(bottom) > 1:
                # dL/dz, da/dz: derivatives of one number by another, written with d
                return _partial([r"\partial"] + top[1:], [r"\partial"] + bottom[1:])
            return Bin("/", _parse_tokens(top), _parse_tokens(bottom))
        if tok == r"\sum":
            return self.sum()
        if tok == r"\max" and self.peek(1) == "_":  # \max_j z_j: the largest entry
            self.take(), self.take()
            var = self.group_tokens()
            if len(var) != 1:
                raise FormulaError(f"\\max_{{{''.join(var)}}}")
            return Sum(var[0], None, self.chain(), op="max")
        if tok == r"\max" and self.peek(1) == "(":  # \max(u, v): entry by entry
            self.take(), self.take()
            left = self.expr()
            self.take(",")
            right = self.expr()
            self.take(")")
            return Bin("max", left, right)
        if tok == "|":  # |z|: entry by entry
            self.take()
            inner = self.expr()
            self.take("|")
            return Call("abs", inner)
        if tok == r"\langle":
            self.take()
            left = self.expr()
            self.take(",")
            right = self.expr()
            self.take(r"\rangle")
            return Inner(left, right)
        if tok == r"\Delta" and self.peek(1) in _GRAD_BASES:  # a small change: ΔW, ΔA, Δb
            self.take()
            return self.symbol("Δ" + self.take())
        if tok == r"\mathbf" and self.peek(1) == "1":  # a column of m ones
            self.take(), self.take()
            return self.symbol("ones")
        if tok == r"\stackcols":
            self.take()
            return Stack(_parse_tokens(self.group_tokens()))
        if tok == r"\cases":
            self.take()
            return _cases(self.group_tokens())
        if tok == r"\lVert":
            self.take()
            depth, inner = 0, []
            while self.peek() != r"\rVert" or depth:
                tok = self.take()
                depth += {r"\lVert": 1, r"\rVert": -1}.get(tok, 0)
                inner.append(tok)
            self.take(r"\rVert")
            node = Norm(_parse_tokens(inner))
            if self.peek() == "_":
                self.take()
                if self.group_tokens() != ["F"]:
                    raise FormulaError("a norm other than Frobenius")
            if self.peek() == "^":
                self.take()
                power = self.group_tokens()
                if power != ["2"]:
                    raise FormulaError("a norm's power other than 2")
                node.power = 2
            return node
        if tok == r"\lambda":
            self.take()
            return Sym("lambda")
        if tok == r"\alpha":  # the learning rate
            self.take()
            return Sym("alpha")
        if tok == r"\updated":
            self.take()
            node = self.factor()
            if not isinstance(node, Sym) or _LOWER.get(node.name, node.name) not in ("W", "b", "gamma", "beta"):
                raise FormulaError("an update := of something other than a parameter")
            node.updated = True
            return node
        if tok in (r"\sigma", r"\tanh", r"\log", r"\exp", r"\operatorname", "g"):
            return self.call()
        if tok == r"\underbrace":
            self.take()
            node = _parse_tokens(self.group_tokens())
            if self.peek() == "_":
                self.take()
                self.group_tokens()
            return Group(node)
        if tok == r"\boldsymbol" and self.peek(1) == "{" and self.peek(2) == r"\mathcal" and self.peek(3) == "L":
            self.take(), self.take(), self.take(), self.take()
            self.take("}")
            return self.symbol("Losses")  # the (1, m) row of the examples' losses
        if tok == r"\mathcal":
            self.take()
            if self.group_tokens() != ["L"]:
                raise FormulaError("\\mathcal L is the only calligraphic symbol")
            node = self.symbol("Loss")
            if self.peek() == "(":  # \mathcal L(a^{[L](i)}, y^{(i)}): the loss of those arguments
                self.take()
                args = [self.expr()]
                while self.peek() == ",":
                    self.take()
                    args.append(self.expr())
                self.take(")")
                columns = {n.column for a in args for n in _walk(a) if isinstance(n, Sym) and n.column}
                node.column = node.column or (columns.pop() if columns else None)
            return node
        if tok in _GREEK:  # batch norm's γ, β, μ, ε
            return self.symbol(_GREEK[self.take()])
        if tok == "d" and self.peek(1) in (r"\gamma", r"\beta"):
            self.take()
            return self.symbol("d" + _GREEK[self.take()])
        if tok == r"\hat" and self.peek(1) in ("Z", "z"):  # batch norm's Ẑ (the course's Z_norm)
            self.take()
            return self.symbol(self.take() + "hat")
        if tok == "d" and self.peek(1) == r"\hat" and self.peek(2) in ("Z", "z"):
            self.take(), self.take()
            return self.symbol("d" + self.take() + "hat")
        if tok == r"\mathrm" and self.peek(1) == "{":  # \mathrm{keep\_prob}
            self.take()
            name = "".join(self.group_tokens()).replace("\\_", "_")
            if name != "keep_prob":
                raise FormulaError(f"\\mathrm{{{name}}}")
            return self.symbol(name)
        if tok == r"\sqrt":
            self.take()
            return self.postfix(Group(Call("sqrt", _parse_tokens(self.group_tokens()))))
        if tok == "d" and self.peek(1) == r"\tilde" and self.peek(2) in _GRAD_BASES:
            self.take(), self.take()
            node = self.symbol("d" + self.take())
            node.rows = True
            return node
        if tok == r"\tilde" and self.peek(1) in _LETTERS:
            self.take()
            node = self.symbol(self.take())
            node.rows = True
            return node
        if tok == "d" and self.peek(1) in _GRAD_BASES:
            self.take()
            return self.symbol("d" + self.take())
        if tok == "e" and self.peek(1) == "^":  # e^{-z}
            self.take(), self.take()
            return Call("exp", _parse_tokens(self.group_tokens()))
        if tok == r"\partial":  # \partial J / \partial Z, written inline
            self.take()
            of = self.factor()
            self.take("/")
            self.take(r"\partial")
            wrt = self.factor()
            if not (isinstance(of, Sym) and isinstance(wrt, Sym)):
                raise FormulaError("a derivative of something other than a symbol, or by one")
            return Partial(of, wrt)
        if tok in _LETTERS or tok in _LOCAL:
            return self.symbol(self.take())
        raise FormulaError(f"cannot read {tok!r}")

    def symbol(self, name):
        node = Sym(name)
        while self.peek() in ("^", "_"):
            if self.take() == "_":
                node.sub = _subscript(self.group_tokens())
            else:
                _read_superscript(node, self.group_tokens())
        return node

    def call(self):
        tok = self.take()
        if tok == r"\operatorname":
            name = "".join(self.group_tokens()).replace("\\", "")
            if name not in ("diag", "tr", "relu", "leaky_relu", "linear"):
                raise FormulaError(f"unknown function {name!r}")
            node = Call(name, None)
        else:
            node = Call(tok.lstrip("\\"), None)
        while self.peek() in ("^", "'"):
            if self.take() == "'":
                node.prime = True
            else:
                _read_superscript(node, self.group_tokens())
        if self.peek() in ("(", "["):
            arg = self.factor()
            node.arg = arg.arg if isinstance(arg, Group) and not arg.transpose and arg.power is None else arg
            return node
        if node.func in ("tanh", "log", "sigma") and self.peek() is not None and self.peek() not in _STOP:
            node.arg = self.factor()  # \tanh z^{[1]}, \log a
            return node
        raise FormulaError(f"{node.func} without an argument")

    def sum(self):
        self.take(r"\sum")
        lower = upper = None
        while self.peek() in ("_", "^"):
            if self.take() == "_":
                lower = self.group_tokens()
            else:
                upper = self.group_tokens()
        if lower == ["i"] and upper is None:  # \sum_i: over the m examples
            return Sum("i", Sym("m"), self.term())
        if upper is None and lower and len(lower) in (1, 3) and re.fullmatch("[a-hj-z]", lower[0]) and (
                len(lower) == 1 or (lower[1] == r"\neq" and re.fullmatch("[a-z]", lower[2]))):
            # \sum_j, \sum_{j \neq k}: over the units the body's entries run through
            return Sum(lower[0], None, self.term(), lower[2] if len(lower) == 3 else None)
        if lower is None or len(lower) != 3 or lower[1] != "=" or lower[2] != "1" or upper is None:
            raise FormulaError(f"a sum must run from 1 to a bound: \\sum_{{{''.join(lower or [])}}}")
        return Sum(lower[0], _parse_tokens(upper), self.term())


def _cases(tokens: list[str]) -> Cases:
    """The rows of a cases block, given as {value}{condition} groups."""
    p = _Parser(tokens)
    rows = []
    while p.peek() is not None:
        value_tokens = p.group_tokens()
        try:
            value = _parse_tokens(value_tokens)
        except FormulaError:  # a constant such as relu's c at z = 0: read only if its case occurs
            value = None
        condition = p.group_tokens()
        ops = [k for k, t in enumerate(condition) if t in ("<", ">", "=")]
        if len(ops) != 1:
            raise FormulaError(f"a case's condition {''.join(condition)!r}")
        k = ops[0]
        rows.append((value, (_parse_tokens(condition[:k]), condition[k], _parse_tokens(condition[k + 1:]))))
    return Cases(rows)


def _subscript(tokens: list[str]) -> tuple:
    text = "".join(tokens)
    if re.fullmatch(r"[a-z]", text):
        return (text,)
    if re.fullmatch(r"[a-z][a-z]", text):
        return (text[0], text[1])
    if re.fullmatch(r"[a-z],:", text):
        return (text[0], ":")
    raise FormulaError(f"subscript _{{{text}}}")


def _read_superscript(node, sup: list[str]):
    """[l+1]T, [l]\\prime, [l](i), T, (i), \\prime, 2."""
    k = 0
    while k < len(sup):
        tok = sup[k]
        if tok == "[":
            end = sup.index("]", k)
            node.layer = "".join(sup[k + 1:end])
            k = end + 1
        elif tok == "(":
            end = sup.index(")", k)
            node.column = "".join(sup[k + 1:end])
            k = end + 1
        elif tok in ("T", r"\top"):
            node.transpose = True
            k += 1
        elif tok in (r"\prime", "'"):
            if not isinstance(node, Call):
                raise FormulaError("a prime on a symbol that is not a function")
            node.prime = True
            k += 1
        elif tok.isdigit() and k == len(sup) - 1:
            node.power = int(tok)
            k += 1
        else:
            raise FormulaError(f"superscript {''.join(sup)!r}")


def _partial(top: list[str], bottom: list[str]) -> Partial:
    if bottom[:1] != [r"\partial"]:
        raise FormulaError("a derivative written without \\partial below")
    of, wrt = _parse_tokens(top[1:]), _parse_tokens(bottom[1:])
    if not (isinstance(of, Sym) and isinstance(wrt, Sym)) or of.name not in ("J", "Loss", "Losses", "z", "a", "Z",
                                                                             "A"):
        raise FormulaError("a derivative of something other than J, a loss, or a layer's z or a")
    return Partial(of, wrt)


def _parse_tokens(tokens):
    p = _Parser(tokens)
    node = p.expr()
    if p.peek() is not None:
        raise FormulaError(f"cannot read {' '.join(p.t[p.i:p.i + 8])!r}")
    return node


def _walk(node):
    yield node
    for child in vars(node).values():
        if isinstance(child, _NODES):
            yield from _walk(child)


def _nodes(sides) -> list:
    """Every node of every side of an equation."""
    return [n for side in sides for n in _walk(side)]


# --------------------------------------------------------------------------------------------------------------------
# Equations: the sides of each statement, the lines of an aligned block

@dataclass
class Statement:
    sides: list
    tex: str
    line_offset: int  # lines below the start of the block
    output: str | None = None  # a line that starts "softmax:" holds for a softmax output


def _top_level_split(text: str, separator: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch == separator and depth == 0:
            parts.append(text[start:k])
            start = k + 1
    return parts + [text[start:]]


def _cases_tex(match) -> str:
    """A cases block as one token group, so the line breaks inside it do not split the equation."""
    rows = []
    for row in re.split(r"\\\\", match.group(1)):
        if not row.strip():
            continue
        value, _, condition = row.partition("&")
        condition = re.sub(r"[,.]\s*$", "", condition.strip())
        rows.append("{" + re.sub(r",\s*$", "", value.strip()) + "}{" + condition + "}")
    return r"\cases{" + "".join(rows) + "}"


_OPERATOR_START = re.compile(r"^(?:[*+\-]|\\cdot|\\odot)")
_OUTPUT_LINE = re.compile(r"\\text\{(sigmoid|softmax):\}")
# L^{(1)} + \cdots + L^{(m)}: the sum over the m examples
_ELLIPSIS_SUM = re.compile(r"((?:\\mathcal\s*)?[A-Za-z]+)\^\{\(1\)\}\s*\+\s*\\cdots\s*\+\s*\1\^\{\(m\)\}")


def statements(tex: str) -> list[Statement]:
    """The equations a display formula states: one per line of an aligned block (a line starting with ``=`` extends
    the previous equation, one starting with an operator its last side), several per line when separated by
    ``\\qquad`` or ``, &``."""
    body = _COLUMNS.sub(_columns_tex, _CASES.sub(_cases_tex, tex))
    body = re.sub(r"\\begin\{aligned\}|\\end\{aligned\}", "", body)
    body = _ELLIPSIS_SUM.sub(r"\\sum_{i=1}^{m} \1^{(i)}", _OUTPUT_LINE.sub(r"@\1@", body))
    body = re.sub(r"\\text\{[^{}]*\}|\{\}", "", body)
    found: list[tuple[list[str], int, str | None]] = []
    offset = 0
    for raw in re.split(r"\\\\", body):
        line_offset = offset + raw[:len(raw) - len(raw.lstrip())].count("\n")
        offset += raw.count("\n")
        output = re.search(r"@(\w+)@", raw)
        raw = re.sub(r"@\w+@", "", raw)
        raw = re.sub(r"^\s*(?:&|\\q?quad|\{\})*\s*", "", raw)
        pieces = re.split(r"\\qquad|,\s*&", raw)
        merged: list[str] = []
        for piece in pieces:  # a piece without '=' continues the previous one (spacing, not a second equation)
            if merged and "=" not in piece and "=" in merged[-1]:
                merged[-1] += " " + piece
            else:
                merged.append(piece)
        for n, part in enumerate(merged):
            part = part.replace("&", " ").strip()
            part = re.sub(r"^\\quad\b", "", part).strip()
            part = re.sub(r"[,.]\s*$", "", part).strip()
            if not part:
                continue
            if n == 0 and found and part.startswith("="):
                found[-1][0].append(part)
            elif n == 0 and found and _OPERATOR_START.match(part):
                found[-1][0][-1] += " " + part
            else:
                found.append(([part], line_offset, output.group(1) if output else None))
    out = []
    for pieces, line_offset, output in found:
        text = " ".join(pieces)
        if ":=" in text:  # W := W - α dW: the left-hand side is the parameter after the step
            lhs, rest = text.split(":=", 1)
            text = r"\updated " + lhs + "=" + rest
        sides = [s for s in _top_level_split(text, "=") if s.strip()]
        if len(sides) < 2:
            raise FormulaError(f"no '=' in {text!r}")
        out.append(Statement([_parse_tokens(tokenize(s)) for s in sides], text, line_offset, output))
    return out


# --------------------------------------------------------------------------------------------------------------------
# Networks to evaluate on

@dataclass
class Network:
    sizes: tuple
    m: int
    activations: tuple
    params: dict
    X: np.ndarray
    Y: np.ndarray
    values: dict = field(default_factory=dict)  # ("Z", 2) -> array, ("J", None) -> number
    memo: dict = field(default_factory=dict)  # centred differences already computed on this network
    option: str | None = None  # one of OPTIONS
    masks: dict = field(default_factory=dict)  # dropout: layer -> D[l]
    grads: dict = field(default_factory=dict)  # backprop.gradients, with the network's option

    def options(self, l2: bool = False) -> dict:
        """The keyword arguments of backprop.forward (and, with l2, of backprop.gradients) for this network."""
        if self.masks:
            return {"masks": self.masks, "keep_prob": KEEP_PROB}
        if l2 and self.option == "l2":
            return {"l2": LAMBDA}
        return {}

    def once(self, key, compute):
        """compute(), remembered under `key`: an entry-by-entry formula asks for one gradient once per entry."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    @property
    def L(self):
        return len(self.sizes) - 1


# Course 2's options (issue 16): a network checked with one of them on
OPTIONS = {
    "l2": "the cost has the L2 term (λ/2m) Σ_l ‖W[l]‖²_F",
    "dropout": "every hidden layer is dropped with a fixed mask, keep_prob = KEEP_PROB",
    "batchnorm": "every hidden layer is batch-normalised",
}
KEEP_PROB = 0.65  # the keep_prob of a formula that writes one (not a value from a course notebook)
ALPHA = 0.05  # the learning rate α of an update W := W - α dW
BN_EPS = 1e-8


@lru_cache(maxsize=None)
def network(sizes: tuple, m: int, activations: tuple, seed: int, column: int | None = None,
            option: str | None = None) -> Network:
    """A random network and its batch of m examples; with `column`, that one example alone (m = 1); with
    `option`, one of Course 2's options on (OPTIONS)."""
    import backprop

    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.normal(size=(sizes[l], sizes[l - 1]))
        params[f"b{l}"] = rng.normal(size=(sizes[l], 1))
    X = rng.normal(size=(sizes[0], m))
    Y = (rng.uniform(size=(sizes[-1], m)) < 0.5).astype(float)
    if activations[-1] == "softmax":  # one class per example
        Y = np.eye(sizes[-1])[:, rng.integers(sizes[-1], size=m)]
    L = len(sizes) - 1
    net = Network(sizes, m, activations, params, X, Y, option=option)
    if option == "batchnorm":
        for l in range(1, L):
            params[f"gamma{l}"] = rng.uniform(0.5, 1.5, size=(sizes[l], 1))
            params[f"beta{l}"] = rng.normal(size=(sizes[l], 1))
    if option == "dropout":
        net.masks = {l: (rng.uniform(size=(sizes[l], m)) < KEEP_PROB).astype(float) for l in range(1, L)}
        for D in net.masks.values():
            D[0, 0] = 0.0  # at least one unit dropped, whatever the draw
    if column is not None:
        net.X, net.Y, net.m = X[:, [column]], Y[:, [column]], 1
        net.masks = {l: D[:, [column]] for l, D in net.masks.items()}
    X, Y, m = net.X, net.Y, net.m
    AL, caches = backprop.forward(params, X, list(activations), **net.options())
    grads = backprop.gradients(params, X, Y, list(activations), **net.options(l2=True))
    net.grads = grads
    v = net.values
    v[("X", None)], v[("Y", None)], v[("A", 0)] = X, Y, X
    v[("m", None)], v[("L", None)], v[("K", None)] = float(m), float(net.L), float(sizes[-1])
    v[("lambda", None)], v[("keep_prob", None)], v[("epsilon", None)] = LAMBDA, KEEP_PROB, BN_EPS
    v[("alpha", None)] = ALPHA
    v[("ones", None)] = np.ones((m, 1))
    for l, cache in enumerate(caches, start=1):
        v[("W", l)], v[("b", l)], v[("Z", l)] = params[f"W{l}"], params[f"b{l}"], cache.Z
        v[("A", l)] = AL if l == net.L else caches[l].A_prev
        v[("dW", l)], v[("db", l)], v[("dZ", l)] = grads[f"dW{l}"], grads[f"db{l}"], grads[f"dZ{l}"]
        if getattr(cache, "D", None) is not None:
            v[("D", l)], v[("G", l)] = cache.D, cache.A_before_dropout
        if getattr(cache, "gamma", None) is not None:
            v[("gamma", l)], v[("beta", l)] = cache.gamma, cache.beta
            v[("mu", l)], v[("sigma2", l)] = cache.mu, cache.var
            v[("Zhat", l)], v[("Ztilde", l)] = cache.Zhat, cache.Ztilde
            v[("dgamma", l)], v[("dbeta", l)] = grads[f"dgamma{l}"], grads[f"dbeta{l}"]
    for l, n in enumerate(sizes):
        v[("n", l)] = float(n)
    for l in range(net.L):
        v[("dA", l)] = grads[f"dA{l}"]
    if activations[-1] == "sigmoid":
        v[("dA", net.L)] = backprop.output_da(AL, Y)
    if activations[-1] == "softmax":
        v[("dA", net.L)] = -Y / AL  # each example's cross-entropy, differentiated by its a
    v[("Loss", None)] = backprop.example_losses(AL, Y, output=activations[-1])
    v[("J", None)] = _cost(net, params)
    return net


def _cost(net: Network, params: dict) -> float:
    """J of the network with `params` (with its L2 term, if the network's option is l2)."""
    import backprop

    AL, _ = backprop.forward(params, net.X, list(net.activations), **net.options())
    if net.option == "l2":
        return backprop.cost(AL, net.Y, output=net.activations[-1], params=params, l2=LAMBDA)
    return backprop.cost(AL, net.Y, output=net.activations[-1])


def _losses_with(net: Network, name: str, value) -> np.ndarray:
    """The m examples' losses, ravelled, with parameter `name` replaced by `value` (the whole batch goes forward, so a
    batch-norm network couples them as it does in training)."""
    import backprop

    AL, _ = backprop.forward({**net.params, name: value}, net.X, list(net.activations), **net.options())
    return backprop.example_losses(AL, net.Y, output=net.activations[-1]).ravel()


def _losses_from(net: Network, name: str, layer: int, value) -> np.ndarray:
    """The m examples' losses, ravelled, computed from layer `layer`'s Z, Ẑ, Z̃ or A = `value` onwards."""
    import backprop

    AL = _forward_from(net, name, layer, value, "A", net.L)
    return backprop.example_losses(AL, net.Y, output=net.activations[-1]).ravel()


def _cost_with(net: Network, name: str, value) -> float:
    """J with parameter `name` ("W2", "b1", "gamma1") replaced by `value`."""
    return _cost(net, {**net.params, name: value})


# within a layer: linear, batch norm (normalise, then scale and shift), g, dropout
_STAGES = ("Z", "Zhat", "Ztilde", "G", "A")


def _layer_from(net: Network, l: int, stage: str, value) -> dict:
    """Layer l's stages from `stage` = `value` on, with the network's batch norm and dropout."""
    import backprop

    out = {stage: value}
    norm = f"gamma{l}" in net.params
    if stage == "Z" and norm:
        Z = value
        mu = Z.mean(axis=1, keepdims=True)
        var = ((Z - mu) ** 2).mean(axis=1, keepdims=True)
        out["Zhat"] = (Z - mu) / np.sqrt(var + BN_EPS)
        stage = "Zhat"
    if stage == "Zhat":
        if not norm:
            raise _NotApplicable(f"Ẑ of layer {l}, which is not normalised")
        out["Ztilde"] = net.params[f"gamma{l}"] * out["Zhat"] + net.params[f"beta{l}"]
        stage = "Ztilde"
    if stage in ("Z", "Ztilde"):
        out["G"] = backprop.ACTIVATIONS[net.activations[l - 1]].g(out[stage])
        stage = "G"
    if stage == "G":
        out["A"] = out["G"] * net.masks[l] / KEEP_PROB if l in net.masks else out["G"]
    return out


def _forward_from(net: Network, name: str, layer: int, value, of_name: str, of_layer: int):
    """Layer `of_layer`'s Z, Ẑ, Z̃ or A, computed from layer `layer`'s Z, Ẑ, Z̃ or A = `value` onwards."""
    if of_layer == layer and _STAGES.index(of_name) < _STAGES.index(name):
        raise FormulaError(f"{of_name} of a layer as a function of its own {name}")
    out = _layer_from(net, layer, name, value)
    for l in range(layer + 1, of_layer + 1):
        out = _layer_from(net, l, "Z", net.params[f"W{l}"] @ out["A"] + net.params[f"b{l}"])
    if of_name not in out:
        raise _NotApplicable(f"{of_name} of layer {of_layer}")
    return out[of_name]


def _cost_from(net: Network, name: str, layer: int, value) -> float:
    """J computed from layer `layer`'s Z, Ẑ, Z̃ or A = `value` onwards (the L2 term does not depend on it)."""
    import backprop

    AL = _forward_from(net, name, layer, value, "A", net.L)
    return backprop.cost(AL, net.Y, output=net.activations[-1])


_SPECS = {
    # every size differs from every other and from m
    "batch": [((3, 5, 4, 2), 7, ("relu", "tanh", "sigmoid")), ((4, 2, 6, 1), 5, ("tanh", "relu", "sigmoid")),
              ((3, 5, 2), 7, ("tanh", "sigmoid")), ((4, 6, 1), 3, ("relu", "sigmoid"))],
    "scalar": [((1, 1, 1, 1), 1, ("tanh", "relu", "sigmoid")), ((1, 1, 1), 1, ("tanh", "sigmoid")),
               ((1, 1, 1, 1, 1), 1, ("tanh", "tanh", "relu", "sigmoid"))],
    "week2": [((4, 1), 7, ("sigmoid",)), ((3, 1), 5, ("sigmoid",))],
    "softmax": [((4, 3), 5, ("softmax",)), ((3, 5, 4), 2, ("tanh", "softmax"))],
    "weight": [((1, 1), 5, ("sigmoid",)), ((1, 1), 3, ("sigmoid",))],
}


def _networks(kind: str, m_is_one: bool, softmax: bool = False, option: str | None = None):
    """The networks a formula is checked on; for one example's formulas, each of the first three examples alone
    (batch norm has no one-example version: its examples are coupled)."""
    specs = _SPECS["softmax" if softmax else "scalar" if kind == "scalar" else kind]
    if option == "batchnorm" and m_is_one:
        raise FormulaError("one example's formula with batch norm, whose examples are coupled")
    if not m_is_one or kind == "scalar":
        return [network(sizes, 1 if m_is_one else m, acts, seed, None, option)
                for seed, (sizes, m, acts) in enumerate(specs)]
    return [network(sizes, m, acts, seed, i, option)
            for seed, (sizes, m, acts) in enumerate(specs) for i in range(min(m, 3))]


_OPTION_SYMBOLS = {
    "l2": {"lambda"},
    "dropout": {"D", "keep_prob", "G", "dG"},
    "batchnorm": {"gamma", "beta", "mu", "sigma2", "epsilon", "Zhat", "dgamma", "dbeta", "dZhat"},
}


def _option(nodes, where: str) -> str | None:
    """The Course 2 option a formula is about, from the symbols it writes (λ; D, keep_prob; γ, β, μ, σ², Ẑ ...) or a
    `where batch norm` marker."""
    names = {n.name for n in nodes if isinstance(n, Sym)}
    found = [option for option, symbols in _OPTION_SYMBOLS.items() if names & symbols]
    if "batch norm" in where:
        found = sorted(set(found) | {"batchnorm"})
    if len(found) > 1:
        raise FormulaError(f"a formula with more than one of Course 2's options: {', '.join(found)}")
    return found[0] if found else None


# --------------------------------------------------------------------------------------------------------------------
# Evaluation

_FUNCTIONS = {"sigma": "sigmoid", "tanh": "tanh"}
_LOWER = {"z": "Z", "a": "A", "dz": "dZ", "da": "dA", "x": "X", "y": "Y", "w": "W", "dw": "dW", "zhat": "Zhat",
          "dzhat": "dZhat"}
_LAYERED = {"Z", "A", "W", "b", "dZ", "dA", "dW", "db", "D", "gamma", "beta", "mu", "sigma2", "Zhat", "Ztilde",
            "dgamma", "dbeta", "dZhat", "dZtilde", "G", "dG"}
_TILDE = {"Z": "Ztilde", "dZ": "dZtilde", "z": "Ztilde", "dz": "dZtilde"}  # \tilde Z on a batch-norm network


def _layer(expr: str | None, l: int, L: int) -> int | None:
    if expr is None:
        return None
    text = expr.replace(" ", "")
    if not re.fullmatch(r"[lL0-9]+(?:[+\-][0-9]+)?", text):
        raise FormulaError(f"layer index [{expr}]")
    return int(eval(text.replace("L", str(L)).replace("l", str(l)), {"__builtins__": {}}))  # digits, l, L, + or -


class _Eval:
    def __init__(self, net: Network, l: int | None, week2: bool, numerator: bool = False, input_mode: bool = False):
        self.net, self.l, self.week2, self.numerator = net, l, week2, numerator
        self.input_mode = input_mode
        self.index: dict[str, int] = {}
        self.local: dict[str, object] = {}  # s -> the right-hand side of the formula's own "s = ..."
        self.layer_vars: dict[str, int] = {}  # p -> its layer, inside \sum_{p=1}^{L}

    def _lay(self, expr):
        """The layer number of a written layer index: l, l+1, L, 2, or a sum's own letter."""
        if expr and self.layer_vars:
            expr = re.sub("|".join(self.layer_vars), lambda m: str(self.layer_vars[m.group(0)]), expr)
        return _layer(expr, self.l, self.net.L)

    def __call__(self, node):
        return getattr(self, type(node).__name__)(node)

    def Num(self, node):
        return node.value

    def _tilde(self, node) -> bool:
        """Whether \\tilde Z is batch norm's Z̃ (on a batch-norm network), not the rows layout."""
        return node.rows and self.net.option == "batchnorm" and node.name in _TILDE

    def _key(self, node):
        name = _TILDE[node.name] if self._tilde(node) else _LOWER.get(node.name, node.name)
        if name == "ones":
            return ("ones", None)
        if name == "Losses":
            return ("Loss", None)
        if name.startswith("Δ"):
            base = _LOWER.get(name[1:], name[1:])
            layer = self._key(Sym(base, node.layer))[1]
            key = (name, layer)
            if key not in self.net.values and (base, layer) in self.net.values:
                rng = np.random.default_rng(sum(map(ord, name)) + 31 * (layer or 0))
                self.net.values[key] = rng.normal(size=np.shape(self.net.values[(base, layer)]))
            return key
        if self.input_mode and node.layer is None and name in _LAYERED:
            return (name, 0 if name in ("A", "dA") else 1)  # one layer: A is its input, Z = W A + b
        if name == "n":
            if node.layer is None:
                raise FormulaError("n without a layer")
            return ("n", self._lay(node.layer))
        if name not in _LAYERED:
            if node.layer is not None:
                raise FormulaError(f"{node.name} with a layer")
            if name == "K" and self.net.activations[-1] != "softmax":
                raise FormulaError("K classes, on a network without a softmax output")
            return (name, None)
        if node.layer is None:
            if not self.week2:
                raise FormulaError(f"{node.name} without a layer")
            return (name, self.net.L)  # Week 2's unit, or a softmax page's output layer
        return (name, self._lay(node.layer))

    def Sym(self, node):
        if node.name in _LOCAL:
            if node.name not in self.local:
                raise FormulaError(f"{node.name} is used but the formula does not define it")
            return _post(self._entry(self(self.local[node.name]), node.sub), node.transpose, node.power)
        key = self._key(node)
        if node.updated:  # the package's step: backprop.descent_step with backprop.gradients
            import backprop

            name = f"{key[0]}{key[1]}"
            if name not in self.net.params:
                raise _NotApplicable(name)
            value = self.net.once(("updated", name), lambda: backprop.descent_step(
                self.net.params, self.net.grads, ALPHA)[name])
        elif key[0] in ("dZhat", "dZtilde", "dG") and (key[0][1:], key[1]) in self.net.values:
            value = self._m_times_gradient(key[0][1:], key[1])
        elif key in self.net.values:
            value = self.net.values[key]
        else:
            raise _NotApplicable(str(key))
        if self.week2 and node.name in ("w", "dw"):
            value = value.T  # Week 2's column of weights is a row of W[1]
        if node.rows and not self._tilde(node):
            value = value.T  # the rows layout stores every array transposed
        if node.column is not None:
            value = value[:, [self._index(node.column)]]
        return _post(self._entry(value, node.sub), node.transpose, node.power)

    def _m_times_gradient(self, stage: str, layer: int):
        """dẐ, dZ̃ of a batch-norm layer, dG of a dropped one (G = g(Z) before the mask): m ∂J/∂Ẑ, m ∂J/∂Z̃, m ∂J/∂G,
        by centred differences (the package keeps no such array)."""
        import backprop

        net = self.net
        return net.once(("m gradient", stage, layer), lambda: net.m * backprop.numerical_gradient(
            lambda v: _cost_from(net, stage, layer, v), net.values[(stage, layer)]))

    def _index(self, name):
        if name not in self.index:
            raise FormulaError(f"index {name} outside a sum over it")
        return self.index[name]

    def _entry(self, value, sub):
        if not sub:
            return value
        try:
            return self._entry_at(value, sub)
        except IndexError:
            raise Mismatch(f"entry _{''.join(sub)} outside an array of shape {np.shape(value)}") from None

    def _entry_at(self, value, sub):
        if sub[-1] == ":":
            return value[[self._index(sub[0])], :]
        if len(sub) == 2:
            return float(value[self._index(sub[0]), self._index(sub[1])])
        if np.shape(value)[0] == 1:  # a row: y_i, a_i of Week 2
            return float(value[0, self._index(sub[0])])
        if np.shape(value)[1] != 1:
            raise Mismatch(f"one index _{sub[0]} on an array of shape {np.shape(value)}")
        return float(value[self._index(sub[0]), 0])

    def Call(self, node):
        import backprop

        arg = self(node.arg)
        if node.func == "g":
            written = node.layer
            if written is None and isinstance(node.arg, Sym) and node.arg.layer is not None:
                written = node.arg.layer  # g'(Z^{[l]}): layer l's activation
            layer = self.net.L if written is None and self.week2 else self._lay(written)
            if layer is None or not 1 <= layer <= self.net.L:
                raise _NotApplicable(f"g[{layer}]")
            act = backprop.ACTIVATIONS[self.net.activations[layer - 1]]
            if node.prime and act.g_prime is None:
                raise _NotApplicable("softmax has no element-wise g'")
            value = (act.g_prime if node.prime else act.g)(np.asarray(arg, dtype=float))
        elif node.func == "sigma":
            value = (backprop.logistic_prime if node.prime else backprop.logistic)(np.asarray(arg, dtype=float))
        elif node.func == "tanh":
            value = (backprop.tanh_prime if node.prime else np.tanh)(np.asarray(arg, dtype=float))
        elif node.func == "log":
            value = np.log(arg)
        elif node.func == "exp":
            value = np.exp(arg)
        elif node.func == "abs":
            value = np.abs(arg)
        elif node.func == "sqrt":
            value = np.sqrt(arg)
        elif node.func in ("relu", "leaky_relu", "linear"):
            act = backprop.ACTIVATIONS[node.func]
            value = (act.g_prime if node.prime else act.g)(np.asarray(arg, dtype=float))
        elif node.func == "tr":
            if np.ndim(arg) != 2 or np.shape(arg)[0] != np.shape(arg)[1]:
                raise Mismatch(f"the trace of a matrix of shape {np.shape(arg)}")
            value = float(np.trace(arg))
        elif node.func == "diag":
            if np.ndim(arg) != 2 or 1 not in np.shape(arg):
                raise Mismatch(f"diag of shape {np.shape(arg)}, not a column or a row")
            value = np.diagflat(arg)
        else:
            raise FormulaError(f"unknown function {node.func}")
        if isinstance(value, np.ndarray) and value.shape == ():
            value = float(value)
        return _post(value, node.transpose, node.power)

    def Inner(self, node):
        a, b = np.asarray(self(node.left), dtype=float), np.asarray(self(node.right), dtype=float)
        if a.shape != b.shape:
            raise Mismatch(f"an inner product of shapes {a.shape} and {b.shape}")
        return float(np.sum(a * b))

    def Stack(self, node):
        columns = []
        for i in range(self.net.m):
            self.index["i"] = i
            value = np.asarray(self(node.body), dtype=float)
            if value.ndim == 0:  # [1 \cdots 1]: a row of numbers
                value = value.reshape(1, 1)
            if value.ndim != 2 or value.shape[1] != 1:
                raise Mismatch(f"a column of shape {value.shape}")
            columns.append(value)
        del self.index["i"]
        return np.hstack(columns)

    def Cases(self, node):
        result = None
        for value_node, (left, op, right) in node.rows:
            a, b = np.asarray(self(left), dtype=float), np.asarray(self(right), dtype=float)
            mask = a > b if op == ">" else a < b if op == "<" else a == b
            if result is None:
                result = np.full(mask.shape, np.nan)
            if mask.any():  # a case that never occurs (z exactly 0) is not evaluated
                if value_node is None:
                    raise FormulaError("a case whose value cannot be read occurs")
                value = np.broadcast_to(np.asarray(self(value_node), dtype=float), mask.shape)
                result[mask] = value[mask]
        if result is None or np.isnan(result).any():
            raise Mismatch("an entry that no case covers")
        return result

    def Norm(self, node):
        value = float(np.sum(np.asarray(self(node.arg), dtype=float) ** 2))
        return value if node.power == 2 else value ** 0.5

    def Group(self, node):
        return self._entry(_post(self(node.arg), node.transpose, node.power), node.sub)

    def Neg(self, node):
        return -self(node.arg)

    def _extent(self, body, var) -> int:
        """How far an index runs in a sum without a bound: the size of the arrays whose entries it picks."""
        import copy

        sizes = set()
        for n in _walk(body):
            if isinstance(n, (Sym, Group)) and var in n.sub:
                whole = copy.copy(n)
                whole.sub = ()
                shape = np.shape(self(whole))
                if len(n.sub) == 2:
                    sizes.add(shape[n.sub.index(var)])
                else:
                    sizes.add(shape[1] if shape[0] == 1 else shape[0])  # a row's entries, or a column's
        if len(sizes) != 1:
            raise (Mismatch(f"index {var} runs over {sorted(sizes)} entries") if sizes
                   else FormulaError(f"a sum over {var} with no entry _{var} in it"))
        return sizes.pop()

    def Sum(self, node):
        if node.upper is None:
            outer, terms = self.index.pop(node.var, None), []  # a defined symbol may sum over the same letter
            for k in range(self._extent(node.body, node.var)):
                self.index[node.var] = k
                if node.skip is None or k != self._index(node.skip):
                    terms.append(self(node.body))
            del self.index[node.var]
            if outer is not None:
                self.index[node.var] = outer
            return max(terms) if node.op == "max" else sum(terms, 0.0)
        upper = int(round(self(node.upper)))
        total = 0.0
        if node.var == "l":  # a sum over the layers: the body's layer index l runs from 1 to the bound
            outer, total = self.l, 0.0
            for k in range(1, upper + 1):
                self.l = k
                total = total + self(node.body)
            self.l = outer
            return total
        if any(isinstance(n, (Sym, Call)) and n.layer and node.var in n.layer for n in _walk(node.body)):
            total = 0.0  # \sum_{p=1}^{L} of W^{[p]}: a sum over the layers with a letter of its own
            for k in range(1, upper + 1):
                self.layer_vars[node.var] = k
                total = total + self(node.body)
            del self.layer_vars[node.var]
            return total
        for k in range(upper):
            self.index[node.var] = k
            total = total + self(node.body)
        del self.index[node.var]
        return total

    def Derivative(self, node):
        wrt = node.wrt
        key = self._key(Sym(wrt.name, wrt.layer))
        if key not in self.net.values:
            raise _NotApplicable(str(key))
        base = np.array(self.net.values[key], dtype=float)
        points = [tuple(self._index(k) for k in wrt.sub)] if wrt.sub else list(np.ndindex(base.shape))
        out = np.zeros(base.shape)
        try:
            for point in points:
                step = 1e-6 * max(1.0, abs(base[point]))
                values = []
                for sign in (1, -1):
                    moved = base.copy()
                    moved[point] += sign * step
                    self.net.values[key] = moved
                    value = self(node.expr)
                    if np.size(value) == base.size > 1 and not wrt.sub:
                        value = np.sum(value)  # ∂/∂w (λ/2m) w², entry by entry: each entry's own derivative
                    if np.size(value) != 1:
                        raise Mismatch(f"∂/∂V of an expression of shape {np.shape(value)}, not a number")
                    values.append(float(np.squeeze(value)))
                out[point] = (values[0] - values[1]) / (2 * step)
        finally:
            self.net.values[key] = base
        if wrt.sub:
            return float(out[points[0]])
        return out.T if self.week2 and wrt.name == "w" else out  # Week 2's column w is a row of W[1]

    def Partial(self, node):
        """By centred differences. ∂J/∂V, ∂L⁽ⁱ⁾/∂V: shaped like V (the course's layout), or, under a `where
        numerator layout` marker, the row of a column V's derivatives. ∂z/∂a, ∂a/∂z (one example's columns, or any
        layers' Z and A): the Jacobian, in numerator layout. V_jk picks one derivative; ∂z_j/∂a_k one entry of one
        example's Jacobian. ∂J/∂𝓛 and ∂𝓛/∂Z: through the row of the m losses."""
        import backprop

        wrt, of = node.wrt, node.of
        name = _LOWER.get(wrt.name, wrt.name)
        net = self.net
        if of.name == "J" and name == "Losses":  # J = (1/m) Σ_i L^(i) (eq-cost, checked on its own)
            return backprop.numerical_gradient(lambda v: float(np.mean(v)), net.values[("Loss", None)])
        if of.name == "Losses":  # the Jacobian of the row of losses, in numerator layout: (m, size of V)
            layer = self._layer_of(wrt)
            if name not in ("Z", "A") or layer is None or not 1 <= layer <= self.net.L or wrt.sub:
                raise FormulaError(f"the losses' derivative by {wrt.name}")
            return net.once(("losses", name, layer), lambda: backprop.numerical_jacobian(
                lambda v: _losses_from(net, name, layer, v), net.values[(name, layer)]))
        if self._tilde(wrt):
            name = _TILDE[wrt.name]
        elif name not in ("W", "b", "gamma", "beta", "Z", "Zhat", "A") or wrt.transpose or wrt.column or wrt.rows:
            raise FormulaError(f"a derivative with respect to {wrt.name}")
        layer = self._layer_of(wrt)
        output_a = (name == "A" and layer == net.L and of.name in ("J", "Loss")
                    and net.activations[-1] != "sigmoid")  # a softmax's A[L] is not free: its columns sum to 1
        if layer is None or not (1 <= layer <= self.net.L) or output_a:
            raise _NotApplicable(f"{name}[{layer}]")
        if of.name in ("J", "Loss"):
            column = None
            if of.name == "Loss":
                if of.column is None and self.net.m != 1:
                    raise FormulaError("the loss of which example")
                column = self._index(of.column) if of.column else 0
            parameter = name in ("W", "b", "gamma", "beta")
            if parameter and f"{name}{layer}" not in net.params or not parameter and (name, layer) not in net.values:
                raise _NotApplicable(f"{name}[{layer}]")
            point = net.params[f"{name}{layer}"] if parameter else net.values[(name, layer)]
            if column is None or net.m == 1:
                def cost(v):
                    return _cost_with(net, f"{name}{layer}", v) if parameter else _cost_from(net, name, layer, v)
                value = net.once(("gradient", of.name, name, layer), lambda: backprop.numerical_gradient(cost, point))
            else:  # every example's loss at once, from one sweep: row k is ∂L(k)/∂V
                def losses(v):
                    return _losses_with(net, f"{name}{layer}", v) if parameter else _losses_from(net, name, layer, v)
                rows = net.once(("losses", name, layer), lambda: backprop.numerical_jacobian(losses, point))
                value = rows[column].reshape(np.shape(point))
            if self.week2 and wrt.name == "w":
                value = value.T
            if self.numerator and name in ("Z", "A") and value.shape[1] == 1:
                value = value.T  # numerator layout: a scalar's derivative by a column is a row
            return self._entry(value, wrt.sub)
        # a Jacobian: of = z or a of some layer, as a function of wrt
        of_name, of_layer = _LOWER.get(of.name, of.name), self._layer_of(of)
        if of_name not in ("Z", "A") or name not in ("Z", "A") or len(of.sub) > 1 or len(wrt.sub) > 1:
            raise FormulaError("a Jacobian other than of a layer's z or a by another's")
        if of_layer is None or of_layer < layer or not 1 <= of_layer <= self.net.L:
            raise _NotApplicable(f"{of_name}[{of_layer}]")
        jacobian = net.once(("jacobian", of_name, of_layer, name, layer), lambda: backprop.numerical_jacobian(
            lambda v: _forward_from(net, name, layer, v, of_name, of_layer).ravel(), net.values[(name, layer)]))
        if of.sub or wrt.sub:  # ∂z_j/∂a_k: one entry of one example's Jacobian
            if self.net.m != 1:
                raise FormulaError("an entry of a Jacobian of a batch")
            rows = [self._index(of.sub[0])] if of.sub else slice(None)
            columns = [self._index(wrt.sub[0])] if wrt.sub else slice(None)
            jacobian = jacobian[rows][:, columns]
            return float(jacobian[0, 0]) if jacobian.shape == (1, 1) else jacobian
        return jacobian

    def _layer_of(self, sym):
        if sym.layer is None and self.input_mode:
            return self._key(sym)[1]
        if sym.layer is None:
            if not self.week2:
                raise FormulaError(f"{sym.name} without a layer")
            return self.net.L
        return self._lay(sym.layer)

    def Bin(self, node):
        a, b = self(node.left), self(node.right)
        sa, sb = np.shape(a), np.shape(b)
        if node.op == "@" and _is_ones(node.left) and node.left.transpose and len(sb) == 2:
            a, sa = np.ones((1, sb[0])), (1, sb[0])  # 1^T V: the row of sums of V's columns
        if node.op == "@" and _is_ones(node.right) and not node.right.transpose and len(sa) == 2:
            b, sb = np.ones((sa[1], 1)), (sa[1], 1)  # V 1: the column of sums of V's rows
        if node.op == "@" and _is_ones(node.left) and not node.left.transpose and len(sb) == 2 and sb[0] == 1:
            return b  # 1 s: the row s copied into every row, which a sum with a matrix does by broadcasting
        if sb == (1, 1) and sa != (1, 1):
            b, sb = float(b[0, 0]), ()  # a 1 x 1 result is a number
        if sa == (1, 1) and sb == ():
            a, sa = float(a[0, 0]), ()
        if node.op == "max":
            if sa != sb and () not in (sa, sb):
                raise Mismatch(f"the larger of shapes {sa} and {sb}")
            return np.maximum(a, b)
        # γ * Ẑ, Ẑ / sqrt(σ² + ε): a column of per-unit numbers, entry by entry along each row
        per_unit = node.op in ("*", "/") and len(sa) == len(sb) == 2 and sa[0] == sb[0] and 1 in (sa[1], sb[1])
        if node.op == "/":
            if sb == () or sa == sb or per_unit:
                return a / b
            raise Mismatch(f"a division of shapes {sa} and {sb}")
        if sa == () or sb == ():
            return a * b if node.op in ("@", "*") else (a + b if node.op == "+" else a - b)
        if node.op == "@":
            if sa[1] != sb[0]:
                raise Mismatch(f"a matrix product of shapes {sa} and {sb}")
            return a @ b
        if node.op == "*":
            if sa != sb and not per_unit:
                raise Mismatch(f"an element-wise product of shapes {sa} and {sb}")
            return a * b
        column_bias = sa[0] == sb[0] and 1 in (sa[1], sb[1])
        row_bias = sa[1] == sb[1] and 1 in (sa[0], sb[0])  # the rows layout adds a row to every row
        if sa != sb and not (column_bias or row_bias):
            raise Mismatch(f"a sum of shapes {sa} and {sb}")
        return a + b if node.op == "+" else a - b


def _is_ones(node) -> bool:
    return isinstance(node, Sym) and node.name == "ones"


def _post(value, transpose, power):
    if power is not None:
        value = value ** power
    if transpose and np.ndim(value) == 2:
        value = value.T
    return value


def _describe(node) -> str:
    if isinstance(node, Derivative):
        return f"∂(…)/∂{_describe(node.wrt)}"
    if isinstance(node, Sym):
        return ("the updated " if node.updated else "") + (node.name.replace("Loss", "L") + (f"[{node.layer}]" if node.layer else "")
                + (f"({node.column})" if node.column else "") + ("".join(f"_{s}" for s in node.sub))
                + ("ᵀ" if node.transpose else ""))
    if isinstance(node, Partial):
        return f"∂{_describe(node.of)}/∂{_describe(node.wrt)}"
    if isinstance(node, Call):
        layer = f"[{node.layer}]" if node.layer else ""
        return node.func.replace("sigma", "σ") + layer + ("′" if node.prime else "") + f"({_describe(node.arg)})"
    return "the left-hand side"


def _kind(sides) -> tuple[str, bool]:
    """("batch" | "scalar" | "week2", whether m = 1): lower-case columns without (i) mean one example."""
    syms = [n for n in _nodes(sides) if isinstance(n, Sym)]
    calls = [n for n in _nodes(sides) if isinstance(n, Call) and n.func == "g"]
    m_is_one = any(s.name in ("z", "a", "dz", "da", "x", "y") and s.column is None for s in syms)
    layered = [s for s in syms if _LOWER.get(s.name, s.name) in _LAYERED and s.layer is not None] + \
              [c for c in calls if c.layer is not None]
    unlayered = [s for s in syms if _LOWER.get(s.name, s.name) in _LAYERED and s.layer is None]
    if unlayered and all(_layer_is_one(n) for n in layered):
        return "week2", m_is_one
    if any(s.name in ("w", "dw") for s in syms):
        return "scalar", True
    return "batch", m_is_one


def _layer_is_one(node) -> bool:
    return (node.layer or "").replace(" ", "") == "1"


def _layers_of(sides) -> tuple[set, int]:
    """The layer expressions written, and the largest explicit layer number."""
    nodes = _nodes(sides)
    exprs = {n.layer.replace(" ", "") for n in nodes if isinstance(n, (Sym, Call)) and n.layer}
    exprs |= {n.wrt.layer.replace(" ", "") for n in nodes if isinstance(n, Partial) and n.wrt.layer}
    return exprs, max((int(e) for e in exprs if e.isdigit()), default=0)


def _free_indices(lhs) -> tuple:
    sym = lhs.wrt if isinstance(lhs, (Partial, Derivative)) else lhs
    if isinstance(sym, Sym) and sym.sub and ":" not in sym.sub:
        return sym.sub
    return ()


def _without_entries(node):
    """The left-hand side with its entry subscript dropped: the whole array, for its shape."""
    import copy

    whole = copy.deepcopy(node)
    (whole.wrt if isinstance(whole, (Partial, Derivative)) else whole).sub = ()
    return whole


def _applies(net: Network, where: str) -> bool:
    """Whether a network meets the conditions of a ``% formula: where ...`` marker."""
    for match in _CONDITION.finditer(where):
        if match.group(1) and (int(match.group(1)) > net.L or
                               net.activations[int(match.group(1)) - 1] != match.group(2)):
            return False
        if match.group(0) == "one unit per layer" and set(net.sizes) != {1}:
            return False
        if match.group(0) == "one example" and net.m != 1:
            return False
        if match.group(0) == "the output has one unit" and net.sizes[-1] != 1:
            return False
    return True


def check_statement(st: Statement, where: str = "", local: dict | None = None) -> int:
    """Evaluate one equation on every network and layer where it applies; the number of evaluations. Raises Mismatch
    (the quantity and how it differs) or FormulaError (TeX this checker cannot read)."""
    nodes = _nodes(st.sides)
    kind, m_is_one = _kind(st.sides)
    if st.output == "softmax":
        where += "; the output is softmax"
    if "one unit per layer" in where:
        kind, m_is_one = "scalar", True
    m_is_one = m_is_one or "one example" in where
    # a change ΔW, ΔA is written for one layer, Z = W A + b: any network's first layer, with X = A[0] its input
    input_mode = ("one layer, A its input" in where or "one weight, a its input" in where
                  or any(isinstance(n, Sym) and n.name.startswith("Δ") for n in nodes))
    if input_mode:
        kind = "batch"
    if "one weight, a its input" in where:  # one input, one unit, m examples: z = w a + b
        kind, m_is_one = "weight", False
    exprs, top = _layers_of(st.sides)
    generic = any("l" in e for e in exprs)
    outputs = any((isinstance(n, Partial) and n.of.name in ("J", "Loss"))
                  or (isinstance(n, Sym) and n.name in ("Y", "y", "J", "Loss")) for n in nodes)
    # the activation a formula writes out: a^{[1]} = tanh(z^{[1]}) holds where layer 1 is tanh
    declared = {(_FUNCTIONS[n.func], n.arg.layer) for n in nodes
                if isinstance(n, Call) and n.func in _FUNCTIONS and isinstance(n.arg, Sym) and n.arg.layer}
    option = _option(nodes, where)
    if option in ("dropout", "batchnorm") and kind not in ("batch", "scalar"):
        kind = "batch"  # networks with hidden layers to drop or normalise
    checked = 0
    for net in _networks(kind, m_is_one, "the output is softmax" in where, option):
        if not _applies(net, where):
            continue
        # next to Y or J, explicit layers describe one network: on a page about two layers, [2] is its output
        if top > net.L or (top and not generic and outputs and kind != "week2" and net.L != top):
            continue
        if any(l.isdigit() and (int(l) > net.L or net.activations[int(l) - 1] != f) for f, l in declared):
            continue
        last = net.L - 1 if "l < L" in where else net.L
        for l in range(1, last + 1) if generic else [None]:
            ev = _Eval(net, l, kind == "week2", "numerator layout" in where, input_mode)
            ev.local = local or {}
            try:
                _compare(st, ev, net, l)
            except _NotApplicable:
                continue
            checked += 1
    if not checked:
        raise FormulaError("no network and layer where it applies")
    return checked


def _compare(st: Statement, ev: _Eval, net: Network, l):
    where = (f" at l = {l}" if l is not None else "") + f" (layer sizes {', '.join(map(str, net.sizes))}; m = {net.m})"
    quantity = _describe(st.sides[0])
    lhs = st.sides[0]
    column = lhs.column if isinstance(lhs, Sym) and lhs.column and lhs.column not in ev.index else None
    try:
        if column:  # dz^{(i)} = a^{(i)} - y^{(i)}: for every example i
            for i in range(net.m):
                ev.index[column] = i
                _compare_sides(st, ev, quantity, where + f", example i = {i + 1}")
            del ev.index[column]
        else:
            _compare_sides(st, ev, quantity, where)
    except Mismatch as error:
        if str(error).startswith(quantity + " as typeset"):
            raise
        raise Mismatch(f"{quantity} as typeset: {error}{where}") from None


def _compare_sides(st: Statement, ev: _Eval, quantity: str, where: str):
    free = _free_indices(st.sides[0])
    if free:
        whole = ev(_without_entries(st.sides[0]))
        shape = np.shape(whole) if len(free) == 2 else (np.shape(whole)[0],)
        values = []
        for point in product(*(range(n) for n in shape)):
            ev.index.update(zip(free, point))
            values.append([ev(side) for side in st.sides])
        for k in free:
            ev.index.pop(k, None)
        sides = [np.reshape([v[s] for v in values], shape) for s in range(len(st.sides))]
    else:
        sides = [ev(side) for side in st.sides]
    if any(np.shape(v) == () for v in sides):  # a number written as a sum of 1 x 1 terms is a number
        sides = [float(np.squeeze(v)) if np.shape(v) == (1, 1) else v for v in sides]
    reference = sides[0]
    for value in sides[1:]:
        if np.shape(value) == () and value == 0 and np.shape(reference) != ():
            value = np.zeros(np.shape(reference))  # "= 0": every entry is 0
        if np.shape(value) != np.shape(reference):
            raise Mismatch(f"{quantity} as typeset has shape {np.shape(value)}; the package gives "
                           f"{np.shape(reference)}{where}")
        # relative to the quantity's size; a quantity that is 0 up to rounding (db with batch norm) is compared with a
        # floor far below any quantity the pages state
        scale = max(float(np.max(np.abs(reference))) if np.size(reference) else 0.0, 1e-6)
        error = float(np.max(np.abs(np.asarray(value, dtype=float) - np.asarray(reference, dtype=float)))) / scale
        if not error <= RTOL:
            raise Mismatch(f"{quantity} as typeset differs from the package by a relative {error:.2g}{where}")


# --------------------------------------------------------------------------------------------------------------------
# Pages

@dataclass
class FormulaReport:
    label: str | None
    line: int | None
    status: str  # "checked", "marked", "unreadable", "wrong"
    message: str = ""


def _markers(node) -> tuple[str | None, str]:
    """(the reason of a ``% formula: not checked (reason)`` comment, the conditions of a ``% formula: where ...``
    comment) on the lines just before the node."""
    from docutils import nodes

    reason, where = None, ""
    parent = node.parent
    k = parent.index(node) if parent is not None else 0
    while k > 0 and isinstance(parent[k - 1], (nodes.comment, nodes.target)):  # a label is a target node
        if isinstance(parent[k - 1], nodes.target):
            k -= 1
            continue
        text = parent[k - 1].astext().strip()
        if MARKER.match(text):
            reason = MARKER.match(text).group(1)
        elif WHERE.match(text):
            where = WHERE.match(text).group(1)
            unknown = _CONDITION.sub("", where).replace(";", "").replace(",", "").replace("and", "").strip()
            if unknown:
                raise FormulaError(f"unknown condition {unknown!r} in '% formula: where'")
        k -= 1
    return reason, where


def check_tex(tex: str, where: str = "") -> int:
    """Check every equation of one display formula; the number of evaluations. A Mismatch carries `line_offset`,
    the line of the wrong equation within the formula."""
    total = 0
    found = statements(tex)
    # s = ...: a symbol the formula defines for its other equations, not a statement to check
    local = {st.sides[0].name: st.sides[1] for st in found if len(st.sides) == 2 and isinstance(st.sides[0], Sym)
             and st.sides[0].name in _LOCAL and not st.sides[0].sub and not st.sides[0].transpose}
    checks = [st for st in found if not (isinstance(st.sides[0], Sym) and st.sides[0].name in local)]
    if not checks:
        raise FormulaError("only definitions, no formula to check")
    for st in checks:
        try:
            total += check_statement(st, where, local)
        except (Mismatch, FormulaError) as error:
            error.line_offset = st.line_offset
            raise
        except (ArithmeticError, ValueError, TypeError, IndexError, KeyError) as error:  # never crash the build
            failure = FormulaError(f"the checker failed on it ({type(error).__name__}: {error})")
            failure.line_offset = st.line_offset
            raise failure from error
    return total


def page_report(doctree) -> list[FormulaReport]:
    """Every display equation of a page: checked, marked (with its reason), unreadable or wrong."""
    from docutils import nodes

    reports = []
    for node in doctree.findall(nodes.math_block):
        label = node.get("label") or (node["names"][0] if node.get("names") else None)
        try:
            reason, where = _markers(node)
        except FormulaError as error:
            reports.append(FormulaReport(label, node.line, "unreadable", str(error)))
            continue
        if reason is not None:
            reports.append(FormulaReport(label, node.line, "marked", reason))
            continue
        try:
            check_tex(node.astext(), where)
        except (Mismatch, FormulaError) as error:
            # node.line is the line of the opening $$; the TeX starts on the next one
            line = node.line + 1 + getattr(error, "line_offset", 0) if node.line else None
            status = "wrong" if isinstance(error, Mismatch) else "unreadable"
            reports.append(FormulaReport(label, line, status, str(error)))
        else:
            reports.append(FormulaReport(label, node.line, "checked"))
    return reports


_SIZE_ONLY = re.compile(r"^\s*(?:[mlLn](?:_x|_\{x\})?|n\^\{\[[^\]]*\]\})\s*=\s*[\d\s,.\\dotsLl]+$")
_CONDITION_AFTER = re.compile(r",?\s*(?:\\[ ,;])?\s*(?:\\text\{for \})?l\s*<\s*L\s*$")


def inline_report(doctree, whole_page: bool, page_where: str = "") -> list[FormulaReport]:
    """The formulas written inside answer boxes (or anywhere on a page such as the cheat sheet) that state an
    equation: each is checked like a display equation. One that cannot be read is reported, not failed (an inline
    formula cannot carry a marker); a statement of this page's sizes (m = 5) is skipped."""
    from docutils import nodes

    if whole_page:
        places = [doctree]
    else:
        places = [n for n in doctree.findall(nodes.Admonition)
                  if any(i.endswith("-answer") for i in n.get("ids", []))]
    reports = []
    for place in places:
        for node in place.findall(nodes.math):
            tex = node.astext()
            if "=" not in tex or ":=" in tex or _SIZE_ONLY.match(tex) or re.match(r"^\s*l\s*=", tex):
                continue
            where = "; ".join(filter(None, ["l < L" if _CONDITION_AFTER.search(tex) else "", page_where]))
            tex = _CONDITION_AFTER.sub("", tex)
            right = [side for side in _top_level_split(tex, "=")[1:]]
            if right and not any(re.search(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", "", side)) for side in right):
                continue  # a value of this page's own example (Z^{[2]} = 0), not a formula of the pass
            try:
                check_tex(tex, where)
            except Mismatch as error:
                reports.append(FormulaReport(None, node.line, "wrong", f"{tex}: {error}"))
            except FormulaError as error:
                reports.append(FormulaReport(None, node.line, "unreadable", f"{tex}: {error}"))
            else:
                reports.append(FormulaReport(None, node.line, "checked", tex))
    return reports


INLINE_PAGES = {"cheat-sheet"}  # pages whose every inline equation is a formula of the pass
# an inline formula cannot carry a marker: what holds for every one on a page (on batch norm's, a tilde is Z̃)
PAGE_WHERE = {"batch-norm": "batch norm"}


def _check_page(app, doctree):
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    docname = app.env.docname
    inline = [r for r in inline_report(doctree, docname in INLINE_PAGES, PAGE_WHERE.get(docname, ""))
              if r.status == "wrong"]
    for report in page_report(doctree) + inline:
        if report.status in ("checked", "marked"):
            continue
        what = "formula" + (f" ({report.label})" if report.label else "")
        if report.status == "wrong":
            message = f"{what}: {report.message}"
        else:
            message = (f"{what} cannot be checked: {report.message}. Fix the TeX, or mark it on the line above with "
                       "'% formula: not checked (why)'")
        logger.warning(message, location=(app.env.docname, report.line), type="formula", subtype=report.status)


def setup(app):
    import hashlib

    app.connect("doctree-read", _check_page)
    # a changed checker re-reads (and so re-checks) every page, even in an incremental build
    source = Path(__file__).read_bytes()
    return {"version": "1", "env_version": int(hashlib.sha256(source).hexdigest()[:12], 16),
            "parallel_read_safe": True, "parallel_write_safe": True}
