"""Red-team tests: hostile text against every place where symconv reads it (issue 6).

The attack surface is every function that takes text a student or a command-line user
typed: the safe parser :func:`symconv.parsing.parse_math`, the grader
(:func:`symconv.grading.parse_answer`, :func:`~symconv.grading.equivalent`,
:func:`~symconv.grading.grade`, the batch runner and its worker processes), the proof
checker :func:`symconv.proofs.check_proof`, the LaTeX writer (:func:`symconv.latex.escape_text`,
:func:`~symconv.latex.document`) and the ``symconv conv`` / ``corr`` / ``check-proof``
commands. The guarantees under attack:

* nothing typed is ever run as code: no ``eval``/``exec``/``compile`` of text, no
  process, no file written, no dangerous module imported, no attribute access;
* every input ends in a SymPy result or a ``ParseError`` (never another exception),
  quickly (the parser promises microseconds; we allow about a second);
* a grade is always a ``GradeResult`` (never an exception) within its time limit, and a
  huge or clever answer cannot earn credit it does not deserve;
* a batch gives exactly one output row per input row, whatever the rows hold;
* no control sequence of user text reaches TeX.

Tests whose name ends in ``_is_rejected``/``_holds`` record attacks that the code
withstands today (regression guards). Tests that fail on the current code are the bug
reports: each docstring names the input, what goes wrong and which function should
change. Nothing is marked xfail on purpose.

Slow attacks are bounded by a watchdog (SIGUSR1 from a timer thread raises
:class:`_Watchdog` in the main thread), so a hang costs a test a few seconds, not the run.
The fuzzing here is bounded and derandomized; ``benchmarks/fuzz_parser.py`` runs the
long campaign.
"""

import builtins
import contextlib
import gc
import io
import json
import keyword
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata

import pytest
import sympy as sp
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from symconv.errors import ParseError
from symconv.parsing import parse_math

# ----------------------------------------------------------------------------- watchdog


class _Watchdog(BaseException):
    """Raised in the main thread when a guarded block runs past its wall-time budget.

    A BaseException, so that SymPy's ``except Exception`` clauses cannot swallow it;
    it is not a ``TimeLimitExceeded``, so the grader's own limits cannot catch it.
    """


_WATCH = {"token": None}


def _on_usr1(signum, frame):
    token = _WATCH["token"]
    if token is not None and token["active"] and token["fired"]:
        raise _Watchdog(f"still running after {token['seconds']:g} s")


@contextlib.contextmanager
def wall_limit(seconds):
    """Interrupt the block (main thread only) after ``seconds`` of wall time.

    The interrupt is repeated every 0.2 s until the block has left: SymPy and mpmath
    have bare ``except:`` clauses that can swallow one of them.
    """
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover
        yield
        return
    signal.signal(signal.SIGUSR1, _on_usr1)   # stays installed: a late signal is ignored
    token = {"active": True, "fired": False, "seconds": seconds}
    previous = _WATCH["token"]
    _WATCH["token"] = token
    main_id = threading.main_thread().ident
    done = threading.Event()

    def watch():
        if done.wait(seconds):
            return
        token["fired"] = True
        while not done.is_set():
            signal.pthread_kill(main_id, signal.SIGUSR1)
            done.wait(0.2)

    thread = threading.Thread(target=watch, daemon=True, name="hostile-watchdog")
    thread.start()
    try:
        yield
    finally:
        token["active"] = False
        done.set()
        thread.join()
        _WATCH["token"] = previous


def run_bounded(fn, seconds):
    """``(outcome, value, elapsed)``: outcome 'ok' (value = result), 'raised' (value =
    the exception) or 'hung' (the watchdog fired after ``seconds``)."""
    t0 = time.perf_counter()
    try:
        with wall_limit(seconds):
            value = fn()
        return "ok", value, time.perf_counter() - t0
    except _Watchdog:
        return "hung", None, time.perf_counter() - t0
    except Exception as exc:  # noqa: BLE001 - the caller decides what is acceptable
        return "raised", exc, time.perf_counter() - t0


# ----------------------------------------------------------------------------- side effects

# Audit events that mean code ran, a process started, the network or a file was touched.
_DANGEROUS_EVENTS = ("os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                     "os.forkpty", "pty.spawn", "subprocess.Popen", "socket.connect",
                     "socket.bind", "socket.sendto", "os.remove", "os.rmdir", "os.rename",
                     "os.mkdir", "os.symlink", "os.link", "os.chmod", "os.truncate",
                     "shutil.rmtree", "shutil.copyfile", "shutil.move", "ctypes.dlopen",
                     "ctypes.call_function", "builtins.input", "webbrowser.open",
                     "urllib.Request", "compile", "code.__new__", "function.__new__",
                     "os.putenv", "os.kill", "signal.pthread_kill_other")
_DANGEROUS_MODULES = {"subprocess", "shutil", "socket", "ctypes", "pty", "webbrowser",
                      "urllib.request", "http.client", "ftplib", "smtplib", "telnetlib",
                      "multiprocessing", "pickle", "marshal_exec", "code", "codeop", "pdb"}
_AUDIT = {"armed": False, "events": []}


def _audit(event, args):
    if not _AUDIT["armed"]:
        return
    if event == "exec":
        # importing a module runs its code object (filename = a real .py file);
        # running typed text would show a pseudo-file such as '<string>'
        code = args[0] if args else None
        filename = getattr(code, "co_filename", "")
        if not filename or filename.startswith("<"):
            _AUDIT["events"].append((event, repr(args)[:200]))
        return
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
            (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if writing:
            _AUDIT["events"].append((event, repr(args)[:200]))
        return
    if event == "import":
        name = args[0] if args else ""
        if name in _DANGEROUS_MODULES or str(name).split(".")[0] in ("subprocess", "socket",
                                                                      "ctypes", "shutil"):
            _AUDIT["events"].append((event, repr(args)[:200]))
        return
    if event == "compile":
        # the import system compiles a module's source when its .pyc is stale: that
        # names the real file; compiling typed text names '<string>' or nothing
        filename = args[1] if len(args) > 1 else None
        if not (isinstance(filename, str) and os.path.isfile(filename)):
            _AUDIT["events"].append((event, repr(args)[:200]))
        return
    if event.startswith(_DANGEROUS_EVENTS):
        _AUDIT["events"].append((event, repr(args)[:200]))


sys.addaudithook(_audit)  # cannot be removed; idle unless armed


class _Tripwire(Exception):
    pass


@contextlib.contextmanager
def no_side_effects():
    """Run a block in an empty temporary cwd with process/file/import tripwires armed.

    Yields a list that collects violations; after the block it is asserted empty and the
    directory must still be empty.
    """
    violations = []
    real_open, real_import = builtins.open, builtins.__import__
    real_system, real_popen = os.system, subprocess.Popen

    def guarded_open(file, mode="r", *args, **kwargs):
        if isinstance(mode, str) and any(c in mode for c in "wax+"):
            violations.append(f"open({file!r}, {mode!r})")
            raise _Tripwire(f"open for writing: {file!r}")
        return real_open(file, mode, *args, **kwargs)

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        # a library re-importing a module it already loaded (argparse does
        # 'import shutil' for the terminal width) is not an attack; a fresh import of a
        # dangerous module, or any import from code that is not a file, is
        if level == 0 and name.split(".")[0] in ("subprocess", "shutil", "socket", "ctypes",
                                                 "pty", "webbrowser"):
            caller = sys._getframe(1).f_code.co_filename
            if name not in sys.modules or not os.path.isfile(caller):
                violations.append(f"import {name} from {caller}")
                raise _Tripwire(f"import of {name}")
        return real_import(name, globals, locals, fromlist, level)

    def guarded_system(*args, **kwargs):
        violations.append(f"os.system{args!r}")
        raise _Tripwire("os.system")

    class GuardedPopen:
        def __init__(self, *args, **kwargs):
            violations.append(f"subprocess.Popen{args!r}")
            raise _Tripwire("subprocess.Popen")

    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="symconv-hostile-") as tmp:
        os.chdir(tmp)
        builtins.open, builtins.__import__ = guarded_open, guarded_import
        os.system, subprocess.Popen = guarded_system, GuardedPopen
        _AUDIT["events"] = []
        _AUDIT["armed"] = True
        try:
            yield violations
        finally:
            _AUDIT["armed"] = False
            builtins.open, builtins.__import__ = real_open, real_import
            os.system, subprocess.Popen = real_system, real_popen
            os.chdir(cwd)
            leftovers = os.listdir(tmp)
        violations.extend(f"audit event {e}: {a}" for e, a in _AUDIT["events"])
        _AUDIT["events"] = []
    assert not violations, f"side effects while handling hostile text: {violations}"
    assert not leftovers, f"files appeared in the working directory: {leftovers}"


