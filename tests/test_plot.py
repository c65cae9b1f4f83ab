"""symconv.plot and ``symconv plot``: what the figures show is checked against the
closed forms, the numeric executor and the library's shape rules (no pixel hashes)."""

import itertools
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import sympy as sp

import symconv as sc
import symconv.numeric as sn
from symconv.cli import main
from symconv.errors import SymconvError
from symconv.plot import (
    figure_bytes,
    plot_architecture,
    plot_flip_and_slide,
    plot_kernel,
    plot_layer,
    plot_matrix,
    plot_signals,
    save_animation,
    save_figure,
)
from symconv.plot._sampling import breakpoints
from symconv.plot.layer import layer_geometry

t = sp.Symbol("t", real=True)
n = sp.Symbol("n", integer=True)
a = sp.Symbol("a", positive=True)
SVG = "{http://www.w3.org/2000/svg}"


def by_gid(artists, gid):
    return [artist for artist in artists if artist.get_gid() == gid]


def exact_values(expr, var, xs):
    """The closed form evaluated by SymPy (exactly, then rounded) at the points xs."""
    return np.array([float(sp.N(expr.subs(var, sp.nsimplify(x)), 20)) for x in xs])


def away_from(xs, points, margin=1e-3):
    points = [float(p) for p in points]
    return [i for i, x in enumerate(xs) if all(abs(x - p) > margin for p in points)]


