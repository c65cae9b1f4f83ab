"""Shape tables: a network traced layer by layer with a symbolic input size, its
parameter totals and the input sizes for which it is valid (:func:`infer_shapes`)."""

import html
import re

import sympy as sp

from symconv._util.sympy_safety import ReadsAsText
from symconv.errors import ShapeError, SymconvError
from symconv.nn.architectures import catalogue
from symconv.nn.architectures.graph import Graph
from symconv.nn.architectures.trace import trace
from symconv.nn.shapes import _at_least, _finish, _size
from symconv._util.explaining import short as _short
from symconv._util.explaining import wrap as _wrap

__all__ = ["infer_shapes", "ShapeTable", "size_symbol"]



_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def size_symbol(name):
    """The symbol used for a size named ``name``: a positive integer.

    >>> size_symbol('n').assumptions0['positive']
    True
    """
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise SymconvError(f"a size name must be an identifier, but got {name!r}")
    return sp.Symbol(name, integer=True, positive=True)


def _input_entry(value, index):
    if isinstance(value, str):
        return size_symbol(value.strip())
    value = _size(value, f"input_shape[{index}]")
    return _at_least(value, 1, f"input_shape[{index}]")


def _pretty(value):
    """A display form: ``floor(n/2 - 3/2)`` is shown as ``floor((n - 3)/2)``."""
    return value if isinstance(value, int) else sp.factor_terms(value)


def _fmt_shape(shape):
    return "(" + ", ".join(str(_pretty(v)) for v in shape) + ")"


def _fmt_condition(condition):
    if isinstance(condition, sp.Equality):
        return f"{_pretty(condition.lhs)} = {_pretty(condition.rhs)}"
    if isinstance(condition, sp.GreaterThan) and condition.rhs == 1:
        return f"{_pretty(condition.lhs)} >= 1"
    return str(condition)


def _fmt_count(value):
    return f"{value:,}" if isinstance(value, int) else str(value)


def _latex_text(text):
    specials = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                "^": r"\textasciicircum{}"}
    out = "".join(specials.get(ch, ch) for ch in text)
    out = re.sub(r"(\d)x(?=\d)", r"\1$\\times$", out)
    out = out.replace("->", r"$\to$").replace("≡", r"$\equiv$")
    # in text mode (OT1 encoding) < and > print as inverted punctuation: use math
    for plain, math in ((">=", r"$\geq$"), ("<=", r"$\leq$"), (">", "$>$"), ("<", "$<$")):
        out = out.replace(plain, math) if plain not in ("<", ">") else re.sub(
            r"(?<!\$)" + re.escape(plain) + r"(?!\$)", math, out)
    return out


def _latex_shape(shape):
    return "(" + ", ".join(sp.latex(_pretty(v)) if not isinstance(v, int) else str(v)
                           for v in shape) + ")"


def _latex_count(value):
    return f"{value:,}".replace(",", "{,}") if isinstance(value, int) else f"${sp.latex(value)}$"


