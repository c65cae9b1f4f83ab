r"""Discrete convolution and cross-correlation, exactly (SymPy).

Two kinds of input are handled here.

*Finite sequences* (lists, tuples, SymPy row/column matrices, 1-D NumPy arrays,
with integer, rational, complex or symbolic entries): :func:`conv_seq` and
:func:`corr_seq` follow :func:`numpy.convolve` and :func:`numpy.correlate` to the
letter (output length, the centring of ``'same'``, the order when the second
sequence is the longer one, the conjugation in the correlation), plus circular
convolution with a chosen period.

*Sequences given as formulas* in an integer variable ``n`` (geometric ``a**n u[n]``,
polynomial times geometric, boxes ``u[n] - u[n - N]``, ``KroneckerDelta``, shifts,
two-sided ``a**Abs(n)`` and sums of these): :func:`conv_discrete` and
:func:`corr_discrete` return closed forms, with the cases on which they depend
(``Eq(a, b)``, ``Abs(a) < 1``, ...) spelled out as a ``Piecewise``.

Conventions (fixed for all of symconv)::

    (x * h)[n] = Sum_k x[k] h[n - k]                 convolution
    (x ⋆ h)[n] = Sum_m x[n + m] conj(h[m])           cross-correlation

The correlation shifts the *first* argument, as :func:`numpy.correlate` and the
layers of deep-learning libraries do, so ``corr(x, h) = conv(x, flip(conj(h)))``.
Everything here is written from these index formulas; nothing calls NumPy.

Why one module of this size: one engine: regions of validity, the geometric machinery
(also used for sinusoids in exponential form), finite and circular sequences share the
private region structure and the time budget.
"""

import numbers
from functools import lru_cache
from typing import NamedTuple

import sympy as sp
from sympy.core.sympify import SympifyError

from symconv._util.deadline import bounded_call
from symconv.errors import SymconvError
from symconv._util.validate import _UNSET, as_int, check_choice, renamed_time_limit

__all__ = ["conv_seq", "corr_seq", "conv_discrete", "corr_discrete"]

_SEQ_MODES = ("full", "same", "valid", "circular")


# ---------------------------------------------------------------------------
# finite sequences
# ---------------------------------------------------------------------------

def _entry(value, name):
    """One sequence entry as a SymPy object; text is refused (never parsed)."""
    if isinstance(value, (str, bytes)):
        raise SymconvError(f"{name} entries must be numbers or SymPy expressions, "
                           f"but got the string {value!r}")
    try:
        entry = sp.sympify(value, strict=True)
    except SympifyError:
        entry = None
    if not isinstance(entry, sp.Expr):
        raise SymconvError(f"{name} entries must be numbers or SymPy expressions, "
                           f"but got {value!r}")
    return entry


def _as_sequence(seq, name):
    """Return ``seq`` as a non-empty list of SymPy objects.

    Accepted: a list or tuple, a SymPy ``Matrix`` with one row or one column,
    a NumPy array with one dimension (or none: a scalar is a sequence of length 1,
    as in NumPy) and a single number or expression.
    """
    if isinstance(seq, (str, bytes)):
        raise SymconvError(f"{name} must be a sequence of numbers or expressions, "
                           f"but got the string {seq!r}")
    if isinstance(seq, sp.MatrixBase):
        if seq.rows != 1 and seq.cols != 1:
            raise SymconvError(f"{name} must be a row or column matrix, "
                               f"but got shape {seq.shape}")
        items = list(seq)
    elif hasattr(seq, "ndim") and hasattr(seq, "tolist"):  # a NumPy array
        if seq.ndim > 1:
            raise SymconvError(f"{name} must be one-dimensional, but got shape {seq.shape}")
        items = [seq.tolist()] if seq.ndim == 0 else list(seq.tolist())
    elif isinstance(seq, (list, tuple)):
        items = list(seq)
    elif isinstance(seq, (numbers.Number, sp.Basic)):
        items = [seq]
    else:
        raise SymconvError(f"{name} must be a list, tuple, Matrix or 1-D array, "
                           f"but got {type(seq).__name__}")
    if not items:
        raise SymconvError(f"{name} must be non-empty, but got an empty sequence")
    return [_entry(v, name) for v in items]


def _sum_terms(terms):
    """Add the products; a complex number is written as ``re + im*I``."""
    total = sp.Add(*terms)
    if total.is_number and total.has(sp.I):
        total = sp.expand(total)
    return total


def _full_conv(a, b):
    """The full linear convolution ``y[n] = Sum_k a[k] b[n - k]``, n = 0..len(a)+len(b)-2."""
    la, lb = len(a), len(b)
    out = []
    for n in range(la + lb - 1):
        lo, hi = max(0, n - lb + 1), min(la - 1, n)
        out.append(_sum_terms([a[k] * b[n - k] for k in range(lo, hi + 1)]))
    return out


def _full_corr(a, b):
    """The full correlation ``c[j] = Sum_m a[m + j - (len(b)-1)] b[m]``, j = 0..la+lb-2.

    ``b`` is used as given (the caller conjugates it); lag ``j - (len(b) - 1)``.
    """
    la, lb = len(a), len(b)
    out = []
    for j in range(la + lb - 1):
        lag = j - (lb - 1)
        lo, hi = max(0, -lag), min(lb - 1, la - 1 - lag)
        out.append(_sum_terms([a[m + lag] * b[m] for m in range(lo, hi + 1)]))
    return out


_MAX_PERIOD = 100_000    # a circular period may pad the sequences up to this length


def _period(period, la, lb):
    """The circular period: ``max(N, M)`` by default; at most ``max(N + M - 1, 100000)``
    (beyond ``N + M - 1`` a longer period only appends zeros, and the result is a list
    of ``P`` entries)."""
    if period is None:
        return max(la, lb)
    p = as_int(period, "period", minimum=1)
    bound = max(la + lb - 1, _MAX_PERIOD)
    if p > bound:
        raise SymconvError(f"period must be at most max(len(a) + len(b) - 1, {_MAX_PERIOD}) "
                           f"= {bound}, but got {p}")
    return p


def conv_seq(a, b, mode="full", *, period=None):
    r"""Convolve two finite sequences exactly: ``y[n] = Sum_k a[k] b[n - k]``.

    The sequences start at index 0 and are zero outside their length. The
    result agrees entry by entry with ``numpy.convolve(a, b, mode)``.

    Parameters
    ----------
    a, b : list, tuple, sympy.Matrix (one row or column) or 1-D numpy array
        The entries: ints, Rationals, complex numbers or SymPy expressions
        (strings are refused: parse text with :func:`symconv.parsing.parse_math`).
    mode : {'full', 'same', 'valid', 'circular'}, default 'full'
        With ``N = len(a)``, ``M = len(b)``:

        - ``'full'``: every ``n`` with a non-zero overlap, ``n = 0 .. N + M - 2``
          (length ``N + M - 1``).
        - ``'same'``: length ``max(N, M)``, the full result from index
          ``(min(N, M) - 1) // 2`` on (NumPy's centring).
        - ``'valid'``: only the ``n`` where the shorter sequence lies entirely
          inside the longer one: length ``max(N, M) - min(N, M) + 1``, the full
          result from index ``min(N, M) - 1`` on.
        - ``'circular'``: the ``period``-point circular convolution
          ``y[n] = Sum_k a[k] b[(n - k) mod P]`` over one period ``n = 0 .. P - 1``,
          where both sequences are first wrapped onto the period (entries whose
          indices agree modulo ``P`` are added). Equivalently the full result
          with time aliasing: ``y[n] = Sum_r full[n + r P]``.
    period : int, optional
        The period ``P`` for ``mode='circular'`` (default ``max(N, M)``);
        not allowed with the other modes.

    Returns
    -------
    list of SymPy expressions

    Examples
    --------
    >>> from sympy import symbols, Rational, Matrix
    >>> x, y = symbols('x y')
    >>> conv_seq([1, 2, 3], [x, y])
    [x, 2*x + y, 3*x + 2*y, 3*y]
    >>> conv_seq([1, 2, 3], [x, y], mode='same')
    [x, 2*x + y, 3*x + 2*y]
    >>> conv_seq([1, 2, 3], [x, y], mode='valid')
    [2*x + y, 3*x + 2*y]
    >>> conv_seq([x, y], [1, 2, 3], mode='valid')   # the longer one may come second
    [2*x + y, 3*x + 2*y]
    >>> conv_seq(Matrix([1, Rational(1, 2)]), (1, 1))
    [1, 3/2, 1/2]
    >>> conv_seq([1, 2, 3], [x, y], mode='circular')
    [x + 3*y, 2*x + y, 3*x + 2*y]
    >>> conv_seq([1, 2, 3], [x, y], mode='circular', period=4)
    [x, 2*x + y, 3*x + 2*y, 3*y]

    Notes
    -----
    The sum is written out term by term from the index formula; nothing is
    simplified beyond SymPy's automatic canonicalisation, so the entries are
    exactly the textbook sums. Convolution is commutative, so in every mode
    ``conv_seq(a, b) == conv_seq(b, a)`` (as NumPy, which swaps the inputs when
    the second is longer).
    """
    check_choice(mode, _SEQ_MODES, "mode")
    a = _as_sequence(a, "a")
    b = _as_sequence(b, "b")
    la, lb = len(a), len(b)
    if mode == "circular":
        p = _period(period, la, lb)
        full = _full_conv(a, b)
        return [_sum_terms(full[n::p]) for n in range(p)]
    if period is not None:
        raise SymconvError(f"period is only used with mode='circular', but got mode={mode!r}")
    full = _full_conv(a, b)
    short, long_ = min(la, lb), max(la, lb)
    if mode == "full":
        return full
    if mode == "same":
        start = (short - 1) // 2
        return full[start:start + long_]
    start = short - 1  # 'valid'
    return full[start:start + long_ - short + 1]


