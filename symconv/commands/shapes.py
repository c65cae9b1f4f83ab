"""``symconv shapes``: the shape and parameter table of a CNN, optionally symbolic and checked.

Examples::

    symconv shapes alexnet                      # torchvision's AlexNet at 3x224x224
    symconv shapes alexnet --input 3,n,n        # floor expressions per layer, valid n
    symconv shapes resnet18 --input 3,n,n --check 64
    symconv shapes lenet5 --latex               # a LaTeX tabular
    symconv shapes my_net.json --input 1,28,28  # a user's layer list
    symconv shapes --list                       # the catalogue

``--check N`` runs the NumPy executor (:mod:`symconv.numeric`) through the whole network
at spatial size ``N`` with random float32 weights and a batch of one, and compares the
shape every layer actually produced with the symbolic table evaluated at ``N``. It exits
with status 1 when any layer disagrees.

The JSON network format (a list of layers, or an object with ``"layers"`` and optional
``"name"``, ``"input"`` and ``"description"``) is described in the epilog of
``symconv shapes --help`` and in :func:`symconv.architectures.layer_from_dict`.
"""

import argparse
import os
import re

from symconv.errors import ParseError, ShapeError, SymconvError

NAME = "shapes"
HELP = "Shape and parameter table of a CNN (catalogue name or JSON layer list), symbolic sizes allowed"

_EPILOG = """\
ARCH is a catalogue name (see --list) or a path to a JSON file holding a layer list:

  {"name": "tiny", "input": [1, 28, 28],
   "layers": [
     {"type": "conv", "out_channels": 6, "kernel_size": 5, "padding": 2},
     {"type": "relu"},
     {"type": "maxpool", "kernel_size": 2},
     {"type": "residual",
      "main": [{"type": "conv", "out_channels": 6, "kernel_size": 3, "padding": 1}],
      "shortcut": []},
     {"type": "flatten"},
     {"type": "linear", "out_features": 10}]}

Layer types and their fields (PyTorch's meaning; defaults as in torch.nn):
  conv            out_channels, kernel_size, stride, padding ("same", "valid", "causal" on
                  1-D, ints or [lo, hi] pairs), dilation, groups, bias, in_channels, weight_norm
  conv_transpose  out_channels, kernel_size, stride, padding, output_padding, dilation, groups, bias
  pool            kernel_size, stride, padding, dilation, mode ("max"|"avg"), ceil_mode,
                  count_include_pad
  adaptive_pool   output_size, mode
  linear          out_features, in_features (checked when given), bias, weight_norm
  flatten         start_dim, end_dim
  batchnorm       eps
  activation      function: relu|relu6|tanh|sigmoid|silu|swish|hardswish|hardsigmoid|elu
                  (alpha)|leaky_relu (negative_slope)|gelu|softmax|identity
  prelu           num_parameters, init
  dropout         p
  residual        main (a layer list), shortcut (a layer list; empty = identity), activation
  graph           nodes: layers with a "name" and "inputs" (node names; "input" is the
                  graph's input; default: the node before); the last node is the output
  concat          dim (a graph node reading two or more nodes)
  add, multiply   elementwise with broadcasting (graph nodes); add takes an activation
  upsample        scale_factor or size, mode ("nearest"|"bilinear"|...), align_corners
  pixel_shuffle   upscale_factor
  channel_shuffle groups
  layernorm       normalized_shape, eps, elementwise_affine, bias
  layernorm2d     eps (over the channels, ConvNeXt)
  groupnorm       num_groups, eps, affine
  layer_scale     init
  permute         dims
  slice           dim, start, stop, step, index
  mean            dims, keepdim
  unflatten       dim, sizes (positive, at most one -1)
  learned_tensor  shape, op ("multiply"|"add"), params (a model tensor times/plus the input)
  scalar          op ("add"|"subtract"|"multiply"|"divide"|"power"), value, reverse
                  (value - x); elementwise with a number, no parameters
  pad             padding ([lo, hi] per spatial axis), mode ("constant"|"reflect"|
                  "replicate"|"circular"), value
  shared          layer (a layer), owner (the row whose parameters it reuses; counts 0)
  class_token     count
  position_embedding  length
Shorthands: maxpool, avgpool, relu, relu6, tanh, sigmoid, silu, swish, hardswish,
hardsigmoid, elu, gelu, leaky_relu, fc, dense, bn, cat, mul, crop, interpolate. Every layer
may have a "name". Sizes are ints or lists of ints (one per spatial dimension); padding
may also be a list of [lo, hi] pairs. A bare JSON list of layers works too.

--input is C,H,W (or C,L / C,D,H,W) with integers or names (3,n,n); names are positive
integer symbols. A batch axis of --batch is put in front.
"""

