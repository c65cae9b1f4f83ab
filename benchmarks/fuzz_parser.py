"""A long fuzzing campaign against the safe parser (and, optionally, the grader).

    python benchmarks/fuzz_parser.py [--engine random|hypothesis|atheris] [--examples 20000]
                                     [--seed 0] [--slow 1.0] [--hang 5.0] [--grade 0.05]
                                     [--out findings.jsonl]

Run by hand (it takes minutes to hours); ``tests/test_hostile_input.py`` holds the
bounded version and a test for every finding.

Engines
-------
random (default)
    A seeded generator of answers: grammar-built plain expressions (every operator,
    builtin function, container and relation of :mod:`symconv.parsing`), grammar-built
    LaTeX (``\\frac``, ``\\sqrt[n]``, ``\\sum``, ``\\int``, matrices, engine commands spliced
    in), hostile mutations of those (quotes, dots, dunders, backslashes, control and
    invisible characters, lookalikes) and raw Unicode. It never stops at a finding:
    every outcome is classified and the shortest input of each kind is kept.
hypothesis
    The grammar strategies of ``tests/test_hostile_input.py`` with many more examples
    and shrinking: stops at the first failure and prints the shrunk example (run it
    again after fixing that one).
atheris
    Coverage-guided fuzzing of ``parse_math`` with bytes decoded as UTF-8 (``pip
    install atheris`` locally; it is not a project dependency). ``symconv`` is
    instrumented, SymPy is not.

Outcomes
--------
``ok``/``rejected`` (a SymPy result / a ParseError: both fine), ``crash`` (any other
exception), ``slow`` (parse + print longer than ``--slow`` s), ``hang`` (stopped after
``--hang`` s of CPU time), ``unprintable`` (``str()`` of the result fails), ``unsafe``
(the result is not made of SymPy objects with plain names), ``side-effect`` (a process,
a write, an ``exec``/``compile`` of text, a fresh import of a dangerous module, a file
in the working directory). With ``--grade P`` a fraction P of the inputs is also
graded (``grade()`` must return a result within its limit: ``grade-crash``,
``grade-overrun``).

The table printed at the end gives, per outcome, the count, the share, and the
shortest reproducer seen; ``--out`` writes every non-fine finding as JSON lines.
"""

import argparse
import collections
import json
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# ----------------------------------------------------------------------------- generator

NAMES = ["x", "y", "n", "k", "t", "tau", "a", "b", "p", "s", "m", "pi", "e", "E", "I", "oo",
         "inf", "j", "u", "H", "delta", "nk", "x1", "x_1", "x_{12}", "exec", "eval", "os",
         "sympify", "Symbol", "Lambda", "S", "N", "lambda", "__import__", "_x", "__class__",
         "gamma", "zoo", "nan", "Integer", "Matrix", "Sum", "Eq", "exp", "sqrt", "self",
         "import", "system", "f", "g"]
NUMBERS = ["0", "1", "2", "3", "7", "10", "0.5", ".25", "1e-3", "2e5", "1e400", "1e-400",
           "10^999", "9" * 40, "9" * 1001, "123456789", "1.", "3.14159", "1000", "10^4"]
FUNCS = ["floor", "ceil", "ceiling", "abs", "Abs", "sqrt", "exp", "log", "ln", "sin", "cos",
         "tan", "sign", "sgn", "max", "min", "Max", "Min", "Mod", "mod", "factorial",
         "binomial", "u", "H", "delta", "rect", "tri", "ramp", "Heaviside", "DiracDelta",
         "KroneckerDelta", "conjugate", "conj", "re", "im", "root", "Eq", "Matrix",
         "Derivative", "f", "g", "sum", "Sum", "integrate", "Integral"]
BINOPS = ["+", "-", "*", "/", "//", "^", "**", " ", "=", "==", "<", "<=", ">", ">=", "!=",
          ",", "", "\u00d7", "\u00b7", "\u2212", "\u2264"]
LATEX_LEAVES = ["x", "n", "k", "t", "2", "10", "1.5", r"\pi", r"\infty", r"\tau", r"\alpha",
                r"\lambda", r"\Delta", "e"]
ENGINE = [r"\input{/etc/passwd}", r"\write18{touch PWNED}", r"\immediate", r"\def\x{1}",
          r"\catcode`\^=7", "^^5c", r"\csname input\endcsname", r"\openout", r"\let",
          r"\include{x}", r"\usepackage{x}", r"\operatorname{exec}", r"\mathrm{__import__}",
          "%", "#", "&", "$", "~", r"\\", r"\begin{verbatim}", r"\end{bmatrix}"]