@pytest.fixture(scope="module", autouse=True)
def _warm_up():
    """Import everything SymPy loads lazily, so that the tripwires see only the attack."""
    import symconv.grading as sg
    from symconv.proofs import check_proof

    for text in ("2n+1", r"\frac{1}{2} + \sqrt{x}", "sum(k, (k, 1, n))", "tri(x) + rect(x)",
                 "max(x, y) + Mod(n, 3)", "[[1, 2], [3, 4]]", "{1, 2}", "x = y",
                 "integrate(x, (x, 0, y))", "u[n] + delta(n)", "floor(x/2) + 3!",
                 r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}", "Derivative(x^2, x)"):
        for kw in ({}, {"evaluate": False}, {"discrete": True}):
            parse_math(text, **kw)
    for answer in ("2n + 1", "2n", "n^2 + 1", "[1, 2]", "x"):
        sg.grade(answer, _KEY_N)
        sg.grade(answer, _KEY_X)
    sg.equivalent("x + 1", "1 + x")
    report = check_proof(["sum(f(k)*g(n-k), (k, -oo, oo))", "sum(g(k)*f(n-k), (k, -oo, oo))"])
    str(report), report.latex()
    str(sp.Integer(10) ** 50), sp.latex(sp.Symbol("x") ** 2)
    from symconv.cli import build_parser

    build_parser()           # imports every command module (and what they import)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        _cli(["conv", "u(t)", "exp(-t)*u(t)"], 60)
        _cli(["corr", "[1, 2]", "[3, 4]"], 60)
    yield


# ----------------------------------------------------------------------------- result checks

_ALLOWED_CONTAINERS = (list, tuple)
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_DANGEROUS_NAMES = set(keyword.kwlist) | {"eval", "exec", "compile", "open", "getattr",
                                          "setattr", "delattr", "globals", "locals", "vars",
                                          "breakpoint", "exit", "quit", "__import__", "input"}


def assert_safe_result(obj, functions=()):
    """A parse result is made of SymPy objects (and lists/tuples of them) only; every
    symbol has a plain name; every undefined function was declared; no Lambda or
    function class is smuggled in as a value."""
    if isinstance(obj, _ALLOWED_CONTAINERS):
        for item in obj:
            assert_safe_result(item, functions)
        return
    assert isinstance(obj, (sp.Basic, sp.MatrixBase)), f"not a SymPy object: {type(obj)!r}"
    nodes = obj.atoms() | set(sp.preorder_traversal(obj)) if isinstance(obj, sp.Basic) else \
        set().union(*(set(sp.preorder_traversal(e)) for e in obj))
    for node in nodes:
        if isinstance(node, sp.core.function.AppliedUndef):   # f(x) of a declared f
            assert node.func.__name__ in functions, f"undeclared function {node.func}"
            continue
        cls = type(node)
        assert (cls.__module__ or "").startswith("sympy"), f"non-SymPy node {cls!r}"
        assert not isinstance(node, (sp.Lambda, sp.core.function.FunctionClass)), node
        if isinstance(node, sp.Symbol):
            assert _NAME_RE.match(node.name) and "__" not in node.name, node.name
            assert node.name not in _DANGEROUS_NAMES, node.name


def parse_checked(text, seconds=1.0, hard=2.0, **options):
    """Parse hostile text: the outcome must be a safe SymPy result or a ParseError,
    printable, within ``seconds`` (the watchdog stops it at ``hard``), with no side
    effect. Returns the result or the ParseError.

    Failures are reported with ``pytrace=False``: a traceback would show the frames'
    arguments, and printing a hostile expression is exactly what may hang."""
    shown = f"parse_math({text[:80]!r}{'...' if len(text) > 80 else ''}, {options})"
    took = []
    for attempt in range(3):   # a slow attempt is retried: a loaded machine stalls one,
        if attempt:            # a blow-up all (collecting garbage first, only then: a
            gc.collect()       # collection of the suite's heap costs more than a parse)
        t0 = time.perf_counter()
        failure = None
        try:
            with no_side_effects(), wall_limit(hard):
                try:
                    result = parse_math(text, **options)
                except ParseError as exc:
                    result = exc
                else:
                    assert_safe_result(result, options.get("functions", ()))
                    str(result)   # every consumer prints the answer: it must be printable
        except _Watchdog:
            failure = f"{shown} (or printing its result) still running after {hard} s"
        except AssertionError as exc:
            failure = f"{shown}: {str(exc)[:500]}"
        except Exception as exc:  # noqa: BLE001 - anything but ParseError is the bug
            failure = f"{shown} raised {type(exc).__name__}: {str(exc)[:300]}"
        if failure:
            pytest.fail(failure, pytrace=False)
        elapsed = time.perf_counter() - t0
        if elapsed < seconds:
            return result
        took.append(f"{elapsed:.2f}")
    pytest.fail(f"{shown} took {', '.join(took)} s in three attempts (limit {seconds} s)",
                pytrace=False)


def assert_rejected(text, **options):
    result = parse_checked(text, **options)
    if not isinstance(result, ParseError):
        pytest.fail(f"{text[:80]!r} ({options}) was accepted as {str(result)[:200]}",
                    pytrace=False)
    assert str(result).startswith(("answer rejected", "cannot parse")), str(result)
    return result


def _short_id(value):
    """Readable test ids for long hostile inputs."""
    text = ascii(value)
    return text if len(text) <= 40 else f"{text[:30]}...len{len(value)}"


# ----------------------------------------------------------------------------- keys

_KEY_N = {"type": "expression", "answer": "2n + 1", "points": 1,
          "variables": {"n": {"domain": "integer", "min": 0, "max": 20}}}
_KEY_X = {"type": "expression", "answer": "x^2 + 1", "points": 1}


# ============================================================================= 1. code execution

CODE_ATTACKS = [
    "__import__('os').system('touch PWNED')",
    "__import__(\"os\").system(\"touch PWNED\")",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "x .__class__",
    "(1).real",
    "1..real",
    "[].__class__.__mro__",
    "os.system('touch PWNED')",
    "sympy.sympify('x')",
    "lambda: 0",
    "(lambda x: x)(1)",
    "[x for x in range(10)]",
    "exec('import os')",
    "eval('1+1')",
    "compile('1', 'f', 'eval')",
    "open('PWNED', 'w')",
    "getattr(x, 'evalf')",
    "globals()",
    "vars()",
    "breakpoint()",
    "exit(1)",
    "import os",
    "from os import system",
    "x if y else z",
    "x := 1",
    "x; __import__('os')",
    "x @ y",
    "~x",
    "x % 2",
    "x # comment",
    "`ls`",
    "x?",
    "_",
    "_x",
    "x_",
    "a__b",
    "__builtins__",
    "Symbol('__import__')",
    "Function('exec')(1)",
    "S('x')",
    "sympify('__import__(\"os\")')",
    "\uff3f\uff3fimport\uff3f\uff3f('os')",       # full-width low lines
    "\ufe4d\ufe4dimport\ufe4d\ufe4d('os')",       # dashed low lines
    "x\uff0e__class__",                            # full-width full stop
    "x\u2024real",                                 # one dot leader
    "os\ufe52system",                              # small full stop
    "x\u00a0.real",
]


@pytest.mark.parametrize("text", CODE_ATTACKS, ids=_short_id)

def test_code_execution_attempt_is_rejected(text):
    assert_rejected(text)
    assert_rejected(text, discrete=True)
    assert_rejected(text, latex=True)


# Names that would be dangerous if a parser looked them up in SymPy's or Python's
# namespace by string. The safe parser must give plain symbols (or products of them),
# never the object of that name.
LOOKUP_NAMES = ["sympify", "Symbol", "Function", "Lambda", "lambdify", "parse_expr", "S",
                "N", "var", "preview", "init_printing", "Integer", "Float", "Basic",
                "system", "popen", "os", "sys", "subprocess", "builtins", "globals2",
                "evalf", "doit", "subs", "xreplace", "rewrite", "srepr", "pprint"]


@pytest.mark.parametrize("name", LOOKUP_NAMES)
def test_dangerous_sympy_names_stay_plain_symbols(name):
    for text in (name, f"{name}(x)", f"2 {name} + 1", f"{name}[n]"):
        result = parse_checked(text)
        if isinstance(result, ParseError):
            continue
        assert_safe_result(result)
        names = {s.name for s in result.free_symbols}
        assert names <= {name, "x", "n"} | set(name), (text, names)


@pytest.mark.parametrize("text, names", [
    ("$(ls)", {"l", "s"}), ("$$rm -rf /$$", None), (r"\\ls", None),
    ("e^(i pi)", {"i"}), ("nan + zoo", {"nan", "zoo"}), ("I^I", set()),
])
def test_shell_looking_text_is_at_most_harmless_math(text, names):
    result = parse_checked(text)
    if names is not None and not isinstance(result, ParseError):
        assert {s.name for s in result.free_symbols} == names


