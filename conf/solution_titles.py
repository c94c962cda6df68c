"""Sphinx extension: a solution's title is one control, that opens and closes the solution.

sphinx-exercise titles a solution "Solution to Exercise 5", with "Exercise 5" a link to the exercise, and
sphinx-togglebutton makes the whole title open and close the solution. A click on the link was the link's: the page
jumped to the exercise and the solution stayed closed (issue 15). Every solution follows its exercise, so the link
takes the reader nowhere new: the title keeps its words and loses the link. book/_static/site.css adds the hint,
"Show solution" or "Hide solution", next to the title's button.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_exercise.nodes import solution_node


class SolutionTitleWithoutLink(SphinxPostTransform):
    default_priority = 900  # after sphinx-exercise writes the title (its post-transform 21)
    formats = ("html",)

    def run(self, **kwargs) -> None:
        for solution in self.document.findall(solution_node):
            title = solution.children[0]
            for link in list(title.findall(nodes.reference)):
                link.replace_self(link.children)


def setup(app: Sphinx) -> dict:
    app.add_post_transform(SolutionTitleWithoutLink)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