_MAX_DIGITS = 30  # sizes are counts of pixels; longer numbers are refused, never converted
_INT = re.compile(r"[0-9]+\Z")
# a size name: a letter, then letters, digits or inner underscores (as the answer parser)
_NAME = re.compile(r"[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?\Z")


def add_arguments(parser):
    parser.epilog = _EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("arch", nargs="?",
                        help="catalogue name (lenet5, alexnet, vgg11..vgg19, resnet18..resnet152, "
                             "resnext50_32x4d, squeezenet1_1, mobilenet_v2, mobilenet_v3_small, "
                             "mobilenet_v3_large, efficientnet_b0, densenet121, googlenet, "
                             "shufflenet_v2_x1_0, convnext_tiny, unet, dcgan_generator, "
                             "dcgan_discriminator; see --list) or a JSON file with a layer list")
    parser.add_argument("--input", metavar="C,H,W",
                        help="input size without the batch axis, e.g. 3,224,224 or 3,n,n "
                             "(default: the network's own input size)")
    parser.add_argument("--batch", type=int, default=1, metavar="N",
                        help="batch size put in front of --input (default 1)")
    parser.add_argument("--latex", action="store_true", help="print a LaTeX tabular instead")
    parser.add_argument("--check", nargs="?", const=True, default=None, metavar="N",
                        help="run the NumPy executor at spatial size N (every symbol of --input "
                             "set to N) with random weights and compare every layer's shape")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the random input and weights for --check (default 0)")
    parser.add_argument("--list", action="store_true", help="list the catalogue and exit")


def parse_input(text):
    """Parse ``'3,n,n'`` into ``(3, n, n)``: integers and identifiers only, never evaluated.

    >>> parse_input('3, n, n')
    (3, n, n)
    >>> parse_input('3,n+1,n')
    Traceback (most recent call last):
    ...
    symconv.errors.ParseError: --input entries must be positive integers or names, but got 'n+1' (entry 2)
    >>> parse_input('3,__import__,n')
    Traceback (most recent call last):
    ...
    symconv.errors.ParseError: --input entries must be positive integers or names, but got '__import__' (entry 2)
    """
    from symconv.nn.architectures.table import size_symbol

    entries = []
    offset = 0
    for index, token in enumerate(text.split(","), start=1):
        stripped = token.strip()
        if _INT.match(stripped) and len(stripped) > _MAX_DIGITS:
            raise ParseError(f"--input entries must have at most {_MAX_DIGITS} digits, but entry "
                             f"{index} has {len(stripped)}", position=offset)
        if _INT.match(stripped) and int(stripped) >= 1:
            entries.append(int(stripped))
        elif _NAME.match(stripped):
            entries.append(size_symbol(stripped))
        else:
            raise ParseError(f"--input entries must be positive integers or names, but got "
                             f"{stripped!r} (entry {index})", position=offset)
        offset += len(token) + 1
    if len(entries) < 2:
        raise ParseError(f"--input must be C followed by at least one spatial size, but got {text!r}")
    return tuple(entries)


def _resolve(arch):
    from symconv.nn import architectures

    if arch.lower().endswith(".json") or os.path.sep in arch or os.path.isfile(arch):
        return architectures.load_json(arch)
    return architectures.get(arch)


def _listing():
    from symconv.nn import architectures
    from symconv.nn.architectures import infer_shapes

    lines = []
    width = max(len(name) for name in architectures.names())
    for name in architectures.names():
        arch = architectures.get(name)
        table = infer_shapes(arch)
        size = "x".join(str(v) for v in arch.input_shape)
        lines.append(f"{name:<{width}} input {size:<10} {table.total_params:>12,} params  "
                     f"{arch.description}")
    return "\n".join(lines)