class ShapeTable(ReadsAsText):
    """The result of :func:`infer_shapes`: one row per layer, totals and validity.

    Attributes
    ----------
    name : str
        The architecture's name.
    input_shape : tuple
        ``(N, C, *spatial)`` as used (ints or SymPy expressions).
    rows : list of :class:`symconv.architectures.Row`
        Each with ``.name``, ``.kind``, ``.description``, ``.input_shape``,
        ``.output_shape``, ``.params``, ``.depth`` and ``.conditions``.
    output_shape : tuple
        The last row's output shape.
    total_params : int or sympy.Expr
        The sum of the rows' parameters.
    constraints : list of (str, sympy relation)
        Conditions on the input symbols that the layers could not decide, with the
        name of the layer that needs them.
    valid : dict or None
        For each input symbol, the SymPy ``Range`` of integer values for which every
        layer is valid; ``None`` when a condition couples several symbols (then see
        ``constraints``). Empty (``{}``) for a numeric input.
    smallest : dict
        The smallest valid value of each symbol in ``valid``.
    coupled : list of sympy relations
        Conditions involving two or more symbols (e.g. ``h`` and ``w`` meeting in a
        linear layer), left unsolved; ``valid`` is ``None`` when there are any.
    """

    def __init__(self, name, input_shape, rows, description=""):
        self.name = name
        self.description = description
        self.input_shape = tuple(input_shape)
        self.rows = list(rows)
        self.output_shape = self.rows[-1].output_shape if self.rows else self.input_shape
        total = 0
        for row in self.rows:
            total = total + row.params
        self.total_params = _finish(total) if not isinstance(total, int) else total
        self.constraints = []
        monotone = []
        for row in self.rows:
            for condition in row.conditions:
                if all(condition != c for _, c in self.constraints):
                    self.constraints.append((row.name, condition))
                    # two merged paths need not grow in step with the input, and a
                    # split axis must be a multiple of its sizes: periodic conditions
                    monotone.append(row.kind not in _MERGES + _PERIODIC)
        self.symbols = sorted(set().union(*(sp.sympify(v).free_symbols for v in self.input_shape)),
                              key=lambda x: x.name)
        ranges, self.coupled = _solve_validity(
            self.input_shape, [(c, m) for (_, c), m in zip(self.constraints, monotone)],
            self.symbols, name)
        self.valid = None if (ranges is None or self.coupled) else ranges
        self.ranges = ranges
        self.smallest = ({} if self.valid is None
                         else {sym: int(rng.inf) for sym, rng in self.valid.items()})

    # -- views -------------------------------------------------------------

    def substitute(self, values):
        """The table with integers substituted for the symbols (a mapping symbol or name -> int).

        Raises :class:`ShapeError` when the values make some layer invalid.
        """
        mapping = {}
        for key, value in dict(values).items():
            symbol = next((s for s in self.symbols if s == key or s.name == key), None)
            if symbol is None:
                raise SymconvError(f"substitute keys must be input symbols "
                                   f"({', '.join(s.name for s in self.symbols)}), but got {key!r}")
            mapping[symbol] = sp.Integer(_at_least(_size(value, symbol.name), 1, symbol.name))
        missing = [s.name for s in self.symbols if s not in mapping]
        if missing:
            raise SymconvError(f"substitute needs a value for every symbol, but got none for "
                               f"{', '.join(missing)}")
        for where, condition in self.constraints:
            if condition.xreplace(mapping) is not sp.true:
                known = f" ({self.validity_text()})" if self.ranges is not None else ""
                raise ShapeError(f"layer '{where}' is invalid at "
                                 f"{', '.join(f'{k}={v}' for k, v in mapping.items())}: "
                                 f"it needs {_fmt_condition(condition)}{known}")

        def subs(shape):
            return tuple(v if isinstance(v, int) else int(sp.sympify(v).xreplace(mapping))
                         for v in shape)

        import dataclasses

        rows = [dataclasses.replace(row, input_shape=subs(row.input_shape),
                                    output_shape=subs(row.output_shape),
                                    params=row.params if isinstance(row.params, int)
                                    else int(sp.sympify(row.params).xreplace(mapping)),
                                    conditions=())
                for row in self.rows]
        return ShapeTable(self.name, subs(self.input_shape), rows, self.description)

    def validity_text(self):
        """One line saying for which input sizes the network is valid."""
        if not self.symbols:
            return "valid for this input size"
        if self.ranges is None:
            conditions = "; ".join(f"{_fmt_condition(c)} ({where})" for where, c in self.constraints)
            return f"valid when: {conditions}"
        parts = [_range_text(symbol, values) for symbol, values in self.ranges.items()]
        text = "valid for integer " + ", ".join(parts)
        if self.coupled:
            where = {id(c): w for w, c in self.constraints}
            text += " and when " + "; ".join(
                f"{_fmt_condition(c)}" + (f" ({where[id(c)]})" if id(c) in where else "")
                for c in self.coupled)
        return text

    def __str__(self):
        header = ("layer", "type", "output shape", "params")
        body = [("  " * row.depth + row.name, row.description, _fmt_shape(row.output_shape),
                 _fmt_count(row.params)) for row in self.rows]
        widths = [max(len(r[i]) for r in [header, *body]) for i in range(4)]

        def line(cells):
            return "  ".join([cells[0].ljust(widths[0]), cells[1].ljust(widths[1]),
                              cells[2].ljust(widths[2]), cells[3].rjust(widths[3])]).rstrip()

        rule = "-" * len(line(header))
        title = self.name + (f": {self.description}" if self.description else "")
        out = [title, f"input {_fmt_shape(self.input_shape)}", rule, line(header), rule]
        out += [line(cells) for cells in body]
        out += [rule, f"output {_fmt_shape(self.output_shape)}",
                f"total params {_fmt_count(self.total_params)}", self.validity_text()]
        return "\n".join(out)

    def __repr__(self):
        return (f"<ShapeTable {self.name}: {len(self.rows)} rows, input "
                f"{_fmt_shape(self.input_shape)}, output {_fmt_shape(self.output_shape)}, "
                f"{_fmt_count(self.total_params)} params>")

    def latex(self, longtable=None):
        """A LaTeX table: a ``tabular`` (plain LaTeX plus amsmath), or for long tables
        (``longtable=None``: more than 40 rows) a ``longtable`` that breaks across pages
        and repeats its header (needs ``\\usepackage{longtable}``)."""
        if longtable is None:
            longtable = len(self.rows) > 40
        env = "longtable" if longtable else "tabular"
        head = [r"\hline", r"Layer & Type & Output shape & Params \\", r"\hline"]
        if longtable:
            head += [r"\endhead", r"\hline", r"\endfoot", r"\endlastfoot"]
        lines = [rf"\begin{{{env}}}{{llll}}", *head]
        for row in self.rows:
            lines.append(rf"\texttt{{{_latex_text(row.name)}}} & {_latex_text(row.description)} & "
                         rf"${_latex_shape(row.output_shape)}$ & {_latex_count(row.params)} \\")
        lines += [r"\hline",
                  rf"\multicolumn{{3}}{{l}}{{Total parameters}} & {_latex_count(self.total_params)} \\",
                  rf"\multicolumn{{4}}{{l}}{{Input ${_latex_shape(self.input_shape)}$; "
                  rf"{_latex_text(self.validity_text())}}} \\",
                  r"\hline", rf"\end{{{env}}}"]
        return "\n".join(lines)

    def _repr_latex_(self):
        # MathJax knows array but not tabular
        lines = [r"\begin{array}{llll}",
                 r"\text{Layer} & \text{Type} & \text{Output shape} & \text{Params} \\ \hline"]
        for row in self.rows:
            lines.append(rf"\text{{{_latex_text(row.name)}}} & "
                         rf"\text{{{row.description}}} & {_latex_shape(row.output_shape)} & "
                         rf"{_latex_count(row.params).strip('$')} \\")
        lines.append(rf"\hline \text{{Total}} & & & {_latex_count(self.total_params).strip('$')}")
        lines.append(r"\end{array}")
        return "$$" + "\n".join(lines) + "$$"

    def _repr_html_(self):
        esc = html.escape
        cells = "".join(
            f"<tr><td><code>{'&nbsp;' * 2 * row.depth}{esc(row.name)}</code></td>"
            f"<td>{esc(row.description)}</td><td>{esc(_fmt_shape(row.output_shape))}</td>"
            f"<td style='text-align:right'>{esc(_fmt_count(row.params))}</td></tr>"
            for row in self.rows)
        return (f"<table><caption>{esc(self.name)}: input {esc(_fmt_shape(self.input_shape))}"
                f"</caption><thead><tr><th>layer</th><th>type</th><th>output shape</th>"
                f"<th>params</th></tr></thead><tbody>{cells}</tbody><tfoot><tr><td colspan='3'>"
                f"total params</td><td style='text-align:right'>{esc(_fmt_count(self.total_params))}"
                f"</td></tr><tr><td colspan='4'>{esc(self.validity_text())}</td></tr></tfoot></table>")

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _shape_table(self, check)


