"""A signals-course set: continuous and discrete convolution pairs, impulse responses of
LTI systems, correlation versus convolution, and the convolution theorem."""

import numpy as np
import sympy as sp
from sympy import Heaviside, Rational, exp, sqrt, symbols

from symconv.verify import crosscheck
from symconv.signals.discrete import conv_seq, corr_seq
from symconv.signals import delta, ramp, rect, u
from symconv.signals.continuous import conv, corr

from . import _brute
from ._checks import crosscheck_check, exact_check, grid_check, sympy_check
from ._keys import key, mistake
from ._registry import Check, exercise

TOPIC = "signals"
SOURCE = "signals course (convolution of signals)"

t = symbols("t", real=True)
n = symbols("n", integer=True)


def general_branch(expr):
    """Replace every Piecewise by its last branch (the generic case, e.g. a != b)."""
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[-1][0])


def causal_check(answer, var, positive_side, what):
    """Both signals vanish for negative arguments: the answer must be 0 for var < 0 (then
    no term of the defining integral or sum survives) and equal ``positive_side`` (an
    expression in a positive symbol named like ``var``) for var > 0 (var >= 0 if discrete)."""
    discrete = bool(var.is_integer)
    pos = symbols(var.name, integer=True, nonnegative=True) if discrete else \
        symbols(var.name, positive=True)
    positive_side = positive_side.xreplace({s: pos for s in positive_side.free_symbols
                                            if s.name == var.name})
    after = answer.subs(var, pos)
    if discrete:
        after = after.replace(Heaviside, lambda *args: 1)   # u[n] = 1 for n >= 0
    neg = symbols("m", integer=True, positive=True) if discrete else symbols("m", positive=True)
    before = sp.simplify(answer.subs(var, -neg))
    ok = before == 0 and sp.simplify(after - positive_side) == 0
    region = "n >= 0" if discrete else "t > 0"
    return Check("proven" if ok else "refuted", "sympy",
                 f"for {region} the answer equals {what} (SymPy simplifies the difference to "
                 f"0); for {var} < 0 the defining {'sum' if discrete else 'integral'} has no "
                 f"nonzero term and SymPy reduces the answer to {before}")


def _time(lo=-4, hi=6):
    return {"t": {"domain": "real", "min": lo, "max": hi}}


def _rate(name, lo, hi):
    return {name: {"domain": "positive", "min": lo, "max": hi}}


@exercise("signals-exp-exp", topic=TOPIC, title="Two causal exponentials",
          source=SOURCE + ", causal exponentials",
          prompt="""Convolve f(t) = e^(-a t) u(t) with g(t) = e^(-b t) u(t), where a, b > 0 and
          u is the unit step, and give the results in closed form. (a) Give f ∗ g for a ≠ b.
          (b) Give f ∗ g when a = b.""")
def _exp_exp(s):
    a, b = symbols("a b", positive=True)
    f, g = exp(-a * t) * u(t), exp(-b * t) * u(t)
    full = conv(f, g, t)
    generic = general_branch(full)
    equal = conv(f, exp(-a * t) * u(t), t)
    s.figure("Two causal exponentials and their convolution, for a = 1 and b = 2 (the a ≠ b "
             "branch of the closed form).", "plot_signals", f, g, t, result=full,
             subs={a: 1, b: 2})
    s.say("Both signals vanish for negative arguments, so for t > 0 the integrand "
          "e^(-a τ) e^(-b (t - τ)) lives on 0 < τ < t: the integral is "
          "e^(-b t) (e^((b - a) t) - 1)/(b - a). When a = b the exponent cancels and the "
          "integral of a constant gives t e^(-a t). The library returns both cases at once:")
    s.show(full)
    report = crosscheck(full, f, g, t)
    tp, tau = symbols("t tau", positive=True)
    by_integral = sp.integrate(exp(-a * tau) * exp(-b * (tp - tau)), (tau, 0, tp), conds="none")
    variables = {**_time(), **_rate("a", 0.3, 1.2), **_rate("b", 1.5, 3)}
    s.part("a", answer=generic, prompt="a ≠ b",
           key=key("expression", generic, variables=variables, mistakes=[
               mistake(generic / u(t), "The result is causal: multiply by u(t) (it vanishes "
                                       "for t < 0).", 0.5,
                       agrees="t >= 0 (the feedback is about t < 0)"),
               mistake(-generic, "Check the sign at small t > 0: the result is positive.", 0,
                       agrees="t <= 0, where both vanish")]),
           checks=[crosscheck_check(report, "the Piecewise result (both cases)"),
                   causal_check(generic, t, by_integral,
                                "SymPy's integrate of e^(-a τ) e^(-b(t - τ)) over 0 < τ < t")])
    variables = {**_time(), **_rate("a", 0.3, 3)}
    eq_report = crosscheck(equal, f, exp(-a * t) * u(t), t)
    s.part("b", answer=equal, prompt="a = b",
           key=key("expression", equal, variables=variables, mistakes=[
               mistake(equal / u(t), "The result is causal: multiply by u(t).", 0.5,
                       agrees="t >= 0 (the feedback is about t < 0)"),
               mistake(exp(-a * t) * u(t), "The integrand is constant on 0 < τ < t, so the "
                                           "integral grows like t.", 0,
                       agrees="t <= 0, where both vanish, and t = 1")]),
           checks=[crosscheck_check(eq_report, "the a = b case"),
                   sympy_check(equal, sp.simplify(full.subs(b, a)),
                               "the general Piecewise result with b = a substituted")])


