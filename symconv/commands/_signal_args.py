"""Shared machinery of ``symconv conv`` and ``symconv corr``.

Both commands read two signals (formulas or finite sequences) from the command line,
parse them with the safe parser :func:`symconv.parsing.parse_math` (text is never
evaluated), build the symbols with the assumptions given by ``--assume``, call
:func:`symconv.signals.continuous.conv` / :func:`~symconv.signals.continuous.corr`, and print the result,
optionally as LaTeX and with the numeric cross-check report (``--check``).

The ``--assume`` mini-language (items separated by commas or semicolons)::

    a>0   a<0   a>=0   a<=0   a!=0          sign facts (they become SymPy assumptions)
    a>1   0<a<1   a<=2   a!=b   a>b        bounds and relations between names (used to
                                            settle the result's conditions; a lower bound
                                            >= 0 also makes the name positive/nonnegative)
    a positive   n integer   n nonnegative  one or more words after a name
    a real       a,b>0 is NOT accepted: write a>0,b>0

Exit status: 0 on success; with ``--check``, 1 when the check did not confirm the
result (it disagreed, or could not be carried out); 2 for invalid input.
"""

import re
import sys

from symconv._util.lazy import sympy as sp
from symconv.errors import ParseError, SymconvError

_NAME = r"[A-Za-z][A-Za-z0-9_]*"
_RELATION = re.compile(rf"\s*({_NAME})\s*(>=|<=|!=|>|<)\s*0\s*\Z")
_NUMBER = r"-?\d+(?:\.\d+)?(?:/\d+)?"
_OPERAND = rf"(?:{_NAME}|{_NUMBER})"
_CHAIN = re.compile(rf"\s*({_OPERAND})\s*(>=|<=|!=|>|<)\s*({_OPERAND})"
                    rf"(?:\s*(>=|<=|>|<)\s*({_OPERAND}))?\s*\Z")
_WORDS = re.compile(rf"\s*({_NAME})((?:\s+[A-Za-z]+)+)\s*\Z")
_RELATION_FACT = {">": "positive", "<": "negative", ">=": "nonnegative",
                  "<=": "nonpositive", "!=": "nonzero"}
_WORD_FACTS = ("positive", "negative", "nonnegative", "nonpositive", "nonzero", "zero",
               "integer", "real", "rational", "complex", "even", "odd", "prime", "finite")
_SEQUENCE_MODES = ("full", "same", "valid", "circular")


def parse_assumptions(text, relations=None):
    """Parse ``--assume`` text into ``{name: {fact: True}}``.

    Sign facts become SymPy assumptions. Bounds and relations (``a > 1``, ``0 < a < 1``,
    ``a != b``) are appended to ``relations`` (a list) as text triples
    ``(left, operator, right)`` when a list is given; a bound that implies a sign adds
    that sign too.

    >>> parse_assumptions("a>0, b>0; n integer nonnegative, c != 0")
    {'a': {'positive': True}, 'b': {'positive': True}, 'n': {'integer': True, 'nonnegative': True}, 'c': {'nonzero': True}}
    >>> found = []
    >>> parse_assumptions("0 < a < 1, b > 2, a != b", found)
    {'a': {'positive': True}, 'b': {'positive': True}}
    >>> found
    [('0', '<', 'a'), ('a', '<', '1'), ('b', '>', '2'), ('a', '!=', 'b')]
    >>> parse_assumptions("a >> 1")
    Traceback (most recent call last):
    ...
    symconv.errors.ParseError: --assume: cannot read 'a >> 1' at position 0 (use a>0, a>1, 0<a<1, a!=b or 'a integer', 'a real', ...)
    """
    facts = {}
    if not text or not text.strip():
        return facts
    position = 0
    for item in re.split(r"[,;]", text):
        start = position + (len(item) - len(item.lstrip()))
        position += len(item) + 1
        if not item.strip():
            continue
        match = _RELATION.match(item)
        if match:
            name, words = match.group(1), [_RELATION_FACT[match.group(2)]]
        elif _CHAIN.match(item):
            _relation_facts(_CHAIN.match(item), facts, relations, item, start)
            continue
        else:
            match = _WORDS.match(item)
            if not match:
                raise ParseError(
                    f"--assume: cannot read {item.strip()!r} at position {start} (use a>0, "
                    "a>1, 0<a<1, a!=b or 'a integer', 'a real', ...)", start)
            name, words = match.group(1), match.group(2).split()
            for word in words:
                if word not in _WORD_FACTS:
                    raise ParseError(
                        f"--assume: unknown property {word!r} for {name} at position {start}; "
                        f"known: {', '.join(_WORD_FACTS)}", start)
        entry = facts.setdefault(name, {})
        for word in words:
            entry[word] = True
    return facts


