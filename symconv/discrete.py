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
"""

import numbers

import sympy as sp
from sympy.core.sympify import SympifyError

from symconv.errors import SymconvError
from symconv._params import as_int, check_choice

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
        return sp.sympify(value, strict=True)
    except SympifyError:
        raise SymconvError(f"{name} entries must be numbers or SymPy expressions, "
                           f"but got {value!r}") from None


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


def _full_conv(a, b):
    """The full linear convolution ``y[n] = Sum_k a[k] b[n - k]``, n = 0..len(a)+len(b)-2."""
    la, lb = len(a), len(b)
    out = []
    for n in range(la + lb - 1):
        lo, hi = max(0, n - lb + 1), min(la - 1, n)
        out.append(sp.Add(*[a[k] * b[n - k] for k in range(lo, hi + 1)]))
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
        out.append(sp.Add(*[a[m + lag] * b[m] for m in range(lo, hi + 1)]))
    return out


def _period(period, la, lb):
    if period is None:
        return max(la, lb)
    return as_int(period, "period", minimum=1)


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
        return [sp.Add(*full[n::p]) for n in range(p)]
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
    ``corr_seq(a, b, 'full')`` equals ``conv_seq(a, reversed(conj(b)), 'full')``;
    the other convention found in textbooks, ``r[k] = Sum_m conj(a[m]) b[m + k]``,
    is ``corr_seq(b, a)`` conjugated, with the same lags.
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
        return [sp.Add(*[aw[(k + m) % p] * bw[m] for m in range(p)]) for k in range(p)]
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
