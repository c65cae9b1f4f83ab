"""Convolution as a matrix: Toeplitz, doubly-block Toeplitz and their transposes.

A convolution layer is linear in its input, so for a fixed kernel there is a matrix
``M`` with

.. math::  \\operatorname{vec}(y) = M \\operatorname{vec}(x),

where ``vec`` flattens an array in row-major (C) order: the last index runs fastest.
For a 1-D input the rows of ``M`` are shifted copies of the kernel (a Toeplitz
matrix); for a 2-D input ``M`` is a block Toeplitz matrix whose blocks are Toeplitz
matrices (doubly-block Toeplitz); in N dimensions the nesting goes N levels deep.
With channels, a kernel of shape ``(F, C, *k)`` gives an ``F x C`` grid of such
blocks, mapping the ``C`` input channels to the ``F`` output channels.

The matrix represents the *layer* operation of :func:`symconv.conv_layer`
(cross-correlation, as in deep-learning libraries)::

    y[f, o] = sum_c sum_m  w[f, c, m] * x_pad[c, o*s + d*m]

so the entry in row ``(f, o)`` and column ``(c, o*s + d*m - p_lo)`` is ``w[f, c, m]``
(columns that would fall into the zero padding are simply absent, unless
``padded=True`` asks for the matrix that acts on the padded input). ``flip=True``
flips the kernel along every spatial axis, which gives the mathematical convolution
``sum_m x[n - m] k[m]`` instead.

The transpose ``M.T`` maps the output space back to the input space. Multiplying by
it is the transposed convolution (``conv_transpose_layer``), and it is also how the
gradient flows backwards: for a loss ``L``, ``dL/dx = M.T dL/dy``.

Matrices are assembled from a dictionary of their non-zero entries by index
arithmetic, never through a dense intermediate, so a 32 x 32 input with a 3 x 3
kernel (a 1024 x 1024 matrix with 8836 non-zeros) is built in milliseconds.
"""

import itertools
import math
import numbers

import sympy

from symconv._util.validate import as_int, int_tuple, padding_pairs
from symconv._util.rowmajor import row_major_strides
from symconv._util.sympy_safety import strict_sympify
from symconv.errors import ShapeError, SymconvError

__all__ = ["conv_matrix", "conv_transpose_matrix", "matrix_shapes", "vec", "unvec"]

# larger matrices are refused: a SymPy matrix with millions of rows is never what was meant
MAX_MATRIX_SIDE = 10**6


# ---------------------------------------------------------------------------
# parsing: kernels, shapes and hyper-parameters
# ---------------------------------------------------------------------------

def _nested_shape_and_values(obj, what):
    """Return ``(shape, flat_values)`` of a nested list / Matrix / Array / ndarray.

    Every value goes through SymPy's strict ``_sympify``, which refuses strings: a
    kernel is data, never text to be parsed.
    """
    if hasattr(obj, "as_form") and hasattr(obj, "offsets"):
        # a symconv.nn.kernels.Kernel: its correlation array, so that the layer operation
        # computes what the kernel approximates whichever orientation it was made in
        obj = obj.as_form("corr").weights
    if isinstance(obj, sympy.MatrixBase):
        return (obj.rows, obj.cols), [_as_entry(v, what) for v in obj]
    if isinstance(obj, sympy.NDimArray):
        shape = tuple(obj.shape)
        if not shape or 0 in shape:
            raise ShapeError(f"{what} must be a non-empty array, but got {obj!r}")
        return shape, [_as_entry(obj[i], what) for i in itertools.product(*map(range, shape))]
    if hasattr(obj, "tolist") and hasattr(obj, "shape"):  # numpy array
        obj = obj.tolist()
    if not isinstance(obj, (list, tuple)):
        raise SymconvError(f"{what} must be a (nested) list, a SymPy Matrix/Array or an array, "
                           f"but got {obj!r}")
    values = []

    def walk(item, depth, shape):
        if isinstance(item, (list, tuple)):
            if depth == len(shape):
                shape.append(len(item))
            elif depth > len(shape) or shape[depth] != len(item):
                raise ShapeError(f"{what} must be a rectangular nested list, but got {obj!r}")
            for sub in item:
                walk(sub, depth + 1, shape)
        else:
            if depth != len(shape):
                raise ShapeError(f"{what} must be a rectangular nested list, but got {obj!r}")
            values.append(_as_entry(item, what))

    shape = []
    walk(obj, 0, shape)
    if not shape or 0 in shape:
        raise ShapeError(f"{what} must be a non-empty array, but got {obj!r}")
    if len(values) != math.prod(shape):
        raise ShapeError(f"{what} must be a rectangular nested list, but got {obj!r}")
    return tuple(shape), values


