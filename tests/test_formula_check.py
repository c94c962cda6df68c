"""The typeset formulas execute (conf/formula_check.py): each equation's TeX, as the reader sees it, is evaluated.

The unit tests take the TeX of labelled equations straight from the pages' sources, edit it the way a formula goes
wrong (a transpose dropped, 1/m dropped, `*` turned into a product, a sign flipped, g′ turned into g, a layer index
shifted) and require the checker to call the edited formula wrong, naming the quantity; a correct formula written
another way must pass. tests/test_build.py proves that a real `make html` fails on such an edit, naming page and label.
"""

import re
import sys
from pathlib import Path

import pytest
from buildkit import labelled_equation

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "conf"))
import formula_check  # noqa: E402  (conf/ is where Sphinx loads it from)
from formula_check import FormulaError, Mismatch, check_tex, statements  # noqa: E402


def tex_of(page: str, label: str) -> str:
    """The TeX of the display equation `label` in book/<page>.md."""
    text = (ROOT / "book" / f"{page}.md").read_text()
    match = labelled_equation(text, label)
    assert match, f"{page}.md has no equation {label}"
    return match.group(1)


def edited(tex: str, old: str, new: str) -> str:
    assert tex.count(old) >= 1, f"{old!r} not in {tex!r}"
    return tex.replace(old, new, 1)


# -- Every labelled formula named here is checked, and passes -------------------------------------------------------

CHECKED = [
    ("notation", "eq-linear-forward"), ("notation", "eq-activation-forward"), ("notation", "eq-cost"),
    ("chain-rule", "eq-dz-from-da"), ("chain-rule", "eq-dz-hidden"), ("transpose", "eq-da-prev"),
    ("transpose", "eq-dw"), ("loss-vs-cost", "eq-dw-sum"), ("loss-vs-cost", "eq-db"),
    ("output-layer", "eq-dz-output"), ("output-layer", "eq-da-output"), ("output-layer", "eq-loss-bce"),
    ("l-layers", "eq-layer-backward-step"), ("logistic-regression", "eq-lr-forward"),
    ("logistic-regression", "eq-lr-dw"), ("logistic-regression", "eq-lr-db"), ("activations", "eq-tanh-prime"),
    ("activations", "eq-sigmoid-prime"), ("conventions", "eq-rows-backward"),
    ("output-layer", "eq-dz-from-logits"), ("output-layer", "eq-loss-from-logits"),
]


@pytest.mark.parametrize("page, label", CHECKED)
def test_each_core_formula_as_typeset_agrees_with_the_package(page, label):
    assert check_tex(tex_of(page, label)) > 0


# -- A wrong formula fails, of each kind, on three pages --------------------------------------------------------------

WRONG = [
    # a transpose dropped
    ("chain-rule", "eq-dz-hidden", "W^{[l+1]T}", "W^{[l+1]}"),
    ("transpose", "eq-dw", "A^{[l-1]T}", "A^{[l-1]}"),
    ("l-layers", "eq-layer-backward-step", "W^{[l]T} dZ^{[l]}", "W^{[l]} dZ^{[l]}"),
    ("logistic-regression", "eq-lr-dw", "dZ^T", "dZ"),
    # 1/m dropped
    ("transpose", "eq-dw", r"\frac{1}{m}", ""),
    ("loss-vs-cost", "eq-db", r"\frac1m \sum", r"\sum"),
    ("logistic-regression", "eq-lr-db", r"\frac1m", ""),
    ("l-layers", "eq-layer-backward-step", r"\tfrac{1}{m}\, dZ", "dZ"),
    # * turned into a matrix product
    ("chain-rule", "eq-dz-hidden", "dZ^{[l+1]} *", "dZ^{[l+1]}"),
    ("chain-rule", "eq-dz-from-da", "dA^{[l]} *", "dA^{[l]}"),
    ("l-layers", "eq-layer-backward-step", "dA^{[l]} *", "dA^{[l]}"),
    # a sign flipped
    ("output-layer", "eq-dz-output", "A^{[L]} - Y", "Y - A^{[L]}"),
    ("logistic-regression", "eq-lr-dz", "A - Y", "Y - A"),
    ("output-layer", "eq-da-output", r"-\left(", r"\left("),
    # g' turned into g
    ("chain-rule", "eq-dz-hidden", r"g^{[l]\prime}", "g^{[l]}"),
    ("chain-rule", "eq-dz-from-da", r"g^{[l]\prime}", "g^{[l]}"),
    ("l-layers", "eq-layer-backward-step", r"g^{[l]\prime}", "g^{[l]}"),
    # a layer index shifted
    ("chain-rule", "eq-dz-hidden", "dZ^{[l+1]}", "dZ^{[l]}"),
    ("transpose", "eq-da-prev", "dA^{[l-1]}", "dA^{[l]}"),
    ("transpose", "eq-dw", "A^{[l-1]T}", "A^{[l]T}"),
]