# ---------------------------------------------------------------------------
# plot_signals
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("f, g, op", [
    (sp.exp(-t) * sc.u(t), sc.rect(t), "conv"),
    (sc.rect(t), sc.rect(t), "conv"),
    (sc.rect(t), sp.exp(-t) * sc.u(t), "corr"),
    (sc.tri(t), sc.u(t), "conv"),
])
def test_plotted_curves_are_the_closed_forms_at_the_sample_points(f, g, op):
    result = (sc.conv if op == "conv" else sc.corr)(f, g, t)
    fig = plot_signals(f, g, t, op=op)
    axes = fig.axes[:3]
    for axis, gid, expr in zip(axes, ("f", "g", "result"), (f, g, result)):
        (line,) = by_gid(axis.lines, gid)
        xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        assert len(xs) >= 800
        # about 15 sample points spread over the curve, away from the jumps
        jumps = breakpoints(expr, t)
        chosen = away_from(xs, jumps)[:: max(1, len(xs) // 15)]
        expected = exact_values(expr, t, xs[chosen])
        np.testing.assert_allclose(ys[chosen], expected, rtol=1e-9, atol=1e-12)


def test_breakpoints_are_marked_at_the_exact_places_and_pieces_listed():
    fig = plot_signals(sc.rect(t), sc.rect(t), t)
    result_axis = fig.axes[2]
    guides = sorted(line.get_xdata()[0] for line in result_axis.lines
                    if (line.get_gid() or "").startswith("breakpoint-"))
    assert guides == [-1.0, 0.0, 1.0]
    title = "\n".join(text.get_text() for text in result_axis.texts)
    for interval in ("t < −1", "−1 < t < 0", "0 < t < 1", "t > 1"):
        assert interval in title
    # the two linear pieces appear as formulas
    assert title.count("for") == 4


def test_a_listed_piece_that_disagrees_with_the_curve_is_not_printed():
    from symconv.plot import _sampling
    from symconv.plot.signals import _pieces_agree, pieces

    wrong = sp.Piecewise((0, t < 0), (t, t < 1), (0, True))
    listed = pieces(wrong, t, [0, 1])
    truth = _sampling.as_signal(sp.Piecewise((0, t < 0), (2 * t, t < 1), (0, True)), t, {}, "x")
    assert not _pieces_agree(listed, truth, -1, 2)
    same = _sampling.as_signal(wrong, t, {}, "x")
    assert _pieces_agree(listed, same, -1, 2)


def test_discrete_signals_are_stems_matching_the_closed_form_and_numpy():
    f = sc.u(n) - sc.u(n - 4)
    g = sp.Rational(1, 2) ** n * sc.u(n)
    result = sc.conv(f, g, n)
    fig = plot_signals(f, g, n)
    (markers,) = by_gid(fig.axes[2].lines, "result")
    xs = np.asarray(markers.get_xdata())
    ys = np.asarray(markers.get_ydata())
    assert np.all(xs == np.round(xs))                          # integers only
    assert len(by_gid(fig.axes[2].collections, "result-stems")) == 1
    np.testing.assert_allclose(ys, exact_values(result, n, xs), rtol=1e-12)
    # an independent check: NumPy's convolution of the samples from n = 0
    fv = np.array([1.0, 1, 1, 1])
    gv = 0.5 ** np.arange(40)
    full = np.convolve(fv, gv)
    for x, y in zip(xs, ys):
        assert y == pytest.approx(full[int(x)] if 0 <= x < 40 else 0.0, abs=1e-12)


@pytest.mark.parametrize("op", ["conv", "corr"])
def test_sequences_give_numpys_full_result_at_the_right_indices(op):
    x, h = [1, 2, 3, -1], [2, -1, 1]
    fig = plot_signals(x, h, op=op)
    (markers,) = by_gid(fig.axes[2].lines, "result")
    xs, ys = np.asarray(markers.get_xdata()), np.asarray(markers.get_ydata())
    expected = np.convolve(x, h) if op == "conv" else np.correlate(x, h, "full")
    start = 0 if op == "conv" else -(len(h) - 1)
    for k, value in enumerate(expected):
        index = np.flatnonzero(xs == start + k)
        assert len(index) == 1 and ys[index[0]] == value
    assert np.all(ys[(xs < start) | (xs >= start + len(expected))] == 0)


def test_impulses_are_arrows_of_their_weight():
    fig = plot_signals(2 * sc.delta(t - 1), sc.tri(t), t)
    (arrow,) = by_gid(fig.axes[0].texts, "f-impulse")
    assert arrow.xy == (1.0, 2.0)
    (line,) = by_gid(fig.axes[2].lines, "result")
    xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    np.testing.assert_allclose(ys, 2 * np.clip(1 - np.abs(xs - 1), 0, None), atol=1e-12)


def test_symbols_need_values():
    with pytest.raises(SymconvError, match=r"subs=\{a: \.\.\.\}, but a has none"):
        plot_signals(sp.exp(-a * t) * sc.u(t), sc.u(t), t)
    fig = plot_signals(sp.exp(-a * t) * sc.u(t), sc.u(t), t, subs={"a": 2})
    (line,) = by_gid(fig.axes[2].lines, "result")
    xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    positive = xs > 0.01
    np.testing.assert_allclose(ys[positive], (1 - np.exp(-2 * xs[positive])) / 2, rtol=1e-12)
    with pytest.raises(SymconvError, match="subs values must be real numbers"):
        plot_signals(sp.exp(-a * t) * sc.u(t), sc.u(t), t, subs={a: "x"})


@pytest.mark.parametrize("kwargs, message", [
    ({"op": "mul"}, "op must be 'conv' or 'corr'"),
    ({"result": sp.Integral(sp.exp(-t ** 4), (t, 0, 1)) * t}, "only a closed form"),
    ({"xlim": (2, 1)}, "xlim must be finite with lo < hi"),
    ({"ax": "axes"}, "ax must be None or a sequence of 3"),
])
def test_bad_input_raises_symconv_error(kwargs, message):
    with pytest.raises(SymconvError, match=message):
        plot_signals(sc.rect(t), sc.rect(t), t, **kwargs)


def test_values_beyond_floats_are_refused():
    with pytest.raises(SymconvError, match="values a float can hold"):
        plot_signals(sp.exp(-a * t) * sc.u(t), sc.u(t), t, subs={a: sp.Integer(10) ** 400})


def test_complex_signals_are_refused():
    with pytest.raises(SymconvError, match="plot_signals: f: signals must be real-valued"):
        plot_signals(sp.I * sc.rect(t), sc.rect(t), t)


def test_mixed_sequence_and_formula_is_refused():
    with pytest.raises(SymconvError, match="both be sequences or both be expressions"):
        plot_signals([1, 2], sc.rect(t), t)


def test_drawing_into_the_callers_axes():
    from matplotlib.figure import Figure

    fig = Figure()
    axes = fig.subplots(3, 1)
    assert plot_signals(sc.rect(t), sc.rect(t), t, ax=list(axes)) is fig
    assert by_gid(axes[2].lines, "result")


# ---------------------------------------------------------------------------
# plot_flip_and_slide
# ---------------------------------------------------------------------------

def signed_area(collection):
    """Shoelace area of every polygon of a fill (positive above the axis)."""
    total = 0.0
    for path in collection.get_paths():
        for polygon in path.to_polygons():
            x, y = polygon[:, 0], polygon[:, 1]
            total += 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
    return abs(total) if total else 0.0


@pytest.mark.parametrize("f, g, op, at", [
    (sp.exp(-t) * sc.u(t), sc.rect(t), "conv", [-0.25, 0.5, 2]),
    (sc.rect(t), sp.exp(-t) * sc.u(t), "corr", [-1, 0]),
    (sc.tri(t), sc.rect(t), "conv", [0, 1]),
])
def test_shaded_area_is_the_value_marked_on_the_result(f, g, op, at):
    result = (sc.conv if op == "conv" else sc.corr)(f, g, t)
    fig = plot_flip_and_slide(f, g, t, at=at, op=op)
    (marks,) = by_gid(fig.axes[-1].lines, "marks")
    expected = exact_values(result, t, at)
    np.testing.assert_allclose(marks.get_ydata(), expected, rtol=1e-12)
    for i, value in enumerate(expected):
        (fill,) = by_gid(fig.axes[i].collections, f"overlap-{i}")
        assert signed_area(fill) == pytest.approx(value, rel=2e-3, abs=1e-4)


def test_discrete_flip_and_slide_bars_sum_to_the_value():
    f = sc.u(n) - sc.u(n - 4)
    g = sp.Rational(1, 2) ** n * sc.u(n)
    result = sc.conv(f, g, n)
    at = [0, 3, 6]
    fig = plot_flip_and_slide(f, g, n, at=at)
    for i, shift in enumerate(at):
        bars = by_gid(fig.axes[i].patches, f"overlap-{i}")
        total = sum(bar.get_height() for bar in bars)
        assert total == pytest.approx(float(result.subs(n, shift)), abs=1e-12)


def test_flip_and_slide_rejects_bad_shifts():
    with pytest.raises(SymconvError, match="at must hold 1 to 6 shifts"):
        plot_flip_and_slide(sc.rect(t), sc.rect(t), t, at=list(range(7)))
    with pytest.raises(SymconvError, match="at must be a list of real numbers"):
        plot_flip_and_slide(sc.rect(t), sc.rect(t), t, at=["x"])
    with pytest.raises(SymconvError, match="discrete signals shift by integers"):
        plot_flip_and_slide(sc.u(n), sc.u(n), n, at=[0.5])


def test_animation_writes_gif_and_html(tmp_path):
    from PIL import Image

    animation = plot_flip_and_slide(sc.rect(t), sc.rect(t), t, animate=True, frames=4)
    gif = save_animation(animation, tmp_path / "slide.gif", fps=4, dpi=40)
    with Image.open(gif) as image:
        assert image.n_frames == 4
    html = save_animation(animation, tmp_path / "slide.html", dpi=40).read_text()
    assert "<script" in html and "data:image/png;base64" in html
    with pytest.raises(SymconvError, match="must end in .gif or .html"):
        save_animation(animation, tmp_path / "slide.mp4")


# ---------------------------------------------------------------------------
# plot_layer: the window is the receptive field the executor computes with
# ---------------------------------------------------------------------------

def influence_forward(n_in, k, s, p, d, i):
    """Inputs that output i of a 1-D convolution reads, from the numeric executor."""
    x = np.ones((1, 1, n_in))
    w = np.ones((1, 1, k))
    out = sn.conv_layer(x, w, stride=s, padding=[p], dilation=d).shape[-1]
    grad = np.zeros((1, 1, out))
    grad[0, 0, i] = 1.0
    grad_x = sn.conv_layer_backward(x, w, grad, stride=s, padding=[p], dilation=d)[0]
    return set(np.flatnonzero(grad_x[0, 0]))


def influence_transposed(n_in, k, s, p, d, op, i):
    """Inputs that output i of a 1-D transposed convolution depends on (executor)."""
    found = set()
    for j in range(n_in):
        x = np.zeros((1, 1, n_in))
        x[0, 0, j] = 1.0
        y = sn.conv_transpose_layer(x, np.ones((1, 1, k)), stride=s, padding=p,
                                    output_padding=op, dilation=d)
        if y[0, 0, i] != 0:
            found.add(j)
    return found


def window_inputs(geometry):
    return {geometry.sources[c] for c in geometry.window if geometry.sources[c] is not None}


@pytest.mark.parametrize("n_in, k, s, p, d", [
    combo for combo in itertools.product([3, 5, 6], [1, 2, 3], [1, 2, 3], [(0, 0), (1, 1), (0, 2)],
                                         [1, 2])
    if combo[0] + sum(combo[3]) >= combo[4] * (combo[1] - 1) + 1])
def test_layer_window_is_what_the_executor_reads(n_in, k, s, p, d):
    pair = p
    out = sc.conv_output_size(n_in, k, s, pair, d)
    for i in range(out):
        geometry = layer_geometry(n_in, k, s, pair, d, False, 0, i)
        assert geometry.output == out and len(geometry.window) == k
        assert window_inputs(geometry) == influence_forward(n_in, k, s, pair, d, i)
        assert all(geometry.cells[c] in ("input", "padding") for c in geometry.window)


@pytest.mark.parametrize("n_in, k, s, p, d, op", [
    combo for combo in itertools.product([2, 3, 4], [1, 2, 3], [1, 2, 3], [0, 1, 2], [1, 2], [0, 1])
    if combo[5] < max(combo[2], combo[4])
    and (combo[0] - 1) * combo[2] - 2 * combo[3] + combo[4] * (combo[1] - 1) + combo[5] + 1 >= 1])
def test_transposed_window_is_what_the_executor_reads(n_in, k, s, p, d, op):
    out = sc.conv_transpose_output_size(n_in, k, s, p, op, d)
    for i in range(out):
        geometry = layer_geometry(n_in, k, s, (p, p), d, True, op, i)
        assert geometry.output == out and len(geometry.window) == k
        assert window_inputs(geometry) == influence_transposed(n_in, k, s, p, d, op, i)
        if p <= d * (k - 1):       # nothing cropped: s - 1 zeros between neighbours
            inside = [c for c in geometry.cells if c in ("input", "inserted")]
            assert inside.count("inserted") == (n_in - 1) * (s - 1)
        else:                      # the padding crops p - d(k - 1) cells at each end
            assert geometry.cells.count("cropped") >= p - d * (k - 1)


@pytest.mark.parametrize("kwargs", [
    dict(input_shape=(5, 5), kernel_size=3, stride=2, padding=1),
    dict(input_shape=(5, 5), kernel_size=3, stride=2, padding=1, at=(2, 1)),
    dict(input_shape=(7, 6), kernel_size=(3, 2), dilation=(2, 1), padding=((1, 0), 1)),
    dict(input_shape=(3, 3), kernel_size=3, stride=2, padding=1, transposed=True, at=(1, 2)),
    dict(input_shape=(3, 3), kernel_size=3, stride=2, padding=3, transposed=True),
    dict(input_shape=6, kernel_size=3, padding="same", at=4),
])
def test_layer_diagram_cells(kwargs):
    fig = plot_layer(**kwargs)
    ids = [patch.get_gid() or "" for patch in fig.axes[0].patches]
    kernel = kwargs["kernel_size"]
    taps = np.prod(kernel) if isinstance(kernel, tuple) else kernel ** (
        1 if isinstance(kwargs["input_shape"], int) else 2)
    assert sum(i.startswith("window-") for i in ids) == taps
    size = sc.conv_transpose_output_size if kwargs.get("transposed") else sc.conv_output_size
    shape = kwargs["input_shape"]
    shape = (shape,) if isinstance(shape, int) else shape
    ks = kernel if isinstance(kernel, tuple) else (kernel,) * len(shape)
    outs = []
    for axis, (m, kk) in enumerate(zip(shape, ks)):
        stride = kwargs.get("stride", 1)
        dilation = kwargs.get("dilation", 1)
        padding = kwargs.get("padding", 0)
        padding = padding[axis] if isinstance(padding, tuple) else padding
        if padding == "same":
            padding = sc.same_padding(kk)
        args = dict(stride=stride[axis] if isinstance(stride, tuple) else stride,
                    padding=padding, dilation=dilation[axis] if isinstance(dilation, tuple)
                    else dilation)
        outs.append(size(m, kk, **args))
    out_cells = sum(i.startswith("output-") or i.startswith("selected-") for i in ids)
    assert out_cells == np.prod(outs)
    assert sum(i.startswith("selected-") for i in ids) == 1
    cropped = sum(i.startswith("cropped-") for i in ids)
    inputs = sum(i.startswith("input-") for i in ids)
    assert inputs == np.prod(shape) if not cropped else 0 < inputs < np.prod(shape)
    caption = [text.get_text() for text in fig.texts if text.get_gid() == "caption"][0]
    assert f"= {outs[-1]}" in caption


def test_layer_caption_substitutes_the_numbers():
    fig = plot_layer((5, 5), 3, stride=2, padding=1)
    caption = [text.get_text() for text in fig.texts if text.get_gid() == "caption"][0]
    assert "o = ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1" in caption
    assert "⌊(5 + 2·1 − 1·(3 − 1) − 1)/2⌋ + 1 = 3" in caption
    fig = plot_layer((3, 3), 3, stride=2, padding=1, transposed=True)
    caption = [text.get_text() for text in fig.texts if text.get_gid() == "caption"][0]
    assert "(3 − 1)·2 − 2·1 + 1·(3 − 1) + 0 + 1 = 5" in caption
    assert "s − 1 = 1 zero(s) inserted" in caption


@pytest.mark.parametrize("kwargs, message", [
    (dict(input_shape=(5, 5), kernel_size=7), "padded input n \\+ p_lo \\+ p_hi must be >="),
    (dict(input_shape=(5, 5), kernel_size=3, at=(3, 0)), "at must be an output position"),
    (dict(input_shape=(5, 5, 5), kernel_size=3), "one or two ints"),
    (dict(input_shape=(5, 5), kernel_size=0), "kernel_size must be an integer >= 1"),
    (dict(input_shape=(5, 5), kernel_size=3, output_padding=1), "applies to transposed=True"),
    (dict(input_shape=(60, 60), kernel_size=3), "at most 40 per side"),
    (dict(input_shape=(4,), kernel_size=3, stride=2, transposed=True, output_padding=2),
     "output_padding must be < max"),
])
def test_layer_bad_input(kwargs, message):
    with pytest.raises(SymconvError, match=message):
        plot_layer(**kwargs)


# ---------------------------------------------------------------------------
# SVG, PDF, PNG output
# ---------------------------------------------------------------------------

def test_svg_parses_and_keeps_ids_and_text():
    fig = plot_layer((5, 5), 3, stride=2, padding=1)
    root = ET.fromstring(figure_bytes(fig, "svg"))
    ids = [element.get("id", "") for element in root.iter()]
    assert sum(i.startswith("window-") for i in ids) == 9
    assert sum(i.startswith("input-") for i in ids) == 25
    texts = " ".join("".join(element.itertext()) for element in root.iter(f"{SVG}text"))
    assert "output 3×3" in texts and "= 3" in texts

    fig = plot_signals(sc.rect(t), sc.rect(t), t)
    root = ET.fromstring(figure_bytes(fig, "svg"))
    ids = {element.get("id", "") for element in root.iter()}
    assert {"f", "g", "result"} <= ids
    assert sorted(i for i in ids if i.startswith("breakpoint")) == [
        "breakpoint-0", "breakpoint-1", "breakpoint-2"]


def test_output_formats_and_file_names(tmp_path):
    fig = plot_kernel(sc.derivative_kernel(2))
    assert figure_bytes(fig, "pdf").startswith(b"%PDF-")
    assert figure_bytes(fig, "png").startswith(b"\x89PNG")
    for suffix in ("pdf", "png", "svg"):
        path = save_figure(fig, tmp_path / f"k.{suffix}")
        assert path.stat().st_size > 1000
    # reproducible: the same figure gives the same bytes
    assert figure_bytes(fig, "svg") == figure_bytes(plot_kernel(sc.derivative_kernel(2)), "svg")
    assert figure_bytes(fig, "pdf") == figure_bytes(plot_kernel(sc.derivative_kernel(2)), "pdf")
    with pytest.raises(SymconvError, match="must end in .pdf, .png or .svg"):
        save_figure(fig, tmp_path / "k.jpeg")
    with pytest.raises(SymconvError, match="cannot write the figure"):
        save_figure(fig, tmp_path / "missing" / "k.pdf")


# ---------------------------------------------------------------------------
# plot_matrix, plot_kernel, plot_architecture
# ---------------------------------------------------------------------------

def test_matrix_cells_and_labels_are_the_entries():
    w = sp.symbols("w0:4")
    M = sc.conv_matrix([[w[0], w[1]], [w[2], w[3]]], (3, 3))
    fig = plot_matrix(M)
    (mesh,) = by_gid(fig.axes[0].collections, "cells")
    codes = np.asarray(mesh.get_array()).reshape(M.shape)
    assert int((codes > 0).sum()) == M.nnz() == 16
    # one colour per entry: the cells of w_k are exactly where M holds w_k
    for k, value in enumerate(w, start=1):
        assert {tuple(ij) for ij in np.argwhere(codes == k)} == {
            (i, j) for i in range(M.rows) for j in range(M.cols) if M[i, j] == value}
    labels = by_gid(fig.axes[0].texts, "entry")
    assert sorted(text.get_text() for text in labels) == sorted(
        sp.pretty(M[i, j]) for i in range(M.rows) for j in range(M.cols) if M[i, j] != 0)
    legend = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert legend == ["w₀", "w₁", "w₂", "w₃"]


def test_matrix_with_many_values_and_bad_input():
    M = sc.conv_matrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]], (6, 6), padding=1)
    fig = plot_matrix(M)
    (mesh,) = by_gid(fig.axes[0].collections, "cells")
    assert int((np.asarray(mesh.get_array()) > 0).sum()) == M.nnz()
    assert not by_gid(fig.axes[0].texts, "entry")          # 1296 cells: no labels
    with pytest.raises(SymconvError, match="expected a non-empty 1-D or 2-D array"):
        plot_matrix(np.zeros((2, 2, 2)))