def _as_entry(value, what):
    return strict_sympify(value, f"{what} entries must be numbers or SymPy expressions",
                          " (parse text with symconv.parsing.parse_math first)")


def _shape_tuple(input_shape):
    if isinstance(input_shape, numbers.Integral) or getattr(input_shape, "is_Integer", False):
        return (as_int(input_shape, "input_shape", 1),)
    if not isinstance(input_shape, str) and hasattr(input_shape, "__len__") and len(input_shape):
        return tuple(as_int(n, "input_shape", 1) for n in input_shape)
    raise ShapeError(f"input_shape must be a positive int or a non-empty tuple of them, "
                     f"but got {input_shape!r}")


class _Geometry:
    """Everything the entry builder needs, validated once (the 'plan')."""

    __slots__ = ("kshape", "values", "F", "Cg", "C", "groups", "single", "ksize",
                 "spatial", "stride", "dilation", "pads", "flip")

    def __init__(self, kernel, input_shape, stride, padding, dilation, groups, flip,
                 transpose=False):
        kshape, values = _nested_shape_and_values(kernel, "kernel")
        shape = _shape_tuple(input_shape)
        self.groups = as_int(groups, "groups", 1)
        if len(shape) == len(kshape):          # single channel: kernel (*k), input (*n)
            self.single = True
            if self.groups != 1:
                raise ShapeError(f"groups must be 1 for a single-channel kernel, but got {self.groups}")
            self.F, self.Cg, self.C = 1, 1, 1
            self.ksize = kshape
            spatial = shape
        elif len(shape) == len(kshape) - 1 and len(kshape) >= 3:  # (F, C/g, *k) and (C, *n)
            self.single = False
            self.F, self.Cg = kshape[0], kshape[1]
            self.ksize = kshape[2:]
            self.C = self.Cg * self.groups
            spatial = shape[1:]
            if transpose and shape[0] != self.F:
                raise ShapeError(f"input channels of a transposed convolution must equal "
                                 f"kernel.shape[0] = {self.F}, but got {shape[0]}")
            if not transpose and shape[0] != self.C:
                raise ShapeError(
                    f"input channels must equal kernel.shape[1] * groups = {self.Cg} * {self.groups}"
                    f" = {self.Cg * self.groups}, but got {shape[0]}")
            if self.F % self.groups:
                raise ShapeError(f"groups must divide the number of filters, but {self.groups} "
                                 f"does not divide {self.F}")
        else:
            raise ShapeError(
                "input_shape must have as many entries as the kernel has axes (single channel: "
                "kernel (*k), input (*n)) or one fewer (kernel (F, C, *k), input (C, *n)), but got "
                f"kernel shape {kshape} and input_shape {shape}")
        ndim = len(self.ksize)
        self.kshape = kshape
        self.values = values
        self.stride = int_tuple(stride, ndim, "stride", 1)
        self.dilation = int_tuple(dilation, ndim, "dilation", 1)
        self.pads = padding_pairs(padding, self.ksize, self.stride, self.dilation)
        self.flip = bool(flip)
        self.spatial = spatial

    def weight(self, f, cl, m):
        """Kernel entry for filter f, local channel cl, spatial index m (flip applied)."""
        if self.flip:
            m = tuple(k - 1 - mi for k, mi in zip(self.ksize, m))
        index = (f * self.Cg + cl) * math.prod(self.ksize) + _flat(m, self.ksize)
        return self.values[index]


def _flat(index, shape):
    flat = 0
    for i, n in zip(index, shape):
        flat = flat * n + i
    return flat