def corr_seq(a, b, mode="valid", *, period=None, conjugate=True):
    r"""Cross-correlate two finite sequences: ``c[k] = Sum_m a[k + m] conj(b[m])``.

    The first sequence is the one that slides (the convention of
    :func:`numpy.correlate` and of deep-learning layers). The result agrees entry
    by entry with ``numpy.correlate(a, b, mode)`` for numeric input.

    Parameters
    ----------
    a, b : list, tuple, sympy.Matrix (one row or column) or 1-D numpy array
        The entries (numbers or SymPy expressions; strings are refused).
    mode : {'valid', 'same', 'full', 'circular'}, default 'valid'
        With ``N = len(a)``, ``M = len(b)`` the lags ``k`` are:

        - ``'full'``: ``k = -(M - 1) .. N - 1`` (length ``N + M - 1``).
        - ``'same'``: length ``max(N, M)``; if ``N >= M`` the lags start at
          ``-(M // 2)``, otherwise at ``-(M - 1 - N // 2)`` (NumPy computes the
          swapped correlation and reverses it, which moves the window by one
          when ``N`` is even).
        - ``'valid'``: lags where the shorter sequence lies inside the longer:
          ``k = 0 .. N - M`` if ``N >= M``, else ``k = -(M - N) .. 0``.
        - ``'circular'``: ``c[k] = Sum_m a[(k + m) mod P] conj(b[m])``, ``k = 0 .. P - 1``,
          after wrapping both sequences onto the period ``P``.
    period : int, optional
        The period for ``mode='circular'`` (default ``max(N, M)``).
    conjugate : bool, default True
        Conjugate the entries of ``b``. SymPy's ``conjugate`` leaves real
        entries (numbers, symbols declared ``real=True``) unchanged, so this is a
        no-op for real data; a plain ``Symbol`` is complex in SymPy and shows up
        as ``conjugate(y)``. Pass ``conjugate=False`` for the plain sum
        ``Sum_m a[k + m] b[m]``. (NumPy conjugates complex arrays only.)

    Returns
    -------
    list of SymPy expressions

    Examples
    --------
    >>> from sympy import symbols, I
    >>> x, y = symbols('x y', real=True)
    >>> corr_seq([1, 2, 3], [x, y])
    [x + 2*y, 2*x + 3*y]
    >>> corr_seq([1, 2, 3], [x, y], mode='full')
    [y, x + 2*y, 2*x + 3*y, 3*x]
    >>> corr_seq([1, 2, 3], [x, y], mode='same')
    [y, x + 2*y, 2*x + 3*y]
    >>> corr_seq([x, y], [1, 2, 3], mode='same')
    [2*x + 3*y, x + 2*y, y]
    >>> corr_seq([I, 2], [1, I], mode='full')
    [1, -I, 2]
    >>> z = symbols('z')
    >>> corr_seq([1, 2], [z])
    [conjugate(z), 2*conjugate(z)]
    >>> corr_seq([1, 2], [z], conjugate=False)
    [z, 2*z]
    >>> corr_seq([1, 2, 3], [x, y], mode='circular')
    [x + 2*y, 2*x + 3*y, 3*x + y]

    Notes
    -----
    ``corr_seq(a, b, 'full')`` equals ``conv_seq(a, reversed(conj(b)), 'full')``.
    The other convention found in textbooks, ``r[k] = Sum_m conj(a[m]) b[m + k]``
    (the second sequence shifted), is ``corr_seq(b, a)``: swap the arguments; it is
    also ``conj(c[-k])`` for ``c = corr_seq(a, b)``.
    """
    check_choice(mode, _SEQ_MODES, "mode")
    a = _as_sequence(a, "a")
    b = _as_sequence(b, "b")
    if conjugate:
        b = [sp.conjugate(v) for v in b]
    la, lb = len(a), len(b)
    if mode == "circular":
        p = _period(period, la, lb)
        aw = [sp.Add(*a[i::p]) for i in range(p)]
        bw = [sp.Add(*b[i::p]) for i in range(p)]
        # bw[m] is an empty sum (0) for m >= len(b): those products vanish
        return [_sum_terms([aw[(k + m) % p] * bw[m] for m in range(min(p, lb))])
                for k in range(p)]
    if period is not None:
        raise SymconvError(f"period is only used with mode='circular', but got mode={mode!r}")
    full = _full_corr(a, b)  # full[j] has lag j - (lb - 1)
    if mode == "full":
        return full
    short, long_ = min(la, lb), max(la, lb)
    if mode == "valid":
        start = short - 1
        return full[start:start + long_ - short + 1]
    # 'same'
    start = (lb - 1) // 2 if la >= lb else la // 2
    return full[start:start + long_]


# ---------------------------------------------------------------------------
# sequences given as formulas: the plan
#
#  1. split each sequence into pieces: expression x interval [lo, hi] of integers
#     (endpoints may be symbolic or infinite); the sequence is the sum of its pieces;
#  2. for each pair of pieces, the summation range of Sum_k x[k] h[n - k] is
#     [max(lo_x, n - hi_h), min(hi_x, n - lo_h)]: split the n-axis into the regions
#     where both ends are given by one formula;
#  3. sum c * k**j * z**k in closed form over each range (finite: geometric or
#     Faulhaber; infinite: geometric with its convergence condition);
#  4. collect the pieces of the result and print them the way a textbook does.
#
# A question about the symbolic parameters that the assumptions cannot settle
# (is a = b?  is |a| < 1?  is M <= N?) is answered both ways: the computation is
# rerun under each answer and the answers become the branches of a Piecewise.
# Divergent or unsupported branches keep the unevaluated Sum.
# ---------------------------------------------------------------------------

_OO, _NOO = sp.oo, -sp.oo
_MAX_EXPLICIT = 64      # a finite range of at most this many terms may be added term by term
_SHORT = 4              # ... and is, below this length, even when a closed form exists
_MAX_ATOMS = 5          # at most this many undecided conditions on one path
_MAX_RUNS = 24          # at most this many cases in all (else: the unevaluated Sum)


class _Fail(Exception):
    """The method does not apply to this input: answer with the unevaluated Sum."""


class _NeedAtom(Exception):
    """A condition on the parameters must be decided before the computation goes on."""

    def __init__(self, atom):
        super().__init__(atom)
        self.atom = atom


class _Piece(NamedTuple):
    """``expr`` on the integers ``lo <= n <= hi`` (an empty interval when lo > hi)."""
    expr: sp.Expr
    lo: sp.Expr
    hi: sp.Expr


