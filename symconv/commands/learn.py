"""``symconv learn``: learn a kernel by gradient descent and say, exactly, why it
converges or diverges.

Examples::

    symconv learn --image seed --lr 0.05 --steps 10     # the notebook's exploding run
    symconv learn --image d2l --lr 0.03 --steps 10      # the textbook's run, converges
    symconv learn --image "[[0, 1, 1, 0]]" --kernel "[[1, -1]]" --lr 1/4
    symconv learn --image photo.npy --kernel-shape 3x3 --target edges.npy --lr 0.001
    symconv learn --image seed --explain                # the checked derivation, in words
    symconv learn --image seed --latex                  # ... and as LaTeX

The table shows, for every step, the loss the run computes in that step (before its
update, as a training loop prints it) from the numeric executor, next to the value the
closed form ``L* + c e_kᵀ AᵀA e_k`` with ``e_k = (I - lr H)^k e_0`` predicts from the
same start. For ``--image seed`` the start defaults to the one recovered from the
notebook's printed losses, and the notebook's printed values are shown too. The last
line is the verdict with the exact bound.
"""

import json
import math
import os
from fractions import Fraction

import numpy as np

from symconv._util.lazy import sympy as sp
from symconv.errors import SymconvError

NAME = "learn"
HELP = "Learn a kernel by gradient descent; explain exactly why it converges or diverges"

_SETTINGS = ("seed", "d2l")


def add_arguments(p):
    p.add_argument("--image", default="seed",
                   help="seed (the notebook's 6x9 image), d2l (the textbook's 6x8 image), a "
                        ".npy or text file, or a list such as [[0,1,1,0]] (default seed)")
    p.add_argument("--kernel", default=None,
                   help="the kernel that makes the target Y = corr2d(X, K), a list or file "
                        "(default [[1,-1]])")
    p.add_argument("--target", default=None,
                   help="the target Y itself (a list or file) instead of --kernel")
    p.add_argument("--kernel-shape", default=None,
                   help="the learned kernel's shape, e.g. 1x2 or 3x3 (default: that of --kernel)")
    p.add_argument("--lr", default=None,
                   help="the step, e.g. 0.05 or 1/20 (default: the run's own for seed/d2l)")
    p.add_argument("--steps", type=int, default=10, help="number of updates (default 10)")
    p.add_argument("--bias", action="store_true", help="learn a bias too")
    p.add_argument("--loss", choices=("sum", "mean"), default="sum",
                   help="sum (default) or mean of the squared residuals")
    p.add_argument("--init", default=None,
                   help="zeros, uniform (on (-0.07, 0.07), with --seed), notebook (the start "
                        "recovered from the seed notebook's printout) or a list; default: "
                        "notebook for --image seed, uniform otherwise")
    p.add_argument("--seed", type=int, default=0, help="random seed for --init uniform")
    p.add_argument("--plot", default=None, metavar="FILE",
                   help="also draw the loss curve (run and closed form) to FILE "
                        "(.png, .svg or .pdf)")
    p.add_argument("--tol", default="1e-6",
                   help="for a converging step: report the steps that shrink the error by this")
    p.add_argument("--every", type=int, default=None,
                   help="print every N-th step (default: all up to 20 steps, else about 20 rows)")
    p.add_argument("--explain", action="store_true",
                   help="also print the explanation and its checked derivations")
    p.add_argument("--latex", action="store_true",
                   help="also print the explanation and derivations as LaTeX")


def _number(text, name):
    try:
        return Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        raise SymconvError(f"{name} must be a number such as 0.05 or 1/20, but got "
                           f"{text!r}") from None