_FLIP = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "!=": "!="}


def _relation_facts(match, facts, relations, item, start):
    """Record the relations of one ``--assume`` item; add the signs that bounds imply."""
    from fractions import Fraction

    def number(text):
        try:
            return Fraction(text)
        except ValueError:
            return None

    a, op1, b, op2, c = match.groups()
    pairs = [(a, op1, b)] + ([(b, op2, c)] if op2 else [])
    for left, op, right in pairs:
        if number(left) is not None and number(right) is not None:
            raise ParseError(f"--assume: {item.strip()!r} at position {start} compares two "
                             "numbers; name a symbol", start)
        if relations is not None:
            relations.append((left, op, right))
        # a name bounded below by a number >= 0 has a sign SymPy can use directly
        name, rel, bound = (left, op, number(right)) if number(left) is None else (
            right, _FLIP[op], number(left))
        if bound is None or number(name) is not None:
            continue
        if (rel == ">" and bound >= 0) or (rel == ">=" and bound > 0):
            facts.setdefault(name, {})["positive"] = True
        elif rel == ">=" and bound == 0:
            facts.setdefault(name, {})["nonnegative"] = True
        elif (rel == "<" and bound <= 0) or (rel == "<=" and bound < 0):
            facts.setdefault(name, {})["negative"] = True


def add_signal_arguments(parser, op):
    """Declare the two signals and how to read them (also used by ``symconv plot``)."""
    what = "convolution" if op == "conv" else "cross-correlation"
    parser.add_argument("f", help="first signal: a formula such as 'exp(-a*t)*u(t)' "
                                  "(u, delta, rect, tri, ramp available) or a sequence '[1, 2, x]'")
    parser.add_argument("g", help="second signal, same forms")
    parser.add_argument("--var", default=None,
                        help="the variable (default: t, or n with --discrete)")
    parser.add_argument("--function", action="append", default=[], metavar="NAME",
                        help="a name that is an undefined function, e.g. --function f for "
                             "conv 'f(t)' 'delta(t - 1)' (repeat for several)")
    parser.add_argument("--assume", default="", metavar="FACTS",
                        help="assumptions on the symbols, e.g. 'a>0,b>0' or 'n integer, N>0'")
    parser.add_argument("--discrete", action="store_true",
                        help=f"discrete-time {what} (the variable becomes an integer; "
                             "also implied by --assume 'n integer')")


def add_arguments(parser, op):
    """Declare the options shared by ``symconv conv`` and ``symconv corr``."""
    add_signal_arguments(parser, op)
    parser.add_argument("--mode", choices=_SEQUENCE_MODES, default=None,
                        help="for sequences: numpy's mode (default: full for conv, "
                             "valid for corr), or circular")
    parser.add_argument("--period", type=int, default=None, metavar="P",
                        help="for sequences: the period of the circular mode (implies "
                             "--mode circular; default: the longer length)")
    parser.add_argument("--latex", action="store_true", help="print the result as LaTeX")
    parser.add_argument("--pretty", action="store_true",
                        help="print the result with SymPy's 2-D pretty printer (a piecewise "
                             "result as a table of cases), wrapped to --width")
    parser.add_argument("--width", type=int, default=None, metavar="COLUMNS",
                        help="line width of --pretty (default: the terminal's, or 80)")
    parser.add_argument("--check", action="store_true",
                        help="cross-check the result numerically and print the report")
    parser.add_argument("--seed", type=int, default=0, help="seed of --check (default 0)")
    parser.add_argument("--method", choices=("auto", "residues", "pieces", "laplace", "integrate"),
                        default="auto", help="continuous engine (default: auto)")
    parser.add_argument("--time-limit", "--timeout", dest="time_limit", type=float, default=10.0,
                        metavar="SECONDS",
                        help="seconds allowed to the closed-form engines (default 10; "
                             "--timeout is the old name)")