@pytest.mark.parametrize("page, label, old, new", WRONG)
def test_a_wrong_formula_fails_naming_the_quantity(page, label, old, new):
    with pytest.raises(Mismatch) as error:
        check_tex(edited(tex_of(page, label), old, new))
    assert re.match(r"\S+ as typeset( has shape \(| differs from the package by|: an? [\w-]+ (product|sum|division)"
                    r" of shapes)", str(error.value)), str(error.value)


def test_a_wrong_shape_is_reported_with_both_shapes():
    with pytest.raises(Mismatch, match=r"^dW\[l\] as typeset has shape \((\d+), (\d+)\); the package gives "
                                       r"\((?!\1, \2)\d+, \d+\)"):
        check_tex(r"dW^{[l]} = \frac{1}{m}\, \left(dZ^{[l]} A^{[l-1]T}\right)^T")


# -- A right formula written another way passes ---------------------------------------------------------------------

@pytest.mark.parametrize("tex", [
    r"dW^{[l]} = \tfrac{1}{m} dZ^{[l]} A^{[l-1]T}",
    r"dW^{[l]} = \frac1m\, dZ^{[l]} A^{[l-1]T}",
    r"dW^{[l]} = dZ^{[l]} A^{[l-1]T} \frac{1}{m}",
    r"dW^{[l]} = \frac{dZ^{[l]} A^{[l-1]T}}{m}",
    r"dZ^{[l]} = g^{[l]\prime}\!\left(Z^{[l]}\right) * \left(W^{[l+1]T} dZ^{[l+1]}\right)",
    r"dZ^{[l]} = g^{[l]\prime}(Z^{[l]}) \odot W^{[l+1]T} dZ^{[l+1]}",
    r"db^{[l]} = \frac{1}{m} \sum_{i=1}^{m} dz^{[l](i)}",
    r"dA^{[l-1]} = \left(dZ^{[l]T} W^{[l]}\right)^T",
])
def test_a_right_formula_written_another_way_passes(tex):
    assert check_tex(tex) > 0


def test_a_generic_layer_is_checked_at_every_layer_where_it_applies():
    # dZ[l] from dZ[l+1]: layers 1 to L-1 of every network (three-layer and two-layer ones)
    assert check_tex(r"dZ^{[l]} = W^{[l+1]T} dZ^{[l+1]} * g^{[l]\prime}(Z^{[l]})") == 2 + 2 + 1 + 1


def test_one_example_columns_and_the_scalar_one_unit_version_are_checked():
    assert check_tex(r"dz^{[1]} = W^{[2]T} dz^{[2]} * g^{[1]\prime}\left(z^{[1]}\right)") > 0
    assert check_tex(r"dz^{[1]} = w^{[2]}\, dz^{[2]}\, g^{[1]\prime}\!\left(z^{[1]}\right)") > 0
    with pytest.raises(Mismatch):  # with many units, a one-unit formula is wrong
        check_tex(r"dz^{[1]} = W^{[2]} dz^{[2]} * g^{[1]\prime}\left(z^{[1]}\right)")


def test_per_entry_formulas_are_checked_entry_by_entry():
    assert check_tex(r"da^{[l-1]}_k = \sum_{j=1}^{n^{[l]}} W^{[l]}_{jk}\, dz^{[l]}_j") > 0
    with pytest.raises(Mismatch):
        check_tex(r"da^{[l-1]}_k = \sum_{j=1}^{n^{[l]}} W^{[l]}_{kj}\, dz^{[l]}_j")