@exercise("signals-boxes", topic=TOPIC, title="Boxes make triangles and trapezoids",
          source=SOURCE + ", box signals",
          prompt="""(a) Convolve the unit box rect(t) (1 for |t| < 1/2, 0 outside) with itself.
          (b) Convolve the box of width 1 on [0, 1] with the box of width 2 on [0, 2]; write
          the result with ramps r(t) = t u(t).""")
def _boxes(s):
    f = rect(t)
    tri_result = conv(f, f, t)
    s.figure("rect ∗ rect: flip the box, slide it, and integrate the overlap; the overlap's "
             "length is the triangle's value.", "plot_flip_and_slide", f, f, t,
             at=[Rational(-1, 2), 0, Rational(1, 2)], result=tri_result)
    s.say("The convolution at t is the length of the overlap of the box with a copy shifted "
          "by t. For two unit boxes it rises linearly from t = -1 to 0 and falls to t = 1: "
          "the triangle. For unequal boxes the overlap is constant while the short box sits "
          "inside the long one: a trapezoid with ramps starting at 0, 1, 2 and 3.")
    s.show(tri_result)
    s.part("a", answer=tri_result, prompt="rect ∗ rect", text="tri(t)",
           key=key("expression", tri_result, variables=_time(-2, 2), mistakes=[
               mistake(rect(t), "Convolving two boxes does not give a box: the overlap grows "
                                "and shrinks linearly.", 0, text="rect(t)",
                       agrees="|t| >= 1, where both vanish"),
               mistake(2 * (sp.Max(1 - sp.Abs(t), 0)), "The peak is the overlap of the two "
                                                       "boxes at t = 0, which has length 1.",
                       0.25, text="2 tri(t)",
                       agrees="|t| >= 1, where both vanish")]),
           checks=[crosscheck_check(crosscheck(tri_result, f, f, t), "rect ∗ rect")])
    f1, f2 = u(t) - u(t - 1), u(t) - u(t - 2)
    trap = conv(f1, f2, t)
    s.figure("The box on [0, 1] convolved with the box on [0, 2]: a trapezoid with corners at "
             "t = 0, 1, 2, 3.", "plot_signals", f1, f2, t, result=trap)
    s.show(trap)
    s.part("b", answer=trap, prompt="box [0, 1] ∗ box [0, 2]",
           text="ramp(t) - ramp(t - 1) - ramp(t - 2) + ramp(t - 3)",
           key=key("expression", trap, variables=_time(-1, 4),
                   # ramps r(t - c) = (t - c) u(t - c) are read as steps times polynomials
                   operations=["add", "negate", "scale", "multiply", "step"], mistakes=[
               mistake(ramp(t) - 2 * ramp(t - Rational(3, 2)) + ramp(t - 3),
                       "That is a triangle; the overlap stays at 1 while the short box is "
                       "inside the long one, a flat top from t = 1 to 2.", 0.25,
                       text="ramp(t) - 2 ramp(t - 3/2) + ramp(t - 3)",
                       agrees="outside 1 < t < 2 (the feedback is about the top)")]),
           checks=[crosscheck_check(crosscheck(trap, f1, f2, t), "box ∗ box")])


@exercise("signals-ramp-step", topic=TOPIC, title="A ramp convolved with a step",
          source=SOURCE + ", ramp and step",
          prompt="""Convolve the ramp r(t) = t u(t) with the unit step u(t). Give the result in
          closed form.""")