_SEARCH_LIMIT = 2 ** 48
_MERGES = ("residual", "concat", "add", "multiply")
_PERIODIC = ("unflatten",)


def _solve_validity(input_shape, constraints, symbols, name):
    """The integer values of each input symbol for which every constraint holds.

    ``constraints`` is a list of ``(condition, monotone)`` pairs.

    Every layer size is a non-decreasing function of the input sizes (floor of
    increasing affine maps, products of positive sizes), so each ``size >= 1``
    condition holds on a half-line and each ``features == c`` condition (checked where
    all sizes are positive) on an interval: a doubling search followed by bisection
    finds the end points exactly. Other conditions (two paths of a residual block that
    must agree) are not monotone: with one of them, or with an input size that is not
    an increasing affine function of one symbol, nothing is claimed and ``(None, [])``
    is returned. Conditions on two symbols at once are returned unsolved, as the second
    item: ``(ranges, coupled)`` means "valid iff every symbol is in its range and every
    coupled condition holds".
    """
    if not symbols:
        return {}, []
    # the input sizes themselves must be increasing in their symbol and >= 1
    input_conditions = []
    for entry in input_shape:
        if isinstance(entry, int):
            continue
        entry = sp.sympify(entry)
        if len(entry.free_symbols) != 1 or not entry.is_polynomial() or sp.degree(entry) != 1 \
                or sp.Poly(entry).LC() <= 0:
            return None, []
        if sp.Ge(entry, 1) is not sp.true:
            input_conditions.append(sp.Ge(entry, 1))
    grouped = {symbol: [] for symbol in symbols}
    agree = {symbol: [] for symbol in symbols}
    coupled = []
    for condition, monotone in [(c, True) for c in input_conditions] + list(constraints):
        free = condition.free_symbols
        if not monotone:
            # two merged sizes must agree: solved below as a periodic condition
            if not isinstance(condition, sp.Equality) or len(free) != 1:
                return None, []
            agree[next(iter(free))].append(condition)
            continue
        if len(free) != 1:
            coupled.append(condition)
        else:
            grouped[next(iter(free))].append(condition)

    result = {}
    for symbol, conditions in grouped.items():
        lowest = 1 if symbol.is_positive else 0
        halfline = [c for c in conditions if isinstance(c, sp.GreaterThan)]
        equal = [c for c in conditions if isinstance(c, sp.Equality)]
        if len(halfline) + len(equal) != len(conditions):
            return None, []

        def holds(value, group=halfline, symbol=symbol):
            point = {symbol: sp.Integer(value)}
            return all(c.xreplace(point) is sp.true for c in group)

        lo = _first(lambda v: holds(v), lowest)
        if lo is None:
            raise ShapeError(f"{name}: no input size {symbol} up to 2**48 makes every layer valid")
        hi = None  # exclusive upper end, None = unbounded
        for condition in equal:
            gap = condition.lhs - condition.rhs   # non-decreasing in the symbol where valid

            def value_of(v, gap=gap, symbol=symbol):
                return gap.xreplace({symbol: sp.Integer(v)})

            start = _first(lambda v: value_of(v) >= 0, lo)
            stop = _first(lambda v: value_of(v) > 0, lo)
            if start is None or value_of(start) != 0:
                raise ShapeError(f"{name}: no input size {symbol} makes every layer valid: "
                                 f"{condition} has no integer solution with {symbol} >= {lo}")
            lo = max(lo, start)
            if stop is not None:
                hi = stop if hi is None else min(hi, stop)
        if hi is not None and hi <= lo:
            raise ShapeError(f"{name}: no input size {symbol} makes every layer valid "
                             f"(the conditions on {symbol} have no common solution)")
        values = sp.Range(lo, sp.oo if hi is None else hi)
        if agree[symbol]:
            values = _solve_agreement(agree[symbol], symbol, values, name)
            if values is None:
                return None, []
        result[symbol] = values
    return result, coupled