def _array(text, name):
    """A list (JSON numbers) or a .npy / whitespace- or comma-separated text file."""
    text = str(text).strip()
    if text.startswith("["):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SymconvError(f"{name} must be a list of numbers such as [[1, -1]], but got "
                               f"{text!r} ({exc.msg})") from None
        if not isinstance(value, list) or not value:
            raise SymconvError(f"{name} must be a non-empty list of numbers, but got {text!r}")
        return value if isinstance(value[0], list) else [value]
    if not os.path.isfile(text):
        raise SymconvError(f"{name} must be a list such as [[1, -1]] or an existing .npy/text "
                           f"file, but got {text!r}")
    if text.endswith(".npy"):
        try:
            value = np.load(text, allow_pickle=False)
        except ValueError as exc:
            raise SymconvError(f"{name}: cannot read {text!r} as a .npy array ({exc})") from None
    else:
        value = None
        for delimiter in (None, ","):
            try:
                value = np.loadtxt(text, delimiter=delimiter, ndmin=2)
                break
            except ValueError:
                continue
        if value is None:
            raise SymconvError(f"{name} must be a text file of numbers (one row per line), but "
                               f"{text!r} is not")
    if value.ndim == 1:
        value = value[None, :]
    if value.dtype.kind not in "iuf":
        raise SymconvError(f"{name} must hold real numbers, but {text!r} has dtype {value.dtype}")
    return value.tolist()


def _exact_matrix(rows, name):
    """Nested lists of numbers as an exact Matrix (a float by the decimal it prints as)."""
    from symconv.learn._inputs import exact_number

    if not rows or not all(isinstance(r, list) and len(r) == len(rows[0]) and r for r in rows):
        raise SymconvError(f"{name} must be a rectangular 2-D list of numbers, but got {rows!r}")
    return sp.Matrix([[exact_number(v, f"every entry of {name}") for v in r] for r in rows])


def _shape(text):
    parts = str(text).lower().replace("×", "x").split("x")
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        shape = ()
    if len(shape) != 2 or min(shape) < 1:
        raise SymconvError(f"--kernel-shape must look like 1x2 or 3x3, but got {text!r}")
    return shape


def _problem(args):
    """Image, target, kernel shape, default lr and a description."""
    import symconv as sc
    import symconv.learn as sl

    run = None
    if args.image in _SETTINGS:
        run = sl.notebook_run(args.image)
        image, kernel = run.image, run.kernel
        what = f"{args.image} ({run.description})"
    else:
        image = _exact_matrix(_array(args.image, "--image"), "--image")
        kernel = sp.Matrix([[1, -1]])
        what = f"{image.rows}x{image.cols} image {args.image if len(args.image) < 60 else ''}"
    if args.kernel is not None:
        kernel = _exact_matrix(_array(args.kernel, "--kernel"), "--kernel")
    exact = image
    if args.target is not None:
        target = _exact_matrix(_array(args.target, "--target"), "--target")
        made = "given"
    else:
        if kernel.rows > exact.rows or kernel.cols > exact.cols:
            raise SymconvError(f"--kernel must fit in the image, but got a {kernel.rows}x"
                               f"{kernel.cols} kernel for a {exact.rows}x{exact.cols} image")
        target = sp.Matrix(sc.corr2d(exact, kernel).tolist())
        made = f"corr2d(X, {sp.sstr(kernel.tolist())})"
    shape = _shape(args.kernel_shape) if args.kernel_shape else tuple(kernel.shape)
    default_run = run is not None and args.kernel is None and args.target is None \
        and args.kernel_shape in (None, f"{kernel.rows}x{kernel.cols}")
    return run if default_run else None, exact, target, shape, made, what


def _fmt(value):
    try:
        return f"{float(value):.6g}"
    except OverflowError:
        return sp.sstr(sp.N(value, 6))