def _ramp_step(s):
    result = conv(ramp(t), u(t), t)
    s.figure("The ramp r(t), the unit step and their convolution t²/2 u(t): convolving with "
             "u integrates.", "plot_signals", ramp(t), u(t), t, result=result, xlim=(-1, 3))
    s.say("Convolving with the unit step integrates: (f ∗ u)(t) = integral of f from -∞ to t. "
          "The integral of the ramp is t^2/2 for t > 0.")
    tp, tau = symbols("t tau", positive=True)
    by_integral = sp.integrate(tau, (tau, 0, tp))
    s.part(answer=result,
           key=key("expression", result, variables=_time(), mistakes=[
               mistake(2 * result, "Integrating t gives t^2/2.", 0.5,
                       agrees="t <= 0, where both vanish"),
               mistake(ramp(t), "Convolving with the step integrates the ramp once more.", 0,
                       agrees="t <= 0, where both vanish, and t = 2")]),
           checks=[crosscheck_check(crosscheck(result, ramp(t), u(t), t), "r ∗ u"),
                   causal_check(result, t, by_integral, "SymPy's integral of τ over 0 < τ < t")])


@exercise("signals-gaussians", topic=TOPIC, title="Two Gaussians",
          source=SOURCE + ", Gaussian signals",
          prompt="""Convolve the normal densities with mean 0 and standard deviations σ1 and σ2:
          g_i(t) = exp(-t^2/(2 σi^2))/sqrt(2 π σi^2).""")
def _gaussians(s):
    s1, s2 = symbols("sigma1 sigma2", positive=True)
    g1 = exp(-t ** 2 / (2 * s1 ** 2)) / sqrt(2 * sp.pi * s1 ** 2)
    g2 = exp(-t ** 2 / (2 * s2 ** 2)) / sqrt(2 * sp.pi * s2 ** 2)
    result = conv(g1, g2, t)
    s.figure("Two Gaussians (σ1 = 1, σ2 = 2) and their convolution, a Gaussian of variance "
             "σ1² + σ2² = 5.", "plot_signals", g1, g2, t, result=result,
             subs={s1: 1, s2: 2})
    wrong = (exp(-t ** 2 / (2 * (s1 + s2) ** 2)) / sqrt(2 * sp.pi * (s1 + s2) ** 2))
    s.say("The convolution of two densities is the density of the sum of independent "
          "variables; for Gaussians the variances add: the result is the normal density "
          "with variance σ1^2 + σ2^2 (completing the square in the exponent gives the same).")
    variables = {**_time(-4, 4), "sigma1": {"domain": "positive", "min": 0.5, "max": 2},
                 "sigma2": {"domain": "positive", "min": 0.5, "max": 2}}
    s.part(answer=result,
           key=key("expression", result, variables=variables, mistakes=[
               mistake(wrong, "The variances add, not the standard deviations.", 0.25)]),
           checks=[crosscheck_check(crosscheck(result, g1, g2, t), "g1 ∗ g2"),
                   sympy_check(sp.integrate(result, (t, -sp.oo, sp.oo)), 1,
                               "the result integrates to 1, as a density must")])


@exercise("signals-autocorrelation", topic=TOPIC, title="Autocorrelation of a decaying "
                                                        "exponential",
          source=SOURCE + ", correlation",
          prompt="""Compute the autocorrelation (x ⋆ x)(t) = integral of x(t + τ) x(τ) dτ of
          x(t) = e^(-a t) u(t), a > 0.""")
def _autocorrelation(s):
    a = symbols("a", positive=True)
    x = exp(-a * t) * u(t)
    result = corr(x, x, t)
    s.figure("The autocorrelation of e^(-t) u(t) (a = 1): even in t, largest at t = 0.",
             "plot_signals", x, x, t, op="corr", result=result, subs={a: 1},
             names=("x", "x"))
    s.say("For t >= 0 the product x(t + τ) x(τ) is e^(-a t) e^(-2 a τ) on τ > 0, which "
          "integrates to e^(-a t)/(2a). An autocorrelation is always even, so the result is "
          "e^(-a |t|)/(2a).")
    s.part(answer=result,
           key=key("expression", result, variables={**_time(), **_rate("a", 0.3, 3)},
                   mistakes=[mistake(exp(-a * t) / (2 * a) * u(t), "An autocorrelation is even: "
                                                                    "the t < 0 half mirrors "
                                                                    "t > 0.", 0.25,
                                     agrees="t >= 0 (the feedback is about t < 0)"),
                             mistake(exp(-a * sp.Abs(t)) / a, "The integral of e^(-2 a τ) "
                                                              "over τ > 0 is 1/(2a).", 0.5)]),
           checks=[crosscheck_check(crosscheck(result, x, x, t, op="corr"), "x ⋆ x")])