class _Inconsistent(Exception):
    """The answers given so far contradict each other: the case cannot occur."""


class _Context:
    """The answers given so far to conditions on the parameters."""

    def __init__(self, known):
        self.known = dict(known)
        self.subs = {}
        for atom, value in known:  # Eq(a, b) holds: write b as a from now on
            if value and isinstance(atom, sp.Eq):
                lhs, rhs = atom.lhs.xreplace(self.subs), atom.rhs.xreplace(self.subs)
                for old, new in ((rhs, lhs), (lhs, rhs)):
                    if old.is_Symbol and not new.has(old):
                        self.subs = {s: v.xreplace({old: new}) for s, v in self.subs.items()}
                        self.subs[old] = new
                        break
        if self.subs:
            for atom, value in known:
                seen = atom.xreplace(self.subs)
                if seen in (sp.true, sp.false) and bool(seen) != value:
                    raise _Inconsistent

    def decide(self, atom, branch=True):
        """True/False for ``atom``, or raise :class:`_NeedAtom` (None if not ``branch``)."""
        if atom in (sp.true, sp.false):
            return bool(atom)
        if atom in self.known:
            return self.known[atom]
        if self.subs:
            value = atom.xreplace(self.subs)
            if value in (sp.true, sp.false):
                return bool(value)
            if value in self.known:
                return self.known[value]
        if not branch:
            return None
        raise _NeedAtom(atom)

    def le(self, a, b, branch=True):
        """Is ``a <= b`` (extended integers)?"""
        if a == b or a == _NOO or b == _OO:
            return True
        if a == _OO or b == _NOO:
            return False
        d = sp.expand(b - a)
        if d.is_nonnegative:
            return True
        if d.is_negative:
            return False
        lo, hi = _bounds(d)
        if lo >= 0:
            return True
        if hi < 0:
            return False
        for g in self._facts():  # g >= 0 is known; the ends are integers
            c = sp.expand(d - g)
            if c.is_number and c >= 0:
                return True
            c = sp.expand(-d - 1 - g)
            if c.is_number and c >= 0:
                return False
        return self.decide(_le_atom(a, b), branch)

    def _facts(self):
        """The known orderings as expressions ``g`` with ``g >= 0``."""
        facts = []
        for atom, value in self.known.items():
            if isinstance(atom, sp.Le):
                g = sp.expand(atom.rhs - atom.lhs)
                facts.append(g if value else -g - 1)
        return facts

    def max(self, a, b):
        return b if self.le(a, b) else a

    def min(self, a, b):
        return a if self.le(a, b) else b


def _sides(d):
    """``(left, right)`` with ``d = right - left`` and no negative terms on either side."""
    left, right, const = [], [], sp.S.Zero
    for term in sp.Add.make_args(sp.expand(d)):
        if term.is_number:
            const += term
        elif term.could_extract_minus_sign():
            left.append(-term)
        else:
            right.append(term)
    if const.is_negative:
        left.append(-const)
    else:
        right.append(const)
    return sp.Add(*left), sp.Add(*right)


def _le_atom(a, b):
    """The condition ``a <= b`` written with positive terms on both sides."""
    return sp.Le(*_sides(b - a))


def _exp_rate(z):
    """``w`` if ``z = exp(w)``, else None."""
    z = sp.powsimp(z, combine="exp")
    base, e = z.as_base_exp()
    return e if base is sp.E else None


def _eq_one_atom(z):
    """The condition ``z = 1``: ``Eq(p, q)`` for ``z = p/q``; ``Eq(alpha, beta)`` for
    ``z = exp(beta - alpha)`` with a real exponent."""
    w = _exp_rate(z)
    if w is not None and w.is_real:
        lhs, rhs = _sides(w)
        return sp.Eq(rhs, lhs) if rhs.is_number else sp.Eq(lhs, rhs)
    p, q = sp.fraction(sp.together(z))
    if p.is_number and not q.is_number:
        p, q = q, p
    elif not q.is_number and sp.default_sort_key(q) < sp.default_sort_key(p):
        p, q = q, p
    return sp.Eq(p, q)


def _abs_lt_one_atom(z):
    """The condition ``|z| < 1``: ``Abs(p) < Abs(q)`` for ``z = p/q``; for ``z = exp(w)``,
    ``re(w) < 0`` (written without ``re`` when w is real)."""
    w = _exp_rate(z)
    if w is not None:
        return sp.Lt(*_sides(-w)) if w.is_real else sp.Lt(sp.re(w), 0)
    p, q = sp.fraction(sp.together(z))
    return sp.Lt(sp.Abs(p), sp.Abs(q))


def _bounds(d):
    """Lower and upper bounds of a linear expression in symbols with sign assumptions."""
    lo = hi = sp.S.Zero
    for term in sp.Add.make_args(d):
        coeff, rest = term.as_coeff_Mul()
        if rest == 1:
            lo, hi = lo + coeff, hi + coeff
            continue
        if not (rest.is_Symbol and coeff.is_Rational):
            return _NOO, _OO
        s_lo = (1 if rest.is_integer else 0) if rest.is_positive else (
            0 if rest.is_nonnegative else _NOO)
        s_hi = (-1 if rest.is_integer else 0) if rest.is_negative else (
            0 if rest.is_nonpositive else _OO)
        t_lo, t_hi = (coeff * s_lo, coeff * s_hi) if coeff > 0 else (coeff * s_hi, coeff * s_lo)
        lo, hi = lo + t_lo, hi + t_hi
    return lo, hi


def _linear(expr, n):
    """``(s, c)`` with ``expr == s*n + c`` and s, c free of n, else None."""
    expr = sp.expand(expr)
    s = sp.diff(expr, n)
    if s.has(n):
        return None
    c = sp.expand(expr - s * n)
    if c.has(n):
        return None
    return s, c


def _halfline(s, c, strict):
    """The integers n with ``s*n + c >= 0`` (``> 0`` if strict) as ``(lo, hi)``."""
    if not (s.is_Rational and s != 0):
        raise _Fail
    t = -c / s
    if t.is_integer:
        if s > 0:
            return (t + 1 if strict else t), _OO
        return _NOO, (t - 1 if strict else t)
    if not t.is_Rational:
        raise _Fail
    if s > 0:
        return (sp.floor(t) + 1 if strict else sp.ceiling(t)), _OO
    return _NOO, (sp.ceiling(t) - 1 if strict else sp.floor(t))


def _point(s, c):
    """The integer solution of ``s*n + c = 0`` as ``(n0, n0)``, None if there is none."""
    if s == 0:
        raise _Fail
    t = -c / s
    if t.is_integer:
        return t
    if t.is_integer is False and (t.is_Rational or t.is_real is False):
        return None
    raise _Fail


def _restrict(pieces, lo, hi, ctx):
    return _product(pieces, [_Piece(sp.S.One, lo, hi)], ctx)


def _product(ps, qs, ctx):
    out = []
    for p in ps:
        for q in qs:
            lo, hi = ctx.max(p.lo, q.lo), ctx.min(p.hi, q.hi)
            if ctx.le(lo, hi):
                out.append(_Piece(p.expr * q.expr, lo, hi))
    return out


def _relation_pieces(rel, n, ctx):
    """The integers where a relation linear in n holds, as interval pieces of value 1."""
    if rel is sp.true or rel == True:  # noqa: E712  (SymPy true)
        return [_Piece(sp.S.One, _NOO, _OO)]
    if rel is sp.false or rel == False:  # noqa: E712
        return []
    if isinstance(rel, sp.And):
        out = [_Piece(sp.S.One, _NOO, _OO)]
        for arg in rel.args:
            out = _product(out, _relation_pieces(arg, n, ctx), ctx)
        return out
    if isinstance(rel, (sp.Eq, sp.Ne)):
        lin = _linear(rel.lhs - rel.rhs, n)
        if lin is None:
            raise _Fail
        n0 = _point(*lin)
        at = [] if n0 is None else [_Piece(sp.S.One, n0, n0)]
        if isinstance(rel, sp.Eq):
            return at
        if not at:
            return [_Piece(sp.S.One, _NOO, _OO)]
        return [_Piece(sp.S.One, _NOO, n0 - 1), _Piece(sp.S.One, n0 + 1, _OO)]
    if isinstance(rel, (sp.Ge, sp.Gt, sp.Le, sp.Lt)):
        d = rel.lhs - rel.rhs if isinstance(rel, (sp.Ge, sp.Gt)) else rel.rhs - rel.lhs
        lin = _linear(d, n)
        if lin is None:
            raise _Fail
        lo, hi = _halfline(*lin, strict=isinstance(rel, (sp.Gt, sp.Lt)))
        return [_Piece(sp.S.One, lo, hi)]
    raise _Fail