def test_kernel_weights_offsets_and_origin():
    kernel = sc.derivative_kernel(2, accuracy=4)
    fig = plot_kernel(kernel)
    ax = fig.axes[0]
    texts = [text.get_text() for text in by_gid(ax.texts, "weight")]
    assert texts == ["−1/12", "4/3", "−5/2", "4/3", "−1/12"]
    assert [sp.Rational(s.replace("−", "-")) for s in texts] == kernel.tolist()
    assert [label.get_text() for label in ax.get_xticklabels()] == ["−2", "−1", "0", "1", "2"]
    (origin,) = by_gid(ax.patches, "origin")
    assert origin.get_x() == 2
    image = plot_kernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    cells = [p for p in image.axes[0].patches if (p.get_gid() or "").startswith("weight-")]
    coloured = [p for p in cells if p.get_facecolor()[:3] != (1.0, 1.0, 1.0)]
    assert len(cells) == 9 and len(coloured) == 5
    with pytest.raises(SymconvError, match="entries must be numbers"):
        plot_kernel([["a b"]])


def test_architecture_bars_are_the_shapes():
    table = sc.infer_shapes("alexnet")
    fig = plot_architecture(table)
    top, bottom = fig.axes[:2]
    shown = [row for row in table.rows
             if row.depth == 0 and row.kind not in ("activation", "dropout", "batchnorm")]
    shapes = [table.input_shape] + [row.output_shape for row in shown]
    channels = [bar.get_height() for bar in bottom.patches
                if (bar.get_gid() or "").startswith("channels-")]
    assert channels == [shape[1] for shape in shapes]
    heights = {int(bar.get_gid().split("-")[1]): bar.get_height() for bar in top.patches
               if (bar.get_gid() or "").startswith("spatial-")}
    assert heights == {i: shape[2] for i, shape in enumerate(shapes) if len(shape) >= 3}
    labels = [label.get_text() for label in bottom.get_xticklabels()]
    assert labels == ["input"] + [row.name for row in shown]