@exercise("signals-delta-shift", topic=TOPIC, title="Convolving with a shifted impulse",
          source=SOURCE + ", impulses",
          prompt="""Convolve δ(t - 2) with e^(-t) u(t).""")
def _delta_shift(s):
    f = delta(t - 2)
    g = exp(-t) * u(t)
    result = conv(f, g, t)
    s.figure("Convolving with δ(t - 2) delays the signal by 2 (the impulse is drawn as an "
             "arrow of area 1).", "plot_signals", f, g, t, result=result)
    s.say("By the sifting property, convolving with δ(t - t0) delays a signal by t0: the "
          "whole signal, step included, moves to start at t = 2.")
    tau = symbols("tau", real=True)
    sifted = sp.integrate(sp.DiracDelta(tau - 2) * g.subs(t, t - tau), (tau, -sp.oo, sp.oo))
    s.part(answer=result,
           key=key("expression", result, variables=_time(-2, 8), mistakes=[
               mistake(exp(-t) * u(t - 2), "Delay the exponential too: e^(-(t - 2)).", 0.25,
                       agrees="t < 2, where both vanish"),
               mistake(g, "Convolving with a shifted impulse delays the signal.", 0,
                       agrees="t < 0, where both vanish")]),
           checks=[crosscheck_check(crosscheck(result, f, g, t), "δ(t - 2) ∗ e^(-t) u(t)"),
                   sympy_check(result, sifted, "SymPy's integral of δ(τ - 2) g(t - τ)")])


@exercise("signals-geometric", topic=TOPIC, title="Two geometric sequences",
          source=SOURCE + ", discrete exponentials",
          prompt="""Convolve x[n] = a^n u[n] with h[n] = b^n u[n] (u[n] = 1 for n >= 0), where
          a, b > 0, and give the results in closed form (no sums left). (a) Give x ∗ h for
          a ≠ b. (b) Give it for a = b.""")
def _geometric(s):
    a, b = symbols("a b", positive=True)
    x, h = a ** n * u(n), b ** n * u(n)
    full = conv(x, h, n)
    generic = general_branch(full)
    equal = conv(x, a ** n * u(n), n)
    s.figure("Two geometric sequences (a = 1/2, b = 3/4) and their convolution, as stems.",
             "plot_signals", x, h, n, result=full, subs={a: Rational(1, 2), b: Rational(3, 4)},
             xlim=(-3, 15))
    s.say("For n >= 0, (x ∗ h)[n] = sum over k = 0..n of a^k b^(n - k), a finite geometric "
          "series: (a^(n+1) - b^(n+1))/(a - b) when a ≠ b and (n + 1) a^n when a = b.")
    s.show(full)
    k = symbols("k", integer=True)
    nn = symbols("n", integer=True, nonnegative=True)
    series = general_branch(sp.Sum(a ** k * b ** (nn - k), (k, 0, nn)).doit())
    variables = {"n": {"domain": "integer", "min": -4, "max": 20},
                 "a": {"domain": "positive", "min": 0.2, "max": 0.5},
                 "b": {"domain": "positive", "min": 0.6, "max": 0.95}}
    A, B = Rational(1, 3), Rational(1, 4)
    s.part("a", answer=generic, prompt="a ≠ b",
           key=key("expression", generic, variables=variables, discrete=True, mistakes=[
               mistake((a ** n - b ** n) / (a - b) * u(n), "The sum has n + 1 terms, k = 0..n: "
                                                           "the powers are n + 1.", 0.5,
                       agrees="n < 0, where both vanish"),
               mistake(generic / u(n), "The result vanishes for n < 0: multiply by u[n].",
                       0.5,
                       agrees="n >= -1 (the feedback is about n < 0)")]),
           checks=[crosscheck_check(crosscheck(full, x, h, n), "the Piecewise result"),
                   causal_check(generic, n, series, "SymPy's closed form of the finite sum "
                                                    "sum_(k=0..n) a^k b^(n-k)"),
                   grid_check(lambda nn: generic.subs({a: A, b: B, n: nn}),
                              lambda nn: sum(A ** kk * B ** (nn - kk) for kk in range(nn + 1)),
                              [(nn,) for nn in range(0, 16)],
                              "exact rational values for a = 1/3, b = 1/4, n = 0..15, against "
                              "the direct sum")])
    s.part("b", answer=equal, prompt="a = b",
           key=key("expression", equal, discrete=True,
                   variables={"n": variables["n"], "a": {"domain": "positive", "min": 0.2,
                                                         "max": 0.95}},
                   mistakes=[mistake(n * a ** n * u(n), "There are n + 1 terms a^k a^(n - k), "
                                                        "k = 0..n.", 0.5,
                                     agrees="n < 0, where both vanish")]),
           checks=[crosscheck_check(crosscheck(equal, x, a ** n * u(n), n), "the a = b case"),
                   sympy_check(equal, sp.simplify(full.subs(b, a)),
                               "the general result with b = a substituted")])


