"""Build tests/data/grading_corpus.jsonl: student answers with their expected outcome.

Run from the repository root: ``python tests/data/make_grading_corpus.py``.

The expected outcomes are set *by construction*, never by running the grader:

* ``correct`` rows are rewrites of the key's answer that are equal by an identity
  written next to them (floor(x) + 1 = floor(x + 1), ceil((m + 1)/s) = floor(m/s) + 1
  for integers m and s >= 1, floor(x) = -ceil(-x), notation changes, LaTeX, Unicode);
* ``partial`` rows are rewrites of an anticipated mistake (status 'partial' with that
  mistake's credit) or a correct value in a form the key does not accept;
* ``incorrect`` rows are wrong in a way no mistake anticipates (a different value at
  some integer point, computed by hand in the note), wrong type, unknown variables;
* ``invalid`` rows are malformed or hostile text the safe parser must reject;
* ``timeout`` rows parse but cannot be evaluated within the time limit.

Very long hostile strings are stored as ``{"repeat": unit, "times": n}`` and expanded
by the tests, to keep the file small.
"""

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
rows = []


def add(part, answer, status, note, credit=None, category=None):
    row = {"part": part, "answer": answer, "status": status, "note": note}
    if credit is not None:
        row["credit"] = credit
    row["category"] = category or {"correct": "equivalent form", "partial": "anticipated mistake",
                                   "incorrect": "unanticipated wrong", "invalid": "malformed",
                                   "timeout": "too slow"}[status]
    rows.append(row)


# ---------------------------------------------------------------- conv-size: floor((n+2p-k)/s)+1
P = "conv-size"
same_size = [
    ("floor((n + 2p - k)/s) + 1", "the key itself"),
    ("floor((n+2*p-k)/s)+1", "explicit *"),
    ("floor((n - k + 2p)/s) + 1", "terms reordered"),
    ("1 + floor((2p + n - k)/s)", "commuted"),
    ("floor((n + p + p - k)/s) + 1", "p + p = 2p"),
    ("floor(((n + 2p) - k)/s) + 1", "extra parentheses"),
    ("floor((n + 2p - k)/s + 1)", "floor(x) + 1 = floor(x + 1)"),
    ("floor((n + 2p - k + s)/s)", "floor(x) + 1 = floor(x + 1), x + 1 = (m + s)/s"),
    ("floor((n + 2 p - k) * s^-1) + 1", "division as a power"),
    ("floor(n/s + (2p - k)/s) + 1", "split fraction"),
    ("(n + 2p - k)//s + 1", "floor division"),
    ("ceil((n + 2p - k + 1)/s)", "ceil((m + 1)/s) = floor(m/s) + 1 for integers, s >= 1"),
    ("ceiling((n + 2p - k + 1)/s)", "ceiling spelled out"),
    ("1 - ceil((k - n - 2p)/s)", "floor(x) = -ceil(-x)"),
    ("floor((n + 2p - k)/s) + s/s", "1 written as s/s"),
    ("floor((n+2p-k)/s)+2-1", "arithmetic"),
    ("\\lfloor\\frac{n+2p-k}{s}\\rfloor+1", "LaTeX"),
    ("\\left\\lfloor \\frac{n + 2p - k}{s} \\right\\rfloor + 1", "LaTeX with \\left \\right"),
    ("\\left\\lfloor\\dfrac{n-k+2p}{s}\\right\\rfloor+1", "LaTeX dfrac"),
    ("$\\lfloor (n+2p-k)/s \\rfloor + 1$", "LaTeX in dollars"),
    ("\\lfloor \\frac{n+2p-k}{s} \\rfloor + \\frac{s}{s}", "LaTeX, 1 as s/s"),
    ("\\left\\lceil \\frac{n+2p-k+1}{s} \\right\\rceil", "LaTeX ceil form"),
    ("\u230a(n + 2p \u2212 k)/s\u230b + 1", "Unicode floor brackets and minus"),
    ("\u230a(n+2\u00b7p\u2212k)/s\u230b+1", "Unicode middle dot"),
    ("floor((n + 2p - k)/s) + 1 ", "trailing space"),
    ("  floor( ( n + 2 p - k ) / s ) + 1", "spaces everywhere"),
    ("floor((n+2p-k)/s)+1\n", "trailing newline"),
    ("floor((n + 2\u00d7p - k)/s) + 1", "Unicode times"),
    ("floor((n + 2p - k)/s) + 1.0", "1.0 is exactly 1"),
    ("floor((2(n + 2p - k))/(2s)) + 1", "common factor 2"),
    ("floor((n + 2p - k)/s) + floor(s/s)", "floor(1) = 1"),
    ("max(floor((n + 2p - k)/s) + 1, 1)", "n + 2p >= k, so the size is >= 1"),
    ("Max(floor((n + 2p - k)/s) + 1, 0)", "size is positive"),
    ("floor((n + 2p - k)/s) + n/n", "1 written as n/n (n >= 1)"),
    ("(\uff4e + 2p - k)//s + 1", "full-width n normalises to n"),
]
for a, why in same_size:
    add(P, a, "correct", why)