def _breakpoints(pieces, ctx, branch):
    """Sorted distinct finite ends (lo and hi + 1) of the pieces, or None if unorderable."""
    points = []
    for p in pieces:
        for t in (p.lo, p.hi + 1):
            if t.is_infinite or any(sp.expand(t - q) == 0 for q in points):
                continue
            points.append(t)
    ordered = []
    for t in points:  # insertion sort with exact comparisons (ties in any order)
        i = 0
        while i < len(ordered):
            after = ctx.le(ordered[i], t, False)
            if after:
                i += 1
                continue
            before = ctx.le(t, ordered[i], False)
            if after is False or before:
                break
            if not branch:
                return None
            if ctx.le(ordered[i], t):  # undecided: ask (raises _NeedAtom the first time)
                i += 1
                continue
            break
        ordered.insert(i, t)
    return ordered


def _cells(points):
    """The intervals between consecutive breakpoints, infinite ends included."""
    ends = [_NOO, *points, _OO]
    return [(ends[i], ends[i + 1] - 1 if ends[i + 1] != _OO else _OO)
            for i in range(len(ends) - 1)]


def _disjoint(pieces, ctx, branch=False):
    """Rewrite a sum of pieces as pieces on disjoint intervals (None if unorderable)."""
    points = _breakpoints(pieces, ctx, branch)
    if points is None:
        return None
    out = []
    for lo, hi in _cells(points):
        total = sp.Add(*[p.expr for p in pieces
                         if ctx.le(p.lo, lo, branch) and ctx.le(hi, p.hi, branch)])
        if sp.expand(total) != 0:
            out.append(_Piece(total, lo, hi))
    return out


_SPECIAL = (sp.Heaviside, sp.KroneckerDelta, sp.Piecewise, sp.Abs, sp.DiracDelta)


def _pieces(expr, n, ctx):
    """Split a sequence into pieces (expression x integer interval) whose sum it is."""
    if not expr.has(n):
        return [] if expr == 0 else [_Piece(expr, _NOO, _OO)]
    for a in sorted(expr.atoms(sp.Abs), key=sp.default_sort_key):
        if a.has(n) and not a.args[0].has(sp.Abs):  # |s n + c|: split where it vanishes
            lin = _linear(a.args[0], n)
            if lin is None:
                raise _Fail
            s, c = lin
            pos = _halfline(s, c, strict=False)
            neg = _halfline(-s, -c, strict=True)
            return (_restrict(_pieces(expr.xreplace({a: a.args[0]}), n, ctx), *pos, ctx)
                    + _restrict(_pieces(expr.xreplace({a: -a.args[0]}), n, ctx), *neg, ctx))
    if expr.is_Add:
        return [p for arg in expr.args for p in _pieces(arg, n, ctx)]
    if expr.is_Mul:
        out = [_Piece(sp.S.One, _NOO, _OO)]
        body = []
        for f in expr.args:
            if f.has(*_SPECIAL) or f.is_Add:
                out = _product(out, _pieces(f, n, ctx), ctx)
            else:
                body.append(f)
        factor = sp.Mul(*body)
        return [_Piece(factor * p.expr, p.lo, p.hi) for p in out]
    if expr.is_Pow and expr.exp.is_Integer and expr.exp > 0 and expr.base.has(*_SPECIAL):
        out = [_Piece(sp.S.One, _NOO, _OO)]
        base = _pieces(expr.base, n, ctx)
        for _ in range(int(expr.exp)):
            out = _product(out, base, ctx)
        return out
    if isinstance(expr, sp.Heaviside):
        lin = _linear(expr.args[0], n)
        if lin is None:
            raise _Fail
        h0 = expr.args[1] if len(expr.args) > 1 else sp.S.Half
        if h0 == 1:
            return [_Piece(sp.S.One, *_halfline(*lin, strict=False))]
        out = [_Piece(sp.S.One, *_halfline(*lin, strict=True))]
        n0 = _point(*lin)
        if n0 is not None and h0 != 0:
            out.append(_Piece(h0, n0, n0))
        return out
    if isinstance(expr, sp.KroneckerDelta):
        lin = _linear(expr.args[0] - expr.args[1], n)
        if lin is None:
            raise _Fail
        n0 = _point(*lin)
        return [] if n0 is None else [_Piece(sp.S.One, n0, n0)]
    if isinstance(expr, sp.Piecewise):
        return _piecewise_pieces(expr, n, ctx)
    if expr.has(*_SPECIAL):
        raise _Fail
    return [_Piece(expr, _NOO, _OO)]


def _piecewise_pieces(expr, n, ctx):
    """A Piecewise whose conditions are linear in n, as pieces on disjoint intervals.

    The n-axis is cut at every end of every condition's set; on each cell the first
    branch whose condition holds there gives the value (SymPy's first-match rule).
    """
    branches = [(e, _relation_pieces(c, n, ctx)) for e, c in expr.args]
    points = _breakpoints([p for _, ps in branches for p in ps], ctx, branch=True)
    out = []
    for lo, hi in _cells(points):
        for e, ps in branches:
            if any(ctx.le(p.lo, lo) and ctx.le(hi, p.hi) for p in ps):
                if e != 0:
                    out.extend(_restrict(_pieces(e, n, ctx), lo, hi, ctx))
                break
    return out


# --- closed-form sums of c * k**j * z**k ---------------------------------------

_Z, _KK = sp.Symbol("z"), sp.Symbol("k")


@lru_cache(maxsize=None)
def _antidifference(j):
    """The polynomial P_j(k; z) of degree j with ``z*P(k+1) - P(k) = k**j`` (z != 1).

    Then ``z**k P(k)`` is an antidifference of ``k**j z**k``, so
    ``Sum_{k=L}^{U} k**j z**k = z**(U+1) P(U+1) - z**L P(L)``.
    """
    coeffs = sp.symbols(f"p0:{j + 1}")
    poly = sum(c * _KK**i for i, c in enumerate(coeffs))
    eqs = sp.Poly(sp.expand(_Z * poly.subs(_KK, _KK + 1) - poly - _KK**j), _KK).all_coeffs()
    sol = sp.solve(eqs, coeffs, dict=True)[0]
    return sp.factor(poly.subs(sol))


@lru_cache(maxsize=None)
def _faulhaber(j):
    """``F_j(m) = Sum_{k=0}^{m-1} k**j`` as a polynomial in m (Bernoulli polynomials)."""
    m = _KK
    return sp.expand((sp.bernoulli(j + 1, m) - sp.bernoulli(j + 1, 0)) / (j + 1))


def _geometric_terms(summand, k):
    """Write ``summand`` as ``Sum c * k**j * z**k``: a dict z -> {j: c}, or raise _Fail."""
    groups = {}
    for term in sp.Add.make_args(sp.expand(summand)):
        c, j, z = sp.S.One, 0, sp.S.One
        for f in sp.Mul.make_args(term):
            if not f.has(k):
                c *= f
            elif f == k:
                j += 1
            elif f.is_Pow and f.base == k and f.exp.is_Integer and f.exp > 0:
                j += int(f.exp)
            else:
                base, e = f.as_base_exp()
                lin = _linear(e, k)
                if base.has(k) or lin is None:
                    raise _Fail
                z *= base ** lin[0]
                c *= base ** lin[1]
        by_j = groups.setdefault(z, {})
        by_j[j] = by_j.get(j, 0) + c
    return groups


def _explicit(summand, k, lo, length):
    return sp.Add(*[summand.xreplace({k: lo + i}) for i in range(int(length) + 1)])