def test_an_aligned_block_is_checked_line_by_line_and_reports_the_wrong_line():
    tex = "\\begin{aligned}\nZ^{[l]} &= W^{[l]} A^{[l-1]} + b^{[l]}, \\\\\nA^{[l]} &= g^{[l]}(W^{[l]})\n\\end{aligned}"
    found = statements(tex)
    assert [s.line_offset for s in found] == [1, 2]
    with pytest.raises(Mismatch):
        check_tex(tex)


def test_tex_the_checker_cannot_read_is_an_error_not_a_pass():
    for tex in [r"\frac{f(t + \varepsilon) - f(t)}{\varepsilon}", r"dZ^{[l]} \approx \mathfrak{d}", r"x"]:
        with pytest.raises(FormulaError):
            check_tex(tex)


def test_where_conditions_restrict_the_networks():
    tanh_rule = r"g^{[1]\prime}\!\left(Z^{[1]}\right) = 1 - \left(A^{[1]}\right)^2"
    with pytest.raises(Mismatch):  # not true of a ReLU layer
        check_tex(tanh_rule)
    assert check_tex(tanh_rule, where="layer 1 is tanh") > 0


def test_page_report_counts_marked_and_checked_equations():
    doctree = _doctree(
        "% formula: not checked (a Taylor expansion)\n$$\nf(t + h) = f(t) + h f'(t)\n$$\n\n"
        "$$\ndZ^{[L]} = A^{[L]} - Y\n$$ (eq-x)\n\n$$\ndZ^{[L]} = Y - A^{[L]}\n$$\n\n$$\n\\mathfrak{z} = 1\n$$\n"
    )
    statuses = [(r.label, r.status) for r in formula_check.page_report(doctree)]
    assert statuses == [(None, "marked"), ("eq-x", "checked"), (None, "wrong"), (None, "unreadable")]


def _doctree(source):
    from docutils.core import publish_doctree
    from myst_parser.parsers.docutils_ import Parser

    return publish_doctree(source, parser=Parser(), settings_overrides={
        "myst_enable_extensions": ["dollarmath", "amsmath", "colon_fence"], "report_level": 5})


def test_equations_inside_an_answer_box_are_checked_and_the_page_size_is_not():
    doctree = _doctree(
        "(x-answer)=\n:::{admonition} The answer in one line\n:class: tip\n"
        "$dZ^{[L]} = Y - A^{[L]}$, with $m = 5$ examples, and $dW^{[l]} = \\frac1m dZ^{[l]} A^{[l-1]T}$.\n:::\n\n"
        "Outside the box, $dZ^{[L]} = Y$ is prose, not checked.\n"
    )
    statuses = [r.status for r in formula_check.inline_report(doctree, whole_page=False)]
    assert statuses == ["wrong", "checked"]


def test_a_condition_written_after_an_inline_formula_restricts_its_layers():
    doctree = _doctree("$dZ^{[l]} = W^{[l+1]T} dZ^{[l+1]} * g^{[l]\\prime}(Z^{[l]}),\\ l < L$\n")
    assert [r.status for r in formula_check.inline_report(doctree, whole_page=True)] == ["checked"]


def test_one_example_formulas_see_both_signs_of_z():
    # relu'(z) by cases is only tested if the one-example networks' z take both signs
    zs = [float(net.values[("Z", 1)][0, 0]) for net in formula_check._networks("week2", True)]
    assert min(zs) < 0 < max(zs)


def test_a_derivative_by_cases_is_checked_case_by_case():
    relu = "\\operatorname{relu}'(z) = \\begin{cases} 1, & z > 0,\\\\ 0, & z < 0,\\\\ c, & z = 0. \\end{cases}"
    assert check_tex(relu) > 0
    with pytest.raises(Mismatch):
        check_tex(relu.replace("1, & z > 0", "0, & z > 0"))