def _names(value):
    """Names of the free symbols of a parsed value (expression or sequence)."""
    if isinstance(value, (list, tuple)):
        out = set()
        for item in value:
            out |= _names(item)
        return out
    if isinstance(value, sp.MatrixBase):
        return {s.name for s in value.free_symbols}
    if isinstance(value, sp.Basic):
        return {s.name for s in value.free_symbols if isinstance(s, sp.Symbol)}
    return set()


def _make_symbols(names, facts, var_name, discrete):
    symbols = {}
    for name in sorted(set(names) | set(facts) | {var_name}):
        assumptions = dict(facts.get(name, {}))
        if name == var_name:
            if discrete:
                assumptions["integer"] = True
            elif not assumptions.get("integer"):
                assumptions.setdefault("real", True)
        try:
            symbols[name] = sp.Symbol(name, **assumptions)
        except Exception as exc:  # noqa: BLE001 - InconsistentAssumptions and friends
            raise ParseError(f"--assume: inconsistent assumptions for {name}: {exc}") from None
    return symbols


def _parse_signal(text, label, discrete, symbols=None, unknown_functions="error", functions=()):
    from symconv.parsing import parse_math

    try:
        value = parse_math(text, discrete=discrete, symbols=symbols, functions=functions,
                           unknown_functions=unknown_functions)
    except ParseError as exc:
        hint = (" (on the command line, --function NAME declares an undefined function)"
                if "unknown function" in str(exc) else "")
        raise ParseError(f"{label} signal {text!r}: {exc}{hint}", exc.position) from None
    if isinstance(value, sp.MatrixBase):
        if value.rows != 1 and value.cols != 1:
            raise SymconvError(f"{label} signal must be a formula or a one-dimensional "
                               f"sequence, but got a {value.rows}x{value.cols} matrix")
        value = list(value)
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, sp.Expr):
                raise SymconvError(f"{label} signal: sequence entries must be numbers or "
                                   f"formulas, but got {item}")
    elif not isinstance(value, sp.Expr):
        raise SymconvError(f"{label} signal must be a formula or a sequence, but got "
                           f"{type(value).__name__} {value}")
    return value


def _format(value, latex, pretty=False, width=None):
    """The printed result, terms in SymPy's usual order unless ordering them would
    evaluate a numeric sum or integral (:func:`symconv._util.sympy_safety.print_order`);
    ``pretty``: SymPy's 2-D form, ``width`` columns wide."""
    from symconv._util.sympy_safety import print_order
    from symconv.latex import expr_latex

    order = print_order(value)
    try:
        if isinstance(value, (list, tuple)):
            if latex:
                return r"\left[" + ", ".join(expr_latex(v, order=order) for v in value) + r"\right]"
            return "[" + ", ".join(sp.sstr(v, order=order) for v in value) + "]"
        if pretty and not latex:
            import shutil

            columns = width or shutil.get_terminal_size((80, 24)).columns
            return sp.pretty(value, order=order, use_unicode=True, num_columns=columns)
        return expr_latex(value, order=order) if latex else sp.sstr(value, order=order)
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            raise
        raise SymconvError(f"the result must be printable, but it contains an integer of "
                           f"more than {sys.get_int_max_str_digits()} digits") from None


def run(args, op):
    """Parse, compute, print; returns the exit status.

    Whatever the input, a failure is one line on stderr (exit status 2): a
    :class:`SymconvError` passes through; any other exception raised on hostile
    input (SymPy's RecursionError on an expression nested thousands deep, a
    ValueError or TypeError from inside SymPy) is turned into one.
    """
    try:
        return _run(args, op)
    except (SymconvError, BrokenPipeError):
        raise
    except RecursionError:
        raise SymconvError(f"{op}: the signals must be expressions SymPy can handle, but they "
                           f"are nested too deeply (maximum recursion depth exceeded)") from None
    except Exception as exc:  # noqa: BLE001 -- SymPy raises many types on odd input
        message = " ".join(str(exc).split())[:200]
        raise SymconvError(f"{op} failed on these signals ({type(exc).__name__}: "
                           f"{message})") from None