def _period(expr, symbol):
    """A period ``P`` with ``expr(n + P) - expr(n)`` constant for every integer n, for an
    expression built from the symbol, rationals, +, * by constants and floor/ceiling;
    None for anything else.

    ``floor(arg)`` shifts by an integer when ``arg`` does: with ``arg = q0*n + sum qi*Ai
    + c`` and inner atoms ``Ai`` of period ``Pi``, ``P = lcm(den(q)) * lcm(Pi)`` works.
    """
    expr = sp.sympify(expr)
    if expr.is_number or expr == symbol:
        return 1
    if isinstance(expr, (sp.floor, sp.ceiling)):
        arg = sp.expand(expr.args[0])
        inner = 1
        denominators = 1
        for term in sp.Add.make_args(arg):
            coeff, rest = term.as_coeff_Mul()
            if not coeff.is_Rational:
                return None
            denominators = sp.ilcm(denominators, coeff.q)
            if rest != 1:
                p = _period(rest, symbol)
                if p is None:
                    return None
                inner = sp.ilcm(inner, p)
        return int(denominators * inner)
    if isinstance(expr, sp.Add):
        out = 1
        for term in expr.args:
            p = _period(term, symbol)
            if p is None:
                return None
            out = sp.ilcm(out, p)
        return int(out)
    if isinstance(expr, sp.Mul):
        coeff, rest = expr.as_coeff_Mul()
        if coeff.is_Rational and not isinstance(rest, sp.Mul):
            p = _period(rest, symbol)
            return None if p is None else int(p * coeff.q)
    return None