def test_jacobians_and_numerator_layout_rows_are_checked_by_centred_differences():
    where = "numerator layout"
    assert check_tex(r"\frac{\partial z^{[2]}}{\partial a^{[1]}} = W^{[2]}", where) > 0
    assert check_tex(r"\frac{\partial \mathcal L}{\partial a^{[1]}} = \frac{\partial \mathcal L}{\partial z^{[2]}} W^{[2]}",
                     where) > 0
    with pytest.raises(Mismatch):  # the transpose belongs to the column, not to the row
        check_tex(r"\frac{\partial \mathcal L}{\partial a^{[1]}} = W^{[2]T} dz^{[2]}", where)


def test_softmax_formulas_are_checked_on_softmax_networks():
    where = "the output is softmax"
    assert check_tex(r"\frac{\partial a}{\partial z} = \operatorname{diag}(a) - a\,a^{T}", where) > 0
    with pytest.raises(Mismatch):
        check_tex(r"\frac{\partial a}{\partial z} = \operatorname{diag}(a) - a^{T} a", where)


def test_a_formula_that_writes_lambda_is_about_the_l2_regularised_cost():
    assert check_tex(r"dW^{[l]} = \frac1m dZ^{[l]} A^{[l-1]T} + \frac{\lambda}{m} W^{[l]}") > 0
    with pytest.raises(Mismatch):  # the derivative's 2 forgotten
        check_tex(r"dW^{[l]} = \frac1m dZ^{[l]} A^{[l-1]T} + \frac{\lambda}{2m} W^{[l]}")


def test_columns_side_by_side_and_the_derivative_of_the_summed_losses_are_checked():
    tex = (r"dZ^{[l]} = \begin{bmatrix} dz^{[l](1)} & \cdots & dz^{[l](m)} \end{bmatrix}"
           r" = \frac{\partial}{\partial Z^{[l]}} \sum_{i=1}^{m} \mathcal L^{(i)} = m \frac{\partial J}{\partial Z^{[l]}}")
    assert check_tex(tex) > 0
    with pytest.raises(Mismatch):  # dZ is not ∂J/∂Z: the factor m
        check_tex(r"dZ^{[l]} = \frac{\partial J}{\partial Z^{[l]}}")


def test_an_identity_for_every_change_is_checked_on_random_changes():
    where = "one layer, A its input"
    tex = r"\langle dZ, W\, \Delta A\rangle = \operatorname{tr}(dZ^T W\, \Delta A) = \langle W^T dZ, \Delta A\rangle"
    assert check_tex(tex, where) > 0
    with pytest.raises(Mismatch):
        check_tex(r"\langle dZ, \Delta W\, A\rangle = \langle dZ\, A, \Delta W\rangle", where)


def test_a_symbol_the_formula_defines_is_bound_for_its_other_equations():
    where = "the output is softmax"
    tex = tex_of("products", "eq-softmax-dz-from-da")
    assert r"s = \mathbf 1^T" in tex and check_tex(tex, where) > 0
    with pytest.raises(Mismatch, match=r"^dZ as typeset differs"):
        check_tex(edited(tex, r"dA - \mathbf 1 s", r"dA + \mathbf 1 s"), where)
    with pytest.raises(Mismatch):  # 1 s copies each example's s down its column; s 1 would add up the examples
        check_tex(edited(tex, r"dA - \mathbf 1 s", r"dA - s\, \mathbf 1"), where)
    with pytest.raises(Mismatch):  # 1^T sums each column over the K classes; a sum over the examples is wrong
        check_tex(edited(tex, r"\mathbf 1^T (A * dA)", r"(A * dA) \mathbf 1"), where)
    with pytest.raises(FormulaError, match="does not define"):
        check_tex(r"dZ = A * \left(dA - \mathbf 1 s\right)", where)


def test_a_line_that_names_the_output_is_checked_on_that_output():
    tex = tex_of("output-layer", "eq-dz-from-logits")
    assert [st.output for st in statements(tex)] == ["sigmoid", "softmax"]
    with pytest.raises(Mismatch, match=r"^dz_k as typeset"):  # the softmax line, with k kept in the sum
        check_tex(edited(tex, r"\sum_{j \neq k}", r"\sum_{j}"))
    with pytest.raises(Mismatch, match=r"^dz as typeset"):
        check_tex(edited(tex, r"y * \sigma(-z)", r"y * \sigma(z)"))