forgot_one = ["floor((n + 2p - k)/s)", "floor((n - k + 2p)/s)", "\\lfloor\\frac{n+2p-k}{s}\\rfloor",
              "(n + 2p - k)//s", "ceil((n + 2p - k + 1)/s) - 1", "floor((n + 2p - k + s)/s) - 1",
              "\u230a(n+2p\u2212k)/s\u230b"]
for a in forgot_one:
    add(P, a, "partial", "mistake 1: forgot + 1", 0.5)
for a in ["ceil((n + 2p - k)/s) + 1", "ceiling((n - k + 2p)/s) + 1",
          "\\left\\lceil\\frac{n+2p-k}{s}\\right\\rceil+1", "-floor((k - n - 2p)/s) + 1",
          "\u2308(n+2p\u2212k)/s\u2309 + 1"]:
    add(P, a, "partial", "mistake 2: ceil instead of floor (-floor(-x) = ceil(x))", 0.25)
for a in ["floor((n + p - k)/s) + 1", "floor((n - k + p)/s) + 1", "\\lfloor\\frac{n+p-k}{s}\\rfloor+1",
          "floor((n + p - k + s)/s)"]:
    add(P, a, "partial", "mistake 3: padding counted once", 0.5)
for a in ["(n + 2p - k)/s + 1", "\\frac{n+2p-k}{s}+1", "(n + 2p - k + s)/s", "1 + (n - k + 2p)/s",
          "floor(n + 2p - k)/s + 1"]:   # floor of an integer is the integer: no floor in effect
    add(P, a, "partial", "mistake 4: no floor", 0.25)
for a in ["n + 2p - k + 1", "n - k + 2p + 1", "(n + 2p - k + 1)*s/s"]:
    add(P, a, "partial", "mistake 5: stride ignored", 0.25)
wrong_size = [
    ("floor((n + 2p - k)/s) + 2", "off by 2 (the + 2 is not anticipated)"),
    ("floor((n + 2p + k)/s) + 1", "n=1,k=1,p=0,s=1: 3 vs 1"),
    ("floor((n - 2p - k)/s) + 1", "n=1,k=1,p=1,s=1: -1 vs 3"),
    ("floor((n + 2p - k)/(s + 1)) + 1", "s=1,n=3,k=1,p=0: 2 vs 3"),
    ("floor(n/s)", "n=2,k=1,p=0,s=1: 2 vs 2 but n=1,k=2,p=1,s=1: 1 vs 2"),
    ("n", "n=1,k=1,p=1,s=1: 1 vs 3"),
    ("0", "never 0"),
    ("floor((n + 2p - k - 1)/s) + 1", "s=1: n+2p-k vs n+2p-k+1"),
    ("floor((n + 2p - 2k)/s) + 1", "k=2,n=2,p=0,s=1: 1 vs 2... wait n+2p>=k: n=4,k=2: 3 vs 3; n=2,k=2,p=1: 1 vs 3"),
    ("round((n + 2p - k)/s) + 1", "n=2,k=1,p=0,s=2: round(1/2)+1 = 1 vs 1; n=4,k=1,p=0,s=2: 3 vs 2"),
    ("floor((n + 2p - k)/s) - 1", "off by -1 (anticipated mistake is forgetting +1, not -1)"),
    ("(n + 2p - k)/(s + 1)", "s=1,n=1,k=1,p=0: 0 vs 1"),
    ("2^n", "n=1,k=1,p=0,s=1: 2 vs 1"),
]
for a, why in wrong_size:
    if a.startswith("round"):
        continue  # 'round' is not a function of the answer syntax; covered as a symbol product below
    add(P, a, "incorrect", why)