def run(args):
    from symconv.nn.architectures import infer_shapes

    if args.list:
        print(_listing())
        return 0
    if not args.arch:
        raise SymconvError("ARCH must be a catalogue name or a JSON file (see --list), but got nothing")
    if args.batch < 1:
        raise SymconvError(f"--batch must be an integer >= 1, but got {args.batch}")
    check_size = None
    if args.check is not None and args.check is not True:
        if not _INT.match(args.check) or int(args.check) < 1:
            raise ParseError(f"--check must be a positive integer, but got {args.check!r}")
        check_size = int(args.check)

    arch = _resolve(args.arch)
    if args.input is not None:
        shape = parse_input(args.input)
    elif arch.input_shape is not None:
        shape = arch.input_shape
        if check_size is not None and len(shape) == 2:
            # a 1-D input (C, L) is a time axis, not an image side: it is not made
            # symbolic; --check N runs the network on a signal of length N
            shape = (shape[0], check_size)
        elif check_size is not None:
            # check a symbolic table: every spatial size becomes n
            from symconv.nn.architectures.table import size_symbol

            shape = (shape[0],) + (size_symbol("n"),) * (len(shape) - 1)
    else:
        raise SymconvError(f"--input must be given for {arch.name!r}, which names no input size, "
                           "but got none")
    if arch.input_shape is not None and len(shape) != len(arch.input_shape):
        example = ",".join(str(v) for v in arch.input_shape)
        raise ShapeError(f"--input for {arch.name} must have {len(arch.input_shape)} entries "
                         f"(channels, then sizes; e.g. {example}), but got {args.input} "
                         f"({len(shape)} entries)")
    table = infer_shapes(arch, (args.batch, *shape))
    # everything --check needs is validated before the table is printed
    if args.check is not None and table.symbols and check_size is None:
        raise SymconvError("--check needs a size N when --input has symbols "
                           f"({', '.join(s.name for s in table.symbols)}), but got none")
    if args.check is not None and not table.symbols and check_size is not None \
            and args.input is not None and any(v != check_size for v in shape[1:]):
        raise SymconvError(f"--check N sets the symbols of --input, but --input "
                           f"{args.input} has none; use --check alone or a symbolic --input")
    if args.latex:
        text = table.latex()
        if text.startswith(r"\begin{longtable}"):
            text = "% a long table: needs \\usepackage{longtable}\n" + text
        print(text)
    else:
        print(table)

    if args.check is None:
        return 0
    if table.symbols:
        concrete = table.substitute({s: check_size for s in table.symbols})
        where = ", ".join(f"{s}={check_size}" for s in table.symbols)
    else:
        concrete = table
        where = "x".join(str(v) for v in shape[1:])
    print()
    return _check(arch.layers, concrete, where, args.seed)


def _check(layers, concrete, where, seed):
    """Run the executor and compare shapes row by row; return the exit status."""
    import numpy as np

    from symconv.architectures import run_numpy

    rng = np.random.default_rng(seed)
    x = rng.standard_normal(concrete.input_shape, dtype=np.float32)
    print(f"check at {where}: NumPy executor, random float32 weights (seed {seed}), "
          f"input {tuple(x.shape)}")
    try:
        y, produced = run_numpy(layers, x, rng)
    except SymconvError as exc:
        print(f"FAILED: the executor raised: {exc}")
        return 1
    width = max(len(row.name) for row in concrete.rows)
    mismatches = 0
    for row, (name, actual) in zip(concrete.rows, produced):
        expected = tuple(row.output_shape)
        if name == row.name and actual == expected:
            print(f"  {row.name:<{width}}  {str(expected):<22} OK")
        else:
            mismatches += 1
            print(f"  {row.name:<{width}}  MISMATCH: table {expected}, executor {actual} ({name})")
    if len(produced) != len(concrete.rows):
        mismatches += 1
        print(f"MISMATCH: the table has {len(concrete.rows)} rows, the executor produced "
              f"{len(produced)}")
    if not np.all(np.isfinite(y)):
        print("note: the output holds non-finite values (random weights); shapes are unaffected")
    if mismatches:
        print(f"{mismatches} of {len(concrete.rows)} layers disagree with the symbolic table")
        return 1
    print(f"all {len(concrete.rows)} layers match the table")
    return 0