def test_parser_source_never_calls_eval_exec_sympify_or_getattr_on_text():
    """Static guard: the parser module has no call of eval/exec/sympify/parse_expr/
    compile, and no getattr whose target could be user text."""
    import ast

    import symconv.parsing as parsing

    with open(parsing.__file__, encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                name = f.id
            elif isinstance(f, ast.Attribute) and not (isinstance(f.value, ast.Name)
                                                       and f.value.id == "self"):
                name = f.attr        # sp.sympify(...), sympy.parse_expr(...): flagged
            else:
                name = ""            # the parser's own methods (self.parse_expr)
            if name in ("eval", "exec", "compile", "sympify", "parse_expr", "parse_latex",
                        "__import__", "import_module", "getattr", "S"):
                bad.append((name, node.lineno))
    assert not bad, f"dangerous calls in symconv/parsing.py: {bad}"


# ============================================================================= 2. LaTeX injection

LATEX_ATTACKS = [
    r"\input{/etc/passwd}",
    r"\include{/etc/passwd}",
    r"\write18{touch PWNED}",
    r"\immediate\write18{touch PWNED}",
    r"x + \immediate\write18{touch PWNED}",
    r"\catcode`\^=7",
    r"\def\x{1}\x",
    r"\let\frac\input \frac{/etc/passwd}",
    r"\csname input\endcsname{/etc/passwd}",
    r"\newcommand{\x}{1}",
    r"\usepackage{shellesc}",
    r"\openout1=PWNED",
    r"\special{system: touch PWNED}",
    r"\directlua{os.execute('touch PWNED')}",
    r"\expandafter\input\x",
    r"\begin{verbatim}x\end{verbatim}",
    r"\begin{filecontents}{PWNED}x\end{filecontents}",
    r"x^^5cinput{/etc/passwd}",
    r"\frac{1}{2}^^5cinput",
    r"\operatorname{__import__}",
    r"\mathrm{eval}(x)",
    r"\text{exec}",
    r"\mathrm{lambda}",
    r"\operatorname{import}",
    r"\operatorname{a.b}",
    r"\text{a}b}",
    r"$\input{x}$",
    "\uff3cinput{/etc/passwd}",    # full-width reverse solidus
    "\ufe68input{/etc/passwd}",    # small reverse solidus
    "\u2216input{/etc/passwd}",    # set minus (looks like a backslash)
]


@pytest.mark.parametrize("text", LATEX_ATTACKS, ids=_short_id)
def test_latex_command_injection_is_rejected(text):
    assert_rejected(text)


def test_plain_latex_still_works_after_hardening():
    """The guards must not break the LaTeX the issue promises to accept."""
    n, k, p, s = sp.symbols("n k p s")
    got = parse_checked(r"\left\lfloor\frac{n+2p-k}{s}\right\rfloor+1")
    assert got == sp.floor((n + 2 * p - k) / s) + 1
    m = parse_checked(r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}")
    assert m == sp.eye(2)


# ============================================================================= 3. unicode

UNICODE_ATTACKS = {
    "x\u202e+1": "right-to-left override",
    "x\u202d+1": "left-to-right override",
    "x\u2066+1": "isolate",
    "x\u200b+1": "zero-width space",
    "x\u200d+1": "zero-width joiner",
    "\ufeffx": "byte-order mark",
    "x\u00ad": "soft hyphen",
    "x\u0301": "combining acute accent",
    "e\u0301 + 1": "combining mark on a constant",
    "x\u034f": "combining grapheme joiner",
    "x\ufe0f": "variation selector",
    "x\U000e0041": "tag character",
    "\ud800": "lone high surrogate",
    "x\udfff": "lone low surrogate",
    "\x00": "NUL",
    "x\x00+1": "NUL inside",
    "x\x1b[2J": "terminal escape",
    "x\x7f": "DEL",
    "\u0445 + 1": "Cyrillic ha (looks like x)",
    "\u0430 + 1": "Cyrillic a",
    "\u2028": "line separator",
    "\uffff": "non-character",
    "\U0010ffff": "last code point",
}


@pytest.mark.parametrize("text", list(UNICODE_ATTACKS), ids=_short_id)
def test_pathological_unicode_is_rejected(text):
    err = assert_rejected(text)
    if any(unicodedata.category(c) in ("Cf", "Cc", "Cs", "Cn", "Co") for c in text):
        assert err.position is not None


def test_safe_unicode_maps_to_its_ascii_meaning():
    x = sp.Symbol("x")
    assert parse_checked("x\u00b2 \u2212 1") == x ** 2 - 1
    assert parse_checked("\u230ax\u230b") == sp.floor(x)
    assert parse_checked("\uff58+\uff11") == x + 1          # full-width letters/digits


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF,
                                      exclude_categories=()), max_size=60))
@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_fuzz_arbitrary_unicode_text(text):
    """Any Unicode text (surrogates, controls, combining marks...): a safe SymPy
    result or a ParseError, fast, with no side effect."""
    parse_checked(text, seconds=2.0)


# ============================================================================= 4. resources

def test_megabyte_and_deep_nesting_are_rejected_quickly():
    assert_rejected("x" * (1 << 20))
    assert_rejected("(" * 10_000 + "x" + ")" * 10_000)
    for opener, closer in (("(", ")"), ("[", "]"), ("{", "}"), ("|", "|"), ("\u230a", "\u230b"),
                           ("\u2308", "\u2309"), ("sqrt(", ")"), ("-(", ")"), ("floor(", ")")):
        assert_rejected(opener * 400 + "x" + closer * 400)
    for latex in (r"\frac{" * 300 + "1" + "}{2}" * 300, r"2^{" * 300 + "2" + "}" * 300,
                  r"\sqrt{" * 300 + "x" + "}" * 300, r"\left(" * 300 + "x" + r"\right)" * 300):
        assert_rejected(latex)
    assert_rejected("x^" * 1000 + "x")
    assert_rejected("-" * 3000 + "x")


@pytest.mark.parametrize("text", [
    "10^10^10", "9^9^9", "2^2^2^2^2^2", "2**2**2**2**2", "(10^1000)^10", "10^(10^100)",
    "2^{2^{2^{2^{2^{2}}}}}", r"2^{2^{2^{2^{2^{2^{2}}}}}}", "factorial(10^9)", "(10^9)!",
    "1000000!", "3!!!!", "binomial(10^6, 500000)", "binomial(2^1000, 3)", "x^(10^100)",
    "x^100001", "e^(10^100)", "exp(10)^(10^10)", "1" * 1001, "1e1001", "1e-1001",
    "\u00b2".join(["2"] * 3), "x\u00b9\u2070\u2070\u2070\u2070\u2070", r"\sqrt[10^9]{2}",
    "root(2, 10^100)", "(2^1000)^(2^1000)", "Mod(7^99999, 10)", "x_" + "1" * 100,
], ids=_short_id)
def test_numeric_blowups_are_rejected(text):
    assert_rejected(text)


@pytest.mark.parametrize("text", [
    "floor(10^999/7)", "sqrt(10^999)", "root(10^999, 7)", "sin(10^999)", "log(10^999, 3)",
    "Mod(10^999, 7)", "exp(exp(exp(1000)))", "x^10000", "factorial(1000)",
    "binomial(1000, 500)", "(x+1)^10000", "sum(k, (k, 1, 10^999))", "2**2**2**2",
    "[" + ", ".join(["x"] * 1500) + "]", "[" + "; ".join(["1, 2"] * 900) + "]",
    " ".join(["x"] * 1900), "*".join(["x"] * 1900), "u(" * 90 + "x" + ")" * 90,
    "abs(" * 90 + "x" + ")" * 90,
], ids=_short_id)
def test_big_but_bounded_inputs_parse_fast(text):
    result = parse_checked(text, seconds=2.0)
    assert not isinstance(result, Exception) or isinstance(result, ParseError)


def test_long_sum_of_distinct_terms_is_fast():
    """BUG (parsing.py, _Parser.add: ``sp.Add(left, right)`` at every '+' re-flattens
    and re-sorts the whole sum: quadratic). ``x0 + x1 + ... + x999`` (4,890
    characters, half the token limit) takes ~3.5 s to parse; 2,000 terms ~13 s.
    Collect the terms of a flat sum (and product) and build the node once."""
    parse_checked("+".join(f"x{i}" for i in range(1000)), seconds=1.0)


# Short inputs that make SymPy's *evaluation* explode inside the parser (found by
# benchmarks/fuzz_parser.py): Heaviside/DiracDelta/re/im of a high power expand
# (re(x) + I*im(x))**N through the polys module; floor/ceiling of a numeric Sum or
# Integral evaluates it term by term (10^6 terms) or numerically (k^k, improper).
TINY_HANGS = {
    "u(x^500)": "Heaviside.eval -> im(x**500) -> as_real_imag expands a degree-500 power",
    "re(x^1000)": "re/im of a power: same expansion (u(x^200) alone takes ~2 s; "
                  "delta(x^500) and rect(x^300) go the same way)",
    "floor(sum(1, (k, 1, 10^6)))": "floor evaluates the Sum: 10^6 terms one by one",
    "ceil(sum(k^k, (k, 1, 100)))": "ceiling evalf of a Sum of k^k",
    "floor(integrate(t, (t, oo, 2)))": "floor of an improper Integral",
    "floor(exp(854629))": "floor needs the integer part of a 371,000-digit number",
    "u(integrate(pi, (t, 1, 1e400)))": "Heaviside asks the sign of an Integral with a "
                                       "400-digit bound",
}