JUNK = list("._'\"`@#$%&~\\{}[]()!^|;:?,=") + [
    "\u00b2", "\u00b3", "\u2212", "\u230a", "\u230b", "\u03c0", "\uff0e", "\uff3f", "\u202e",
    "\u200b", "\x00", "\x1b", "\u0301", "\ufeff", "\ud800", "__", "..", "\u0445", "\uff58",
    "\u221a", "\u221e", "\u2028", "\t", "\n"]


class Generator:
    """Seeded random answers: grammar, LaTeX, mutations and raw Unicode."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def plain(self, depth=0):
        r = self.rng
        if depth > r.choice((2, 3, 4, 6)) or r.random() < 0.25:
            if r.random() < 0.55:
                return r.choice(NAMES)
            return r.choice(NUMBERS + [str(r.randint(-10 ** 9, 10 ** 9))])
        kind = r.randrange(16)
        sub = lambda: self.plain(depth + 1)  # noqa: E731
        if kind < 4:
            return sub() + r.choice(BINOPS) + sub()
        if kind == 4:
            return f"({sub()})"
        if kind == 5:
            return r.choice(["-", "+", "sqrt ", "sin ", "\u221a"]) + sub()
        if kind == 6:
            return sub() + r.choice(["!", "!!", "\u00b2", "^2", "^{-1}"])
        if kind == 7:
            o, c = r.choice([("|", "|"), ("\u230a", "\u230b"), ("\u2308", "\u2309"), ("[", "]"),
                             ("{", "}")])
            return o + sub() + c
        if kind in (8, 9):
            args = ", ".join(sub() for _ in range(r.choice((1, 1, 2, 3, r.randint(4, 40)))))
            return f"{r.choice(FUNCS)}({args})"
        if kind == 10:
            return f"{r.choice(['u', 'delta', 'f', 'x', 'H', 'rect'])}[{sub()}]"
        if kind == 11:
            return f"sum({sub()}, (k, {sub()}, {sub()}))"
        if kind == 12:
            return f"integrate({sub()}, (t, {sub()}, {sub()}))"
        if kind == 13:
            size = r.choice((1, 2, 3))
            return "[" + ", ".join("[" + ", ".join(sub() for _ in range(size)) + "]"
                                   for _ in range(size)) + "]"
        if kind == 14:
            # repetition: the shape of most resource attacks
            unit = r.choice(["x", "x+", "(", "-", "!", "//2", "^2", "x ", "tri(", "max(x,",
                             "sqrt(", "|", "10^999*", "u(", "2^", "\\frac{1}{", "{"])
            return unit * r.choice((10, 50, 100, 300, 1000, 3000))
        return f"{sub()} = {sub()}"

    def latex(self, depth=0):
        r = self.rng
        if depth > r.choice((2, 3, 4)) or r.random() < 0.25:
            return r.choice(LATEX_LEAVES + [str(r.randint(0, 10**6))])
        sub = lambda: self.latex(depth + 1)  # noqa: E731
        kind = r.randrange(15)
        forms = [
            lambda: r"\frac{%s}{%s}" % (sub(), sub()),
            lambda: r"\sqrt{%s}" % sub(),
            lambda: r"\sqrt[%s]{%s}" % (sub(), sub()),
            lambda: "{%s}^{%s}" % (sub(), sub()),
            lambda: "%s_{%s}" % (sub(), sub()),
            lambda: r"\left( %s \right)" % sub(),
            lambda: r"\left\lfloor %s \right\rfloor" % sub(),
            lambda: r"\lceil %s \rceil" % sub(),
            lambda: r"\%s %s" % (r.choice(["sin", "cos", "exp", "log", "ln", "max"]), sub()),
            lambda: " ".join((sub(), r.choice(["+", "-", r"\cdot", r"\times", r"\div", "=",
                                               r"\le", r"\ne", " "]), sub())),
            lambda: r"\begin{bmatrix} %s & %s \\ %s & %s \end{bmatrix}" % (sub(), sub(), sub(),
                                                                          sub()),
            lambda: r"\sum_{k=%s}^{%s} %s" % (sub(), sub(), sub()),
            lambda: r"\int_{%s}^{%s} %s \, d\tau" % (sub(), sub(), sub()),
            lambda: sub() + r.choice(ENGINE),
            lambda: r.choice([r"\frac{", r"\sqrt{", "2^{", r"\left(", "{"]) * r.choice((50, 300)),
        ]
        return forms[kind]()

    def mutate(self, text):
        r = self.rng
        for _ in range(r.choice((1, 1, 2, 3, 5))):
            i = r.randint(0, len(text))
            op = r.random()
            if op < 0.6:
                text = text[:i] + r.choice(JUNK) + text[i:]
            elif op < 0.8 and text:
                text = text[:i] + text[i + 1:]
            else:
                text = text[:i] + text[i:i + r.randint(1, 8)] * 2 + text[i + 8:]
        return text

    def unicode(self):
        r = self.rng
        return "".join(chr(r.choice((r.randint(0, 0x7f), r.randint(0x80, 0x3000),
                                     r.randint(0xd800, 0xdfff), r.randint(0xff00, 0xffff),
                                     r.randint(0x10000, 0x10ffff))))
                       for _ in range(r.randint(0, 40)))

    def __call__(self):
        r = self.rng.random()
        if r < 0.45:
            text = self.plain()
        elif r < 0.7:
            text = self.latex()
        elif r < 0.92:
            text = self.mutate(self.plain() if self.rng.random() < 0.6 else self.latex())
        else:
            text = self.unicode()
        options = {"discrete": self.rng.random() < 0.3, "evaluate": self.rng.random() < 0.8,
                   "functions": ("f", "g") if self.rng.random() < 0.5 else ()}
        return text, options


# ----------------------------------------------------------------------------- one input

class _Hang(BaseException):
    pass


def _on_vtalrm(signum, frame):
    raise _Hang()


_SAFE_MODULES = ("sympy",)


def _safe(obj, functions):
    import sympy as sp

    if isinstance(obj, (list, tuple)):
        return all(_safe(x, functions) for x in obj)
    if not isinstance(obj, (sp.Basic, sp.MatrixBase)):
        return False
    nodes = sp.preorder_traversal(obj) if isinstance(obj, sp.Basic) else \
        (n for e in obj for n in sp.preorder_traversal(e))
    for node in nodes:
        if isinstance(node, sp.core.function.AppliedUndef):
            if node.func.__name__ not in functions:
                return False
            continue
        if not (type(node).__module__ or "").startswith(_SAFE_MODULES):
            return False
        if isinstance(node, (sp.Lambda, sp.core.function.FunctionClass)):
            return False
        if isinstance(node, sp.Symbol) and ("__" in node.name or not node.name[:1].isalpha()):
            return False
    return True


class Probe:
    """Runs one input and classifies the outcome (CPU-time limit by SIGVTALRM, so
    it does not fight libFuzzer's or the grader's SIGALRM)."""

    def __init__(self, slow, hang, grade_share, seed):
        from symconv.errors import ParseError
        from symconv.parsing import parse_math

        self.parse_math, self.ParseError = parse_math, ParseError
        self.slow, self.hang = slow, hang
        self.grade_share = grade_share
        self.rng = random.Random(seed + 1)
        self.events = []
        self.armed = False
        sys.addaudithook(self._audit)
        signal.signal(signal.SIGVTALRM, _on_vtalrm)
        self.key = {"type": "expression", "answer": "2n + 1", "points": 1,
                    "variables": {"n": {"domain": "integer", "min": 0, "max": 20}}}

    def _audit(self, event, args):
        if not self.armed:
            return
        if event == "exec":
            filename = getattr(args[0], "co_filename", "") if args else ""
            if not filename or filename.startswith("<"):
                self.events.append(event)
        elif event == "compile":
            filename = args[1] if len(args) > 1 else None
            if not (isinstance(filename, str) and os.path.isfile(filename)):
                self.events.append(event)
        elif event == "open":
            mode = args[1] if len(args) > 1 else None
            flags = args[2] if len(args) > 2 else 0
            if (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                    (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)):
                self.events.append(f"open {args[0]!r}")
        elif event == "import":
            if str(args[0]).split(".")[0] in ("subprocess", "socket", "ctypes", "pty",
                                               "webbrowser"):
                self.events.append(f"import {args[0]}")
        elif event.startswith(("os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                               "subprocess.Popen", "socket.", "os.remove", "os.rename",
                               "shutil.", "ctypes.", "builtins.input", "webbrowser.")):
            self.events.append(event)

    def run(self, text, options):
        """Returns (outcome, detail, seconds)."""
        self.events = []
        cwd = os.getcwd()
        with tempfile.TemporaryDirectory(prefix="symconv-fuzz-") as tmp:
            os.chdir(tmp)
            self.armed = True
            signal.setitimer(signal.ITIMER_VIRTUAL, self.hang)
            t0 = time.perf_counter()
            outcome, detail = "ok", ""
            try:
                try:
                    result = self.parse_math(text, **options)
                except self.ParseError:
                    outcome = "rejected"
                else:
                    if not _safe(result, options.get("functions", ())):
                        outcome, detail = "unsafe", repr(result)[:200]
                    else:
                        try:
                            str(result)
                        except _Hang:
                            raise
                        except Exception as exc:  # noqa: BLE001
                            outcome, detail = "unprintable", f"{type(exc).__name__}: {exc}"[:200]
            except _Hang:
                outcome, detail = "hang", f"> {self.hang} s of CPU"
            except RecursionError as exc:
                outcome, detail = "crash", f"RecursionError: {exc}"[:200]
            except Exception as exc:  # noqa: BLE001
                outcome, detail = "crash", f"{type(exc).__name__}: {exc}"[:200]
            finally:
                signal.setitimer(signal.ITIMER_VIRTUAL, 0)
                self.armed = False
                seconds = time.perf_counter() - t0
                os.chdir(cwd)
                leftovers = os.listdir(tmp)
        if self.events or leftovers:
            return "side-effect", f"{self.events[:5]} files={leftovers[:5]}", seconds
        if outcome in ("ok", "rejected") and seconds > self.slow:
            return "slow", f"{seconds:.2f} s ({outcome})", seconds
        if outcome in ("ok", "rejected") and self.grade_share and \
                self.rng.random() < self.grade_share:
            return self._grade(text, seconds)
        return outcome, detail, seconds

    def _grade(self, text, parse_seconds):
        from symconv.grading import grade

        limit = 1.0
        signal.setitimer(signal.ITIMER_VIRTUAL, self.hang + 2 * limit)
        t0 = time.perf_counter()
        try:
            result = grade(text, self.key, time_limit=limit)
            outcome, detail = "graded", result.status
        except _Hang:
            outcome, detail = "grade-overrun", f"grade() ignored its {limit} s limit"
        except Exception as exc:  # noqa: BLE001
            outcome, detail = "grade-crash", f"{type(exc).__name__}: {exc}"[:200]
        finally:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        seconds = time.perf_counter() - t0
        if outcome == "graded" and seconds > limit + 1.5:
            outcome, detail = "grade-overrun", f"{seconds:.1f} s with a {limit} s limit"
        return outcome, detail, parse_seconds + seconds


# ----------------------------------------------------------------------------- reporting

FINE = ("ok", "rejected", "graded")


class Tally:
    def __init__(self, out=None):
        self.counts = collections.Counter()
        self.shortest = {}
        self.times = []
        self.out = open(out, "w", encoding="utf-8") if out else None

    def add(self, text, options, outcome, detail, seconds):
        self.counts[outcome] += 1
        self.times.append(seconds)
        signature = (outcome, detail.split(":")[0][:60] if outcome != "slow" else "")
        best = self.shortest.get(signature)
        if best is None or len(text) < len(best[0]):
            self.shortest[signature] = (text, options, detail, seconds)
        if self.out is not None and outcome not in FINE:
            self.out.write(json.dumps({"outcome": outcome, "detail": detail, "seconds": seconds,
                                       "options": options, "text": text}) + "\n")
            self.out.flush()

    def report(self, elapsed):
        total = sum(self.counts.values())
        times = sorted(self.times)

        def pct(q):
            return times[min(len(times) - 1, int(q * len(times)))] if times else 0

        print(f"\n{total} inputs in {elapsed:.0f} s ({total / max(elapsed, 1e-9):.0f}/s); "
              f"time per input: median {pct(0.5) * 1e3:.2f} ms, p99 {pct(0.99) * 1e3:.1f} ms, "
              f"max {times[-1] if times else 0:.2f} s")
        print(f"\n{'outcome':<14} {'count':>8} {'share':>8}")
        for outcome, count in self.counts.most_common():
            print(f"{outcome:<14} {count:>8} {count / total:>8.2%}")
        findings = [(sig, v) for sig, v in self.shortest.items() if sig[0] not in FINE]
        if findings:
            print("\nshortest reproducer per finding:")
            for (outcome, _), (text, options, detail, seconds) in sorted(findings):
                shown = text if len(text) <= 120 else f"{text[:100]!r}... ({len(text)} chars)"
                print(f"  [{outcome}] {detail[:90]}\n      {shown!r} {options} {seconds:.2f} s")
        else:
            print("\nno findings")


# ----------------------------------------------------------------------------- engines

def run_random(args):
    gen = Generator(args.seed)
    probe = Probe(args.slow, args.hang, args.grade, args.seed)
    tally = Tally(args.out)
    t0 = time.perf_counter()
    for i in range(args.examples):
        text, options = gen()
        outcome, detail, seconds = probe.run(text, options)
        tally.add(text, options, outcome, detail, seconds)
        if args.progress and (i + 1) % args.progress == 0:
            bad = sum(c for o, c in tally.counts.items() if o not in FINE)
            print(f"  {i + 1} inputs, {bad} findings, {time.perf_counter() - t0:.0f} s",
                  file=sys.stderr, flush=True)
    tally.report(time.perf_counter() - t0)


def run_hypothesis(args):
    """Hypothesis with the grammar strategies of tests/test_hostile_input.py (plain,
    LaTeX, mutated, raw Unicode) and shrinking: reports the first finding, shrunk."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    sys.path.insert(0, str(ROOT / "tests"))
    import test_hostile_input as hostile

    probe = Probe(args.slow, args.hang, args.grade, args.seed)
    texts = st.one_of(hostile.mutated(hostile.math_text()), hostile.mutated(hostile.latex_text()),
                      st.text(st.characters(exclude_categories=()), max_size=80))

    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(texts, st.booleans(), st.booleans())
    def campaign(text, discrete, evaluate):
        options = {"discrete": discrete, "evaluate": evaluate, "functions": ("f", "g")}
        outcome, detail, seconds = probe.run(text, options)
        assert outcome in FINE, f"{outcome}: {detail} for {text!r} {options}"

    t0 = time.perf_counter()
    try:
        campaign()
        print(f"no finding in {args.examples} examples ({time.perf_counter() - t0:.0f} s)")
    except AssertionError as exc:
        print(f"finding (shrunk) after {time.perf_counter() - t0:.0f} s:\n  {exc}")


