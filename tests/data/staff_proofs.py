"""Proof attempts in the style of course staff: correct ones, and wrong ones with the
mistakes students really make. Each entry: name, kind, the proof text (one expression a
line, ``# justification`` optional), ``assume`` (the stated setting, as for
``check-proof --assume``) and ``wrong`` (True when some step is false in that setting).

tests/test_staff_proofs.py runs every entry through check_proof over many seeds: no wrong
proof may be accepted, no correct one refuted.
"""

WRONG = [
    dict(name="floor distributed over a sum", kind="discrete", assume="n >= 0, s >= 1, p >= 0, k >= 1",
         text="""floor((n + 2*p - k + s)/s)
= floor(n/s) + floor((2*p - k)/s) + floor(s/s)   # floor of a sum is the sum of floors"""),
    dict(name="index shift, upper limit not moved", kind="discrete", assume="n >= 0",
         text="""sum(f(k)*g(n - k), (k, 0, n))
= sum(f(j - 1)*g(n - j + 1), (j, 1, n))  # j = k + 1"""),
    dict(name="floor cancelled against its multiple", kind="discrete", assume="n >= 0, s >= 1, p >= 0, k >= 1",
         text="""k - 2*p + s*floor((n + 2*p - k)/s)
= n   # s times n/s is n"""),
    dict(name="substitution with the wrong sign", kind="discrete", assume="",
         text="""sum(f(k)*g(n - k), (k, -oo, oo))
= sum(f(n + m)*g(m), (m, -oo, oo))   # k = n + m"""),
    dict(name="continuous substitution with the wrong sign", kind="continuous", assume="",
         text="""integrate(f(tau)*g(t - tau), (tau, -oo, oo))
= integrate(f(t + u)*g(u), (u, -oo, oo))   # tau = t + u"""),
    dict(name="causal convolution, limits not transformed", kind="continuous", assume="",
         text="""integrate(f(tau)*g(t - tau), (tau, 0, oo))
= integrate(f(t - u)*g(u), (u, 0, oo))   # u = t - tau"""),
    dict(name="Fubini over a triangle, inner bounds kept", kind="discrete", assume="n >= 0",
         text="""sum(sum(f(i)*g(j), (j, 0, i)), (i, 0, n))
= sum(sum(f(i)*g(j), (i, 0, j)), (j, 0, n))   # swap the sums"""),
    dict(name="continuous Fubini over a triangle, wrong bounds", kind="continuous", assume="",
         text="""integrate(integrate(f(x)*g(y), (y, 0, x)), (x, 0, 1))
= integrate(integrate(f(x)*g(y), (x, 0, y)), (y, 0, 1))   # Fubini"""),
    dict(name="(f*g)' = f' * g'", kind="continuous", assume="",
         text="""Derivative(integrate(f(tau)*g(t - tau), (tau, -oo, oo)), t)
= integrate(Derivative(f(tau), tau)*Derivative(g(t - tau), t), (tau, -oo, oo))   # product rule"""),
    dict(name="derivative of a running integral, boundary term forgotten", kind="continuous", assume="",
         text="""d/dt integrate(f(tau)*g(t - tau), (tau, 0, t))
= integrate(f(tau)*d/dt g(t - tau), (tau, 0, t))   # differentiate under the integral"""),
    dict(name="correlation assumed commutative", kind="discrete", assume="",
         text="""sum(f(n + m)*g(m), (m, -oo, oo))
= sum(g(n + m)*f(m), (m, -oo, oo))   # swap the roles"""),
    dict(name="step true only for an even g", kind="continuous", assume="",
         text="""integrate(f(tau)*g(t - tau), (tau, -oo, oo))
= integrate(f(tau)*g(tau - t), (tau, -oo, oo))   # g(-x) = g(x)"""),
    dict(name="shift off by one", kind="discrete", assume="n >= 1",
         text="""sum(f(k), (k, 1, n))
= sum(f(k + 1), (k, 1, n))   # shift the index"""),
    dict(name="Gauss sum off by one", kind="discrete", assume="n >= 0",
         text="""sum(k, (k, 0, n))
= n*(n - 1)/2"""),
    dict(name="sifting at the wrong point", kind="discrete", assume="",
         text="""sum(f(k)*KroneckerDelta(n - k - 1, 0), (k, -oo, oo))
= f(n + 1)   # sifting"""),
    dict(name="an integer moved out of the floor wrongly", kind="discrete", assume="n >= 0, s >= 1",
         text="""floor((n + 1)/s)
= floor(n/s) + 1   # an integer moves out of the floor"""),
    dict(name="ceiling is floor plus one", kind="discrete", assume="n >= 0, s >= 1",
         text="""ceiling(n/s)
= floor(n/s) + 1"""),
    dict(name="Mod distributed over a sum", kind="discrete", assume="n >= 0, k >= 0, s >= 1",
         text="""Mod(n + k, s)
= Mod(n, s) + Mod(k, s)"""),
    dict(name="scaling without the Jacobian", kind="continuous", assume="",
         text="""integrate(f(2*x), (x, -oo, oo))
= integrate(f(u), (u, -oo, oo))   # u = 2x"""),
    dict(name="last term split off wrongly", kind="discrete", assume="n >= 0",
         text="""sum(f(k), (k, 0, n))
= sum(f(k), (k, 0, n - 1)) + f(n + 1)"""),
    dict(name="good first step, wrong second", kind="discrete", assume="",
         text="""sum(f(k)*g(n - k), (k, -oo, oo))
= sum(f(n - m)*g(m), (m, -oo, oo))   # k = n - m
= sum(f(m - n)*g(m), (m, -oo, oo))   # f is symmetric"""),
]