add(P, "m + 1", "incorrect", "unknown variable m", category="unknown variable")
add(P, "floor((N + 2P - K)/S) + 1", "incorrect", "unknown variables (case matters)", category="unknown variable")
add(P, "floor((n + 2p - k)/stride) + 1", "incorrect", "unknown variable 'stride'", category="unknown variable")
add(P, "x", "incorrect", "unknown variable x", category="unknown variable")
add(P, "[1, 2]", "incorrect", "a list where an expression is expected", category="wrong type")
add(P, "n = floor((n + 2p - k)/s) + 1", "incorrect", "an equation where an expression is expected", category="wrong type")
add(P, "{1, 2}", "incorrect", "a set where an expression is expected", category="wrong type")
add(P, "[[1, 0], [0, 1]]", "incorrect", "a matrix where an expression is expected", category="wrong type")
add(P, "floor((n + 2p - k)/s) + 1 < 3", "incorrect", "a relation", category="wrong type")
add(P, "floor((n+2p-k)/s) +1,", "incorrect", "a trailing comma makes a 1-tuple", category="wrong type")
add(P, "n k ++ s", "incorrect", "unary plus: n*k + s; n=k=s=1, p=0: 2 vs 1")

malformed = [
    "", "   ", "\n", "floor((n + 2p - k)/s", "floor((n + 2p - k)/s)) + 1", "floor(n + 2p - k)/s) + 1",
    "+", "n +", "* n", "floor()", "floor((n + 2p - k)/s) + + ", "(", ")", "[",
    "floor x", "2 3", "n 2", "1..5", "floor((n + 2p - k)/s);", "\\frac{n}{",
    "\\frac{n+2p-k}", "\\lfloor n", "\\left( n", "n^", "n^{", "{", "floor((n+2p-k)/s)+1 = = 3",
    "a < b < c", "max()", "sqrt(1, 2)", "log()", "=", "==", "n!!!="[:-1] + "(",
    "\\begin{bmatrix} 1 & 2 \\\\ 3 \\end{bmatrix}", "[[1, 2], [3]]", "[1, [2]]", "x_{n-k}",
    "1/", "(n + 2p - k)/ / s", "floor[(n + 2p - k)/s] + 1", "floor((n + 2p - k)/s) + 1 ?",
    "n^23 \\cdot 2", "\\sum_k k", "\\int x", "integrate(x)", "sum(k, k)",
]
for a in malformed:
    add(P, a, "invalid", "malformed")

