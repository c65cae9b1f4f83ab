"""Render time and file size of symconv's figures (the solutions book needs PDF).

    python benchmarks/bench_plot.py [--repeat 3] [--out DIR]

For each figure kind, builds the figure and writes it as PDF, PNG and SVG; prints the
best of ``--repeat`` runs as CPU time of this process (``time.process_time``, which a
busy shared machine inflates much less than wall time) and as wall time, split into
building the figure and writing the file, with the file sizes. The machine and its
load are printed first. With ``--out``, the PDF files are kept there.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def cases():
    import sympy as sp

    import symconv as sc
    from symconv import plot

    t = sp.Symbol("t", real=True)
    n = sp.Symbol("n", integer=True)
    x, y, z = sp.symbols("x y z")
    return [
        ("signals exp*rect", lambda: plot.plot_signals(sp.exp(-t) * sc.u(t), sc.rect(t), t)),
        ("signals rect*rect", lambda: plot.plot_signals(sc.rect(t), sc.rect(t), t)),
        ("signals discrete", lambda: plot.plot_signals(sc.u(n) - sc.u(n - 4),
                                                       sp.Rational(1, 2) ** n * sc.u(n), n)),
        ("signals sequences", lambda: plot.plot_signals([1, 2, 3], [1, -1])),
        ("flip-and-slide 3 shifts", lambda: plot.plot_flip_and_slide(
            sp.exp(-t) * sc.u(t), sc.rect(t), t, at=[-0.25, 0.5, 2])),
        ("layer 5x5 k3 s2 p1", lambda: plot.plot_layer((5, 5), 3, stride=2, padding=1)),
        ("layer transposed", lambda: plot.plot_layer((3, 3), 3, stride=2, padding=1,
                                                     transposed=True)),
        ("matrix 1-D kernel", lambda: plot.plot_matrix(sc.conv_matrix([x, y, z], 6, padding=1))),
        ("matrix 3x3 on 6x6", lambda: plot.plot_matrix(
            sc.conv_matrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]], (6, 6), padding=1))),
        ("kernel d2/dx2 acc 4", lambda: plot.plot_kernel(sc.derivative_kernel(2, accuracy=4))),
        ("architecture alexnet", lambda: plot.plot_architecture("alexnet")),
        ("architecture resnet50", lambda: plot.plot_architecture("resnet50")),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="keep the PDF files here")
    args = parser.parse_args(argv)
    import matplotlib

    from symconv.plot import figure_bytes

    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    print(f"python {platform.python_version()}, matplotlib {matplotlib.__version__}, "
          f"{os.cpu_count()} cores, load average {load[0]:.2f}")
    # warm-up: font cache, mathtext parser, first PDF font subset
    figure_bytes(cases()[0][1](), "pdf")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    header = (f"{'figure':26s} {'cpu build':>9s} {'cpu pdf':>8s} {'cpu total':>9s} "
              f"{'wall total':>10s} {'pdf':>8s} {'png':>8s} {'svg':>8s}")
    print(header)
    print("-" * len(header))
    totals = []
    for name, build in cases():
        best = None
        for _ in range(args.repeat):
            c0, w0 = time.process_time(), time.perf_counter()
            fig = build()
            c1 = time.process_time()
            pdf = figure_bytes(fig, "pdf")
            c2, w2 = time.process_time(), time.perf_counter()
            run = (c1 - c0, c2 - c1, c2 - c0, w2 - w0)
            best = run if best is None or run[2] < best[2] else best
        sizes = [len(pdf), len(figure_bytes(fig, "png")), len(figure_bytes(fig, "svg"))]
        if args.out:
            (args.out / (name.replace(" ", "_").replace("/", "-") + ".pdf")).write_bytes(pdf)
        totals.append(best[2])
        print(f"{name:26s} {best[0]:8.3f}s {best[1]:7.3f}s {best[2]:8.3f}s {best[3]:9.3f}s "
              + " ".join(f"{s / 1024:6.1f}kB" for s in sizes))
    print(f"mean CPU time per figure (build + PDF): {sum(totals) / len(totals):.3f} s; "
          f"slowest {max(totals):.3f} s")


if __name__ == "__main__":
    main()