def _sum(summand, k, lo, hi, ctx):
    """``Sum_{k=lo}^{hi} summand`` in closed form (lo <= hi + 1), None if divergent."""
    length = sp.expand(hi - lo) if lo != _NOO and hi != _OO else None
    if length is not None and length.is_Integer and length < _MAX_EXPLICIT:
        if length < _SHORT:
            return _explicit(summand, k, lo, length)
        try:
            groups = _geometric_terms(summand, k)
        except _Fail:
            return _explicit(summand, k, lo, length)
    else:
        groups = _geometric_terms(summand, k)
    total = sp.S.Zero
    for z, by_j in groups.items():
        if z.has(k):
            raise _Fail
        if lo == _NOO and hi == _OO:
            return None  # Sum over all k of c k**j z**k never converges
        if lo == _NOO or hi == _OO:
            ratio = z if hi == _OO else 1 / z
            if z == 1 or ctx.known.get(_eq_one_atom(z)) \
                    or not ctx.decide(_abs_lt_one_atom(ratio)):
                return None
            for j, c in by_j.items():
                p = _antidifference(j).subs(_Z, z)
                if hi == _OO:
                    total += -c * z**lo * p.subs(_KK, lo)
                else:
                    total += c * z**(hi + 1) * p.subs(_KK, hi + 1)
        elif z == 1 or (not ctx.known.get(_abs_lt_one_atom(z))
                        and not ctx.known.get(_abs_lt_one_atom(1 / z))
                        and ctx.decide(_eq_one_atom(z))):  # |z| < 1 or |z| > 1: z != 1
            for j, c in by_j.items():
                f = _faulhaber(j)
                total += c * (f.subs(_KK, hi + 1) - f.subs(_KK, lo))
        else:
            for j, c in by_j.items():
                p = _antidifference(j).subs(_Z, z)
                total += c * (z**(hi + 1) * p.subs(_KK, hi + 1) - z**lo * p.subs(_KK, lo))
    return total


def _regions(A, B, n, ctx):
    """Where the range of ``Sum_k A[k] B[n-k]`` has one formula: (n_lo, n_hi, k_lo, k_hi).

    The range is ``max(A.lo, n - B.hi) <= k <= min(A.hi, n - B.lo)``; its lower end
    switches formula at ``r = A.lo + B.hi``, its upper end at ``s = A.hi + B.lo``.
    """
    a1, b1, a2, b2 = A.lo, A.hi, B.lo, B.hi
    if a1 == _NOO and b2 == _OO:
        lower = [(None, _NOO)]
    elif a1 == _NOO:
        lower = [(None, n - b2)]
    elif b2 == _OO:
        lower = [(None, a1)]
    else:
        lower = [(a1 + b2, a1), (None, n - b2)]   # n <= r: a1; n > r: n - b2
    if b1 == _OO and a2 == _NOO:
        upper = [(None, _OO)]
    elif b1 == _OO:
        upper = [(None, n - a2)]
    elif a2 == _NOO:
        upper = [(None, b1)]
    else:
        upper = [(b1 + a2, n - a2), (None, b1)]   # n <= s: n - a2; n > s: b1
    start = _NOO if _NOO in (a1, a2) else a1 + a2
    stop = _OO if _OO in (b1, b2) else b1 + b2
    cuts = [(c, side) for c, side in ((lower[0][0], 0), (upper[0][0], 1)) if c is not None]
    if len(cuts) == 2 and not ctx.le(cuts[0][0], cuts[1][0]):
        cuts.reverse()
    ends = [start, *(c for c, _ in cuts), stop]
    out = []
    for i in range(len(ends) - 1):
        lo = ends[i] if i == 0 else ends[i] + 1
        passed = {side for _, side in cuts[:i]}   # the switch points left of this region
        k_lo = lower[1 if 0 in passed else 0][1]
        k_hi = upper[1 if 1 in passed else 0][1]
        out.append((lo, ends[i + 1], k_lo, k_hi))
    return out


def _conv_pieces(px, ph, n, k, ctx):
    """The pieces of ``Sum_k x[k] h[n-k]``, or None when the sum diverges.

    The infinite ranges are summed first: their convergence conditions (``|z| < 1``)
    then settle the question ``z = 1`` that a finite range would ask.
    """
    tasks = []
    for A in px:
        for B in ph:
            summand = A.expr.xreplace({n: k}) * B.expr.xreplace({n: n - k})
            for lo, hi, k_lo, k_hi in _regions(A, B, n, ctx):
                width = sp.expand(hi - lo)
                if width == -1:
                    continue  # an empty region
                if width == 0:  # a single n: the range of k has a fixed length
                    at = {n: lo}
                    task = (summand.xreplace(at), k_lo.xreplace(at), k_hi.xreplace(at), lo, hi)
                else:
                    task = (summand, k_lo, k_hi, lo, hi)
                tasks.append(task)
    tasks.sort(key=lambda t: not (t[1] == _NOO or t[2] == _OO))
    out = []
    for summand, k_lo, k_hi, lo, hi in tasks:
        value = _sum(summand, k, k_lo, k_hi, ctx)
        if value is None:
            return None
        if value != 0:
            out.append(_Piece(value, lo, hi))
    return out


# --- printing the result ---------------------------------------------------------

def _split_rational_bases(expr):
    """``(3/2)**n -> 3**n * 2**(-n)`` and ``6**n -> 2**n 3**n`` so that powers combine."""
    def split(p):
        base, e = p.as_base_exp()
        if not (base.is_Rational and base > 0 and base != 1) or e.is_number:
            return p
        factors = sp.factorint(base.p)
        factors.update({q: -m for q, m in sp.factorint(base.q).items()})
        return sp.Mul(*[q**(m * e) for q, m in factors.items()])
    return expr.replace(lambda a: a.is_Pow and a.base.is_Rational, split)


def _generators(expr, n):
    """Replace each power ``c**(s*n + t)`` by ``c**t * G**s`` with a symbol ``G = c**n``.

    Returns the rational expression in the symbols and the map back. With the
    powers of ``n`` as plain symbols, ``cancel``/``factor`` see the structure.
    """
    expr = sp.expand_power_base(sp.expand_power_exp(expr))  # a**(m+n), (a b)**n
    expr = sp.expand_power_exp(_split_rational_bases(expr))
    gens, back = {}, {}

    def generator(base, rate):
        key = (base, rate)
        if key not in gens:
            g = sp.Dummy("G")
            gens[key] = g
            back[g] = base ** (rate * n)
        return gens[key]

    def replace(p):
        base, e = p.as_base_exp()
        lin = _linear(e, n)
        if lin is None or base.has(n):
            return p
        s, t = lin
        if s.is_Integer:
            return base ** t * generator(base, sp.S.One) ** s
        return base ** t * generator(base, s)

    out = expr.replace(lambda a: (a.is_Pow or isinstance(a, sp.exp)) and a.has(n)
                       and not a.as_base_exp()[0].has(n), replace)
    return out, back


_BIG = 150   # above this operation count only the cheap forms are tried
_HUGE = 200  # ... and above this one the expression is left as it is


def _tidy(expr, n):
    """A short, textbook-looking equivalent of ``expr`` (chosen by operation count).

    The powers ``a**n`` become symbols. Candidates: the sum grouped by the powers
    of ``n``, each coefficient cancelled and factored; for expressions of modest
    size also the whole thing as one fraction (cancelled, factored). The shortest
    wins, with fewer minus signs breaking ties.
    """
    if expr.is_number:
        return expr
    size = sp.count_ops(expr)
    if size > _HUGE:  # expanding would take long and rarely gives anything readable
        return expr
    e, back = _generators(expr, n)
    gens = set(back)
    num, den = sp.fraction(sp.together(e))
    den_g, den_rest = [], []
    for f in sp.Mul.make_args(den):
        (den_g if f.free_symbols & gens else den_rest).append(f)
    den_g, den_rest = sp.Mul(*den_g), sp.Mul(*den_rest)
    groups = {}
    for term in sp.Add.make_args(sp.expand(num)):
        g, c = [], []
        for f in sp.Mul.make_args(term):
            (g if f.free_symbols & gens else c).append(f)
        key = sp.Mul(*g) / den_g
        groups[key] = groups.get(key, 0) + sp.Mul(*c)
    grouped = sp.S.Zero
    for key, coeff in groups.items():
        coeff = sp.cancel(coeff / den_rest)
        if sp.count_ops(coeff) < _BIG:
            coeff = min((coeff, sp.factor(coeff)), key=sp.count_ops)
        grouped += key * coeff
    candidates = [grouped]
    if sp.count_ops(grouped) < _BIG:
        num0, den0 = sp.fraction(sp.together(grouped))
        num, den = sp.fraction(sp.cancel(num0 / den0))
        candidates += [sp.expand(num0) / sp.factor(den0), num / den,
                       sp.factor(num) / sp.factor(den),
                       sp.factor_terms(num) / sp.factor_terms(den)]
        candidates = [sp.powsimp(c.xreplace(back), combine="exp") for c in candidates]
        candidates += [_fewer_minus_signs(c) for c in candidates]
    else:
        candidates = [c.xreplace(back) for c in candidates]
    candidates.append(expr)
    return min(candidates, key=lambda c: (sp.count_ops(c), str(c).count("-"), len(str(c))))