hostile = [
    "__import__('os').system('touch pwned')",
    "__import__(\"os\").system(\"touch pwned\")",
    "().__class__.__bases__[0].__subclasses__()",
    "().__class__",
    "x.__class__",
    "n.__dict__",
    "(1).__add__(2)",
    "lambda: __import__('os')",
    "lambda x: x",
    "[c for c in ().__class__.__mro__]",
    "[x for x in range(10**9)]",
    "{x: 1 for x in ()}",
    "eval('1 + 1')",
    "exec('import os')",
    "compile('1', 'f', 'eval')",
    "open('pwned', 'w').write('x')",
    "getattr(1, 'real')",
    "globals()",
    "locals()",
    "import os",
    "from os import system",
    "os.system('touch pwned')",
    "subprocess.Popen(['touch', 'pwned'])",
    "sympy.sympify('x')",
    "__builtins__",
    "_",
    "n if n else k",
    "not n",
    "n and k",
    "yield n",
    "breakpoint()",
    "'touch pwned'",
    "\"n\"",
    "`ls`",
    "n; import os",
    "n # comment",
    "n @ k",
    "n[0:1]",
    "n ~ k",
    "10**10**10",
    "9^9^9^9",
    "2^2^2^2^2^2",
    "factorial(10**9)",
    "factorial(10^6)",
    "(10^9)!",
    "x^(10^100)",
    "n^100000",
    "1e999999",
    "10^1001",
    "binomial(10^9, 5*10^8)",
    "1" * 1200,
    "floor((n + 2p - k)/s)\x00 + 1",
    "floor((n + 2p - k)/s) + 1\x00",
    "n\x1b[2J",
    "n\x07",
    "floor((n + 2p \u2212 k)/s) + \u0031\u200b",
    "floor((\u043f + 2p - k)/s) + 1",        # Cyrillic pe
    "floor((n + 2\u0440 - k)/s) + 1",        # Cyrillic er (looks like p)
    "floor((n + 2p - k)/\u0455) + 1",        # Cyrillic dze (looks like s)
    "n\u202e + k",                            # right-to-left override
    "n\ufeff + 1",                            # BOM inside
    "\\input{/etc/passwd}",
    "\\include{pwned}",
    "\\write18{touch pwned}",
    "\\immediate\\write18{touch pwned}",
    "\\def\\x{1} \\x",
    "\\newcommand{\\x}{1}",
    "\\catcode`\\^=7",
    "\\csname input\\endcsname{x}",
    "\\openout1=pwned",
    "\\usepackage{shellesc}",
    "\\begin{verbatim}x\\end{verbatim}",
    "$$\\input{x}$$",
    "\\text{\\input{x}}",
    "\\lfloor \\frac{n}{s} \\rfloor \\input{x}",
    "\\frac{1}{2}\\write18{ls}",
    "\\mathrm{\\input{x}}",
]
for a in hostile:
    add(P, a, "invalid", "hostile: must be rejected by the parser", category="hostile")
# huge inputs (expanded by the tests)
for unit, times, note in [("n+", 500_000, "1 MB string"), ("(", 10_000, "10,000 open parentheses"),
                          ("x", 1_000_000, "1 MB name"), ("-", 9_000, "9,000 unary minus")]:
    rows.append({"part": P, "answer": {"repeat": unit, "times": times}, "status": "invalid",
                 "note": note, "category": "hostile"})
rows.append({"part": P, "answer": {"repeat": "(", "times": 10_000, "then": "n", "close": ")"},
             "status": "invalid", "note": "10,000-deep parentheses around n", "category": "hostile"})

# answers that parse but cannot be evaluated in time
# (equal to the key: the two sums differ by the j = s term, s^s; but evaluating them
# means adding huge powers, which cannot finish within the limit; the variable s in the
# bounds keeps them from being numeric sums, which the parser refuses)
for a in ["floor((n + 2p - k)/s) + 1 + sum(j^j, (j, s, 10^6)) - sum(j^j, (j, s + 1, 10^6)) - s^s",
          "floor((n + 2p - k)/s) + sum(j^j, (j, s, 3000)) - sum(j^j, (j, s + 1, 3000))"]:
    add(P, a, "timeout", "a sum of huge terms: the sampler cannot finish in time", category="too slow")
# (these cancel symbolically before any evaluation: correct, and fast)
for a in ["floor((n + 2p - k)/s) + 1 + sum(j^j, (j, s, 10^6)) - sum(j^j, (j, s, 10^6))",
          "floor((n + 2p - k)/s) + 1 + 0*sum(factorial(j)^j, (j, s, 10^5))"]:
    add(P, a, "correct", "the huge sums cancel structurally")

