"""Closed forms of textbook convolutions: symconv against plain SymPy, measured in one run.

For every pair in :func:`pairs` (continuous and discrete convolutions and correlations,
plus two finite sequences with symbolic entries):

* symconv -- ``symconv.conv`` / ``symconv.corr`` (or ``conv_seq``), median of
  ``--repeat`` runs, SymPy's cache cleared before each run so that no run profits from
  an earlier one; "closed" is "yes" when the result contains no unevaluated
  ``Integral``/``Sum``, "cond." for a ``Piecewise`` that is closed under a condition
  (e.g. convergence, ``a**2 < 1``) and unevaluated otherwise, "no" else;
  "check" is the status of :func:`symconv.verify.crosscheck` on the result (one
  random draw plus the special cases; not timed).
* sympy -- the defining integral/sum handed to ``sympy.integrate`` / ``sympy.summation``
  over ``(-oo, oo)`` (``sympy.discrete.convolution`` for the sequences), in a fresh
  subprocess that is killed after ``--timeout`` seconds ("timeout"); "closed" as above.
  The
  time includes only the call, not the subprocess start.

Then the exact layer: ``symconv.conv_layer`` on a 1x3x8x8 input of symbols with a
4x3x3x3 kernel of symbols (median of ``--repeat`` runs).

The textbook set (``--set textbook``, :func:`textbook_pairs`) restates, in this file's
own words and notation, convolution pairs of the kind worked in three textbooks'
chapters on linear time-invariant systems: Oppenheim & Willsky ch. 2 (OW), Haykin &
Van Veen ch. 2 (HV) and the convolution table of Lathi (L). Only the mathematical
facts are taken (which signals are convolved); the column "src" names the book whose
style the pair follows. Its table gives the median and the maximum of the symconv runs.

Usage::

    python benchmarks/bench_symbolic.py [--set classic|textbook|all] [--repeat R] [--timeout S] [--only NAME]
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import sympy as sp
from sympy import Abs, DiracDelta, Heaviside, KroneckerDelta, Rational, cos, exp, sin

t = sp.Symbol("t", real=True)
tau = sp.Symbol("tau", real=True)
n = sp.Symbol("n", integer=True)
k = sp.Symbol("k", integer=True)
a, b, T, w = sp.symbols("a b T w", positive=True)
N = sp.Symbol("N", integer=True, positive=True)
x0, x1, y0, y1, y2 = sp.symbols("x0 x1 y0 y1 y2")


def u(arg):
    return Heaviside(arg)


def ud(arg):
    return Heaviside(arg, 1)


def rect(arg):
    return Heaviside(arg + Rational(1, 2)) - Heaviside(arg - Rational(1, 2))


def tri(arg):
    return sp.Piecewise((1 - Abs(arg), Abs(arg) < 1), (0, True))


def pairs():
    """(name, op, f, g, var); var None means finite sequences."""
    return [
        ("u * u", "conv", u(t), u(t), t),
        ("e^-at u * e^-bt u", "conv", exp(-a * t) * u(t), exp(-b * t) * u(t), t),
        ("e^-at u * e^-at u", "conv", exp(-a * t) * u(t), exp(-a * t) * u(t), t),
        ("e^-at u * u", "conv", exp(-a * t) * u(t), u(t), t),
        ("t e^-at u * e^-at u", "conv", t * exp(-a * t) * u(t), exp(-a * t) * u(t), t),
        ("ramp * u", "conv", t * u(t), u(t), t),
        ("rect * rect", "conv", rect(t), rect(t), t),
        ("box(T) * box(T)", "conv", u(t) - u(t - T), u(t) - u(t - T), t),
        ("box(1) * e^-at u", "conv", u(t) - u(t - 1), exp(-a * t) * u(t), t),
        ("tri * rect", "conv", tri(t), rect(t), t),
        ("e^-a|t| * e^-a|t|", "conv", exp(-a * Abs(t)), exp(-a * Abs(t)), t),
        ("e^-at u * e^bt u(-t)", "conv", exp(-a * t) * u(t), exp(b * t) * u(-t), t),
        ("gauss * gauss", "conv", exp(-t**2), exp(-t**2), t),
        ("gauss(a) * gauss(b)", "conv", exp(-a * t**2), exp(-b * t**2), t),
        ("sin u * u", "conv", sin(t) * u(t), u(t), t),
        ("cos(wt) u * e^-at u", "conv", cos(w * t) * u(t), exp(-a * t) * u(t), t),
        ("delta(t-T) * e^-at u", "conv", DiracDelta(t - T), exp(-a * t) * u(t), t),
        ("corr e^-at u, e^-at u", "corr", exp(-a * t) * u(t), exp(-a * t) * u(t), t),
        ("corr box(1), e^-at u", "corr", u(t) - u(t - 1), exp(-a * t) * u(t), t),
        ("a^n u * b^n u", "conv", a**n * ud(n), b**n * ud(n), n),
        ("a^n u * a^n u", "conv", a**n * ud(n), a**n * ud(n), n),
        ("u[n] * u[n]", "conv", ud(n), ud(n), n),
        ("a^n u * u[n]", "conv", a**n * ud(n), ud(n), n),
        ("box(N) * box(N)", "conv", ud(n) - ud(n - N), ud(n) - ud(n - N), n),
        ("n a^n u * a^n u", "conv", n * a**n * ud(n), a**n * ud(n), n),
        ("delta[n-3] * a^n u", "conv", KroneckerDelta(n, 3), a**n * ud(n), n),
        ("corr a^n u, a^n u", "corr", a**n * ud(n), a**n * ud(n), n),
        ("[x0,x1] * [y0,y1,y2]", "conv", [x0, x1], [y0, y1, y2], None),
        ("[1,2,3] * [x0,x1]", "conv", [1, 2, 3], [x0, x1], None),
    ]


def textbook_pairs():
    """(source, name, op, f, g, var): the textbook set (a, b, T, w > 0; n integer).

    Lathi's table lists causal exponentials ``e^(lambda t) u(t)``; here ``lambda = -a``
    or ``-b`` with ``a, b > 0`` (the decaying case a course works with).
    """
    half, third = Rational(1, 2), Rational(1, 3)
    box = (lambda lo, hi: u(t - lo) - u(t - hi))          # 1 on lo < t < hi
    boxd = (lambda lo, hi: ud(n - lo) - ud(n - hi))       # 1 on lo <= n < hi
    return [
        # Lathi's convolution table
        ("L", "cos(wt) * delta(t-T)", "conv", cos(w * t), DiracDelta(t - T), t),
        ("L", "e^-at u * u", "conv", exp(-a * t) * u(t), u(t), t),
        ("L", "u * u", "conv", u(t), u(t), t),
        ("L", "e^-at u * e^-bt u", "conv", exp(-a * t) * u(t), exp(-b * t) * u(t), t),
        ("L", "e^-at u * e^-at u", "conv", exp(-a * t) * u(t), exp(-a * t) * u(t), t),
        ("L", "t e^-at u * e^-at u", "conv", t * exp(-a * t) * u(t), exp(-a * t) * u(t), t),
        ("L", "t^2 u * e^-at u", "conv", t**2 * u(t), exp(-a * t) * u(t), t),
        ("L", "t^2 u * t^3 u", "conv", t**2 * u(t), t**3 * u(t), t),
        ("L", "t e^-at u * e^-bt u", "conv", t * exp(-a * t) * u(t), exp(-b * t) * u(t), t),
        ("L", "t^2 e^-at u * t e^-at u", "conv", t**2 * exp(-a * t) * u(t), t * exp(-a * t) * u(t), t),
        ("L", "e^-at cos(wt) u * e^-bt u", "conv", exp(-a * t) * cos(w * t) * u(t), exp(-b * t) * u(t), t),
        ("L", "e^-at u * e^bt u(-t)", "conv", exp(-a * t) * u(t), exp(b * t) * u(-t), t),
        ("L", "e^at u(-t) * e^bt u(-t)", "conv", exp(a * t) * u(-t), exp(b * t) * u(-t), t),
        # Oppenheim & Willsky, ch. 2
        ("OW", "a^n u[n] * u[n]", "conv", a**n * ud(n), ud(n), n),
        ("OW", "box[0,5) * a^n box[0,7)", "conv", boxd(0, 5), a**n * boxd(0, 7), n),
        ("OW", "2^n u[-n] * u[n]", "conv", 2**n * ud(-n), ud(n), n),
        ("OW", "(1/2)^n u * (1/3)^n u", "conv", half**n * ud(n), third**n * ud(n), n),
        ("OW", "(-1/2)^n u[n-4] * 4^n u[2-n]", "conv", (-half)**n * ud(n - 4), 4**n * ud(2 - n), n),
        ("OW", "box(0,T) * t box(0,2T)", "conv", box(0, T), t * box(0, 2 * T), t),
        ("OW", "e^2t u(-t) * u(t-3)", "conv", exp(2 * t) * u(-t), u(t - 3), t),
        ("OW", "(u-2u(t-2)+u(t-5)) * e^2t u(1-t)", "conv", u(t) - 2 * u(t - 2) + u(t - 5),
         exp(2 * t) * u(1 - t), t),
        # Haykin & Van Veen, ch. 2
        ("HV", "box(0,2) * e^-t u (RC)", "conv", box(0, 2), exp(-t) * u(t), t),
        ("HV", "(t-1) box(1,3) * (u(t+1)-2u(t-2))", "conv", (t - 1) * box(1, 3), u(t + 1) - 2 * u(t - 2), t),
        ("HV", "box[0,4)/4 * box[0,10)", "conv", boxd(0, 4) / 4, boxd(0, 10), n),
        ("HV", "(3/4)^n u[n] * u[n+2]", "conv", Rational(3, 4)**n * ud(n), ud(n + 2), n),
        ("HV", "(1/2)^n u[n] * 2^n u[-n-1]", "conv", half**n * ud(n), 2**n * ud(-n - 1), n),
        ("HV", "e^-2t u * e^-t u(t-1)", "conv", exp(-2 * t) * u(t), exp(-t) * u(t - 1), t),
        ("HV", "t box(0,1) * box(0,1)", "conv", t * box(0, 1), box(0, 1), t),
        ("HV", "sin(pi t) box(0,2) * box(0,1)", "conv", sin(sp.pi * t) * box(0, 2), box(0, 1), t),
    ]


SETS = {"classic": lambda: [(None,) + p for p in pairs()], "textbook": textbook_pairs}


def _unevaluated(value):
    return value.has(sp.Integral) or value.has(sp.Sum)


def _closed(value):
    """'yes' (no Integral/Sum), 'cond.' (closed form under a condition, the other
    Piecewise branch left unevaluated, e.g. where the integral diverges) or 'no'."""
    if isinstance(value, (list, tuple)):
        return "yes" if all(_closed(v) == "yes" for v in value) else "no"
    value = sp.sympify(value)
    if not _unevaluated(value):
        return "yes"
    if isinstance(value, sp.Piecewise) and any(not _unevaluated(e) for e, _ in value.args):
        return "cond."
    return "no"


# ---------------------------------------------------------------------------
# plain SymPy, one pair per subprocess
# ---------------------------------------------------------------------------

def _baseline(which, index):
    _, name, op, f, g, var = SETS[which]()[index]
    start = time.perf_counter()
    if var is None:
        from sympy.discrete.convolutions import convolution
        try:
            value = convolution(f, g)
            error = None
        except Exception as exc:  # noqa: BLE001 - report what SymPy raised
            value, error = None, f"{type(exc).__name__}"
    elif var.is_integer:
        shifted = (lambda e, s: e.subs(var, s))
        if op == "conv":
            term = shifted(f, k) * shifted(g, var - k)
        else:
            term = shifted(f, var + k) * sp.conjugate(shifted(g, k))
        value, error = sp.summation(term, (k, -sp.oo, sp.oo)), None
    else:
        if op == "conv":
            term = f.subs(t, tau) * g.subs(t, t - tau)
        else:
            term = f.subs(t, t + tau) * sp.conjugate(g.subs(t, tau))
        value, error = sp.integrate(term, (tau, -sp.oo, sp.oo)), None
    seconds = time.perf_counter() - start
    closed = _closed(value) if error is None else "error"
    print(json.dumps({"seconds": seconds, "closed": closed, "error": error}))


def _run_baseline(which, index, timeout):
    cmd = [sys.executable, os.path.abspath(__file__), "--baseline", f"{which}:{index}"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "closed": None, "error": "timeout"}
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"seconds": None, "closed": None, "error": "crashed"}


# ---------------------------------------------------------------------------
# symconv
# ---------------------------------------------------------------------------

def _symconv(op, f, g, var):
    import symconv

    if var is None:
        return (symconv.conv_seq if op == "conv" else symconv.corr_seq)(f, g)
    return (symconv.conv if op == "conv" else symconv.corr)(f, g, var)


def _times(fn, repeat):
    times, value = [], None
    for _ in range(repeat):
        sp.core.cache.clear_cache()
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return times, value


def _median_time(fn, repeat):
    times, value = _times(fn, repeat)
    return statistics.median(times), value


def _machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, SymPy {sp.__version__}")


def _table(which, args):
    """Run one set of pairs; print its table and totals."""
    from symconv.verify import crosscheck

    textbook = which == "textbook"
    times_head = f"{'median [s]':>10} {'max [s]':>8}" if textbook else f"{'symconv [s]':>11}"
    src_head = f"{'src':<4}" if textbook else ""
    width = 34 if textbook else 24
    header = (f"{src_head}{'pair':<{width}} {'kind':<10} {times_head} {'closed':>6} {'check':>12}   "
              f"{'sympy [s]':>9} {'closed':>7}")
    print(header)
    print("-" * len(header))
    total, worst, closed_count, cond_count, rows = 0.0, 0.0, 0, 0, 0
    base_closed = base_cond = base_timeout = 0
    for index, (src, name, op, f, g, var) in enumerate(SETS[which]()):
        if args.only and args.only not in name:
            continue
        kind = "sequence" if var is None else ("discrete" if var.is_integer else "continuous")
        times, value = _times(lambda: _symconv(op, f, g, var), args.repeat)
        seconds = statistics.median(times)
        total += seconds
        worst = max(worst, max(times))
        closed = _closed(value)
        closed_count += closed == "yes"
        cond_count += closed == "cond."
        rows += 1
        report = crosscheck(value, f, g, var, op=op, instances=1)
        if args.no_baseline:
            base = {"seconds": None, "closed": None, "error": "skipped"}
        else:
            base = _run_baseline(which, index, args.timeout)
        if base["error"] in ("timeout", "skipped", "crashed"):
            b_time, b_closed = base["error"], "-"
            base_timeout += base["error"] == "timeout"
        else:
            b_time = f"{base['seconds']:.2f}"
            b_closed = base["closed"] if not base["error"] else f"raises {base['error']}"
            base_closed += b_closed == "yes"
            base_cond += b_closed == "cond."
        shown = f"{seconds:>10.3f} {max(times):>8.3f}" if textbook else f"{seconds:>11.3f}"
        print(f"{src or '':<{len(src_head)}}{name:<{width}} {kind:<10} {shown} {closed:>6} "
              f"{report.status:>12}   {b_time:>9} {b_closed:>7}", flush=True)
    print("-" * len(header))
    print(f"symconv: {closed_count}/{rows} in closed form, {cond_count} under a stated "
          f"convergence condition; total of medians {total:.2f} s, slowest run {worst:.2f} s")
    if not args.no_baseline:
        print(f"sympy:   {base_closed}/{rows} in closed form, {base_cond} under a condition, "
              f"{base_timeout} timed out")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("classic", "textbook", "all"), default="all",
                        help="the 29 classic pairs, the textbook set, or both (default)")
    parser.add_argument("--repeat", type=int, default=3, help="symconv runs per pair (median)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds before plain SymPy is killed (default 10)")
    parser.add_argument("--only", default=None, help="run only the pairs whose name contains this")
    parser.add_argument("--no-baseline", action="store_true", help="skip plain SymPy")
    parser.add_argument("--baseline", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline is not None:
        which, index = args.baseline.split(":")
        _baseline(which, int(index))
        return 0

    print(f"# {datetime.date.today().isoformat()}, {_machine()}; load average {os.getloadavg()[0]:.2f}")
    print(f"# symconv: median of {args.repeat} runs (cache cleared); sympy: one run, killed "
          f"after {args.timeout:g} s")
    for which in (("classic", "textbook") if args.set == "all" else (args.set,)):
        if which == "textbook":
            print("\n# textbook set (src: L = Lathi's table, OW = Oppenheim & Willsky ch. 2, "
                  "HV = Haykin & Van Veen ch. 2)")
        _table(which, args)
    print(f"# load average at end {os.getloadavg()[0]:.2f}")
    if args.set == "textbook":
        return 0

    # the exact layer
    from symconv.nn.layers import conv_layer

    xs = sp.Array(sp.symbols("x0:192")).reshape(1, 3, 8, 8)
    ws = sp.Array(sp.symbols("w0:108")).reshape(4, 3, 3, 3)
    seconds, y = _median_time(lambda: conv_layer(xs, ws), max(args.repeat, 3))
    print(f"conv_layer 1x3x8x8 symbols * 4x3x3x3 symbols -> {y.shape}: {seconds:.3f} s "
          f"(median of {max(args.repeat, 3)})")
    seconds, y = _median_time(lambda: conv_layer(xs, ws, padding=1, padding_mode="reflect"),
                              max(args.repeat, 3))
    print(f"conv_layer same, padding=1 reflect -> {y.shape}: {seconds:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