def test_short_inputs_do_not_hang_the_parser():
    """BUG (parsing.py: _Parser.step/_delta/_heaviside/rect/ramp, the re/im builtins and
    _unary(floor/ceiling) all construct *evaluated* SymPy functions). Each input below
    is at most 40 characters and keeps parse_math busy for more than 8 s (see
    TINY_HANGS for the mechanism). Build these unevaluated when the argument is not a
    plain number, or refuse numeric Sums/Integrals inside floor/ceil."""
    slow = []
    for text, why in TINY_HANGS.items():
        outcome, _, elapsed = run_bounded(lambda: str(parse_math(text)), 1.0)
        if outcome == "hung" or elapsed > 0.8:
            slow.append(f"{text!r} ({'> 1' if outcome == 'hung' else f'{elapsed:.1f}'} s: {why})")
    if slow:
        pytest.fail("parse_math hangs on short inputs: " + "; ".join(slow), pytrace=False)


@pytest.mark.parametrize("text", ["floor(sum(1/2^k, (k, 0, oo)))",
                                  "floor(sum(1/k^2, (k, 1, oo)))",
                                  "u(sum(1/2^k, (k, 0, oo)) - 2)",
                                  r"\lceil \sum_{k=2}^{\infty} \frac{1}{k^2} \rceil"])
def test_parser_never_runs_generated_code(text):
    """BUG (parsing.py: floor/ceiling/Heaviside are built *evaluated*). To decide
    ``floor(sum(1/2^k, (k, 0, oo)))`` SymPy's evalf calls hypsum, which calls
    ``lambdify``: Python source is generated from the student's expression, then
    ``compile``d and ``exec``uted (about 70 times for this input; the first time it
    also execs ``import scipy; import numpy; from scipy.special import *``). The parser
    promises never to run Python code for an answer; build these functions unevaluated
    when the argument holds a Sum/Integral (the tripwire sees the 'compile' audit
    events of '<lambdifygenerated-N>'). Printing ``Heaviside(Sum(...) - 2)`` got there
    too (ordering the terms evaluates the Sum), so numeric sums are now refused."""
    parse_checked(text, seconds=2.0)


@pytest.mark.parametrize("answer", ["floor(sum(1/(k^3 + x^2 + 1), (k, 1, oo)))",
                                    "u(sum(1/(k^3 + x^2), (k, 1, oo)) - 2)",
                                    "sum(x^k/(k^3 + 1), (k, 0, oo)) + x"], ids=_short_id)
def test_grading_never_runs_generated_code(answer):
    """BUG (grading/equivalence.py _value). An infinite sum with a free variable parses,
    but at a sampled point it becomes numeric and evaluating it (floor of it, or evalf)
    called SymPy's hypsum, which lambdifies the summand: grading ``floor(sum(1/(k^3 +
    n), (k, 1, oo)))`` compiled and ran 43 generated functions. Grading now switches
    numerical summation off (symconv._util.sympy_safety) and treats a sum without closed form
    as not evaluable at the point. The tripwire fails on any 'compile' event; a variant
    with another constant is graded first, so that SymPy's own lazy set-up (its fixed
    code templates, compiled once per process) happens outside the tripwire."""
    _grade(answer.replace("1)", "2)").replace("^3", "^3 + 3"), _KEY_X, limit=3.0, hard=6.0)
    with no_side_effects():
        result, elapsed = _grade(answer, _KEY_X, limit=3.0, hard=6.0)
    assert result.status in ("incorrect", "timeout") and result.score == 0, result.feedback
    assert elapsed < 4.0
    # equivalent() on its own: a regression guard (it holds today even without its own
    # switch, because the sampler skips infinite sums before evaluating them)
    import symconv.grading as sg

    renamed = answer.replace("x", "z")   # SymPy caches values: a fresh expression
    with no_side_effects():
        outcome, verdict, _ = run_bounded(lambda: sg.equivalent(renamed, "z^2 + 1"), 6)
    assert outcome == "ok" and verdict.status != "equivalent", (outcome, verdict)


def test_postfix_factorial_chain_is_bounded():
    """BUG (parsing.py, _Parser.parse_expr: the postfix '!' loop). ``x!!!...!`` nests
    one factorial per '!' without counting depth: with 600 of them parse_math
    *returns* an expression that cannot even be printed (RecursionError in str), and
    3,000 take ~3.5 s. The '!' loop (like every loop that wraps ``left``) must count
    towards ``max_depth``."""
    parse_checked("x" + "!" * 600, seconds=1.0)


def test_floor_of_factorial_chain_raises_only_parse_error_holds():
    """``floor(x!!!...!)`` with 400 '!' used to escape as RecursionError; since the
    parser turns SymPy construction errors into ParseError it is rejected."""
    parse_checked("floor(x" + "!" * 400 + ")", seconds=1.5)


def test_floor_division_chain_is_rejected_by_the_depth_limit():
    """BUG (parsing.py, the '//' branch of _Parser.parse_expr). Each ``//`` wraps the
    left side in ``floor(...)`` without counting depth, so ``x//2//2...//2 + 1`` (200
    times, 600 characters) recurses inside SymPy until Python's recursion limit; only
    then is the RecursionError turned into a ParseError (~1.2 s alone, ~2.7 s under
    pytest). Counting the depth rejects it in microseconds, without running SymPy to
    the recursion limit (which can leave caches half-built)."""
    parse_checked("x" + "//2" * 200 + "+1", seconds=1.0)   # ~0.03 s; the bug took > 1.2 s


def test_max_of_many_symbols_is_fast():
    """BUG (parsing.py, _minmax -> Parser.func builds ``sp.Max(*args)`` evaluated).
    SymPy's Max compares every pair of symbolic arguments: ``max(x0, ..., x49)`` takes
    ~3 s and ``max(x0, ..., x199)`` (900 characters) ~36 s, inside the parser. Build
    Max/Min unevaluated (or cap their arity)."""
    parse_checked("max(" + ", ".join(f"x{i}" for i in range(120)) + ")", seconds=1.0)


def test_nested_triangle_signal_is_fast():
    """BUG (parsing.py, _Parser.tri builds an evaluated Piecewise of |x|). Nesting is
    exponential: ``tri(tri(tri(tri(x))))`` (24 characters) takes ~9 s, five levels
    ~25 s. Build the pieces unevaluated, or refuse a Piecewise argument."""
    parse_checked("tri(tri(tri(tri(x))))", seconds=1.0)


def test_unevaluated_long_sum_is_fast():
    """BUG (parsing.py, _Parser.add/mul with evaluate=False rebuild the whole n-ary
    node at every term: quadratic). ``x+x+...+x`` with 2,000 terms takes ~9 s with
    ``evaluate=False`` -- the mode the grader uses for every form check."""
    parse_checked("+".join(["x"] * 2000), seconds=1.0, evaluate=False)


@pytest.mark.parametrize("text", [" ".join(["x"] * 2000), "*".join(["x"] * 1900),
                                  "-x" + "*y" * 1900, "x" + "/y" * 1900,
                                  "*".join(f"x{i}" for i in range(1800)),
                                  " ".join(f"x{i}" for i in range(1800)),
                                  "/".join(f"x{i}" for i in range(1800))], ids=_short_id)
@pytest.mark.parametrize("evaluate", [False, True])
def test_long_product_is_fast(text, evaluate):
    """BUG (parsing.py, _Parser.mul/div: the product was rebuilt at every factor). With
    ``evaluate=False``, ``x x ... x`` (2,000 implicit factors) took ~3 s and ``x*y*...``
    ~2 s (found by benchmarks/fuzz_parser.py); evaluated, the product of 1,800
    *distinct* names took 10 s and their quotient ``x0/x1/...`` 24 s (SymPy re-sorts
    the growing product). Now a chain of factors is built as one node
    (``_Parser.product_chain``)."""
    parse_checked(text, seconds=1.0, evaluate=evaluate)


def test_product_of_allowed_powers_respects_the_digit_limit():
    """BUG (parsing.py, _Parser.mul has no size guard). Each ``10^999`` is within the
    limits, but their product is not checked: ``10^999*10^999*10^999*10^999*10^999``
    is a 4,996-digit integer that even ``str()`` refuses (ValueError: int string
    conversion limit), which crashes every consumer (grade, CLI, proofs). 1,000
    factors (4,000 tokens) give a 10^999000 integer. The first fix (486517f) checks a
    product of numbers only: a symbol in front, ``x*10^999*10^999*10^999*10^999*10^999``,
    still builds the 4,995-digit coefficient (found again by benchmarks/fuzz_parser.py
    as ``os//10^999*10^999*...``)."""
    for text in ("*".join(["10^999"] * 5), "x*" + "*".join(["10^999"] * 5),
                 "(10^999 + x)*" + "*".join(["10^999"] * 4)):
        parse_checked(text)


def test_power_of_a_power_respects_the_exponent_limit():
    """BUG (parsing.py, _Parser.power: the exponent check sees only the outer
    exponent). ``(x^10000)^10000`` becomes ``x**100000000`` and
    ``((x^10000)^10000)^10000`` becomes ``x**(10**12)``; evaluating such an answer at
    an integer sample point builds a number with 10^8+ digits."""
    limit = 10_000
    for text in ("(x^10000)^10000", "((x^10000)^10000)^10000", "(x^100)^100^2"):
        result = parse_checked(text)
        if isinstance(result, ParseError):
            continue
        exps = [abs(p.exp) for p in result.atoms(sp.Pow) if p.exp.is_Integer]
        assert max(exps, default=0) <= limit, f"{text!r} -> {result}"