def test_a_sum_without_a_bound_runs_over_the_entries_it_indexes():
    assert check_tex(r"da^{[l-1]}_k = \sum_j W^{[l]}_{jk}\, dz^{[l]}_j") > 0
    with pytest.raises(Mismatch, match="index j runs over"):  # W's rows and columns swapped
        check_tex(r"da^{[l-1]}_k = \sum_j W^{[l]}_{kj}\, dz^{[l]}_j")


def test_one_weight_and_m_examples_with_the_sum_written_out():
    where = "one weight, a its input"
    tex = r"z^{(i)} = w\, a^{(i)} + b, \qquad J = \frac1m \left( \mathcal L^{(1)} + \cdots + \mathcal L^{(m)} \right)"
    assert check_tex(tex, where) > 0
    with pytest.raises(Mismatch, match=r"^J as typeset"):
        check_tex(edited(tex, r"\frac1m \left(", r"\left("), where)
    assert check_tex(r"\frac{\partial J}{\partial w} = \frac1m \sum_{i=1}^{m} dz^{(i)}\, a^{(i)}", where) > 0
    with pytest.raises(Mismatch, match=r"^∂J/∂w as typeset"):
        check_tex(r"\frac{\partial J}{\partial w} = \sum_{i=1}^{m} dz^{(i)}\, a^{(i)}", where)


def test_inline_forms_a_slash_derivative_a_division_and_g_of_a_layer_s_z():
    assert check_tex(r"\partial J / \partial Z^{[L]} = \frac1m dZ^{[L]}") > 0
    assert check_tex(r"dA^{[L]} = (A^{[L]} - Y) / (A^{[L]} * (1 - A^{[L]}))") > 0
    with pytest.raises(Mismatch, match="a matrix product of shapes"):  # juxtaposition is a matrix product
        check_tex(r"dA^{[L]} = (A^{[L]} - Y) / (A^{[L]}(1 - A^{[L]}))")
    assert check_tex(r"dZ^{[l]} = dA^{[l]} * g'(Z^{[l]})") > 0
    with pytest.raises(Mismatch):
        check_tex(r"dZ^{[l]} = dA^{[l]} * g(Z^{[l]})")


def test_the_chain_through_the_row_of_losses_is_checked_with_one_output_unit():
    where = "the output has one unit"
    tex = tex_of("transpose", "eq-dj-dz-chain")
    assert check_tex(tex, where) > 0
    with pytest.raises(Mismatch, match=r"^∂J/∂Z\[L\] as typeset"):  # the 1/m of the mean dropped
        check_tex(edited(tex, r"\tfrac1m \begin", r"\begin"), where)
    with pytest.raises(FormulaError):  # no network with a wider output qualifies for a (1, m) row of losses
        check_tex(tex, "the output has one unit; the output is softmax")


def test_a_stable_loss_with_max_absolute_value_and_a_defined_shift_is_checked():
    tex = tex_of("output-layer", "eq-loss-from-logits")
    assert r"c = \max_j z_j" in tex and check_tex(tex) > 0
    with pytest.raises(Mismatch, match=r"^L as typeset"):  # exp of a positive argument, and wrong
        check_tex(edited(tex, "e^{-|z_k|}", "e^{|z_k|}"))
    with pytest.raises(Mismatch, match=r"^L as typeset"):
        check_tex(edited(tex, "e^{z_j - c}", "e^{z_j + c}"))


def test_derivatives_written_with_d_are_checked_as_one_unit_s_derivatives():
    tex = r"\frac{d\mathcal L}{dz} = \frac{a - y}{a(1-a)} \cdot a(1-a) = a - y"
    assert check_tex(tex) > 0
    with pytest.raises(Mismatch, match=r"^∂L/∂z as typeset"):
        check_tex(edited(tex, "= a - y", "= y - a"))
    chain = (r"\frac{d\mathcal L}{dz^{[1]}} = \underbrace{\frac{d\mathcal L}{da^{[2]}}\,\frac{da^{[2]}}{dz^{[2]}}}"
             r"_{dz^{[2]}} \;\underbrace{\frac{dz^{[2]}}{da^{[1]}}}_{w^{[2]}}"
             r" \;\underbrace{\frac{da^{[1]}}{dz^{[1]}}}_{g^{[1]\prime}(z^{[1]})}")
    assert check_tex(chain, "one unit per layer") > 0
    with pytest.raises(Mismatch):  # a factor of the chain left out
        check_tex(edited(chain, r"\;\underbrace{\frac{da^{[1]}}{dz^{[1]}}}", r"\;\underbrace{1}"), "one unit per layer")