@exercise("signals-discrete-boxes", topic=TOPIC, title="Discrete boxes",
          source=SOURCE + ", discrete box signals",
          prompt="""(a) Convolve the finite sequences [1, 1, 1] and [1, 1, 1]. (b) Write the
          convolution of x[n] = u[n] - u[n - 3] with itself as a formula in n. (c) How long is
          the full convolution of sequences of lengths N and M?""")
def _discrete_boxes(s):
    seq = conv_seq([1, 1, 1], [1, 1, 1])
    s.say("Each output counts the overlapping ones: 1, 2, 3, 2, 1 from n = 0 to 4, a "
          "discrete triangle. The full convolution has one entry per possible sum of "
          "indices i + j, from 0 to (N - 1) + (M - 1): N + M - 1 entries.")
    s.part("a", answer=seq, prompt="[1, 1, 1] ∗ [1, 1, 1]",
           key=key("sequence", seq, mistakes=[
               mistake(conv_seq([1, 1, 1], [1, 1, 1], mode="same"),
                       "That is numpy's 'same' mode (the central part); the full convolution "
                       "has 5 entries.", 0.5),
               mistake(conv_seq([1, 1, 1], [1, 1, 1], mode="valid"),
                       "That is the 'valid' part only (full overlap).", 0.25)]),
           checks=[exact_check(seq, [int(v) for v in np.convolve([1, 1, 1], [1, 1, 1])],
                               "numpy.convolve")])
    box = u(n) - u(n - 3)
    formula = conv(box, box, n)
    s.figure("The discrete box u[n] - u[n - 3] slid across itself: each output counts the "
             "overlapping ones.", "plot_flip_and_slide", box, box, n, at=[0, 2, 3],
             result=formula)
    s.show(formula)
    s.part("b", answer=formula, prompt="(u[n] - u[n - 3]) ∗ (u[n] - u[n - 3])",
           text="(n + 1)(u[n] - u[n - 3]) + (5 - n)(u[n - 3] - u[n - 5])",
           key=key("expression", formula, discrete=True,
                   variables={"n": {"domain": "integer", "min": -4, "max": 9}},
                   mistakes=[mistake((n + 1) * (u(n) - u(n - 3)),
                                     "That is only the rising half; the overlap then shrinks "
                                     "again, 2 and 1 at n = 3 and 4.", 0.25,
                                     agrees="n <= 2 and n >= 5")]),
           checks=[crosscheck_check(crosscheck(formula, box, box, n), "box ∗ box"),
                   exact_check([formula.subs(n, v) for v in range(-2, 8)],
                               [0, 0] + seq + [0, 0, 0], "the sequence of (a), padded with "
                                                         "zeros, for n = -2..7")])
    N, M = symbols("N M", integer=True, positive=True)
    length = N + M - 1
    s.part("c", answer=length, prompt="length of the full convolution",
           key=key("expression", length,
                   variables={"N": {"domain": "positive integer", "max": 50},
                              "M": {"domain": "positive integer", "max": 50}},
                   mistakes=[mistake(N + M, "The first and last index sums are 0 and "
                                            "N + M - 2: N + M - 1 entries.", 0.25),
                             mistake(sp.Max(N, M), "That is the length of numpy's 'same' "
                                                   "mode.", 0,
                                     agrees="M = 1 or N = 1")]),
           checks=[grid_check(lambda p, q: length.subs({N: p, M: q}),
                              lambda p, q: len(conv_seq([1] * p, [1] * q)),
                              [(p, q) for p in range(1, 9) for q in range(1, 9)],
                              "N + M - 1 against the length of symconv.signals.discrete.conv_seq, "
                              "N, M <= 8")])