def read_signals(args, op):
    """The signals of ``add_signal_arguments``: ``(f, g, var, symbols)``.

    ``f`` and ``g`` are SymPy expressions in ``var`` (a real symbol, or an integer one
    for discrete signals), or two lists (then ``var`` is None); ``symbols`` maps every
    name to the symbol built with its ``--assume`` facts. Bounds and relations from
    ``--assume`` (``a > 1``) are kept in ``args.relations`` as SymPy relations.

    The variable is ``--var``; without it ``n`` with ``--discrete``, otherwise ``t`` --
    or, when the signals do not contain ``t``, the one name ``--assume`` declares an
    integer. Time is discrete with ``--discrete`` or when the variable is declared an
    integer. A formula that has symbols but not the variable is an error.
    """
    relations = []
    facts = parse_assumptions(args.assume, relations)
    for label, text in (("first", args.f), ("second", args.g)):
        if not text.strip():
            raise SymconvError(f"the {label} signal is empty; give a formula such as "
                               "'exp(-t)*u(t)' or a sequence such as '[1, 2, 3]'")
    # first pass: collect the names (no assumptions yet), then parse with the symbols
    # (a lenient pass: a name before '(' is a product here, the strict pass below decides)
    names = _names(_parse_signal(args.f, "first", False, None, "multiply")) | _names(
        _parse_signal(args.g, "second", False, None, "multiply"))
    var_name = args.var
    if var_name is None:
        integers = sorted(n for n in names if facts.get(n, {}).get("integer"))
        if args.discrete:
            var_name = "n" if "n" in names or not integers else integers[0]
        elif "t" not in names and len(integers) == 1:
            var_name = integers[0]
        else:
            var_name = "t"
    if not re.fullmatch(_NAME, var_name):
        raise SymconvError(f"--var must be a name such as t or n, but got {var_name!r}")
    discrete = bool(args.discrete or facts.get(var_name, {}).get("integer"))
    symbols = _make_symbols(names, facts, var_name, discrete)
    # the strict pass knows the variable and the names --assume declares: a declared
    # a(t + 1) is a product, an unknown step(t) an error that names the function to use
    declared = {name: sym for name, sym in symbols.items() if name == var_name or name in facts}
    functions = _functions(args)
    f = _parse_signal(args.f, "first", discrete, declared, functions=functions)
    g = _parse_signal(args.g, "second", discrete, declared, functions=functions)
    f, g = (v.xreplace(symbols_by_plain(symbols)) if isinstance(v, sp.Basic) else
            [x.xreplace(symbols_by_plain(symbols)) for x in v] for v in (f, g))
    sequences = isinstance(f, list) or isinstance(g, list)
    if sequences and not (isinstance(f, list) and isinstance(g, list)):
        raise SymconvError(f"{op} needs two sequences or two formulas, but got "
                           f"{'a sequence' if isinstance(f, list) else 'a formula'} and "
                           f"{'a sequence' if isinstance(g, list) else 'a formula'}")
    if not sequences:
        _require_variable(f, g, symbols[var_name], discrete, args)
    args.relations = [_relation(rel, symbols) for rel in relations]
    return f, g, (None if sequences else symbols[var_name]), symbols


def _functions(args):
    """The names ``--function`` declares (plain identifiers)."""
    names = tuple(getattr(args, "function", None) or ())
    for name in names:
        if not re.fullmatch(_NAME, name):
            raise SymconvError(f"--function must be a name such as f, but got {name!r}")
    return names


def symbols_by_plain(symbols):
    """Plain symbols of the parser -> the CLI's symbols (same name, with assumptions)."""
    return {sp.Symbol(name): sym for name, sym in symbols.items() if sp.Symbol(name) != sym}