def _fewer_minus_signs(expr):
    """``-1/(a*(b - 1))`` -> ``1/(a*(1 - b))``: flip the sign of denominator factors."""
    num, den = sp.fraction(expr)
    flips, factors = 0, []
    for f in sp.Mul.make_args(den):
        base, e = f.as_base_exp()
        if base.is_Add and base.could_extract_minus_sign() is False and e.is_Integer and e % 2:
            factors.append((-base)**e)
            flips += 1
        else:
            factors.append(f)
    if not flips:
        return expr
    return (-num if flips % 2 else num) / sp.Mul(*factors)


def _indicator(n, lo, hi):
    """1 on lo <= n <= hi written with unit steps ``u[n] = Heaviside(n, 1)``
    (a single point as ``KroneckerDelta``)."""
    if sp.expand(hi - lo) == 0:
        return sp.KroneckerDelta(n, lo)
    left = sp.S.One if lo == _NOO else sp.Heaviside(n - lo, 1)
    if hi == _OO:
        return left
    right = sp.Heaviside(hi - n, 1)
    if lo == _NOO:
        return right
    return left - sp.Heaviside(n - hi - 1, 1)


def _condition(n, lo, hi):
    if lo == _NOO and hi == _OO:
        return sp.true
    if lo == _NOO:
        return n <= hi
    if hi == _OO:
        return n >= lo
    if sp.expand(hi - lo) == 0:
        return sp.Eq(n, lo)
    return sp.And(n >= lo, n <= hi)


def _as_abs(cells, n):
    """One expression ``E(m + |n - m|)`` if the two cells are mirror images about m."""
    if len(cells) != 2 or cells[0].lo != _NOO or cells[1].hi != _OO:
        return None
    c = cells[1].lo
    if sp.expand(cells[0].hi + 1 - c) != 0:
        return None
    left, right = cells[0].expr, cells[1].expr
    for m in (c, c - 1):  # the centre: the first point on the right, or the last on the left
        if _same(left, right.xreplace({n: 2 * m - n}), n):
            return right.xreplace({n: m + sp.Abs(n - m)})
    return None


def _same(e1, e2, n):
    """Are the two expressions equal? (False when SymPy cannot tell cheaply.)"""
    if e1 == e2:
        return True
    diff = sp.sympify(e1 - e2)
    # quick rejection: the difference at one rational point (a zero there proves nothing)
    probe = {s: sp.Rational(p, p + 4) for s, p in zip(sorted(diff.free_symbols - {n}, key=str),
                                                      sp.primerange(3, 1000))}
    probe[n] = 5
    try:
        value = sp.sympify(diff.xreplace(probe))
        if value.is_number and value.is_finite and value.is_zero is False:
            return False
    except (TypeError, ValueError, ZeroDivisionError):
        pass
    d, _ = _generators(diff, n)
    return d == 0 or sp.cancel(sp.together(d)) == 0


def _absorb(groups, n):
    """Merge a one-point group into a neighbour whose formula gives the same value there,
    and neighbours with the same formula (the groups are summed, so this is exact)."""
    changed = True
    while changed:
        changed = False
        for (lo, hi), e in list(groups.items()):
            for (lo2, hi2), e2 in list(groups.items()):
                if (lo, hi) == (lo2, hi2):
                    continue
                point = sp.expand(hi - lo) == 0
                at = {n: lo}
                if point and sp.expand(lo2 - hi - 1) == 0 \
                        and _same(e2.xreplace(at), e.xreplace(at), n):
                    new = (lo, hi2)                         # [c, c] + [c+1, hi2]
                elif point and hi2 != _OO and sp.expand(lo - hi2 - 1) == 0 \
                        and _same(e2.xreplace(at), e.xreplace(at), n):
                    new = (lo2, hi)                         # [lo2, c-1] + [c, c]
                elif hi != _OO and sp.expand(lo2 - hi - 1) == 0 and _same(e, e2, n):
                    new = (lo, hi2)                         # same formula, adjacent
                else:
                    continue
                if new in groups and new not in ((lo, hi), (lo2, hi2)):
                    continue
                del groups[(lo, hi)], groups[(lo2, hi2)]
                groups[new] = e2
                changed = True
                break
            if changed:
                break
    return groups


def _absorb_cells(cells, n):
    """Merge neighbouring cells (ordered, disjoint) that one formula describes."""
    out = []
    for cell in cells:
        if out and out[-1].hi != _OO and sp.expand(cell.lo - out[-1].hi - 1) == 0:
            prev = out[-1]
            at_prev, at_cell = {n: prev.lo}, {n: cell.lo}
            if sp.expand(prev.hi - prev.lo) == 0 and _same(
                    cell.expr.xreplace(at_prev), prev.expr.xreplace(at_prev), n):
                out[-1] = _Piece(cell.expr, prev.lo, cell.hi)
                continue
            if (sp.expand(cell.hi - cell.lo) == 0 and _same(
                    prev.expr.xreplace(at_cell), cell.expr.xreplace(at_cell), n)) \
                    or _same(prev.expr, cell.expr, n):
                out[-1] = _Piece(prev.expr, prev.lo, cell.hi)
                continue
        out.append(cell)
    return out


def _trig_to_exp(expr, n):
    """``cos(w n + c)``, ``sin(w n + c)`` in exponential form (the geometric machinery
    then sums them), and whether there were any; _Fail for a non-linear argument."""
    trig = [a for a in expr.atoms(sp.sin, sp.cos) if a.has(n)]
    for a in trig:
        if _linear(a.args[0], n) is None:
            raise _Fail
    return expr.xreplace({a: a.rewrite(sp.exp) for a in trig}), bool(trig)


def _unit_powers(expr):
    """``I**x`` and ``(-1)**x`` (x not an integer) as ``cos + I sin`` of ``pi x/2``, ``pi x``."""
    def polar(p):
        angle = sp.pi * p.exp * (1 if p.base == -1 else sp.Rational(1, 2) * (1 if p.base == sp.I else -1))
        return sp.cos(angle) + sp.I * sp.sin(angle)
    return expr.replace(lambda p: p.is_Pow and not p.exp.is_number and (
        p.base in (sp.I, -sp.I) or (p.base == -1 and not p.exp.is_integer)), polar)


def _real_part(expr):
    """The real part of a sum of fractions, each made real by the conjugate of its
    denominator (for real parameters and an integer n; exact: the value is real)."""
    # r**n with r real and n integer is real (SymPy keeps re(r**n) otherwise)
    expr = sp.expand(_unit_powers(expr))
    powers = {p: sp.Dummy("P", real=True) for p in expr.atoms(sp.Pow)
              if p.base.is_real and p.exp.is_integer and not p.exp.is_number}
    expr = expr.xreplace(powers)
    total = sp.S.Zero
    for term in sp.Add.make_args(expr):
        num, den = sp.fraction(sp.together(term))
        den_c = sp.conjugate(den)
        num = sp.expand_complex(sp.expand(num * den_c))
        den = sp.trigsimp(sp.expand_complex(sp.expand(den * den_c)))
        total += sp.re(num) / den
    total = total.xreplace({d: p for p, d in powers.items()})
    return sp.trigsimp(sp.together(total)) if sp.count_ops(total) < _BIG else total


