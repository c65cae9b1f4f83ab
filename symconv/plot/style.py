"""Style constants shared by every symconv figure: palette, fonts, sizes.

One place decides how the pictures look, so the book, the docs and the command line
draw alike. The palette is Okabe and Ito's set of eight colours, chosen to stay
distinguishable under the common forms of colour blindness; every signal also has
its own line style and marker, so the figures read in grey print as well.

>>> from symconv.plot import style
>>> style.OKABE_ITO["blue"], style.SIGNAL_COLORS["f"]
('#0072B2', '#0072B2')
>>> sorted(style.FORMATS)
['pdf', 'png', 'svg']

References
----------
M. Okabe and K. Ito, *Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people* (2008), https://jfly.uni-koeln.de/color/
"""

from cycler import cycler

__all__ = [
    "OKABE_ITO", "SIGNAL_COLORS", "SIGNAL_LINESTYLES", "SIGNAL_MARKERS", "CELL_COLORS",
    "CYCLE", "FONT_SIZE", "SMALL_FONT_SIZE", "TITLE_FONT_SIZE", "WIDTH", "PANEL_HEIGHT",
    "DPI", "FORMATS", "SAMPLES", "RC",
]

# Okabe-Ito: the colour-blind-safe qualitative palette (hex, as published)
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

# the three curves of a convolution picture: f, g and the result; "overlap" shades the
# product f(tau) g(t - tau) whose area is the value of the result
SIGNAL_COLORS = {
    "f": OKABE_ITO["blue"],
    "g": OKABE_ITO["vermillion"],
    "result": OKABE_ITO["black"],
    "overlap": OKABE_ITO["orange"],
    "mark": OKABE_ITO["green"],
    "guide": "#888888",
}
SIGNAL_LINESTYLES = {"f": "-", "g": "--", "result": "-"}
SIGNAL_MARKERS = {"f": "o", "g": "s", "result": "D"}

# grid diagrams (convolution arithmetic, matrices, kernels)
CELL_COLORS = {
    "input": "#A6D4F2",          # light sky blue: an input entry
    "padding": "#FFFFFF",        # a padding zero (drawn dashed)
    "inserted": "#FFFFFF",       # a zero inserted between inputs (transposed convolution)
    "cropped": "#E0E0E0",        # part of the stretched input that padding crops away
    "window": OKABE_ITO["orange"],  # a kernel tap of the highlighted window
    "output": "#9ED9C6",         # light bluish green: an output entry
    "selected": OKABE_ITO["orange"],  # the output the highlighted window computes
    "edge": "#404040",
    "positive": OKABE_ITO["blue"],
    "negative": OKABE_ITO["vermillion"],
    "zero": "#FFFFFF",
}

# colours for many categories (matrix entries, architecture bars), in order
CYCLE = [OKABE_ITO[name] for name in
         ("blue", "orange", "green", "vermillion", "purple", "sky_blue", "yellow", "black")]

FONT_SIZE = 10          # points: axis labels, legends
SMALL_FONT_SIZE = 8     # tick labels, cell labels, captions
TITLE_FONT_SIZE = 10.5  # panel titles
WIDTH = 6.0             # inches: fits a LaTeX text block at scale 1
PANEL_HEIGHT = 1.45     # inches per stacked signal panel
DPI = 150               # raster (PNG) resolution
FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
SAMPLES = 801           # points per continuous curve

# matplotlib settings applied while a symconv figure is built and saved (never globally)
RC = {
    "font.family": "DejaVu Sans",       # shipped with matplotlib: same look everywhere
    "mathtext.fontset": "dejavusans",
    "font.size": FONT_SIZE,
    "axes.titlesize": TITLE_FONT_SIZE,
    "axes.labelsize": FONT_SIZE,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=CYCLE),
    "xtick.labelsize": SMALL_FONT_SIZE,
    "ytick.labelsize": SMALL_FONT_SIZE,
    "legend.fontsize": SMALL_FONT_SIZE,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "svg.fonttype": "none",             # SVG text stays text (searchable, small)
    "svg.hashsalt": "symconv",          # reproducible SVG ids
    "pdf.fonttype": 3,                  # Type 3 subsets: measured faster to write than TrueType (42)
    "savefig.dpi": DPI,
}
