"""``symconv corr``: the cross-correlation of two signals in closed form.

The first signal is the shifted one, as in :func:`numpy.correlate` and the layers of
deep-learning libraries: ``(x ⋆ k)(t) = ∫ x(t + τ) conj(k(τ)) dτ``.

Examples::

    symconv corr "exp(-a*t)*u(t)" "exp(-a*t)*u(t)" --assume "a>0"
    symconv corr "[1,2,3]" "[0,1,0.5]" --mode full --check

Options and exit status as for ``symconv conv``; for sequences the default mode is
numpy's ``'valid'``.
"""

from symconv.commands import _signal_args

NAME = "corr"
HELP = "Cross-correlation of two signals (first one shifted, numpy's convention), optionally cross-checked"


def add_arguments(parser):
    _signal_args.add_arguments(parser, "corr")


def run(args):
    return _signal_args.run(args, "corr")