def _require_variable(f, g, var, discrete, args):
    """A formula with symbols must contain the variable (else the integral is not meant)."""
    for label, signal_ in (("first", f), ("second", g)):
        others = sorted(s.name for s in signal_.free_symbols if s != var)
        if var in signal_.free_symbols or not others:
            continue
        likely = next((n for n in ("n", "k", "m", "t", "x", "tau") if n in others), others[0])
        hint = (f"use --var {likely}" + ("" if discrete or likely not in ("n", "k", "m")
                                         else " --discrete"))
        if discrete and "t" in others:
            hint = "drop --discrete (or use --var t)"
        from symconv.latex import signal_str

        raise SymconvError(
            f"the {label} signal {signal_str(signal_)} must be a formula in the variable {var} "
            f"({'discrete' if discrete else 'continuous'} time), but it contains "
            f"{', '.join(others)} and not {var}; {hint}")


def _relation(triple, symbols):
    left, op, right = _operand(triple[0], symbols), triple[1], _operand(triple[2], symbols)
    return {">": sp.Gt, "<": sp.Lt, ">=": sp.Ge, "<=": sp.Le, "!=": sp.Ne}[op](left, right)


def _operand(text, symbols):
    if text in symbols:
        return symbols[text]
    if re.fullmatch(_NAME, text):
        return sp.Symbol(text)
    return sp.Rational(text)


def _refined(value, relations):
    """``value`` with its conditions settled by the ``--assume`` relations where SymPy can
    (``refine``, under a short time limit; unchanged when it cannot)."""
    from symconv._util.deadline import bounded_call

    facts = sp.And(*relations)
    refined = bounded_call(lambda: sp.refine(value, facts), 2.0, default=None)
    return value if refined is None else refined


def interpretation(args, op, f, g, var, latex=False):
    """What was read, in words: ``conv(exp(-t)*u(t), rect(t)) in t, continuous``."""
    from symconv.latex import expr_latex, signal_str

    if var is None:
        show = (lambda v: r"\left[" + ", ".join(expr_latex(x) for x in v) + r"\right]") if latex \
            else (lambda v: "[" + ", ".join(signal_str(x) for x in v) + "]")
        where = "finite sequences"
    else:
        show = expr_latex if latex else signal_str
        where = f"in {var}, {'discrete' if var.is_integer else 'continuous'} time"
    facts = [s for s in (args.assume or "").split(",") if s.strip()]
    assumed = f"; assuming {', '.join(x.strip() for x in facts)}" if facts else ""
    if latex:
        name = r"\operatorname{" + op + "}"
        return (f"% input: ${name}\\left({show(f)},\\ {show(g)}\\right)$ {where}{assumed}")
    return f"input: {op}({show(f)}, {show(g)}) {where}{assumed}"


def _run(args, op):
    from symconv.signals import continuous as symbolic

    f, g, var, _symbols = read_signals(args, op)
    sequences = var is None
    if not sequences and (args.mode is not None or args.period is not None):
        raise SymconvError("--mode and --period apply to sequences only, but the signals "
                           "are formulas")
    fn = symbolic.conv if op == "conv" else symbolic.corr
    if sequences:
        mode = args.mode or ("circular" if args.period is not None
                             else ("full" if op == "conv" else "valid"))
        if args.period is not None and mode != "circular":
            raise SymconvError(f"--period is used with the circular mode only, but got "
                               f"--mode {mode}")
        value = fn(f, g, None, mode=mode, period=args.period)
        check_options = {"mode": mode, "period": args.period}
    else:
        value = fn(f, g, var, method=args.method, time_limit=args.time_limit)
        check_options = {}
    report = None
    if args.check:
        from symconv.verify import crosscheck

        report = crosscheck(value, f, g, var, op=op, seed=args.seed, **check_options)
    if args.relations and isinstance(value, sp.Basic):
        value = _refined(value, args.relations)
    print(interpretation(args, op, f, g, var, latex=args.latex))
    print(_format(value, args.latex, args.pretty, args.width))
    if not sequences and isinstance(value, sp.Basic) and (value.has(sp.Integral)
                                                          or value.has(sp.Sum)):
        print("note: no closed form was found for (part of) the result; it is left as an "
              "unevaluated integral/sum")
    if report is None:
        return 0
    print()
    print(str(report))
    return 0 if report.agree is True else 1