def _impossible(eq):
    """``Eq(cos(th), c)`` or ``Eq(sin(th), c)`` with a number ``|c| > 1`` (th real)."""
    for lhs, rhs in ((eq.lhs, eq.rhs), (eq.rhs, eq.lhs)):
        if isinstance(lhs, (sp.cos, sp.sin)) and rhs.is_number and rhs.is_real \
                and lhs.args[0].is_real:
            return bool(abs(rhs) > 1)
    return False


def _real_condition(cond):
    """A condition on complex atoms (``Eq(a, exp(I*w))``) in terms of real quantities."""
    def split(eq):
        d = sp.expand_complex(_unit_powers(eq.lhs - eq.rhs))
        re_d, im_d = d.as_real_imag()
        if isinstance(re_d, sp.Add) and -1 in re_d.args and isinstance(re_d + 1, sp.cos):
            both = sp.Eq(re_d + 1, 1)      # cos(th) = 1 already makes sin(th) = 0
        else:
            both = sp.And(sp.Eq(*_sides(re_d)), sp.Eq(*_sides(im_d)))
        both = both.xreplace({e: sp.false for e in both.atoms(sp.Eq) if _impossible(e)})
        return both if isinstance(eq, sp.Eq) else sp.Not(both)
    atoms = [a for a in cond.atoms(sp.Eq, sp.Ne) if a.has(sp.I, sp.exp)]
    return cond.xreplace({a: split(a) for a in atoms})


def _render(pieces, n, ctx, form, real=False):
    """The sum of result pieces as an expression in n ('auto', 'steps' or 'piecewise');
    ``real``: the inputs were real sinusoids, written back as cos and sin."""
    groups = {}
    for p in pieces:
        key = (p.lo, p.hi)
        groups[key] = groups.get(key, 0) + p.expr.xreplace(ctx.subs)
    if real:
        groups = {key: _real_part(e) for key, e in groups.items()}
    groups = _absorb({key: e for key, e in groups.items() if not _same(e, 0, n)}, n)
    if not groups:
        return sp.S.Zero
    semi_infinite = all((hi == _OO and lo != _NOO) or sp.expand(hi - lo) == 0
                        for lo, hi in groups)
    cells = None
    if form == "piecewise" or (form == "auto" and not semi_infinite):
        cells = _disjoint([_Piece(e, lo, hi) for (lo, hi), e in groups.items()], ctx)
    if cells is None:
        return sp.Add(*[_tidy(e, n) * _indicator(n, lo, hi) for (lo, hi), e in groups.items()])
    cells = _absorb_cells([p for p in cells if not _same(p.expr, 0, n)], n)
    cells = [_Piece(_tidy(p.expr, n), p.lo, p.hi) for p in cells]
    if not cells:
        return sp.S.Zero
    if len(cells) == 1 and cells[0].lo == _NOO and cells[0].hi == _OO:
        return cells[0].expr
    folded = _as_abs(cells, n)
    if folded is not None:
        return folded
    args = [(p.expr, _condition(n, p.lo, p.hi)) for p in cells]
    if cells[0].lo != _NOO or cells[-1].hi != _OO or len(cells) > 1:
        args.append((sp.S.Zero, True))
    return sp.Piecewise(*args)


def _explore(run):
    """Run ``run(known)`` under every needed answer to the undecided conditions."""
    results, stack, runs = [], [()], 0
    while stack:
        known = stack.pop()
        runs += 1
        if runs > _MAX_RUNS:
            raise _Fail
        try:
            results.append((known, run(known)))
        except _Inconsistent:
            continue
        except _NeedAtom as need:
            if len(known) >= _MAX_ATOMS:
                raise _Fail from None
            stack.append(known + ((need.atom, False),))
            stack.append(known + ((need.atom, True),))
    return results


def _assemble(cases, fallback):
    """A Piecewise over the cases (exclusive and exhaustive); divergent ones keep the Sum."""
    atoms = {}
    by_expr = {}
    for known, value in cases:
        if value is None:
            continue
        lits = []
        for atom, truth in known:
            b = atoms.setdefault(atom, sp.Dummy("c"))
            lits.append(b if truth else ~b)
        by_expr.setdefault(value, []).append(sp.And(*lits))
    if not by_expr:
        return fallback
    back = {b: atom for atom, b in atoms.items()}
    divergent = any(value is None for _, value in cases)
    if len(by_expr) == 1 and not divergent:
        return next(iter(by_expr))
    args = []
    for value, conds in by_expr.items():
        cond = sp.simplify_logic(sp.Or(*conds))
        args.append((value, cond.xreplace(back)))
    if divergent:
        args.append((fallback, True))
    else:
        args[-1] = (args[-1][0], True)
    return sp.Piecewise(*args)


# --- public functions ------------------------------------------------------------

_FORMS = ("auto", "steps", "piecewise")


def _as_expr(value, name):
    if isinstance(value, (str, bytes)):
        raise SymconvError(f"{name} must be a SymPy expression, but got the string {value!r} "
                           "(parse text with symconv.parsing.parse_math)")
    try:
        value = sp.sympify(value, strict=True)
    except SympifyError:
        raise SymconvError(f"{name} must be a SymPy expression, but got {value!r}") from None
    if not isinstance(value, sp.Expr):
        raise SymconvError(f"{name} must be a SymPy expression, but got {value!r}")
    return value


def _index(n):
    if not isinstance(n, sp.Symbol):
        raise SymconvError(f"the index variable must be a SymPy Symbol, but got {n!r}")
    return n


def _dummy_name(base, *exprs):
    names = {s.name for e in exprs for s in e.free_symbols}
    for name in (base, "k", "m", "j", "l", "i"):
        if name not in names:
            return name
    return base + "_"


def _solve(x, h, n, fallback, form, timeout=None):
    """The closed form of ``Sum_k x[k] h[n-k]`` (x, h in an integer variable n), or
    ``fallback`` (the unevaluated sum) if it takes more than ``timeout`` seconds."""
    # (an enclosing limit that runs out meanwhile is not ours: it propagates)
    return bounded_call(lambda: _solve_unbounded(x, h, n, fallback, form), timeout, fallback)


def _solve_unbounded(x, h, n, fallback, form):
    k = sp.Dummy("k", integer=True)
    real = not (x.has(sp.I) or h.has(sp.I)) and all(
        s.is_real for s in (x.free_symbols | h.free_symbols) - {n})
    try:
        (x, tx), (h, th) = _trig_to_exp(x, n), _trig_to_exp(h, n)
    except _Fail:
        return fallback
    real = real and (tx or th)

    def run(known):
        ctx = _Context(known)
        px, ph = _pieces(x, n, ctx), _pieces(h, n, ctx)
        dx, dh = _disjoint(px, ctx), _disjoint(ph, ctx)
        px = px if dx is None else dx
        ph = ph if dh is None else dh
        return ctx, _conv_pieces(px, ph, n, k, ctx)

    try:
        cases = _explore(run)  # every case first: give up early if there are too many
        value = _assemble([(known, None if out is None else _render(out, n, ctx, form, real))
                           for known, (ctx, out) in cases], fallback)
        if real and isinstance(value, sp.Piecewise):
            value = sp.Piecewise(*[(e, _real_condition(c)) for e, c in value.args])
        return value
    except (_Fail, NotImplementedError, TypeError, ValueError, ZeroDivisionError):
        return fallback


def _integer_version(n, *exprs):
    """Rename a non-integer index symbol to an integer one (and the map back)."""
    if n.is_integer:
        return n, exprs, {}
    m = sp.Symbol(n.name, integer=True)
    return m, tuple(e.xreplace({n: m}) for e in exprs), {m: n}


