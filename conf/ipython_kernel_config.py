# IPython configuration of the kernels that execute the pages (conf.py passes it to every kernel).
# Figures are SVG, crisp at any screen density, and carry no date: a figure's bytes depend on the code that drew it
# and on conf/matplotlibrc only, so two builds of one commit give identical files, and a figure served from the
# execution cache is the figure a clean build draws.
c = get_config()  # noqa: F821 (IPython provides get_config to its configuration files)
c.InlineBackend.figure_formats = {"svg"}
c.InlineBackend.print_figure_kwargs = {"bbox_inches": "tight", "metadata": {"Date": None}}