@exercise("signals-lti-rc", topic=TOPIC, title="Impulse and step response of a first-order "
                                               "system",
          source=SOURCE + ", LTI systems",
          prompt="""An RC low-pass filter obeys y'(t) + a y(t) = x(t) with a > 0 and y = 0 before
          the input starts. (a) Give its impulse response h(t). (b) Give its step response,
          the output for x(t) = u(t), as the convolution h ∗ u.""")
def _rc(s):
    a = symbols("a", positive=True)
    h = exp(-a * t) * u(t)
    tp = symbols("t", positive=True)
    residual_after = sp.simplify(sp.diff(h.subs(t, tp), tp) + a * h.subs(t, tp))
    jump = sp.limit(h, t, 0, "+") - sp.limit(h, t, 0, "-")
    s.say("For t > 0 the impulse has passed and y' = -a y, so y decays like e^(-a t); the "
          "impulse at t = 0 makes y jump from 0 to 1. The output for any input is x ∗ h; "
          "for the step it is the integral of h from 0 to t.")
    variables = {**_time(-2, 6), **_rate("a", 0.3, 3)}
    s.part("a", answer=h, prompt="impulse response",
           key=key("expression", h, variables=variables, mistakes=[
               mistake(exp(-a * t), "The system is causal: h(t) = 0 for t < 0.", 0.5,
                       agrees="t >= 0 (the feedback is about t < 0)"),
               mistake(exp(a * t) * u(t), "y' = -a y decays: the exponent is -a t.", 0,
                       agrees="t <= 0")]),
           checks=[Check("proven" if residual_after == 0 and jump == 1 else "refuted", "sympy",
                         f"h' + a h = 0 for t > 0 (SymPy: {residual_after}), h = 0 for t < 0, "
                         f"and h jumps by {jump} at t = 0, which is what the impulse δ(t) "
                         "requires")])
    step = conv(h, u(t), t)
    s.figure("The RC filter (a = 1): impulse response, input step and step response "
             "(1 - e^(-t))u(t).", "plot_signals", h, u(t), t, result=step, subs={a: 1},
             names=("h", "u"))
    after = step.subs(t, tp)
    ode = sp.simplify(sp.diff(after, tp) + a * after)
    s.part("b", answer=step, prompt="step response",
           key=key("expression", step, variables=variables, mistakes=[
               mistake((1 - exp(-a * t)) * u(t), "The output settles at x/a = 1/a, not 1.",
                       0.5,
                       agrees="t <= 0, where both vanish (and a = 1)"),
               mistake(step / u(t), "The output is zero before the step: multiply by u(t).",
                       0.5,
                       agrees="t >= 0 (the feedback is about t < 0)")]),
           checks=[crosscheck_check(crosscheck(step, h, u(t), t), "h ∗ u"),
                   Check("proven" if ode == 1 and sp.limit(step, t, 0, "+") == 0 else "refuted",
                         "sympy", f"y' + a y = {ode} for t > 0 and y(0+) = 0 (SymPy)")])


@exercise("signals-lti-recursive", topic=TOPIC, title="A first-order recursive filter",
          source=SOURCE + ", discrete LTI systems",
          prompt="""A discrete system computes y[n] = x[n] + y[n - 1]/2, starting at rest.
          (a) Give its impulse response h[n]. (b) Give its response to the unit step u[n], in
          closed form.""")