def _entries(geo, n_in, n_out, padded):
    """Non-zero entries ``{(row, col): w}`` of the forward matrix.

    ``n_in``: spatial input size (unpadded), ``n_out``: spatial output size.
    Row ``(f, o)``, column ``(c, o*s + d*m - p_lo)`` (or ``o*s + d*m`` when padded).
    """
    ndim = len(geo.ksize)
    n_cols_sp = tuple(n + (lo + hi if padded else 0) for n, (lo, hi) in zip(n_in, geo.pads))
    out_strides = row_major_strides(n_out)
    in_strides = row_major_strides(n_cols_sp)
    out_size, in_size = math.prod(n_out), math.prod(n_cols_sp)
    rows, cols = geo.F * out_size, geo.C * in_size
    if max(rows, cols) > MAX_MATRIX_SIDE:
        raise ShapeError(f"the convolution matrix must have at most {MAX_MATRIX_SIDE} rows and "
                         f"columns, but this one would be {rows} x {cols}")
    # per dimension and per tap m_i: the (row offset, column offset) pairs that hit the input
    per_dim = []
    for i in range(ndim):
        s, d, (lo, _hi) = geo.stride[i], geo.dilation[i], geo.pads[i]
        shift = 0 if padded else lo
        taps = []
        for m in range(geo.ksize[i]):
            pairs = []
            for o in range(n_out[i]):
                p = o * s + d * m - shift
                if 0 <= p < n_cols_sp[i]:
                    pairs.append((o * out_strides[i], p * in_strides[i]))
            taps.append(pairs)
        per_dim.append(taps)
    entries = {}
    filters_per_group = geo.F // geo.groups
    for f in range(geo.F):
        group = f // filters_per_group
        for cl in range(geo.Cg):
            c = group * geo.Cg + cl
            row0, col0 = f * out_size, c * in_size
            for m in itertools.product(*(range(k) for k in geo.ksize)):
                w = geo.weight(f, cl, m)
                if w.is_zero is True:
                    continue
                for combo in itertools.product(*(per_dim[i][m[i]] for i in range(ndim))):
                    row = row0 + sum(r for r, _ in combo)
                    col = col0 + sum(q for _, q in combo)
                    entries[(row, col)] = w  # distinct taps never share (row, col)
    return entries, rows, cols


def _build(entries, rows, cols, sparse, transpose):
    if transpose:
        entries = {(c, r): v for (r, c), v in entries.items()}
        rows, cols = cols, rows
    if sparse:
        return sympy.SparseMatrix(rows, cols, entries)
    dense = sympy.zeros(rows, cols)
    for (r, c), v in entries.items():
        dense[r, c] = v
    return dense


def _forward_sizes(geo):
    from symconv.nn.shapes import conv_output_size

    return tuple(conv_output_size(n, k, s, p, d) for n, k, s, p, d in
                 zip(geo.spatial, geo.ksize, geo.stride, geo.pads, geo.dilation))


def _transpose_sizes(geo, output_padding):
    from symconv.nn.shapes import conv_transpose_output_size

    ndim = len(geo.ksize)
    ops = int_tuple(output_padding, ndim, "output_padding", 0)  # shapes checks op < max(s, d)
    return tuple(conv_transpose_output_size(n, k, s, p, op, d) for n, k, s, p, op, d in
                 zip(geo.spatial, geo.ksize, geo.stride, geo.pads, ops, geo.dilation))


def _full_shape(geo, channels, spatial):
    return tuple(spatial) if geo.single else (channels, *spatial)


# ---------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------