def run(args):
    import symconv.learn as sl

    if args.steps < 0:
        raise SymconvError(f"--steps must be an integer >= 0, but got {args.steps}")
    if args.every is not None and args.every < 1:
        raise SymconvError(f"--every must be an integer >= 1, but got {args.every}")
    run_, X, Y, shape, made, what = _problem(args)
    lr = _number(args.lr, "--lr") if args.lr is not None else (
        run_.lr if run_ is not None else None)
    if lr is None:
        raise SymconvError("--lr is required for an image other than seed/d2l, but got none")
    tol = _number(args.tol, "--tol")
    init_name = args.init or ("notebook" if run_ is not None and run_.printed_losses
                              else "uniform")
    init, start_text = init_name, None
    if init_name == "notebook":
        if run_ is None or not run_.printed_losses:
            raise SymconvError("--init notebook needs --image seed (with its own kernel and "
                               f"target), but got --image {args.image!r}")
        start = sl.recover_initial_weight(run_)
        init = start.weight
        start_text = (f"recovered from the notebook's printed losses: "
                      f"{np.array2string(start.weight.ravel(), precision=6)} (fits them within "
                      f"{100 * start.misfit:.4f}%)")
    elif init_name not in ("zeros", "uniform"):
        init = _array(init_name, "--init")
        start_text = f"given: {init}"
    elif init_name == "uniform":
        start_text = f"uniform on (-{sl.UNIFORM_SCALE}, {sl.UNIFORM_SCALE}), seed {args.seed}"
    else:
        start_text = "zeros"
    exact_lr = sp.Rational(lr.numerator, lr.denominator)
    trajectory = sl.learn_kernel(X, Y, shape, exact_lr, args.steps, args.bias, args.loss,
                                 init, seed=args.seed)
    ls = sl.analyze(X, Y, shape, args.bias, args.loss)
    predicted = ls.predicted_losses(exact_lr, args.steps, init, seed=args.seed)
    if run_ is not None:
        explanation = sl.explain_run(run_, lr=exact_lr, bias=args.bias, loss=args.loss,
                                     tol=sp.Rational(tol.numerator, tol.denominator))
    else:
        explanation = sl.RunExplanation(ls, exact_lr, tol=sp.Rational(tol.numerator,
                                                                       tol.denominator))
    notebook = {}
    if run_ is not None and init_name == "notebook" and explanation.observed:
        notebook = dict(explanation.observed)

    print(f"image: {what}")
    print(f"target: {made} ({Y.rows}x{Y.cols}); learned: {shape[0]}x{shape[1]} kernel"
          f"{' + bias' if args.bias else ', no bias'}; loss: {args.loss} of squared residuals; "
          f"lr = {sp.sstr(exact_lr)}")
    print(f"start: {start_text}")
    every = args.every or (1 if args.steps <= 20 else math.ceil(args.steps / 20))
    head = f"{'step':>6}  {'loss (gradient descent)':>24}  {'loss (closed form)':>20}"
    if notebook:
        head += f"  {'notebook':>12}"
    print(head)
    rows = [s for s in range(1, args.steps + 1) if s % every == 0 or s == 1]
    for s in rows:
        line = f"{s:>6}  {trajectory.losses[s - 1]:>24.6g}  {_fmt(predicted[s - 1]):>20}"
        if notebook:
            line += f"  {str(notebook[s]):>12}" if s in notebook else ""
        print(line)
    print(f"{'end':>6}  {trajectory.losses[-1]:>24.6g}  {_fmt(predicted[-1]):>20}"
          f"   (after {args.steps} updates)")
    final = np.array2string(trajectory.weight.ravel(), precision=6)
    print(f"final kernel: {final}" + (f", bias {trajectory.biases[-1]:.6g}" if args.bias else ""))
    if notebook and run_.printed_weight is not None:
        print(f"notebook's final kernel: {list(run_.printed_weight)}")
    print()
    for line in explanation.lines()[1:]:
        print(line.strip())
    if args.explain:
        print()
        for d, r in zip(explanation.derivations, explanation.reports):
            print(d)
            print(f"  checked: {r.summary}")
    if args.latex:
        print()
        print(explanation.latex())
    if args.plot:
        from symconv.plot import plot_loss_curve, save_figure

        figure = plot_loss_curve(trajectory, [float(v) for v in predicted],
                                 title=f"loss per update ({args.image if args.image in ('seed', 'd2l') else 'your image'})")
        save_figure(figure, args.plot)
        print(f"loss curve: {args.plot}")
    print(explanation.verdict_line())
    return 0