def test_numeric_sum_in_a_sum_is_printable_quickly():
    """BUG (parsing.py result + every printer that orders terms). ``sum(k^k, (k, 1,
    1000)) + 1`` parsed in microseconds, but printing it runs SymPy's
    ``as_ordered_terms``, which calls ``complex()`` on the numeric Sum:
    Euler-Maclaurin evaluation of 1000 terms of k^k, > 15 s. Every consumer prints
    (grade feedback, CLI output, proof reports, LaTeX). The parser now refuses a sum
    without free variables (it is a number: the answer gives the value)."""
    result = assert_rejected("sum(k^k, (k, 1, 1000)) + 1")
    assert "has no free variable: it is a number" in str(result)


# ============================================================================= 5. fuzzing

_LEAF_NAMES = ["x", "y", "n", "k", "t", "tau", "a", "b", "p", "s", "pi", "e", "E", "I", "oo",
               "j", "u", "H", "delta", "nk", "x1", "x_1", "exec", "eval", "os", "sympify",
               "Symbol", "Lambda", "S", "lambda", "__import__", "_x", "__class__", "gamma",
               "zoo", "nan", "Integer", "Matrix", "Sum", "Eq", "exp", "sqrt", "inf"]
_LEAF_NUMBERS = ["0", "1", "2", "7", "0.5", ".25", "1e-3", "2e5", "1e400", "10^999",
                 "9" * 30, "123456789", "1.", "3.14159", "-1"]
_FUNCS = ["floor", "ceil", "abs", "sqrt", "exp", "log", "ln", "sin", "cos", "tan", "sign",
          "max", "min", "Mod", "factorial", "binomial", "u", "H", "delta", "rect", "tri",
          "ramp", "Heaviside", "DiracDelta", "KroneckerDelta", "conjugate", "re", "im",
          "root", "Abs", "Max", "Eq", "Matrix", "Derivative", "f", "g"]
_BINOPS = ["+", "-", "*", "/", "//", "^", "**", " ", "=", "<", ">=", "!=", ",", ""]


def _join(sep):
    return lambda items: sep.join(items)


def math_text():
    """Random expressions of the plain syntax (grammar-based)."""
    leaves = st.one_of(st.sampled_from(_LEAF_NAMES), st.sampled_from(_LEAF_NUMBERS),
                       st.integers(-10 ** 12, 10 ** 12).map(str))

    def extend(children):
        return st.one_of(
            st.tuples(children, st.sampled_from(_BINOPS), children).map(lambda t: "".join(t)),
            children.map(lambda c: f"({c})"),
            children.map(lambda c: f"-{c}"),
            children.map(lambda c: f"{c}!"),
            children.map(lambda c: f"|{c}|"),
            children.map(lambda c: f"\u230a{c}\u230b"),
            children.map(lambda c: f"sqrt {c}"),
            st.tuples(st.sampled_from(_FUNCS), st.lists(children, min_size=1, max_size=3))
            .map(lambda t: f"{t[0]}({', '.join(t[1])})"),
            st.tuples(st.sampled_from(["u", "delta", "f", "x"]), children)
            .map(lambda t: f"{t[0]}[{t[1]}]"),
            st.lists(children, min_size=1, max_size=4).map(lambda l: "[" + ", ".join(l) + "]"),
            st.lists(children, min_size=1, max_size=3).map(lambda l: "{" + ", ".join(l) + "}"),
            st.tuples(children, children, children)
            .map(lambda t: f"sum({t[0]}, (k, {t[1]}, {t[2]}))"),
            st.tuples(children, children).map(lambda t: f"integrate({t[0]}, (t, {t[1]}, 1))"),
            st.lists(st.lists(children, min_size=2, max_size=2), min_size=2, max_size=2)
            .map(lambda rows: "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"),
        )

    return st.recursive(leaves, extend, max_leaves=10)


def latex_text():
    """Random LaTeX (grammar-based), with injected engine commands now and then."""
    leaves = st.one_of(st.sampled_from(["x", "n", "k", "2", "10", r"\pi", r"\infty", r"\tau",
                                        r"\alpha", "e", "1.5", r"\lambda"]),
                       st.integers(0, 10 ** 6).map(str))

    def extend(c):
        return st.one_of(
            st.tuples(c, c).map(lambda t: r"\frac{%s}{%s}" % t),
            c.map(lambda x: r"\sqrt{%s}" % x),
            st.tuples(c, c).map(lambda t: r"\sqrt[%s]{%s}" % t),
            st.tuples(c, c).map(lambda t: "{%s}^{%s}" % t),
            st.tuples(c, c).map(lambda t: "%s_{%s}" % t),
            c.map(lambda x: r"\left( %s \right)" % x),
            c.map(lambda x: r"\left\lfloor %s \right\rfloor" % x),
            c.map(lambda x: r"\lceil %s \rceil" % x),
            c.map(lambda x: r"\sin %s" % x),
            c.map(lambda x: r"\log_2 %s" % x),
            st.tuples(c, c).map(lambda t: r"%s \cdot %s" % t),
            st.tuples(c, st.sampled_from(["+", "-", r"\times", r"\div", "=", r"\le", " "]), c)
            .map(lambda t: " ".join(t)),
            st.tuples(c, c, c, c).map(
                lambda t: r"\begin{bmatrix} %s & %s \\ %s & %s \end{bmatrix}" % t),
            st.tuples(c, c, c).map(lambda t: r"\sum_{k=%s}^{%s} %s" % t),
            st.tuples(c, c, c).map(lambda t: r"\int_{%s}^{%s} %s \, d\tau" % t),
            st.tuples(c, st.sampled_from([r"\input{/etc/passwd}", r"\write18{touch PWNED}",
                                          r"\def\x{1}", r"\catcode", "^^5c", r"\csname",
                                          r"\immediate", "%", "#", "&", "$"]))
            .map(lambda t: t[0] + t[1]),
        )

    return st.recursive(leaves, extend, max_leaves=8)


_JUNK = list("._'\"`@#$%&~\\{}[]()!^|;:?,") + ["\u00b2", "\u2212", "\u230a", "\u03c0",
                                                 "\uff0e", "\u202e", "\x00", "\u0301", "__"]


@st.composite
def mutated(draw, base):
    """A grammar string with a few hostile characters spliced in."""
    text = draw(base)
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(text)))
        text = text[:i] + draw(st.sampled_from(_JUNK)) + text[i:]
    return text


_FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                 phases=[Phase.explicit, Phase.generate],
                 suppress_health_check=list(HealthCheck))


@given(text=mutated(math_text()), discrete=st.booleans(), evaluate=st.booleans())
@_FUZZ
def test_fuzz_grammar_expressions(text, discrete, evaluate):
    """Grammar-generated (and mutated) plain-syntax answers: SymPy result or
    ParseError only, each within about a second, printable, no side effect."""
    parse_checked(text, seconds=2.0, discrete=discrete, evaluate=evaluate, functions=("f", "g"))


@given(text=mutated(latex_text()))
@_FUZZ
def test_fuzz_grammar_latex(text):
    parse_checked(text, seconds=2.0, latex=True)


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80))
@_FUZZ
def test_fuzz_printable_ascii(text):
    parse_checked(text, seconds=2.0)


# ============================================================================= 6. grading

def _grade(answer, key, limit=3.0, hard=8.0):
    import symconv.grading as sg

    outcome, value, elapsed = run_bounded(lambda: sg.grade(answer, key, time_limit=limit), hard)
    assert outcome != "hung", f"grade({answer[:60]!r}) ignored its {limit} s limit ({hard} s)"
    assert outcome == "ok", f"grade({answer[:60]!r}) raised {type(value).__name__}: {value}"
    return value, elapsed


@pytest.mark.parametrize("answer", CODE_ATTACKS[:12] + LATEX_ATTACKS[:8] + [
    "x" * (1 << 20), "(" * 10_000 + ")" * 10_000, "n\x00", "\u0445 + 1", "10^10^10",
    "factorial(10^9)"], ids=_short_id)
def test_hostile_answers_are_graded_invalid_without_side_effects(answer):
    with no_side_effects():
        result, elapsed = _grade(answer, _KEY_N)
    assert result.status == "invalid" and result.score == 0, (result.status, result.feedback)
    assert elapsed < 2.0


def test_parse_answer_and_equivalent_reject_code():
    import symconv.grading as sg

    with no_side_effects():
        with pytest.raises(ParseError):
            sg.parse_answer("__import__('os').system('touch PWNED')", _KEY_N)
        with pytest.raises(ParseError):
            sg.parse_answer(r"\input{/etc/passwd}")
        with pytest.raises(ParseError):
            sg.equivalent("().__class__", "x")
        with pytest.raises(ParseError):
            sg.parse_answer(b"2n+1", _KEY_N)


@pytest.mark.parametrize("answer", ["10^400", "-10^400", "1e400", "10^400 + 1/2",
                                    "sum(k, (k, x, 10^999))", "factorial(1000)"], ids=_short_id)