def test_architecture_with_symbolic_sizes():
    with pytest.raises(SymconvError, match="symbolic in n; give subs"):
        plot_architecture("alexnet", input_shape=(3, "n", "n"))
    fig = plot_architecture("alexnet", input_shape=(3, "n", "n"), subs={"n": 100})
    concrete = sc.infer_shapes("alexnet", (3, 100, 100))
    bars = [b.get_height() for b in fig.axes[0].patches if (b.get_gid() or "").startswith("spatial-")]
    assert bars[1] == concrete.rows[0].output_shape[2]
    with pytest.raises(SymconvError):
        plot_architecture("alexnet", input_shape=(3, "n", "n"), subs={"n": 10})


def test_every_figure_draws_into_the_callers_axes():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 10))
    axes = list(fig.subplots(3, 3).ravel())
    assert plot_layer((5, 5), 3, stride=2, padding=1, ax=axes[0]) is fig
    assert plot_matrix(sc.conv_matrix([1, 2, 3], 5), ax=axes[1]) is fig
    assert plot_kernel(sc.derivative_kernel(2), ax=axes[2]) is fig
    assert plot_architecture("lenet5", ax=axes[3:5]) is fig
    assert plot_flip_and_slide(sc.rect(t), sc.rect(t), t, at=[0], ax=axes[5:7]) is fig
    animation = plot_flip_and_slide(sc.rect(t), sc.rect(t), t, animate=True, frames=2,
                                    ax=axes[7:9])
    assert animation.figure is fig
    animation.to_jshtml()                                     # render it (no warning)
    assert sum((p.get_gid() or "").startswith("window-") for p in axes[0].patches) == 9
    with pytest.raises(SymconvError, match="ax must be a matplotlib Axes or None"):
        plot_kernel([1, 2], ax=axes[:2])
    with pytest.raises(SymconvError, match="sequence of 2 matplotlib Axes"):
        plot_flip_and_slide(sc.rect(t), sc.rect(t), t, at=[0], ax=axes[0])


