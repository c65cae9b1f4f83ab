"""``symconv solve``: solve exercises of the catalogue by calling the library.

Examples::

    symconv solve d2l-7.2.1                 # one exercise: answers, verification, key
    symconv solve d2l-7.2.1 --latex         # the same as a standalone LaTeX document
    symconv solve --all --out solutions     # the solutions book

``--all`` writes ``DIR/solutions.tex`` (one standalone document, with a list of figures),
the figures it shows (``DIR/figures/*.pdf``, drawn with :mod:`symconv.plot`),
``DIR/keys.toml`` (the answer keys, for ``symconv grade --key``) and, when ``pdflatex`` is
installed, ``DIR/solutions.pdf``; it prints how many answers were proven, confirmed numerically,
confirmed on finitely many cases (exact agreement of a general formula on a finite grid:
not a proof) or left unverified, and how many exercises are not auto-gradable.
Progress goes to standard error: a bar on a terminal, otherwise a line per topic (and
every few seconds while one exercise runs long). ``DIR`` must be new, empty or an
earlier output of ``solve`` (it keeps a manifest, ``.symconv-solve.json``, of what it
wrote); a directory holding anything else is refused unless ``--force``. The exit status
is 1 when an exercise could not be solved, an answer is unverified or refuted, or a
figure could not be drawn (each named with its reason), 2 for a usage error.
"""

import os
import sys
import time

from symconv.errors import SymconvError

NAME = "solve"
HELP = "solve catalogue exercises (one by id, or --all into a LaTeX/PDF solutions book)"


def add_arguments(parser):
    parser.add_argument("id", nargs="?", help="exercise id (see 'symconv exercises list')")
    parser.add_argument("--all", action="store_true", help="solve every exercise")
    parser.add_argument("--topic", metavar="T", help="with --all: only this topic")
    parser.add_argument("--out", metavar="DIR",
                        help="with --all: output directory (default: solutions)")
    parser.add_argument("--no-pdf", action="store_true", help="with --all: do not run pdflatex")
    parser.add_argument("--force", action="store_true",
                        help="with --all: write into --out even if it holds files solve did "
                             "not write (solve's own files are overwritten, others kept)")
    parser.add_argument("--latex", action="store_true",
                        help="with an id: print a standalone LaTeX document instead of text")


def run(args):
    import symconv.exercises as ex
    from symconv.exercises import _cli

    if args.all == bool(args.id):
        raise SymconvError("solve needs either an exercise id or --all, but got "
                           + ("both" if args.all else "neither"))
    if not args.all:
        if args.out or args.topic or args.no_pdf or args.force:
            raise SymconvError("--out, --topic, --no-pdf and --force go with --all, but got an "
                               "exercise id")
        exercise = ex.get(args.id)
        try:
            solution = exercise.solve()
        except SymconvError:
            raise
        except Exception as exc:  # a bug in an exercise or the library: one line, not a trace
            raise SymconvError(f"exercise {exercise.id} must solve, but it raised "
                               f"{type(exc).__name__}: {exc}") from exc
        if args.latex:
            from symconv.latex import document

            print(document([solution], title=f"symconv: {solution.exercise.id}"), end="")
        else:
            print(str(solution), end="")
        return 0 if solution.status in ("proven", "confirmed", "written") else 1
    if args.latex:
        raise SymconvError("--latex goes with an exercise id; --all always writes solutions.tex")
    out_dir = args.out or "solutions"
    _cli.check_out_dir(out_dir, force=args.force)
    t0 = time.perf_counter()
    bar = _cli.ProgressBar(sys.stderr, label="symconv solve")
    drawer = _cli.FigureDrawer(out_dir)     # figures are drawn while the solving goes on
    try:
        solutions, failures = ex.solve_all(args.topic, progress=bar, solved=drawer.add)
    finally:
        bar.close()
    written, note, figure_failures = _cli.write_book(solutions, out_dir, pdf=not args.no_pdf,
                                                     drawer=drawer)
    print("\n".join(_cli.summary_lines(solutions, failures, time.perf_counter() - t0)))
    figures = [p for p in written if os.path.dirname(p) != os.path.normpath(out_dir)
               and os.path.basename(os.path.dirname(p)) == _cli.FIGURES_DIR]
    for path in written:
        if path not in figures:
            print(f"wrote {path}")
    if figures:
        print(f"wrote {len(figures)} figures into {os.path.join(out_dir, _cli.FIGURES_DIR)}")
    for name, message in figure_failures:
        print(f"FAILED to draw figure {name}: {message}")
    if note:
        print(note)
    bad = (failures or figure_failures
           or any(s.status in ("unverified", "refuted") for s in solutions))
    return 1 if bad else 0