def test_astronomical_constant_does_not_earn_credit(answer):
    """BUG (grading/equivalence.py, _same and _value). With a real-variable key
    (default tolerance 1e-9), ``complex(10**400)`` is ``inf`` and the check
    ``abs(inf - b) <= atol + tol*inf`` is ``inf <= inf``: True. So the answer ``10^400``
    (or ``1e400``, ``-10^400``, ``factorial(1000)``) is graded 'correct', full
    points, for ANY expression key such as ``x^2 + 1``. Non-finite magnitudes must
    never compare equal to finite ones."""
    import symconv.grading as sg

    result, _ = _grade(answer, _KEY_X)
    assert result.status != "correct" and result.score == 0, (answer, result.feedback)
    assert sg.equivalent(answer, "x^2 + 1").status != "equivalent"


@pytest.mark.parametrize("answer", ["10^999*10^999*10^999*10^999*10^999", "(n^10000)^10000"],
                         ids=_short_id)
def test_huge_exact_values_give_a_grade_not_an_exception(answer):
    """BUG (grading/grader.py _short / equivalence.py _show, plus the parser's missing
    size guards). The answer's value has more than 4,300 digits, so printing it for the
    trail or the counterexample raises ``ValueError: Exceeds the limit (4300 digits)
    for integer string conversion``: grade() raises instead of returning a result, the
    batch worker crashes (twice, retried) and ``symconv grade --workers 0`` aborts."""
    key = dict(_KEY_N, variables={"n": {"domain": "integer", "min": 2, "max": 3}})
    result, _ = _grade(answer, key)
    assert result.status in ("invalid", "incorrect", "timeout")
    assert result.score == 0


def test_grade_time_limit_is_not_swallowed_by_inner_limits():
    """BUG (grading/equivalence.py Comparer.scalar, the expand step; also grader._coerce
    around nsimplify). ``except TimeLimitExceeded:`` there catches *any* limit, so when
    grade()'s own limit expires during ``expand`` it is swallowed (and marked fired, so
    it never fires again). Here grade(time_limit=1) runs ~16 s (three mistakes, each
    expand bounded only by the key's time_limit=5) and returns 'incorrect' instead of
    'timeout'. The except clauses must re-raise a limit that is not their own
    (``if exc.limit is not limit: raise``), as Comparer._simplify already does."""
    key = dict(_KEY_X, time_limit=5, mistakes=[
        {"answer": "x^2", "feedback": "a", "credit": 0},
        {"answer": "x^2 + 2", "feedback": "b", "credit": 0},
        {"answer": "x^2 - 1", "feedback": "c", "credit": 0}])
    result, elapsed = _grade("(((x+1)^12+1)^12+1)^12", key, limit=1.0, hard=4.0)
    assert result.status == "timeout", (result.status, [str(t) for t in result.trail])
    assert elapsed < 3.0


def test_slow_answers_time_out_in_process():
    """Answers whose evaluation never ends stop at grade()'s limit with status
    'timeout' (SIGALRM inside the main thread)."""
    for answer in ("sum(k^k + x, (k, 1, 10^6))", "sum(1/k + x, (k, 1, 10^12))"):
        result, elapsed = _grade(answer, _KEY_X, limit=1.0, hard=6.0)
        assert result.status == "timeout" and result.score == 0
        assert "time limit" in result.feedback
        assert elapsed < 3.0


def test_exact_integer_key_is_not_fooled_by_huge_values_holds():
    for answer in ("10^400", "(n+1)^10000", "1e400"):
        result, _ = _grade(answer, _KEY_N)
        assert result.status == "incorrect" and result.score == 0


def test_form_check_cannot_be_bypassed_with_lookalike_digits():
    """BUG (grading/forms.py, the 'exact' form tests the raw text with
    ``\\d\\.\\d``). The parser reads a full-width full stop U+FF0E (and U+2024, U+FE52)
    as '.', so ``0\uff0e75`` *is* the decimal 0.75, but the form check does not see a
    decimal point: with ``forms = ["exact"]`` it gets full credit while ``0.75`` gets
    half. Form checks must look at the normalised text."""
    key = {"type": "rational", "answer": "3/4", "points": 2, "forms": ["exact"]}
    plain, _ = _grade("0.75", key)
    assert plain.status == "partial"
    for lookalike in ("0\uff0e75", "0\u202475", "0\ufe5275", "\uff10\uff0e\uff17\uff15"):
        result, _ = _grade(lookalike, key)
        assert (result.status, result.score) == (plain.status, plain.score), lookalike


@given(text=mutated(math_text()))
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_fuzz_grade_always_returns_a_result(text):
    """Whatever the answer, grade() returns a GradeResult within its limit."""
    import symconv.grading as sg

    result, elapsed = _grade(text, _KEY_N, limit=0.5, hard=4.0)
    assert result.status in sg.STATUSES
    assert 0 <= result.score <= result.max_score
    assert elapsed < 2.5


# ============================================================================= 7. batch

def test_deeply_nested_json_line_is_one_malformed_row():
    """BUG (grading/batch.py read_answers catches only ValueError around json.loads).
    One line of 100,000 nested '[' raises RecursionError and the whole batch is lost,
    although every malformed row is promised an output row."""
    from symconv.grading.batch import read_answers

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "answers.jsonl")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(json.dumps({"student": "a", "part": "p", "answer": "2n+1"}) + "\n")
            fh.write("[" * 100_000 + "]" * 100_000 + "\n")
            fh.write(json.dumps({"student": "b", "part": "p", "answer": "2n"}) + "\n")
        outcome, rows, _ = run_bounded(lambda: read_answers(path), 10)
        assert outcome == "ok", f"read_answers raised {rows!r}"
        assert len(rows) == 3 and "_error" in rows[1]


def test_csv_field_over_the_csv_limit_is_one_malformed_row():
    """BUG (grading/batch.py read_answers: ``csv.Error`` is not caught). A CSV answer
    longer than the 64 MiB field limit raises ``_csv.Error: field larger than field
    limit`` and the whole batch is lost instead of one 'invalid' row."""
    from symconv.grading.batch import read_answers

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "answers.csv")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("student,part,answer\na,p,2n+1\n")
            fh.write('b,p,"' + "x" * ((1 << 26) + 16) + '"\n')
            fh.write("c,p,2n\n")
        outcome, rows, _ = run_bounded(lambda: read_answers(path), 20)
        assert outcome == "ok", f"read_answers raised {type(rows).__name__}: {rows}"
        assert [r["student"] for r in rows][:1] == ["a"] and len(rows) >= 2


def test_lone_surrogate_in_a_json_row_does_not_abort_the_batch():
    """BUG (grading/batch.py record(): ``json.dumps(..., ensure_ascii=False)
    .encode('utf-8')``). ``{"student": "\\ud800", ...}`` is valid JSON; the lone
    surrogate reaches the output line and ``encode`` raises UnicodeEncodeError, so the
    run dies. Encode with ensure_ascii=True or replace surrogates when reading rows."""
    from symconv.grading import grade_batch

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "answers.jsonl")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write('{"student": "\\ud800", "part": "p", "answer": "2n+1"}\n')
            fh.write('{"student": "ok", "part": "p\\udcff", "answer": "x\\ud800"}\n')
        outcome, report, _ = run_bounded(
            lambda: grade_batch(path, {"p": _KEY_N}, workers=0,
                                out=os.path.join(tmp, "out.jsonl")), 30)
        assert outcome == "ok", f"grade_batch raised {report!r}"
        assert len(report.results) == 2