def test_entries_of_one_example_s_jacobians_are_checked():
    tex = (r"\frac{\partial \mathcal L}{\partial z^{[1]}_k} = \sum_{j=1}^{n^{[2]}} \frac{\partial \mathcal L}"
           r"{\partial z^{[2]}_j}\, \frac{\partial z^{[2]}_j}{\partial a^{[1]}_k}\, \frac{\partial a^{[1]}_k}"
           r"{\partial z^{[1]}_k} = \Bigl(\sum_{j=1}^{n^{[2]}} W^{[2]}_{jk}\, dz^{[2]}_j\Bigr)\,"
           r" g^{[1]\prime}(z^{[1]}_k)")
    assert check_tex(tex) > 0
    with pytest.raises(Mismatch):  # ∂z_j/∂a_k is W_jk, not W_kj
        check_tex(edited(tex, "W^{[2]}_{jk}", "W^{[2]}_{kj}"))
    with pytest.raises(Mismatch):  # the activation's factor left out of the chain
        check_tex(edited(tex, r"\, \frac{\partial a^{[1]}_k}{\partial z^{[1]}_k}", ""))


# -- Course 2: L2, inverted dropout, batch norm (networks with that option on) ----------------------------------------

def test_l2_formulas_are_checked_against_the_package_s_regularized_cost_and_gradients():
    cost = r"J = \frac1m \sum_{i=1}^{m} \mathcal L^{(i)} + \frac{\lambda}{2m} \sum_{l=1}^{L} \lVert W^{[l]} \rVert_F^2"
    assert check_tex(cost) > 0
    with pytest.raises(Mismatch, match=r"^J as typeset"):
        check_tex(edited(cost, r"\frac{\lambda}{2m}", r"\frac{\lambda}{m}"))
    dw = r"dW^{[l]} = \frac{\partial J}{\partial W^{[l]}} = \frac1m dZ^{[l]} A^{[l-1]T} + \frac{\lambda}{m} W^{[l]}"
    assert check_tex(dw) > 0
    with pytest.raises(Mismatch, match=r"^dW\[l\] as typeset"):  # the 1/m of the penalty forgotten
        check_tex(edited(dw, r"\frac{\lambda}{m}", r"\lambda"))


DROPOUT = [  # (right, wrong): written for hidden layers, l < L
    (r"A^{[l]} = g^{[l]}(Z^{[l]}) * D^{[l]} / \mathrm{keep\_prob}", r"A^{[l]} = g^{[l]}(Z^{[l]}) * D^{[l]}"),
    (r"dZ^{[l]} = \big(dA^{[l]} * D^{[l]} / \mathrm{keep\_prob}\big) * g^{[l]\prime}(Z^{[l]})",
     r"dZ^{[l]} = \big(dA^{[l]} * D^{[l]} * \mathrm{keep\_prob}\big) * g^{[l]\prime}(Z^{[l]})"),
    (r"dZ^{[l]} = \big(dA^{[l]} * D^{[l]} / \mathrm{keep\_prob}\big) * g^{[l]\prime}(Z^{[l]})",
     r"dZ^{[l]} = dA^{[l]} * g^{[l]\prime}(Z^{[l]}) / \mathrm{keep\_prob}"),  # the mask not applied backward
]


@pytest.mark.parametrize("right, wrong", DROPOUT)
def test_dropout_formulas_are_checked_on_networks_with_fixed_masks(right, wrong):
    assert check_tex(right, "l < L") > 0
    with pytest.raises(Mismatch):
        check_tex(wrong, "l < L")