CORRECT = [
    dict(name="commutativity, discrete", kind="discrete", assume="",
         text="""sum(f(k)*g(n - k), (k, -oo, oo))
= sum(f(n - m)*g(m), (m, -oo, oo))   # k = n - m"""),
    dict(name="commutativity, continuous", kind="continuous", assume="",
         text="""integrate(f(tau)*g(t - tau), (tau, -oo, oo))
= integrate(f(t - u)*g(u), (u, -oo, oo))   # u = t - tau"""),
    dict(name="index shift with its limits", kind="discrete", assume="n >= 0",
         text="""sum(f(k)*g(n - k), (k, 0, n))
= sum(f(j - 1)*g(n - j + 1), (j, 1, n + 1))  # j = k + 1"""),
    dict(name="an integer moves out of the floor", kind="discrete", assume="n >= 0, s >= 1, p >= 0, k >= 1",
         text="""floor((n + 2*p - k + s)/s)
= floor((n + 2*p - k)/s) + 1   # s/s = 1 leaves the floor"""),
    dict(name="Fubini over a triangle", kind="discrete", assume="n >= 0",
         text="""sum(sum(f(i)*g(j), (j, 0, i)), (i, 0, n))
= sum(sum(f(i)*g(j), (i, j, n)), (j, 0, n))   # swap the sums over the triangle"""),
    dict(name="correlation as a convolution with a flip", kind="discrete", assume="",
         text="""sum(f(n + m)*g(m), (m, -oo, oo))
= sum(f(k)*g(k - n), (k, -oo, oo))   # k = n + m"""),
    dict(name="sifting", kind="discrete", assume="",
         text="""sum(f(k)*KroneckerDelta(n - k, 0), (k, -oo, oo))
= f(n)   # sifting"""),
    dict(name="Gauss sum", kind="discrete", assume="n >= 0",
         text="""sum(k, (k, 0, n))
= n*(n + 1)/2"""),
    dict(name="scaling with the Jacobian", kind="continuous", assume="",
         text="""integrate(f(2*x), (x, -oo, oo))
= integrate(f(u), (u, -oo, oo))/2   # u = 2x"""),
    dict(name="Mod is periodic", kind="discrete", assume="n >= 0, s >= 1",
         text="""Mod(n + s, s)
= Mod(n, s)"""),
    dict(name="ceiling through floor", kind="discrete", assume="n >= 0, s >= 1",
         text="""ceiling(n/s)
= -floor(-n/s)"""),
    dict(name="continuous Fubini over a triangle", kind="continuous", assume="",
         text="""integrate(integrate(f(x)*g(y), (y, 0, x)), (x, 0, 1))
= integrate(integrate(f(x)*g(y), (x, y, 1)), (y, 0, 1))   # Fubini"""),
    dict(name="derivative of a convolution", kind="continuous", assume="",
         text="""Derivative(integrate(f(tau)*g(t - tau), (tau, -oo, oo)), t)
= integrate(f(tau)*Derivative(g(t - tau), t), (tau, -oo, oo))   # differentiate under the integral"""),
    dict(name="definition in LaTeX, then commutativity", kind="continuous", assume="",
         text=r"""(f \ast g)(t) = \int_{-\infty}^{\infty} f(\tau)\, g(t-\tau)\, d\tau   # definition
= integrate(f(t - u)*g(u), (u, -oo, oo))   # u = t - tau"""),
    dict(name="last term split off", kind="discrete", assume="n >= 0",
         text="""sum(f(k), (k, 0, n))
= sum(f(k), (k, 0, n - 1)) + f(n)"""),
    dict(name="output size with stride", kind="discrete", assume="n >= 0, s >= 1, p >= 0, k >= 1",
         text="""floor((n + 2*p - k)/s) + 1
= floor((n + 2*p - k + s)/s)   # 1 = s/s moves into the floor"""),
]