def run_atheris(args):
    import atheris

    with atheris.instrument_imports(include=["symconv"]):
        import symconv.parsing  # noqa: F401
    probe = Probe(args.slow, args.hang, args.grade, args.seed)
    tally = Tally(args.out)
    t0 = time.perf_counter()
    count = [0]

    def one(data):
        # undecodable bytes become lone surrogates (U+DC80..U+DCFF): hostile too
        text = data.decode("utf-8", errors="surrogateescape") if data else ""
        fdp = atheris.FuzzedDataProvider(data)
        options = {"discrete": fdp.ConsumeBool(), "latex": "auto"}
        outcome, detail, seconds = probe.run(text, options)
        tally.add(text, options, outcome, detail, seconds)
        count[0] += 1
        if count[0] >= args.examples:
            tally.report(time.perf_counter() - t0)
            os._exit(0)

    seeds = Path(tempfile.mkdtemp(prefix="symconv-corpus-"))
    gen = Generator(args.seed)
    for i in range(200):
        (seeds / f"seed{i}").write_bytes(gen()[0].encode("utf-8", "surrogatepass"))
    # libFuzzer's own timeout (SIGALRM) is only a backstop far beyond --hang (SIGVTALRM)
    atheris.Setup([sys.argv[0], str(seeds), f"-timeout={int(10 * args.hang) + 30}",
                   "-rss_limit_mb=4096", f"-runs={args.examples * 2}",
                   f"-artifact_prefix={os.getcwd()}/"], one)
    atheris.Fuzz()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("random", "hypothesis", "atheris"),
                        default="random")
    parser.add_argument("--examples", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--slow", type=float, default=1.0, help="seconds that count as slow")
    parser.add_argument("--hang", type=float, default=5.0, help="CPU seconds that count as a hang")
    parser.add_argument("--grade", type=float, default=0.0,
                        help="fraction of inputs also graded (key 2n + 1)")
    parser.add_argument("--out", default=None, help="write findings as JSON lines")
    parser.add_argument("--progress", type=int, default=1000)
    args = parser.parse_args(argv)
    import platform

    print(f"symconv parser fuzz: engine={args.engine} examples={args.examples} seed={args.seed} "
          f"python={platform.python_version()} cpus={os.cpu_count()} "
          f"load={os.getloadavg()[0]:.1f}")
    {"random": run_random, "hypothesis": run_hypothesis, "atheris": run_atheris}[args.engine](args)


if __name__ == "__main__":
    main()