def _recursive(s):
    half = Rational(1, 2)
    h = half ** n * u(n)

    def run(x_of, steps=25):
        y, prev = [], 0
        for k in range(steps):
            prev = x_of(k) + half * prev
            y.append(prev)
        return y

    impulse = run(lambda k: 1 if k == 0 else 0)
    s.say("Feeding δ[n]: y[0] = 1, y[1] = 1/2, y[2] = 1/4, ... so h[n] = (1/2)^n u[n]. The "
          "step response is u ∗ h, a running sum of h: 2 - (1/2)^n for n >= 0.")
    variables = {"n": {"domain": "integer", "min": -5, "max": 30}}
    m = symbols("m", integer=True, positive=True)
    # for n >= 1 both steps are 1: check the recursion on the formula (1/2)^n itself
    recursion = sp.simplify(half ** m - half * half ** (m - 1))
    s.part("a", answer=h, prompt="impulse response", text="(1/2)^n u[n]",
           key=key("expression", h, variables=variables, discrete=True, mistakes=[
               mistake(half ** n, "The system starts at rest: h[n] = 0 for n < 0.", 0.5,
                       agrees="n >= 0 (the feedback is about n < 0)"),
               mistake(2 ** n * u(n), "Each step halves the previous output.", 0,
                       agrees="n <= 0")]),
           checks=[grid_check(lambda k: h.subs(n, k), lambda k: impulse[k],
                              [(k,) for k in range(25)],
                              "the closed form against running the recursion on δ[n], exact "
                              "rationals, n = 0..24"),
                   Check("proven" if recursion == 0 and h.subs(n, 0) == 1
                         and h.subs(n, -1) == 0 else "refuted",
                         "sympy", "(1/2)^n - (1/2)^(n - 1)/2 = 0 for n >= 1, h[0] = 1 and h = 0 "
                                  "for n < 0 (SymPy): h satisfies the recursion with x = δ and "
                                  "starts at rest")])
    step = conv(u(n), h, n)
    s.figure("The recursive filter's step response u ∗ h = 2 - (1/2)^n for n ≥ 0.",
             "plot_signals", u(n), h, n, result=step, xlim=(-3, 12), names=("u", "h"))
    response = run(lambda k: 1)
    s.part("b", answer=step, prompt="step response",
           key=key("expression", step, variables=variables, discrete=True, mistakes=[
               mistake((1 - half ** n) * u(n), "The first output is already 1 (y[0] = x[0]); "
                                               "the limit is 2.", 0.25,
                       agrees="n < 0, where both vanish"),
               mistake(2 * u(n), "That is only the limit as n grows.", 0.25,
                       agrees="n < 0, where both vanish")]),
           checks=[crosscheck_check(crosscheck(step, u(n), h, n), "u ∗ h"),
                   grid_check(lambda k: step.subs(n, k), lambda k: response[k],
                              [(k,) for k in range(25)],
                              "the closed form against running the recursion on u[n], exact "
                              "rationals, n = 0..24")])


@exercise("signals-moving-average", topic=TOPIC, title="A moving average",
          source=SOURCE + ", FIR filters",
          prompt="""The system y[n] = (x[n] + x[n - 1] + x[n - 2])/3 averages the last three
          samples. (a) Give its impulse response as the list of values h[0], h[1], h[2].
          (b) The input is x[n] = 3δ[n] + 6δ[n - 1] + 9δ[n - 2] (x[0] = 3, x[1] = 6,
          x[2] = 9, zero elsewhere). Give the full output as the list y[0], y[1], ... up to
          its last nonzero value.""")
def _moving_average(s):
    third = Rational(1, 3)
    hs = [third] * 3
    impulse = [third * sum(1 for d in range(3) if k - d == 0) for k in range(3)]
    out = conv_seq([3, 6, 9], hs)
    s.figure("The moving average: the input [3, 6, 9], the impulse response [1/3, 1/3, 1/3] "
             "and the output x ∗ h (five values).", "plot_signals", [3, 6, 9], hs, None,
             result=out, names=("x", "h"))
    s.say("With x = δ only one of the three terms is nonzero at a time, so h = [1/3, 1/3, "
          "1/3]: the output is x ∗ h, here five values from n = 0 to 4.")
    s.part("a", answer=hs, prompt="impulse response",
           key=key("sequence", hs, mistakes=[
               mistake([1, 1, 1], "Divide by 3: each tap weighs 1/3.", 0.5)]),
           checks=[exact_check(hs, impulse, "the system's formula evaluated on δ[n]")])
    s.part("b", answer=out, prompt="output for [3, 6, 9]",
           key=key("sequence", out, mistakes=[
               mistake(conv_seq([3, 6, 9], hs, mode="valid"), "Include the start-up and the "
                                                              "tail (full convolution): five "
                                                              "values.", 0.5)]),
           checks=[exact_check(out, _brute.conv1d_full([3, 6, 9], hs), "a double loop"),
                   crosscheck_check(crosscheck(out, [3, 6, 9], hs), "against numpy.convolve")])


@exercise("signals-corr-vs-conv", topic=TOPIC, title="Correlation versus convolution",
          source=SOURCE + "; the notes' remark that layers cross-correlate",
          prompt="""For x = [1, 2, 3, 4] and k = [1, 0, -1], compute the 'valid' part (full
          overlap only) of (a) the cross-correlation sum_m x[n + m] k[m] and (b) the
          convolution sum_m x[n - m] k[m].""")