# answers whose exact value at integer points is astronomically large: never built
for a, why in [("n^n^n", "n=2: 16 vs 2 (and at n=64 the value has ~10^115 digits)"),
               ("factorial(n^n)", "n=2: 24 vs 2"),
               ("2^(2^(2^n))", "n=1: 16 vs 1")]:
    add(P, a, "incorrect", why, category="explosive")
add(P, "n^(n^n) - n^(n^n) + floor((n + 2p - k)/s) + 1", "correct", "the towers cancel structurally",
    category="explosive")

# ---------------------------------------------------------------- transposed-size
P = "transposed-size"
for a, why in [("(n - 1)s - 2p + k", "key"), ("(n-1)*s-2*p+k", "explicit *"), ("n s - s - 2p + k", "expanded"),
               ("s(n - 1) + k - 2p", "reordered"), ("(n - 1) s - 2 p + (k - 1) + 1", "d(k - 1) + 1 with d = 1"),
               ("\\left(n-1\\right)s-2p+k", "LaTeX"), ("s n + k - 2 p - s", "reordered")]:
    add(P, a, "correct", why)
for a in ["floor((n + 2p - k)/s) + 1", "(n - k + 2p)//s + 1"]:
    add(P, a, "incorrect", "mistake 1 (credit 0): forward formula", category="anticipated mistake")
for a in ["(n - 1)s + 2p + k", "n s - s + 2p + k"]:
    add(P, a, "partial", "mistake 2: padding sign", 0.5)
for a, why in [("(n - 1)s - 2p + k - 1", "off by one"), ("n s - 2p + k", "n=1,s=1,p=0,k=1: 2 vs 1"),
               ("(n + 1)s - 2p + k", "n=1,s=1,p=0,k=1: 3 vs 1"), ("(n - 1)s - p + k", "p=1: differs by 1")]:
    add(P, a, "incorrect", why)

# ---------------------------------------------------------------- full-length
P = "full-length"
for a in ["n + m - 1", "m + n - 1", "(n - 1) + (m - 1) + 1", "n+m-1.0", "(n + m) - 1", "\\left(n+m\\right)-1"]:
    add(P, a, "correct", "rewrite of n + m - 1")
for a in ["n + m", "m + n", "(n + m - 1) + 1"]:
    add(P, a, "partial", "mistake 1: off by one", 0.5)
for a in ["n + m - 2", "n m - 1", "max(n, m)", "n + m + 1"]:
    add(P, a, "incorrect", "differs at n = m = 1 (or n = m = 2)")

# ---------------------------------------------------------------- step-conv: (n+1) u[n]
P = "step-conv"
for a, why in [("(n + 1) u[n]", "key"), ("(n+1)*u(n)", "parentheses"), ("n u[n] + u[n]", "distributed"),
               ("u[n] (1 + n)", "commuted"), ("(n + 1) H(n)", "H is u"), ("(n + 1)*Heaviside(n, 1)", "SymPy form"),
               ("max(n + 1, 0)", "(n+1)u[n] = max(n+1, 0) on integers"), ("(n + 1 + |n + 1|)/2", "ramp as (x+|x|)/2"),
               ("ramp(n + 1)", "ramp(n+1) = (n+1)u[n+1] = (n+1)u[n] on integers (value 0 at n = -1)"),
               ("(n + 1) u[n] + 0 delta[n - 3]", "adds zero"),
               ("sum(u[k], (k, 0, n)) u[n]", "the defining sum for n >= 0"),
               ("(n+1)\\cdot u[n]", "LaTeX cdot")]:
    add(P, a, "correct", why)
for a in ["n u[n]", "n*Heaviside(n, 1)", "ramp(n)"]:
    add(P, a, "partial", "mistake 1: off by one", 0.5)
