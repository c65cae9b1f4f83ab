"""``symconv conv``: the convolution of two signals in closed form, optionally cross-checked.

Examples::

    symconv conv "exp(-a*t)*u(t)" "exp(-b*t)*u(t)" --assume "a>0,b>0"
    symconv conv "rect(t)" "rect(t)" --latex
    symconv conv "a^n*u(n)" "b^n*u(n)" --discrete --assume "a>0,b>0" --check
    symconv conv "[1,2,3]" "[x,y]" --mode full

Formulas are read by the safe parser (:func:`symconv.parsing.parse_math`; ``u``,
``delta``, ``rect``, ``tri``, ``ramp`` are known), never evaluated as Python.
``--check`` compares the result with the independent NumPy executor on random
parameter values and prints the report (see :func:`symconv.verify.crosscheck`);
the exit status is then 1 unless the check agreed.
"""

from symconv.commands import _signal_args

NAME = "conv"
HELP = "Convolution of two signals (formulas or sequences) in closed form, optionally cross-checked"


def add_arguments(parser):
    _signal_args.add_arguments(parser, "conv")


def run(args):
    return _signal_args.run(args, "conv")