def conv_discrete(x, h, n, *, form="auto", time_limit=None, timeout=_UNSET):
    r"""Discrete convolution of two sequences given as formulas in ``n``.

    .. math:: (x * h)[n] = \sum_{k=-\infty}^{\infty} x[k]\, h[n - k]

    Parameters
    ----------
    x, h : sympy.Expr
        The sequences, as expressions in the integer variable ``n``; built from
        polynomials, powers ``a**n`` (also ``exp(c*n)``), unit steps
        ``Heaviside(n - n0, 1)`` (any ``Heaviside(., H0)`` is read with its value
        ``H0`` at 0), ``KroneckerDelta``, ``Abs`` of linear arguments (two-sided
        ``a**Abs(n)``), ``Piecewise`` with conditions linear in ``n``, and sums
        and products of these. Shifts ``n0`` must be integers (numbers or symbols
        declared ``integer=True``).
    n : sympy.Symbol
        The index. It is treated as an integer (a symbol without ``integer=True``
        is renamed internally and put back in the result).
    form : {'auto', 'steps', 'piecewise'}, default 'auto'
        How the support of the result is written: ``'steps'`` as a sum of terms
        times unit steps, ``'piecewise'`` as a ``Piecewise`` in ``n`` (when the
        breakpoints can be ordered), ``'auto'`` uses steps when every part starts
        at some ``n0`` and runs to infinity, and a ``Piecewise`` otherwise.
    time_limit : float or None, default None
        Seconds allowed to the whole computation (SIGALRM, main thread on Unix
        only); when they run out the result is the unevaluated ``Sum``. ``None``:
        no limit. (A power such as ``n**10000`` makes the closed form a Faulhaber
        polynomial of degree 10001, which takes minutes.)

    Returns
    -------
    sympy.Expr
        The closed form. When it depends on the parameters (``a = b`` or not,
        ``|a| < 1`` or not, which box is longer), a ``Piecewise`` over these
        conditions; where the sum diverges or the method does not apply, the
        unevaluated ``Sum`` (alone, or as the last branch of the Piecewise).

    Examples
    --------
    >>> from sympy import symbols, Heaviside, KroneckerDelta, Abs, Rational
    >>> n = symbols('n', integer=True)
    >>> a, b = symbols('a b')
    >>> conv_discrete(a**n*Heaviside(n, 1), b**n*Heaviside(n, 1), n)
    Piecewise((a**n*(n + 1)*Heaviside(n, 1), Eq(a, b)),
              ((a**(n + 1) - b**(n + 1))*Heaviside(n, 1)/(a - b), True))
    >>> conv_discrete(KroneckerDelta(n, 2), a**n*Heaviside(n, 1), n)
    a**(n - 2)*Heaviside(n - 2, 1)
    >>> conv_discrete(Heaviside(n, 1) - Heaviside(n - 3, 1), Heaviside(n, 1) - Heaviside(n - 3, 1), n)
    Piecewise((n + 1, (n >= 0) & (n <= 2)), (5 - n, (n >= 3) & (n <= 4)), (0, True))
    >>> conv_discrete(Rational(1, 2)**Abs(n), Heaviside(n, 1) - Heaviside(n - 1, 1), n)
    (1/2)**Abs(n)
    >>> conv_discrete(a**Abs(n), 1, n)           # two-sided: converges for |a| < 1 only
    Piecewise(((a + 1)/(1 - a), Abs(a) < 1), (Sum(a**Abs(k), (k, -oo, oo)), True))
    >>> conv_discrete(Heaviside(n, 1), 1, n)     # diverges: the sum stays unevaluated
    Sum(Heaviside(k, 1), (k, -oo, oo))

    Notes
    -----
    Method: each sequence is split into pieces (expression x integer interval,
    the ends possibly symbolic or infinite); for each pair of pieces the range of
    ``k`` is ``max(lo_x, n - hi_h) <= k <= min(hi_x, n - lo_h)``, which cuts the
    ``n``-axis into at most three regions; on each region the summand is written
    as ``Sum c k**j z**k`` and summed in closed form (Faulhaber's formula when
    ``z = 1``, the antidifference ``z**k P(k)`` otherwise; infinite ranges only
    under ``|z| < 1`` towards ``+oo`` or ``|z| > 1`` towards ``-oo``). Ranges of
    fewer than 4 terms, and ranges of up to 64 terms whose summand is not of that
    form, are added term by term, so sifting with ``KroneckerDelta`` works for any
    sequence (``f(n)`` an undefined function included). A condition on the
    parameters that the assumptions do not settle is answered both ways and the
    answers become the branches of the ``Piecewise`` (at most 24 cases, else the
    unevaluated ``Sum``). Parameters that appear as bases of powers are taken to
    be non-zero. Sinusoids ``cos(w*n + c)``, ``sin(w*n + c)`` are summed in their
    exponential form (``z = exp(I*w)``) and, for real parameters, written back as
    a real closed form (each fraction multiplied by its conjugate denominator,
    e.g. ``a**2 - 2*a*cos(w) + 1``); the special frequencies become conditions
    such as ``Eq(cos(w), 1)``. Other summands outside the ``c * k**j * z**k``
    family give the unevaluated ``Sum``.
    """
    check_choice(form, _FORMS, "form")
    x, h = _as_expr(x, "x"), _as_expr(h, "h")
    n = _index(n)
    n_int, (x, h), back = _integer_version(n, x, h)
    k = sp.Symbol(_dummy_name("k", x, h, n_int), integer=True)
    fallback = sp.Sum(x.xreplace({n_int: k}) * h.xreplace({n_int: n_int - k}), (k, _NOO, _OO))
    seconds = renamed_time_limit(time_limit, timeout, "conv_discrete", None)
    return _solve(x, h, n_int, fallback, form, seconds).xreplace(back)


def corr_discrete(x, h, n, *, form="auto", conjugate=True, time_limit=None,
                  timeout=_UNSET):
    r"""Discrete cross-correlation of two sequences given as formulas in ``n``.

    .. math:: (x \star h)[n] = \sum_{m=-\infty}^{\infty} x[n + m]\, \overline{h[m]}

    The first sequence is the one that is shifted (the convention of
    :func:`numpy.correlate` and of deep-learning layers), so
    ``corr_discrete(x, h, n) == conv_discrete(x, conj(h[-n]), n)``.

    Parameters
    ----------
    x, h, n, form
        As in :func:`conv_discrete`.
    conjugate : bool, default True
        Conjugate ``h``. SymPy's ``conjugate`` leaves real parameters alone, but a
        plain ``Symbol`` is complex (``conjugate(a)`` appears); declare symbols
        ``real=True`` or pass ``conjugate=False`` for real sequences.
    time_limit : float or None, default None
        As for :func:`conv_discrete`.

    Returns
    -------
    sympy.Expr
        The closed form, a ``Piecewise`` over parameter conditions, or the
        unevaluated ``Sum``.

    Examples
    --------
    >>> from sympy import symbols, Heaviside, KroneckerDelta
    >>> n = symbols('n', integer=True)
    >>> a = symbols('a', positive=True)
    >>> corr_discrete(KroneckerDelta(n, 0), KroneckerDelta(n, 3), n)
    KroneckerDelta(-3, n)
    >>> corr_discrete(a**n*Heaviside(n, 1), a**n*Heaviside(n, 1), n)   # autocorrelation
    Piecewise((a**Abs(n)/(1 - a**2), a**2 < 1),
              (Sum(a**m*a**(m + n)*Heaviside(m, 1)*Heaviside(m + n, 1), (m, -oo, oo)), True))

    Notes
    -----
    The other convention found in textbooks, ``r[n] = Sum_m conj(x[m]) h[m + n]``
    (the second sequence shifted), is ``corr_discrete(h, x, n)``: swap the
    arguments. It is also ``conj`` of this function's result at ``-n``.
    """
    check_choice(form, _FORMS, "form")
    x, h = _as_expr(x, "x"), _as_expr(h, "h")
    n = _index(n)
    n_int, (x, h), back = _integer_version(n, x, h)
    m = sp.Symbol(_dummy_name("m", x, h, n_int), integer=True)
    hc = sp.conjugate(h) if conjugate else h
    fallback = sp.Sum(x.xreplace({n_int: n_int + m}) * hc.xreplace({n_int: m}), (m, _NOO, _OO))
    flipped = hc.xreplace({n_int: -n_int})
    seconds = renamed_time_limit(time_limit, timeout, "corr_discrete", None)
    return _solve(x, flipped, n_int, fallback, form, seconds).xreplace(back)