for a in ["n + 1", "1 + n"]:
    add(P, a, "partial", "mistake 2: forgot u[n]", 0.5)
for a, why in [("(n + 1) Heaviside(n)", "Heaviside(0) = 1/2: value 1/2 at n = 0, expected 1"),
               ("u[n]", "n = 1: 1 vs 2"), ("(n + 2) u[n]", "n = 0: 2 vs 1"), ("(n + 1) u[n - 1]", "n = 0: 0 vs 1"),
               ("n^2 u[n]", "n = 0: 0 vs 1"), ("delta[n]", "n = 1: 0 vs 2")]:
    add(P, a, "incorrect", why)

# ---------------------------------------------------------------- exp-conv: (1 - e^{-t}) u(t)
P = "exp-conv"
for a, why in [("(1 - exp(-t)) u(t)", "key"), ("(1 - e^(-t)) u(t)", "e^"), ("u(t) - exp(-t) u(t)", "distributed"),
               ("(1 - 1/exp(t)) H(t)", "1/exp"), ("(exp(t) - 1) exp(-t) u(t)", "factor e^{-t}"),
               ("\\left(1-e^{-t}\\right)u(t)", "LaTeX"), ("(1-e^{-t})\\,u(t)", "LaTeX spacing"),
               ("integrate(exp(-tau), (tau, 0, t)) u(t)", "the defining integral"),
               ("(1 - exp(-t)) * Heaviside(t)", "SymPy form"),
               ("(1 - E^(-t)) u(t)", "E"), ("(1 - exp(-t))(t + |t|)/(2t)", "u(t) = (t + |t|)/(2t) for t != 0")]:
    add(P, a, "correct", why)
for a in ["1 - exp(-t)", "1 - e^{-t}"]:
    add(P, a, "partial", "mistake 1: forgot u(t)", 0.5)
for a in ["exp(-t) u(t)", "e^{-t}u(t)"]:
    add(P, a, "incorrect", "mistake 2 (credit 0): impulse response", category="anticipated mistake")
for a, why in [("(1 + exp(-t)) u(t)", "t = 1: 1.37 vs 0.63"), ("(1 - exp(t)) u(t)", "t = 1"),
               ("t u(t)", "t = 1: 1 vs 0.63"), ("(1 - exp(-2t)) u(t)", "t = 1"), ("exp(-t)", "t = -1")]:
    add(P, a, "incorrect", why)

# ---------------------------------------------------------------- ramp-conv: t u(t)
P = "ramp-conv"
for a, why in [("t u(t)", "key"), ("ramp(t)", "ramp"), ("max(t, 0)", "max"), ("(t + |t|)/2", "(t + |t|)/2"),
               ("t Heaviside(t)", "SymPy form"), ("t\\,u(t)", "LaTeX"), ("Max(0, t)", "Max"),
               ("t H(t)", "H"), ("integrate(1, (tau, 0, t)) u(t)", "the defining integral")]:
    add(P, a, "correct", why)
for a in ["t", "|t|"[0:0] + "t"]:
    add(P, a, "partial", "mistake 1: forgot u(t)", 0.5)
for a, why in [("u(t)", "t = 2: 1 vs 2"), ("t^2 u(t)/2", "t = 1"), ("|t|", "t = -1: 1 vs 0")]:
    add(P, a, "incorrect", why)

# ---------------------------------------------------------------- diff-kernel: [-1/2, 0, 1/2], correlation orientation
P = "diff-kernel"
for a, why in [("[-1/2, 0, 1/2]", "key"), ("[-0.5, 0, 0.5]", "decimals are exact"), ("(-1/2, 0, 1/2)", "tuple"),
               ("[-1/2; 0; 1/2]", "column"), ("\\begin{bmatrix} -\\frac{1}{2} & 0 & \\frac{1}{2} \\end{bmatrix}", "LaTeX row"),
               ("[-.5, 0*7, 1/2]", "arithmetic")]:
    add(P, a, "correct", why)