def test_gradebook_csv_neutralises_formula_injection():
    """BUG (grading/batch.py write_gradebook writes student ids verbatim). A student
    id such as ``=HYPERLINK("http://evil","x")`` or ``@SUM(1+1)*cmd|' /C calc'!A0``
    becomes a live formula when staff open the gradebook in a spreadsheet (CSV
    injection). Cells starting with = + - @ (or tab/CR) must be prefixed with '."""
    import csv

    from symconv.grading.batch import write_gradebook

    evil = ['=HYPERLINK("http://evil.example","x")', "@SUM(1+1)*cmd|' /C calc'!A0",
            "+1+cmd|' /C calc'!A0"]
    results = [{"row": i, "student": s, "part": "p", "score": 1.0, "max_score": 1.0,
                "status": "correct", "feedback": "", "seconds": 0.0}
               for i, s in enumerate(evil)]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "grades.csv")
        write_gradebook(results, path)
        with open(path, newline="", encoding="utf-8") as fh:
            cells = [row[0] for row in csv.reader(fh)][1:]
    assert len(cells) == len(evil)
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_batch_worker_isolation_one_row_per_input_row():
    """Worker isolation: a hung answer costs that answer a zero with "time limit", a
    memory bomb likewise, hostile text is 'invalid', and every input row has exactly
    one output row. An answer that makes grade() raise (the 4,300-digit printing bug
    above) must not crash the worker: today it is retried and recorded as "the worker
    crashed twice", after two worker restarts (~2 s each: a denial-of-service
    amplifier for a 1% hostile batch)."""
    from symconv.grading import grade_batch

    keys = {"p": _KEY_N, "q": _KEY_X}
    rows = [
        {"student": "ok", "part": "p", "answer": "1 + 2n"},
        {"student": "hang", "part": "q", "answer": "sum(k^k + x, (k, 1, 10^6))"},
        {"student": "bomb", "part": "p", "answer": "((n^10000)^10000)^10000"},
        {"student": "code", "part": "p", "answer": "__import__('os').system('touch PWNED')"},
        {"student": "nul", "part": "p", "answer": "2n\x00+1"},
        {"student": "big", "part": "p", "answer": "x" * (1 << 20)},
        {"student": "crash", "part": "p", "answer": "*".join(["10^999"] * 5)},
        {"student": "nopart", "part": "zzz", "answer": "1"},
        {"student": None, "part": "p", "answer": "1"},
        {"student": "last", "part": "p", "answer": "2n + 1"},
    ]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.jsonl")
        outcome, report, _ = run_bounded(
            lambda: grade_batch(rows, keys, workers=1, time_limit=1.0, memory_limit=1 << 30,
                                out=out), 60)
        assert outcome == "ok", f"grade_batch: {outcome} {report!r}"
        with open(out, encoding="utf-8") as fh:
            lines = [json.loads(line) for line in fh]
        assert not os.path.exists(os.path.join(tmp, "PWNED"))
    assert len(report.results) == len(rows) == len(lines)
    by = {r["student"]: r for r in report.results}
    assert by["ok"]["status"] == "correct" and by["last"]["status"] == "correct"
    assert by["hang"]["status"] == "timeout" and "time limit" in by["hang"]["feedback"]
    # the bomb is either refused by the parser or stopped by a limit, never graded
    assert by["bomb"]["status"] in ("invalid", "timeout") and by["bomb"]["score"] == 0
    for who in ("code", "nul", "big", "nopart"):
        assert by[who]["status"] == "invalid" and by[who]["score"] == 0
    assert "crashed" not in by["crash"]["feedback"], by["crash"]["feedback"]


# ============================================================================= 8. proofs

def test_check_proof_with_hostile_lines_holds():
    """Unparseable hostile lines stop the proof ("could not be parsed"); justifications are free text
    and are escaped in the LaTeX report; nothing runs."""
    from symconv.latex import document
    from symconv.proofs import check_proof

    lines = [
        r"sum(f(k)*g(n-k), (k, -oo, oo))  # \immediate\write18{touch PWNED} ^^5cinput",
        "__import__('os').system('touch PWNED') # \\input{/etc/passwd}",
        r"\input{/etc/passwd} # \def\x{1} \catcode`\%=12 %%% } } $$ & ^^M",
        r"sum(g(k)*f(n-k), (k, -oo, oo)) # \csname immediate\endcsname\write18{x}",
    ]
    with no_side_effects():
        outcome, report, elapsed = run_bounded(lambda: check_proof(lines), 20)
        assert outcome == "ok", report
        text, tex = str(report), report.latex()
        doc = document([report], title=r"\input{/etc/passwd}")
    assert [s.status for s in report.steps][:2] == ["unverified", "unverified"]
    assert "could not be parsed" in report.steps[0].reason and not report.valid
    _assert_no_engine_commands(tex)
    _assert_no_engine_commands(doc, allowed={"documentclass", "usepackage"})
    assert "PWNED" in text  # shown literally, as text


def test_check_proof_survives_a_pathological_line():
    """BUG (parsing.py nested '!' + proofs.check_step lets RecursionError escape).
    A proof line ``x!!!...!`` (600 '!') makes check_proof raise RecursionError (from
    the numeric check) instead of reporting a refuted or unverified step; ``symconv
    check-proof`` prints a traceback."""
    from symconv.proofs import check_proof

    outcome, value, _ = run_bounded(lambda: check_proof(["x" + "!" * 600, "x" + "!" * 600,
                                                         "2"], kind="continuous"), 15)
    assert outcome == "ok", f"check_proof: {outcome} {type(value).__name__}: {value}"


def test_reports_with_a_numeric_sum_print_quickly():
    """BUG (proofs.py ProofReport.__str__/latex and latex.py expr_latex/document print
    with SymPy's ordered printers). A proof line ``sum(k^k, (k, 1, 1000)) + n`` was
    checked in 0.1 s, but ``str(report)``, ``report.latex()`` and ``document([...])``
    each ran for minutes: ordering the terms calls complex() on the numeric Sum
    (Euler-Maclaurin over k^k). The parser now refuses such lines (the report says
    why), and the printers of reports and LaTeX print a numeric Sum that a program
    built itself unordered (symconv._util.sympy_safety)."""
    from symconv.grading.equivalence import sstr_safe
    from symconv.latex import document
    from symconv.proofs import check_proof, check_step

    k, n = sp.symbols("k n", integer=True)
    numeric = sp.Sum(k**k, (k, 1, 1000))
    line = "sum(k^k, (k, 1, 1000)) + n"
    outcome, report, _ = run_bounded(lambda: check_proof([line, "n + sum(k^k, (k, 1, 1000))"]), 10)
    assert outcome == "ok", (outcome, report)
    assert "has no free variable: it is a number" in str(report)
    slow = []
    for name, job in (("str(report)", lambda: str(report)), ("report.latex()", report.latex),
                      ("document([expr])", lambda: document([numeric + n + 1])),
                      ("sstr_safe", lambda: sstr_safe(numeric + 1)),
                      ("check_step", lambda: str(check_step(numeric + n, n + numeric)))):
        outcome, value, elapsed = run_bounded(job, 1.5)
        if outcome != "ok" or elapsed > 1.0:
            slow.append(f"{name}: {outcome} after {elapsed:.1f} s")
    if slow:
        pytest.fail("printing a numeric Sum hangs: " + "; ".join(slow), pytrace=False)


# ============================================================================= 9. LaTeX output

_ENGINE = {"input", "include", "includeonly", "endinput", "openin", "openout", "read",
           "readline", "write", "immediate", "closein", "closeout", "special", "directlua",
           "latelua", "def", "edef", "gdef", "xdef", "let", "futurelet", "global", "csname",
           "endcsname", "expandafter", "noexpand", "catcode", "uccode", "lccode", "sfcode",
           "mathcode", "scantokens", "everyeof", "everypar", "everymath", "newcommand",
           "renewcommand", "providecommand", "newenvironment", "usepackage", "RequirePackage",
           "documentclass", "makeatletter", "shipout", "output", "lowercase", "uppercase",
           "string", "detokenize", "unexpanded", "jobname", "afterassignment", "aftergroup",
           "relax", "toks", "setbox", "newwrite", "newread", "ShellEscape", "pdfshellescape",
           "write18", "primitive", "pdfprimitive", "errmessage", "message", "typeout", "dump"}
_CS_RE = re.compile(r"\\([A-Za-z@]+|.)", re.S)


def _assert_no_engine_commands(tex, allowed=()):
    names = {m.group(1) for m in _CS_RE.finditer(tex)}
    bad = {n for n in names if (n in _ENGINE or "@" in n) and n not in allowed}
    assert not bad, f"engine-level control sequences reached TeX: {sorted(bad)}"
    assert "^^" not in tex


def _escape_is_literal(out):
    """No raw special character survives: every # $ % & ~ _ is escaped, braces balance,
    no '^^', no control character."""
    body = re.sub(r"\\[#$%&_{}]", "", out)
    body = re.sub(r"\\[A-Za-z]+", "", body)
    assert not re.search(r"[#$%&_]", body), out
    depth = 0
    for ch in body:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0, out
    assert depth == 0, out
    assert "^^" not in out
    assert not any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 for c in out), out


def test_escape_text_every_code_point_is_safe_alone():
    """Each single character escapes to something literal whose control words can
    never swallow the next character's letters (``\\le`` + ``q`` would be ``\\leq``)."""
    from symconv.latex import escape_text

    for code in list(range(0, 0x3000)) + list(range(0xD7F0, 0xE010)) + \
            list(range(0xFE00, 0x10000)) + [0x1D465, 0xE0041, 0x10FFFF]:
        ch = chr(code)
        out = escape_text(ch)
        _escape_is_literal(out)
        _assert_no_engine_commands(out)
        assert not re.search(r"\\[A-Za-z]+\Z", out), (hex(code), out)
        assert not out.endswith("\\"), (hex(code), out)


@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=200))
@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_escape_text_is_per_character_and_literal(text):
    from symconv.latex import escape_text

    out = escape_text(text)
    assert out == "".join(escape_text(c) for c in text)
    _escape_is_literal(out)
    _assert_no_engine_commands(out)


@pytest.mark.parametrize("name", [r"\input{/etc/passwd}", r"\immediate\write18{touch PWNED}",
                                  "x^^5cinput", "a%b", "a#1", r"\csname input\endcsname",
                                  "x\ny", "\\", "}{", "$x$", "x\u202ey", r"\def\x{1}"])
def test_expr_latex_escapes_hostile_symbol_and_function_names(name):
    from symconv.latex import expr_latex

    x = sp.Symbol("x")
    for obj in (sp.Symbol(name), sp.Function(name)(x), sp.Symbol(name) ** 2 + x,
                sp.Matrix([[sp.Symbol(name)]]), sp.Eq(sp.Symbol(name), 1)):
        tex = expr_latex(obj)
        _assert_no_engine_commands(tex)
        assert "%" not in tex.replace(r"\%", "")