def _corr_vs_conv(s):
    x, k = [1, 2, 3, 4], [1, 0, -1]
    c = corr_seq(x, k, mode="valid")
    v = conv_seq(x, k, mode="valid")
    s.figure("Cross-correlation of [1, 2, 3, 4] with [1, 0, -1] (all overlaps; the valid "
             "part is n = 0, 1), drawn by sliding the kernel unflipped.", "plot_flip_and_slide",
             x, k, None, op="corr", at=[0, 1])
    s.say("The correlation slides k as it is (x[n] - x[n + 2]); the convolution slides it "
          "flipped (x[n + 2] - x[n] at the same positions), so for this antisymmetric "
          "kernel the two differ by a sign. Layers of deep-learning libraries compute the "
          "first and call it convolution.")
    s.part("a", answer=c, prompt="correlation",
           key=key("sequence", c, mistakes=[mistake(v, "That is the convolution (the kernel "
                                                       "flipped).", 0.25)]),
           checks=[exact_check(c, [int(z) for z in np.correlate(x, k, mode="valid")],
                               "numpy.correlate(x, k, 'valid')")])
    s.part("b", answer=v, prompt="convolution",
           key=key("sequence", v, mistakes=[mistake(c, "That is the correlation (the kernel "
                                                       "not flipped).", 0.25)]),
           checks=[exact_check(v, [int(z) for z in np.convolve(x, k, mode="valid")],
                               "numpy.convolve(x, k, 'valid')")])


@exercise("signals-convolution-theorem", topic=TOPIC, title="The convolution theorem",
          source=SOURCE + ", the convolution theorem",
          prompt="""(a) Give the Laplace transform of (e^(-a t) u(t)) ∗ (e^(-b t) u(t)) for
          a ≠ b, as a function of s. (b) The circular
          convolution of period 4 of x = [1, 2, 0, 1] with h = [1, 0, -1, 0] can be computed
          with the discrete Fourier transform. Give the result.""")
def _theorem(s):
    a, b = symbols("a b", positive=True)
    sv = symbols("s", positive=True)
    f, g = exp(-a * t) * u(t), exp(-b * t) * u(t)
    product = sp.laplace_transform(f, t, sv, noconds=True) * \
        sp.laplace_transform(g, t, sv, noconds=True)
    product = sp.factor(product)
    closed = general_branch(conv(f, g, t))
    of_conv = sp.laplace_transform(closed, t, sv, noconds=True)
    s.figure("The convolution of e^(-t) u(t) with e^(-2t) u(t) (a = 1, b = 2) whose "
             "transform is computed below.", "plot_signals", f, g, t, result=closed,
             subs={a: 1, b: 2})
    s.say("The transform of a convolution is the product of the transforms: "
          "1/(s + a) times 1/(s + b). Below, SymPy transforms the library's closed form of the "
          "convolution itself, which gives the same function.")
    s.part("a", answer=product, prompt="Laplace transform of the convolution",
           key=key("expression", product,
                   variables={"s": {"domain": "positive", "min": 0.5, "max": 10},
                              **_rate("a", 0.2, 1), **_rate("b", 1.5, 3)},
                   mistakes=[mistake(1 / (sv + a) + 1 / (sv + b), "A convolution becomes a "
                                                                  "product, not a sum.", 0),
                             mistake(1 / (sv + a + b), "Multiply the transforms 1/(s + a) and "
                                                       "1/(s + b).", 0)]),
           checks=[sympy_check(of_conv, product, "SymPy's Laplace transform of the closed form "
                                                 "of the convolution")])
    x, hh = [1, 2, 0, 1], [1, 0, -1, 0]
    circ = conv_seq(x, hh, mode="circular", period=4)
    from sympy.discrete.transforms import fft, ifft
    via_dft = [sp.nsimplify(sp.expand(v)) for v in ifft([p * q for p, q in zip(fft(x), fft(hh))])]
    numeric = np.real(np.fft.ifft(np.fft.fft(x) * np.fft.fft(hh)))
    s.part("b", answer=circ, prompt="circular convolution of period 4",
           key=key("sequence", circ, mistakes=[
               mistake(conv_seq(x, hh), "That is the linear convolution (length 7); the "
                                        "circular one wraps the tail around.", 0.25)]),
           checks=[exact_check(circ, via_dft, "the inverse DFT of the product of the DFTs, in "
                                              "exact arithmetic (sympy.discrete.transforms)"),
                   Check("confirmed" if np.allclose(numeric, [float(v) for v in circ],
                                                    atol=1e-12) else "refuted",
                         "numeric", "numpy.fft: ifft(fft(x) fft(h)) agrees within 1e-12",
                         tolerance=1e-12, seed=0)])