for a in ["[1/2, 0, -1/2]", "[0.5, 0, -0.5]"]:
    add(P, a, "incorrect", "flipped kernel (convolution orientation): detected, no credit", category="anticipated mistake")
for a, why in [("[-1, 0, 1]", "not halved"), ("[-1/2, 1/2]", "wrong length"), ("[0, 0, 0]", "zero"),
               ("-1/2", "a number, not a sequence")]:
    add(P, a, "incorrect", why)

# ---------------------------------------------------------------- conv-matrix
P = "conv-matrix"
for a, why in [("[[1, 2, 0], [0, 1, 2]]", "key"), ("[1, 2, 0; 0, 1, 2]", "MATLAB rows"),
               ("\\begin{bmatrix} 1 & 2 & 0 \\\\ 0 & 1 & 2 \\end{bmatrix}", "LaTeX"),
               ("\\begin{pmatrix}1&2&0\\\\0&1&2\\end{pmatrix}", "pmatrix"), ("Matrix([[1, 2, 0], [0, 1, 2]])", "Matrix()"),
               ("[[2/2, 4/2, 0], [0, 1, 1+1]]", "arithmetic")]:
    add(P, a, "correct", why)
for a in ["[[2, 1, 0], [0, 2, 1]]", "\\begin{bmatrix}2&1&0\\\\0&2&1\\end{bmatrix}"]:
    add(P, a, "partial", "mistake 1: flipped kernel", 0.5)
for a, why in [("[[1, 0], [2, 1], [0, 2]]", "transposed: wrong shape"), ("[[1, 2, 0], [0, 1, 3]]", "entry (2,3)"),
               ("[[1, 2], [1, 2]]", "wrong shape"), ("[1, 2, 0]", "a sequence")]:
    add(P, a, "incorrect", why)

# ---------------------------------------------------------------- valid-strides {1, 2, 4, 8}
P = "valid-strides"
for a, why in [("{1, 2, 4, 8}", "key"), ("{8, 4, 2, 1}", "order"), ("{1, 2, 2, 4, 8}", "duplicate"),
               ("\\{1, 2, 4, 8\\}", "LaTeX"), ("{2^0, 2^1, 2^2, 2^3}", "powers"), ("[1, 2, 4, 8]", "a list read as a set")]:
    add(P, a, "correct", why)
for a, why in [("{1, 2, 4}", "missing 8"), ("{1, 2, 3, 4, 8}", "extra 3"), ("{1, 2, 4, 7}", "7 for 8"), ("8", "a number")]:
    add(P, a, "incorrect", why)

# ---------------------------------------------------------------- line: y = 2x + 1 (scaling allowed)
P = "line"
for a, why in [("y = 2x + 1", "key"), ("2x + 1 = y", "sides swapped"), ("y - 2x = 1", "moved"), ("y - 2x - 1 = 0", "zero rhs"),
               ("2y = 4x + 2", "scaled by 2 (allowed by the key)"), ("-y = -2x - 1", "scaled by -1"),
               ("y == 2*x + 1", "=="), ("\\frac{y - 1}{2} = x", "solved for x")]:
    add(P, a, "correct", why)
for a, why in [("y = 2x", "x = 0: y = 0 vs 1"), ("y = 2x - 1", "sign"), ("y < 2x + 1", "an inequality"),
               ("2x + 1", "not an equation"), ("y = x^2 + 1", "not a line")]:
    add(P, a, "incorrect", why)

# ---------------------------------------------------------------- param-count 15
P = "param-count"
for a, why in [("15", "key"), ("2*7 + 1", "weights + bias"), ("15.0", "exact 15"), ("\\frac{30}{2}", "LaTeX"),
               ("2^4 - 1", "power"), ("14 + 1", "sum"), (" 15 ", "spaces")]:
    add(P, a, "correct", why)