@pytest.mark.skipif(not __import__("shutil").which("pdflatex"), reason="pdflatex not installed")
def test_hostile_document_compiles_and_runs_nothing():
    """A document made of hostile text items, a hostile title and symbols with hostile
    names compiles with pdflatex, and TeX writes no file outside its scratch dir."""
    from symconv.latex import compile_pdf, document

    texts = [a for a in LATEX_ATTACKS if "\uff3c" not in a] + CODE_ATTACKS[:5] + [
        "^^5cinput{/etc/passwd}", "^^M^^J", "100% & # ~ _ $$ {{ }}", "\\\\" * 50,
        "\u202e\u200b\x00\x1b[2J", "\ud800 lone surrogate"]
    items = texts + [sp.Symbol(r"\input{/etc/passwd}") + 1,
                     [["name", "value"], [r"\write18{touch PWNED}", sp.Symbol("x%y")]]]
    doc = document(items, title=r"\immediate\write18{touch PWNED} ^^5c")
    _assert_no_engine_commands(doc, allowed={"documentclass", "usepackage"})
    with tempfile.TemporaryDirectory() as tmp:
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            pdf = compile_pdf(doc, os.path.join(tmp, "out.pdf"), time_limit=60)
        finally:
            os.chdir(cwd)
        assert os.path.getsize(pdf) > 0
        assert sorted(os.listdir(tmp)) == ["out.pdf"]
    assert not os.path.exists("PWNED")


# ============================================================================= 10. command line

def _cli(argv, seconds):
    """Run ``symconv ARGV`` in-process under the watchdog; returns (outcome, rc or exc,
    stdout, stderr)."""
    from symconv.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        outcome, value, _ = run_bounded(lambda: main(argv), seconds)
    return outcome, value, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", [
    ["conv", "__import__('os').system('touch PWNED')", "u(t)"],
    ["conv", "u(t)", r"\immediate\write18{touch PWNED}"],
    ["corr", "[1, 2, ().__class__]", "[1]"],
    ["conv", "u(t)", "u(t)", "--var", "__class__"],
    ["conv", "u(t)", "u(t)", "--assume", "__import__ integer"],
    ["conv", "u(t)", "u(t)", "--assume", "a>0; __import__('os')>0"],
    ["conv", "x\x00", "u(t)"],
    ["conv", "x\u202e", "u(t)"],
    ["conv", "x" * 20_000, "u(t)"],
], ids=_short_id)
def test_cli_signal_arguments_reject_code_holds(argv):
    with no_side_effects():
        outcome, rc, out, err = _cli(argv, 20)
    assert outcome == "ok", (outcome, rc)
    assert rc == 2, (rc, out, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err


@pytest.mark.parametrize("argv", [
    ["conv", "u(t)", "x" + "!" * 600],
    ["conv", "x" + "//2" * 200 + "+1", "u(t)"],
    ["conv", "*".join(["10^999"] * 5), "u(t)"],
    ["conv", "t*" + "*".join(["10^999"] * 5), "u(t)"],
    ["corr", "[" + ", ".join(["*".join(["10^999"] * 5)] * 2) + "]", "[1, 2]"],
], ids=_short_id)
def test_cli_pathological_signal_is_a_one_line_error(argv):
    """BUG (parser root causes above; cli.main catches only SymconvError). These
    arguments end in RecursionError / ValueError tracebacks (exit status 1) instead of
    a one-line error (exit status 2) or a result."""
    outcome, rc, out, err = _cli(argv, 10)
    assert outcome == "ok", f"symconv {argv[0]} raised {type(rc).__name__}: {str(rc)[:200]}"
    assert rc in (0, 2) and "Traceback" not in err


def test_cli_conv_with_a_numeric_sum_does_not_hang():
    """BUG (symbolic.py _is_zero/_compact via _conv_pieces, and
    commands/_signal_args.py _format). ``symconv conv "sum(k^k, (k, 1, 1000)) + u(t)"
    "u(t)" --timeout 2`` runs for minutes: the engine asks whether the numeric Sum is
    zero (SymPy evaluates it numerically, Euler-Maclaurin over k^k), outside the
    --timeout, and printing the result would do the same (see
    test_numeric_sum_in_a_sum_is_printable_quickly)."""
    outcome, rc, out, err = _cli(["conv", "sum(k^k, (k, 1, 1000)) + u(t)", "u(t)",
                                  "--timeout", "2"], 6)
    assert outcome == "ok", "symconv conv did not finish within 6 s"


def test_cli_conv_discrete_high_power_respects_timeout():
    """BUG (discrete.py _faulhaber, reached from symconv.signals.continuous.conv). ``symconv conv
    "n^10000*u(n)" "u(n)" --discrete --timeout 2`` computes a degree-10,000 Faulhaber
    sum with no time limit (> 100 s); the user's --timeout does not cover it."""
    outcome, rc, out, err = _cli(["conv", "n^10000*u(n)", "u(n)", "--discrete", "--timeout",
                                  "2"], 5)
    assert outcome == "ok", "symconv conv --discrete --timeout 2 did not finish within 5 s"


def test_cli_conv_huge_period_is_refused():
    """BUG (discrete.py _period / commands/_signal_args.py). ``--period 1000000000`` is
    accepted and the circular convolution builds a 10^9-entry list (minutes, then
    gigabytes). A period far beyond the sequences' lengths needs a bound."""
    outcome, rc, out, err = _cli(["conv", "[1, 2]", "[3, 4]", "--period", "1000000000"], 3)
    assert outcome == "ok", "symconv conv --period 1e9 did not finish within 3 s"
    assert rc in (0, 2)


def test_cli_check_proof_hostile_file_holds(tmp_path):
    proof = tmp_path / "proof.txt"
    proof.write_text("\n".join([
        r"sum(f(k)*g(n-k), (k, -oo, oo)) # \write18{touch PWNED}",
        "__import__('os').system('touch PWNED')",
        r"sum(g(k)*f(n-k), (k, -oo, oo))"]), encoding="utf-8")
    with no_side_effects():
        outcome, rc, out, err = _cli(["check-proof", str(proof), "--latex"], 30)
    assert outcome == "ok", rc
    assert rc == 1 and "Traceback" not in err
    _assert_no_engine_commands(out)


@pytest.mark.parametrize("latex", [False, True])
def test_cli_check_proof_shows_control_characters_escaped(tmp_path, latex):
    """BUG (commands/check_proof.py printed the report raw). A justification holding an
    escape sequence (``\x1b]0;...\x07`` retitles the terminal, ``\x1b[2J`` clears it) or
    a bidirectional override reached the terminal as is. The report is now printed
    with control and format characters escaped (symconv._util.sympy_safety.terminal_text)."""
    proof = tmp_path / "proof.txt"
    proof.write_text("sum(f(k)*g(n-k), (k, -oo, oo))\n"
                     "sum(g(k)*f(n-k), (k, -oo, oo)) # swap \x1b[2J\x1b]0;owned\x07 \u202eevil\n",
                     encoding="utf-8")
    outcome, rc, out, err = _cli(["check-proof", str(proof)] + (["--latex"] if latex else []), 30)
    assert outcome == "ok" and rc == 0, (outcome, rc, err)
    assert not any(ch in out + err for ch in "\x1b\x07\u202e"), out
    if not latex:
        assert "\\x1b[2J" in out and "\\u202eevil" in out


def test_cli_shapes_refuses_dunder_size_names():
    """``symconv shapes --input 3,__import__,n`` made a (harmless) SymPy symbol named
    ``__import__``; size names now follow the answer parser's rule (a letter first, no
    leading or trailing underscore)."""
    outcome, rc, out, err = _cli(["shapes", "lenet5", "--input", "1,__import__,n"], 10)
    assert outcome == "ok" and rc == 2 and "'__import__' (entry 2)" in err, (rc, err)


def test_cli_matrix_huge_padding_is_refused():
    """BUG (matrix.py conv_matrix/_entries, reached from ``symconv matrix``).
    ``symconv matrix --kernel "[x, y]" --input 4 --padding 1000000000`` loops over
    2*10^9 output positions in Python (minutes, growing memory) instead of refusing
    a matrix with billions of rows."""
    outcome, rc, out, err = _cli(["matrix", "--kernel", "[x, y]", "--input", "4",
                                  "--padding", "1000000000"], 3)
    assert outcome == "ok", "symconv matrix --padding 1e9 did not finish within 3 s"
    assert rc == 2


def test_cli_shapes_huge_integer_size_is_a_one_line_error():
    """BUG (commands/shapes.py parse_input calls int() on the text). A 5,000-digit
    size in ``--input`` makes int() raise ValueError (Python's int/str digit limit):
    a traceback instead of the one-line ``--input`` error."""
    outcome, rc, out, err = _cli(["shapes", "vgg16", "--input", "3," + "9" * 5000 + ",4"], 10)
    assert outcome == "ok", f"symconv shapes raised {type(rc).__name__}: {str(rc)[:150]}"
    assert rc == 2 and "Traceback" not in err