# ---------------------------------------------------------------------------
# global state and speed-relevant choices
# ---------------------------------------------------------------------------

def test_no_pyplot_no_backend_change_no_rcparams_change():
    code = (
        "import sys, matplotlib, copy\n"
        # rcParams.copy() reads 'backend' without resolving it (dict() would import pyplot)
        "before = copy.deepcopy(dict(matplotlib.rcParams.copy()))\n"
        "backend = matplotlib.rcParams._get_backend_or_none()\n"
        "import sympy as sp, symconv as sc\n"
        "from symconv.plot import plot_signals, plot_layer, figure_bytes\n"
        "t = sp.Symbol('t', real=True)\n"
        "figure_bytes(plot_signals(sc.rect(t), sc.rect(t), t), 'png')\n"
        "figure_bytes(plot_layer((4, 4), 3), 'pdf')\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "assert matplotlib.rcParams._get_backend_or_none() == backend\n"
        "after = dict(matplotlib.rcParams.copy())\n"
        "changed = [k for k in before if k != 'backend' and before[k] != after[k]]\n"
        "assert not changed, changed\n"
        "print('ok')\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""),
               MPLBACKEND="")
    env.pop("MPLBACKEND")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_command_line_does_not_import_matplotlib_to_start():
    code = ("import sys\nfrom symconv.cli import build_parser\nbuild_parser()\n"
            "print('matplotlib' in sys.modules)\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.stdout.strip() == "False", done.stderr


# ---------------------------------------------------------------------------
# symconv plot
# ---------------------------------------------------------------------------

def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_conv_svg(tmp_path, capsys):
    out = tmp_path / "conv.svg"
    status, text, err = run(capsys, "plot", "conv", "exp(-t)*u(t)", "rect(t)", "--out", str(out))
    assert status == 0, err
    assert f"wrote {out}" in text
    root = ET.fromstring(out.read_bytes())
    assert {"f", "g", "result"} <= {element.get("id", "") for element in root.iter()}


@pytest.mark.parametrize("extra, window", [([], 9), (["--transposed"], 9)])
def test_cli_layer_png(tmp_path, capsys, extra, window):
    from PIL import Image

    out = tmp_path / "layer.png"
    status, _, err = run(capsys, "plot", "layer", "--input", "5,5", "--kernel", "3", "--stride",
                         "2", "--padding", "1", *extra, "--out", str(out))
    assert status == 0, err
    with Image.open(out) as image:
        assert image.format == "PNG" and image.width > 500


def test_cli_other_figures(tmp_path, capsys):
    commands = [
        ["corr", "rect(t)", "exp(-a*t)*u(t)", "--subs", "a=2", "--out", "corr.pdf"],
        ["conv", "a^n*u(n)", "u(n)", "--discrete", "--subs", "a=1/2", "--out", "d.svg"],
        ["conv", "[1, 2, 3]", "[1, -1]", "--out", "seq.png"],
        ["slide", "exp(-t)*u(t)", "rect(t)", "--at=-0.25,0.5,2", "--out", "slide.pdf"],
        ["matrix", "--kernel", "[x, y, z]", "--input", "5", "--padding", "1", "--out", "m.svg"],
        ["kernel", "--derivative", "2", "--accuracy", "4", "--out", "k.pdf"],
        ["kernel", "--weights", "[[0,1,0],[1,-4,1],[0,1,0]]", "--out", "lap.png"],
        ["arch", "lenet5", "--out", "lenet.pdf"],
        ["arch", "alexnet", "--input", "3,n,n", "--subs", "n=224", "--out", "alexnet.svg"],
        ["slide", "rect(t)", "rect(t)", "--animate", "--frames", "3", "--out", "slide.gif"],
    ]
    for command in commands:
        out = tmp_path / command[-1]
        command[-1] = str(out)
        status, _, err = run(capsys, "plot", *command)
        assert status == 0, (command, err)
        assert out.stat().st_size > 1000


@pytest.mark.parametrize("argv, message", [
    (["conv", "exp(-a*t)*u(t)", "u(t)", "--out", "x.svg"],
     "--subs must give a value to every symbol other than the variable t, but got none for a"),
    (["conv", "rect(t)", "rect(t)", "--out", "x.jpg"], "must end in .pdf, .png or .svg"),
    (["layer", "--input", "5,5", "--kernel", "7", "--out", "x.png"], "padded input"),
    (["layer", "--input", "5,x", "--kernel", "3", "--out", "x.png"], "--input must be an int"),
    (["conv", "rect(t)", "rect(t)", "--subs", "a", "--out", "x.png"], "name=value"),
    (["slide", "rect(t)", "rect(t)", "--animate", "--out", "x.png"], "must end in .gif or .html"),
    (["arch", "nonet", "--out", "x.png"], "nonet"),
])
def test_cli_errors_are_one_line(tmp_path, capsys, argv, message):
    argv = [*argv[:-1], str(tmp_path / argv[-1])]
    status, _, err = run(capsys, "plot", *argv)
    assert status == 2
    assert message in err and "Traceback" not in err
    assert not (tmp_path / argv[-1]).exists()


# ---------------------------------------------------------------------------
# plot_loss_curve and plot_result (issue 15, the book's and the notebook's figures)
# ---------------------------------------------------------------------------

def test_loss_curve_draws_the_run_and_the_exact_prediction():
    import symconv.learn as sl
    from symconv.plot import plot_loss_curve

    run = sl.notebook_run("d2l")
    ls = sl.analyze(run.image, run.target, run.kernel_shape)
    trajectory = sl.learn_kernel(run.image, run.target, run.kernel_shape, run.lr, 30)
    predicted = ls.predicted_losses(run.lr, 30)
    fig = plot_loss_curve(trajectory, predicted)
    lines = {line.get_gid(): line for line in fig.axes[0].lines}
    steps, drawn = lines["losses"].get_data()
    assert list(steps) == list(range(31))
    np.testing.assert_allclose(drawn, trajectory.losses)
    # the measured run and the exact closed form agree (that is what the figure shows)
    np.testing.assert_allclose(lines["predicted"].get_ydata(), [float(v) for v in predicted],
                               rtol=1e-9)
    np.testing.assert_allclose(trajectory.losses, [float(v) for v in predicted], rtol=1e-6)
    assert fig.axes[0].get_yscale() == "log"          # it falls by orders of magnitude
    assert "30 updates" in fig.axes[0].texts[0].get_text()
    assert "(converges)" in fig.axes[0].texts[0].get_text()


def test_loss_curve_of_a_diverging_run_and_bad_input():
    from symconv.plot import plot_loss_curve

    fig = plot_loss_curve([1.0, 10.0, 1e5, float("inf")], log=True)
    ys = fig.axes[0].lines[0].get_ydata()
    assert np.isnan(ys[-1]) and ys[2] == 1e5               # overflow left as a gap
    assert "diverges" in fig.axes[0].texts[0].get_text()
    fig = plot_loss_curve([3.0, 2.0, 1.0])
    assert fig.axes[0].get_yscale() == "linear"
    with pytest.raises(SymconvError, match="must be losses .numbers >= 0., but got -1.0"):
        plot_loss_curve([1.0, -1.0])
    with pytest.raises(SymconvError, match="a Trajectory or a sequence of numbers, but got"):
        plot_loss_curve(["a"])


def test_plot_result_draws_the_checked_value_and_its_verification():
    from symconv.plot import plot_result

    t = sp.Symbol("t", real=True)
    f, g = sp.exp(-t) * sc.u(t), sc.rect(t)
    checked = sc.conv(f, g, t, verify=True)
    fig = plot_result(checked, f, g, t)
    result_line = [line for line in fig.axes[2].lines if line.get_gid() == "result"][0]
    xs, ys = result_line.get_data()
    expected = sp.lambdify(t, checked.value.rewrite(sp.Piecewise), "numpy")
    inside = np.abs(np.abs(xs) - 0.5) > 1e-6
    np.testing.assert_allclose(ys[inside], np.broadcast_to(expected(xs[inside]), xs[inside].shape),
                               atol=1e-12)
    (note,) = [x for x in fig.texts if x.get_gid() == "verification"]
    assert note.get_text().startswith("verified: agrees with the NumPy executor")
    assert f"seed {checked.report.seed}" in note.get_text()
    with pytest.raises(SymconvError, match="must be a Checked result"):
        plot_result(checked.value, f, g, t)