for a in ["14", "2*7", "7*2"]:
    add(P, a, "partial", "mistake 1: forgot the bias", 0.5)
for a, why in [("16", "off by one (not anticipated)"), ("15/2", "not an integer"), ("15 n", "depends on n"),
               ("sqrt(2)", "irrational"), ("[15]", "a list")]:
    add(P, a, "incorrect", why)

# ---------------------------------------------------------------- fraction 3/4, lowest terms
P = "fraction"
for a, why in [("3/4", "key"), ("\\frac{3}{4}", "LaTeX"), ("3 / 4", "spaces")]:
    add(P, a, "correct", why)
for a in ["6/8", "0.75", "1 - 1/4", "\\frac{6}{8}", "3*4^-1"]:
    add(P, a, "partial", "right value, not a fraction in lowest terms (form credit 0.5)", 0.5, "wrong form")
for a, why in [("4/3", "inverted"), ("0.74", "close but exact comparison"), ("3/5", "different")]:
    add(P, a, "incorrect", why)

# ---------------------------------------------------------------- expanded (n + 1)^2
P = "expanded"
for a, why in [("n^2 + 2n + 1", "expanded"), ("1 + 2n + n^2", "reordered"), ("n**2 + 2*n + 1", "Python powers"),
               ("n^2 + n + n + 1", "still a sum of monomials")]:
    add(P, a, "correct", why)
for a in ["(n + 1)^2", "(n + 1)(n + 1)", "n(n + 2) + 1"]:
    add(P, a, "partial", "right value, not expanded (form credit 0.5)", 0.5, "wrong form")
for a, why in [("n^2 + 1", "n = 1: 2 vs 4"), ("n^2 + 2n", "n = 0"), ("(n - 1)^2", "n = 0: 1 vs 1; n = 1: 0 vs 4")]:
    add(P, a, "incorrect", why)

# ---------------------------------------------------------------- words
P = "layer-op"
for a in ["cross-correlation", "Cross-Correlation", "cross correlation", "  correlation.", "CORRELATION"]:
    add(P, a, "correct", "accepted wording")
for a in ["convolution", "Convolution."]:
    add(P, a, "incorrect", "mistake 1 (credit 0): convolution", category="anticipated mistake")
for a in ["matrix multiplication", "pooling"]:
    add(P, a, "incorrect", "wrong")
add(P, "", "invalid", "empty")

# sums without free variables are numbers: the parser refuses them (printing or comparing
# them would sum them numerically, for infinite sums by generated code); an infinite sum
# with a variable parses, but without a closed form it cannot be evaluated at any point
P = "conv-size"
add(P, "floor((n + 2p - k)/s) + sum(j^j, (j, 1, 1000)) - sum(j^j, (j, 2, 1000))", "invalid",
    "a sum without free variables is a number: refused by the parser (printing or evaluating "
    "it would sum it numerically)", category="hostile")
add(P, "floor((n + 2p - k)/s) + u(sum(1/2^k, (k, 0, oo)) - 2)", "invalid",
    "a numeric infinite sum: refused (SymPy's numerical summation generates and runs code)",
    category="hostile")
add(P, "floor((n + 2p - k)/s) + 1 + floor(sum(1/(j^3 + n), (j, 1, oo)))", "incorrect",
    "an infinite sum with no closed form: not evaluable at the sampled points, and numerical "
    "summation is switched off while grading", category="unanticipated wrong")
add(P, r"\lfloor\frac{n+2p-k}{s}\rfloor + \sum_{j=1}^{1} 1", "invalid",
    "a LaTeX numeric sum is refused too (write 1)", category="malformed")


def main():
    path = os.path.join(HERE, "grading_corpus.jsonl")
    with open(path, "w", encoding="utf-8") as fh:
        for i, row in enumerate(rows):
            row = {"id": i, **row}
            fh.write(json.dumps(row, ensure_ascii=True) + "\n")
    print(f"wrote {len(rows)} rows to {path}")


if __name__ == "__main__":
    main()