def conv_matrix(kernel, input_shape, stride=1, padding=0, dilation=1, *, groups=1,
                flip=False, padded=False, sparse=True):
    """The matrix ``M`` of a convolution layer: ``vec(y) = M * vec(x)``.

    Parameters
    ----------
    kernel : list, nested list, SymPy Matrix / Array, NumPy array or Kernel
        Entries may be numbers or SymPy expressions (symbols give the formula). A
        :class:`symconv.nn.kernels.Kernel` contributes its ``'corr'`` array whatever its
        form, so the matrix computes what the kernel approximates.
        A kernel with as many axes as ``input_shape`` has entries is a single-channel
        kernel ``(*k)``; a kernel with one more axis is a layer weight ``(F, C/groups, *k)``
        and then ``input_shape`` is ``(C, *n)``.
    input_shape : int or tuple of int
        Shape of the *unpadded* input ``x``: ``n`` or ``(n1, ..., nN)`` for a single
        channel, ``(C, n1, ..., nN)`` with a channel axis.
    stride, padding, dilation, groups
        As in :func:`symconv.conv_layer` (PyTorch's meaning; ``padding`` may be an int,
        one int or ``(lo, hi)`` pair per dimension, ``'same'`` or ``'valid'``). Zero padding.
    flip : bool, default False
        False: cross-correlation (the layer operation). True: flip the kernel along every
        spatial axis first, i.e. the mathematical convolution ``y[n] = sum_m x[n-m] k[m]``
        (restricted to the same output positions).
    padded : bool, default False
        False: ``M`` acts on ``vec(x)`` (padding zeros are already accounted for, so their
        columns are dropped). True: ``M`` acts on ``vec(x_pad)``, the zero-padded input;
        it then has a column for every padding position.
    sparse : bool, default True
        True returns a ``SparseMatrix`` assembled from its non-zero entries; False a
        dense ``Matrix`` (only sensible for small sizes).

    Returns
    -------
    sympy.SparseMatrix or sympy.Matrix
        Shape ``(F * prod(out), C * prod(n))`` (without ``F``/``C`` for a single channel),
        where ``out`` follows :func:`symconv.conv_output_size`. Row ``(f, o)`` and column
        ``(c, o*s + d*m - p_lo)`` hold ``w[f, c, m]``; both are flattened row-major.

    Examples
    --------
    A 1-D kernel on an input of length 4 with one zero on each side: every row is the
    kernel shifted one step to the right (a Toeplitz matrix), and the padding zeros cut
    off the first and last taps.

    >>> from sympy import symbols, Matrix
    >>> x, y, z = symbols('x y z')
    >>> conv_matrix([x, y, z], 4, padding=1)
    Matrix([
    [y, z, 0, 0],
    [x, y, z, 0],
    [0, x, y, z],
    [0, 0, x, y]])
    >>> a, b, c, d = symbols('a b c d')
    >>> conv_matrix([x, y, z], 4, padding=1) * Matrix([a, b, c, d])
    Matrix([
    [      a*y + b*z],
    [a*x + b*y + c*z],
    [b*x + c*y + d*z],
    [      c*x + d*y]])

    Acting on the padded input ``[0, a, b, c, d, 0]`` the full kernel appears in every row:

    >>> conv_matrix([x, y, z], 4, padding=1, padded=True)
    Matrix([
    [x, y, z, 0, 0, 0],
    [0, x, y, z, 0, 0],
    [0, 0, x, y, z, 0],
    [0, 0, 0, x, y, z]])

    The mathematical convolution uses the flipped kernel:

    >>> conv_matrix([x, y, z], 4, flip=True)
    Matrix([
    [z, y, x, 0],
    [0, z, y, x]])

    In 2-D a 2 x 2 kernel on a 3 x 3 image gives a 2 x 3 grid of 2 x 3 Toeplitz blocks
    (doubly-block Toeplitz): the blocks repeat along block diagonals.

    >>> p, q, r, s = symbols('p q r s')
    >>> conv_matrix([[p, q], [r, s]], (3, 3))
    Matrix([
    [p, q, 0, r, s, 0, 0, 0, 0],
    [0, p, q, 0, r, s, 0, 0, 0],
    [0, 0, 0, p, q, 0, r, s, 0],
    [0, 0, 0, 0, p, q, 0, r, s]])

    Stride skips rows; two channels in, one filter out place the blocks side by side:

    >>> conv_matrix([x, y, z], 5, stride=2)
    Matrix([
    [x, y, z, 0, 0],
    [0, 0, x, y, z]])
    >>> conv_matrix([[[1, 2], [3, 4]]], (2, 3))
    Matrix([
    [1, 2, 0, 3, 4, 0],
    [0, 1, 2, 0, 3, 4]])

    Notes
    -----
    Only the non-zero entries are generated: for every filter ``f``, channel ``c`` and
    tap ``m`` the rows ``o`` that reach a real (not padding) input position are listed
    per dimension and combined, so the work is proportional to the number of non-zeros,
    ``F * C/groups * prod(k) * prod(out)`` at most.
    """
    geo = _Geometry(kernel, input_shape, stride, padding, dilation, groups, flip)
    n_out = _forward_sizes(geo)
    entries, rows, cols = _entries(geo, geo.spatial, n_out, padded)
    return _build(entries, rows, cols, sparse, transpose=False)