BATCH_NORM = [  # (right, wrong): written for the normalised hidden layers, l < L
    (r"\sigma^{2[l]} = \frac1m \sum_{i=1}^{m} \big(z^{[l](i)} - \mu^{[l]}\big)^2",
     r"\sigma^{2[l]} = \frac{1}{m-1} \sum_{i=1}^{m} \big(z^{[l](i)} - \mu^{[l]}\big)^2"),
    (r"\hat Z^{[l]} = (Z^{[l]} - \mu^{[l]}) / \sqrt{\sigma^{2[l]} + \varepsilon}, \qquad"
     r" \tilde Z^{[l]} = \gamma^{[l]} * \hat Z^{[l]} + \beta^{[l]}",
     r"\hat Z^{[l]} = (Z^{[l]} - \mu^{[l]}) / \sigma^{2[l]}"),
    (r"d\gamma^{[l]} = \frac1m \sum_{i=1}^{m} d\tilde z^{[l](i)} * \hat z^{[l](i)}",
     r"d\gamma^{[l]} = \frac1m \sum_{i=1}^{m} d\tilde z^{[l](i)}"),
    (r"dZ^{[l]} = \frac{\gamma^{[l]}}{\sqrt{\sigma^{2[l]} + \varepsilon}} * \big(d\tilde Z^{[l]} - d\beta^{[l]}"
     r" - \hat Z^{[l]} * d\gamma^{[l]}\big)",
     r"dZ^{[l]} = \frac{\gamma^{[l]}}{\sqrt{\sigma^{2[l]} + \varepsilon}} * d\tilde Z^{[l]}"),  # μ, σ² as constants
]


@pytest.mark.parametrize("right, wrong", BATCH_NORM)
def test_batch_norm_formulas_are_checked_on_normalised_networks(right, wrong):
    assert check_tex(right, "l < L") > 0
    with pytest.raises(Mismatch):
        check_tex(wrong, "l < L")


def test_with_batch_norm_the_course_1_step_is_wrong_and_one_example_alone_is_refused():
    with pytest.raises(Mismatch):  # g' of Z̃, and the path through μ and σ², are missing
        check_tex(r"dZ^{[l]} = dA^{[l]} * g^{[l]\prime}(Z^{[l]})", "l < L; batch norm")
    assert check_tex(r"d\tilde Z^{[l]} = dA^{[l]} * g^{[l]\prime}(\tilde Z^{[l]})", "l < L; batch norm") > 0
    with pytest.raises(FormulaError, match="coupled"):  # no formula for one example alone
        check_tex(r"\mu^{[l]} = z^{[l]}", "l < L")


def test_a_written_expression_s_own_derivative_and_a_sum_over_layers_with_its_own_letter():
    tex = (r"\frac{\partial}{\partial W^{[l]}_{jk}} \left( \frac{\lambda}{2m} \sum_{p=1}^{L}"
           r" \bigl\lVert W^{[p]} \bigr\rVert_F^2 \right) = \frac{\lambda}{m} W^{[l]}_{jk}")
    assert check_tex(tex) > 0
    with pytest.raises(Mismatch, match=r"^∂\(…\)/∂W\[l\]_j_k as typeset"):  # the 2 of the square forgotten
        check_tex(edited(tex, r"= \frac{\lambda}{m}", r"= \frac{\lambda}{2m}"))


def test_an_update_is_checked_against_the_package_s_descent_step():
    tex = (r"W^{[l]} := W^{[l]} - \alpha\, dW^{[l]} = \Bigl(1 - \frac{\alpha \lambda}{m}\Bigr) W^{[l]}"
           r" - \alpha \, \frac1m dZ^{[l]} A^{[l-1]T}")
    assert check_tex(tex) > 0
    with pytest.raises(Mismatch, match=r"^the updated W\[l\] as typeset"):
        check_tex(edited(tex, r"- \alpha \, \frac1m", r"- \alpha \,"))
    with pytest.raises(Mismatch, match=r"^the updated b\[l\] as typeset"):  # ascent, not descent
        check_tex(r"b^{[l]} := b^{[l]} + \alpha\, db^{[l]}")