_PERIOD_LIMIT = 2 ** 16


def _solve_agreement(conditions, symbol, values, name):
    """Intersect ``values`` (a Range) with the integers where every ``lhs = rhs`` holds.

    Each difference ``g = lhs - rhs`` is quasi-affine (:func:`_period`): ``g(n + P) =
    g(n) + c``. With ``c = 0`` the solutions repeat with period P (a set of residues);
    otherwise ``g`` is monotone along each residue class and has at most one zero there.
    Returns a ``Range`` or a ``Union`` of them, or None when some difference is not of
    that form (the table then lists the conditions unsolved).
    """
    lo = int(values.inf)
    hi = None if values.sup is sp.oo else int(values.sup) + 1
    period = 1
    gaps = []
    for condition in conditions:
        gap = sp.sympify(condition.lhs - condition.rhs)
        p = _period(gap, symbol)
        if p is None or p > _PERIOD_LIMIT:
            return None
        period = int(sp.ilcm(period, p))
        gaps.append(gap)
        if period > _PERIOD_LIMIT:
            return None

    def g(gap, v):
        return int(gap.xreplace({symbol: sp.Integer(v)}))

    periodic, finite = [], []
    for gap in gaps:
        shift = g(gap, lo + period) - g(gap, lo)
        # the claim g(n + P) = g(n) + shift, checked on two more residues
        for v in (lo + 1, lo + period // 2 + 1):
            if g(gap, v + period) - g(gap, v) != shift:
                return None
        (periodic if shift == 0 else finite).append((gap, shift))
    residues = [r for r in range(lo, lo + period)
                if all(g(gap, r) == 0 for gap, _ in periodic)]
    if finite:
        points = set()
        for r in residues:
            for gap, shift in finite:
                steps, rest = divmod(-g(gap, r), shift)
                if rest == 0 and steps >= 0:
                    v = r + steps * period
                    if all(g(other, v) == 0 for other, _ in finite):
                        points.add(v)
        found = sorted(v for v in points if hi is None or v < hi)
        if not found:
            raise ShapeError(f"{name}: no input size {symbol} makes the merged sizes agree "
                             f"({'; '.join(f'{c.lhs} = {c.rhs}' for c in conditions)})")
        return sp.Union(*[sp.Range(v, v + 1) for v in found]) if len(found) > 1 \
            else sp.Range(found[0], found[0] + 1)
    if not residues:
        raise ShapeError(f"{name}: no input size {symbol} makes the merged sizes agree "
                         f"({'; '.join(f'{c.lhs} = {c.rhs}' for c in conditions)})")
    end = sp.oo if hi is None else hi
    pieces = [sp.Range(r, end, period) for r in residues if hi is None or r < hi]
    if not pieces:
        raise ShapeError(f"{name}: no input size {symbol} in {values} makes the merged sizes agree")
    return pieces[0] if len(pieces) == 1 else sp.Union(*pieces)


def _range_text(symbol, values):
    """``n >= 16 with n ≡ 0 (mod 16)``, ``32 <= n <= 35``, ``n = 5``, ``n in {4, 8}``."""
    pieces = values.args if isinstance(values, sp.Union) else (values,)
    if all(isinstance(p, sp.Range) and p.size == 1 for p in pieces):
        points = [int(p.inf) for p in pieces]
        return f"{symbol} = {points[0]}" if len(points) == 1 else \
            f"{symbol} in {{{', '.join(map(str, points))}}}"
    steps = {int(p.step) for p in pieces}
    lo = int(values.inf)
    hi = values.sup
    if hi is sp.oo:
        text = f"{symbol} >= {lo}"
    elif int(hi) == lo:
        return f"{symbol} = {lo}"
    else:
        text = f"{lo} <= {symbol} <= {int(hi)}"
    if steps != {1}:
        step = steps.pop() if len(steps) == 1 else None
        if step is None:
            return f"{symbol} in {values}"
        residues = sorted({int(p.inf) % step for p in pieces})
        text += f" with {symbol} ≡ {', '.join(map(str, residues))} (mod {step})"
    return text


def _first(predicate, lowest):
    """Smallest integer ``v >= lowest`` with ``predicate(v)``, for a monotone predicate."""
    if predicate(lowest):
        return lowest
    step = 1
    good = None
    while step <= _SEARCH_LIMIT:
        if predicate(lowest + step):
            good = lowest + step
            break
        step *= 2
    if good is None:
        return None
    bad = lowest + step // 2 if step > 1 else lowest
    while good - bad > 1:
        middle = (good + bad) // 2
        if predicate(middle):
            good = middle
        else:
            bad = middle
    return good


def _catalogue_input(name, layers, default, input_shape):
    """A catalogue network's input, batch added: its rank and its channel count are fixed
    (PyTorch: "expected input to have 1 channels, but got 3")."""
    rank = len(default)
    if len(input_shape) not in (rank, rank + 1):
        spatial = ", ".join(f"S{i + 1}" for i in range(rank - 1))
        raise ShapeError(f"{name} takes an input (C, {spatial}) or (N, C, {spatial}) such as "
                         f"{tuple(default)}, but got {tuple(input_shape)} "
                         f"(rank {len(input_shape)})")
    if len(input_shape) == rank:
        input_shape = (1, *input_shape)
    channels = input_shape[1]
    if isinstance(channels, int) and not isinstance(channels, bool) and channels != default[0]:
        first = next((layer.name for layer in layers if getattr(layer, "name", None)), "0")
        raise ShapeError(f"{name}: layer {first!r} expected input to have {default[0]} "
                         f"channels, but got {channels}")
    return tuple(input_shape)


def infer_shapes(arch, input_shape=None):
    """Shapes and parameter counts through a network, layer by layer.

    Parameters
    ----------
    arch : str, Architecture or sequence of layers
        A catalogue name (``'lenet5'``, ``'alexnet'``, ``'vgg11'`` ... ``'vgg19'``,
        ``'resnet18'`` ... ``'resnet152'``, see :mod:`symconv.architectures`), an
        :class:`~symconv.nn.architectures.Architecture`, or a list of layer specifications
        or mappings (the JSON format of :func:`symconv.architectures.layer_from_dict`).
    input_shape : tuple, optional
        ``(N, C, *spatial)``; for a catalogue entry also ``(C, *spatial)`` (batch 1).
        Entries are ints, SymPy expressions or identifiers (``'n'`` becomes a positive
        integer symbol). Defaults to the catalogue entry's own input size.

    Returns
    -------
    ShapeTable
        ``.rows`` (``.name``, ``.output_shape``, ``.params``, ...), ``.output_shape``,
        ``.total_params``, ``.constraints`` and ``.valid``/``.smallest`` (the input
        sizes for which every layer is valid); ``str()`` gives an aligned table,
        ``.latex()`` a LaTeX table.

    Raises
    ------
    ShapeError
        When a layer cannot take its input (naming the layer), or when no value of a
        symbolic size makes the network valid.

    Examples
    --------
    >>> t = infer_shapes('lenet5')
    >>> t.output_shape, t.total_params
    ((1, 10), 61706)
    >>> [(r.name, r.output_shape) for r in t.rows[:3]]
    [('conv1', (1, 6, 28, 28)), ('act1', (1, 6, 28, 28)), ('pool1', (1, 6, 14, 14))]
    >>> t = infer_shapes('alexnet', (3, 'n', 'n'))
    >>> t.rows[0].output_shape
    (1, 64, floor(n/4 - 7/4) + 1, floor(n/4 - 7/4) + 1)
    >>> t.smallest
    {n: 63}
    >>> infer_shapes('lenet5', (1, 'n', 'n')).validity_text()
    'valid for integer 32 <= n <= 35'
    """
    if isinstance(arch, str):
        arch = catalogue.get(arch)
    if isinstance(arch, Graph):
        import dataclasses

        arch = catalogue.Architecture(arch.name or "graph",
                                      (dataclasses.replace(arch, name=""),))
    if isinstance(arch, catalogue.Architecture):
        name, layers, default, description = arch.name, arch.layers, arch.input_shape, arch.description
    elif isinstance(arch, (list, tuple)):
        name, layers, default, description = "network", tuple(arch), None, ""
    else:
        raise SymconvError(f"arch must be a catalogue name, an Architecture or a list of layers, "
                           f"but got {arch!r}")
    if input_shape is None:
        if default is None:
            raise SymconvError(f"input_shape must be given for {name!r}, which has no default input, "
                               "but got None")
        input_shape = default
    if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2:
        raise SymconvError(f"input_shape must be a tuple (N, C, *spatial), but got {input_shape!r}")
    if default is not None:
        input_shape = _catalogue_input(name, layers, default, input_shape)
    shape = tuple(_input_entry(v, i) for i, v in enumerate(input_shape))
    rows = trace(layers, shape)
    return ShapeTable(name, shape, rows, description)


# ---------------------------------------------------------------------------
# explain(): what these results say about how they were obtained and checked
# ---------------------------------------------------------------------------

def _shape_table(table, check):
    out = [f"shape table: {table.name}, input {_shape(table.input_shape)}, output "
           f"{_shape(table.output_shape)}, {_count(table.total_params)} parameters"]
    out += _wrap("obtained: symconv.nn.shapes applied each layer's output-size rule in turn "
                 "(convolution floor((n + p_lo + p_hi - d(k-1) - 1)/s) + 1, the transposed and "
                 "pooling rules, PyTorch's ceil_mode rule), and counted each layer's weights "
                 "and biases from its specification.")
    if table.symbols:
        names = ", ".join(s.name for s in table.symbols)
        out += _wrap(f"symbolic input ({names}): the sizes are formulas, valid where every "
                     f"layer has a size >= 1 (and matching features); {table.validity_text()}.")
        for where, condition in table.constraints:
            out.append(f"  layer {where} needs {_short(condition)}")
        if table.valid is not None and table.smallest:
            smallest = ", ".join(f"{k} = {v}" for k, v in table.smallest.items())
            out.append(f"  smallest valid input: {smallest} (found by a doubling search and "
                       f"bisection on monotone conditions)")
    out += _wrap("verified: the table is computed from the formulas, not by running the "
                 "network, so it carries no numeric check of its own.")
    out += _wrap(f"to confirm it on real arrays: symconv shapes {table.name} --check "
                 "(with --input ... and a size N for a symbolic input) runs the NumPy executor "
                 "(symconv.numeric) through the network with random weights and compares every "
                 "row's shape; in Python, symconv.architectures.run_numpy(layers, x) gives the "
                 "shapes it produced." if table.name != "network" else
                 "to confirm it on real arrays: symconv.architectures.run_numpy(layers, x) runs "
                 "the NumPy executor (symconv.numeric) with random weights and returns the shape "
                 "each layer produced, to compare with the rows.")
    return out


def _shape(shape):
    return "(" + ", ".join(_short(v) for v in shape) + ")"


def _count(value):
    return f"{value:,}" if isinstance(value, int) else _short(value)