def conv_transpose_matrix(kernel, input_shape, stride=1, padding=0, output_padding=0,
                          dilation=1, *, groups=1, flip=False, padded=False, sparse=True):
    """The matrix ``T`` of a transposed convolution: ``vec(z) = T * vec(x)``.

    ``input_shape`` is the shape of the transposed convolution's own (small) input ``x``.
    ``T`` equals ``M.T`` where ``M = conv_matrix(kernel, big, stride, padding, dilation)``
    is the forward convolution whose output has the shape of ``x``; ``big`` is
    :func:`symconv.conv_transpose_output_size` of ``x`` (so ``output_padding`` picks which
    of the several input sizes mapping to ``x``'s size is restored). Multiplying by ``T``
    is ``conv_transpose_layer(x, kernel, stride, padding, output_padding, dilation)``::

        z[c, j] = sum_f sum_i sum_m x[f, i] * w[f, c, m]   over  i*s + d*m - p_lo = j

    Parameters
    ----------
    kernel : as in :func:`conv_matrix`
        Layer weight ``(F, C/groups, *k)`` in PyTorch's ``ConvTranspose`` layout (``F``
        input channels of the transposed convolution), or a single-channel ``(*k)``.
    input_shape : int or tuple of int
        ``(F, *n_small)`` with a channel axis, ``n_small`` for a single channel.
    stride, padding, output_padding, dilation, groups
        PyTorch's meaning; ``output_padding`` must be smaller than stride or dilation.
    flip, padded, sparse
        As in :func:`conv_matrix`; ``padded=True`` returns ``z`` before the padding is
        cropped away (rows for every position of the padded big grid).

    Returns
    -------
    sympy.SparseMatrix or sympy.Matrix
        Shape ``(C * prod(big), F * prod(n_small))``.

    Examples
    --------
    The upsampling example: ``[a, b]`` with kernel ``[x, y, z]`` and stride 2. Each input
    value stamps a scaled copy of the kernel; overlaps add up.

    >>> from sympy import symbols, Matrix
    >>> a, b, x, y, z = symbols('a b x y z')
    >>> T = conv_transpose_matrix([x, y, z], 2, stride=2)
    >>> T
    Matrix([
    [x, 0],
    [y, 0],
    [z, x],
    [0, y],
    [0, z]])
    >>> (T * Matrix([a, b])).T
    Matrix([[a*x, a*y, a*z + b*x, b*y, b*z]])

    It is the transpose of the forward matrix, and it restores the length 4 that the
    padded convolution of the module example started from:

    >>> conv_transpose_matrix([x, y, z], 4, padding=1) == conv_matrix([x, y, z], 4, padding=1).T
    True
    >>> conv_transpose_matrix([x, y, z], 2, stride=2, padding=1, output_padding=1).shape
    (4, 2)
    """
    geo = _Geometry(kernel, input_shape, stride, padding, dilation, groups, flip, transpose=True)
    # the transposed convolution's input plays the role of the forward output
    n_small = geo.spatial
    n_big = _transpose_sizes(geo, output_padding)
    entries, rows, cols = _entries(geo, n_big, n_small, padded)
    return _build(entries, rows, cols, sparse, transpose=True)


def matrix_shapes(kernel, input_shape, stride=1, padding=0, dilation=1, *, groups=1,
                  transpose=False, output_padding=0):
    """Shapes ``(x_shape, y_shape)`` that ``vec`` / ``unvec`` use around the matrix.

    For ``transpose=False`` these are the input and output of :func:`conv_matrix`; for
    ``transpose=True`` those of :func:`conv_transpose_matrix` (small input, big output).

    >>> matrix_shapes([1, 2, 3], 4, padding=1)
    ((4,), (4,))
    >>> matrix_shapes([[[[1, 2], [3, 4]]]] * 3, (1, 5, 5), stride=2)
    ((1, 5, 5), (3, 2, 2))
    >>> matrix_shapes([1, 2, 3], 2, stride=2, transpose=True)
    ((2,), (5,))
    """
    geo = _Geometry(kernel, input_shape, stride, padding, dilation, groups, False, transpose)
    if transpose:
        n_big = _transpose_sizes(geo, output_padding)
        return _full_shape(geo, geo.F, geo.spatial), _full_shape(geo, geo.C, n_big)
    return _full_shape(geo, geo.C, geo.spatial), _full_shape(geo, geo.F, _forward_sizes(geo))


def vec(array):
    """Row-major flattening of an array into a SymPy column vector.

    >>> from sympy import Matrix
    >>> vec(Matrix([[1, 2], [3, 4]])).T
    Matrix([[1, 2, 3, 4]])
    >>> vec([[[1], [2]], [[3], [4]]]).shape
    (4, 1)
    """
    _shape, values = _nested_shape_and_values(array, "array")
    return sympy.Matrix(values)


def unvec(vector, shape):
    """Inverse of :func:`vec`: reshape a vector (row-major) into a SymPy ``Array``.

    >>> from sympy import Matrix
    >>> unvec(Matrix([1, 2, 3, 4, 5, 6]), (2, 3))
    [[1, 2, 3], [4, 5, 6]]
    >>> unvec([1, 2, 3, 4, 5, 6], (2, 2))
    Traceback (most recent call last):
    ...
    symconv.errors.ShapeError: vector length must equal prod(shape) = 4, but got 6
    """
    shape = _shape_tuple(shape)
    if isinstance(vector, sympy.MatrixBase):
        values = list(vector)
    else:
        values = _nested_shape_and_values(vector, "vector")[1]
    if len(values) != math.prod(shape):
        raise ShapeError(f"vector length must equal prod(shape) = {math.prod(shape)}, "
                         f"but got {len(values)}")
    return sympy.ImmutableDenseNDimArray(values, shape)
