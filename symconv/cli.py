"""The ``symconv`` command line (also ``python -m symconv``).

Each subcommand lives in its own module under :mod:`symconv.commands` and exposes

* ``NAME``: the subcommand as typed (``"shapes"``, ``"check-proof"``, ...),
* ``HELP``: a one-line summary,
* ``add_arguments(parser)``: declares its options,
* ``run(args) -> int``: does the work and returns the exit status.

Errors a user can cause (:class:`~symconv.errors.SymconvError`) are printed as one
line on stderr with exit status 2, never as a traceback.
"""

import argparse
import importlib
import pkgutil
import sys

from symconv._util.text import terminal_text
from symconv.errors import SymconvError

__all__ = ["main", "build_parser"]


def _command_modules():
    import symconv.commands as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"symconv.commands.{info.name}")


def build_parser():
    """The argument parser with one subparser per command module."""
    parser = argparse.ArgumentParser(
        prog="symconv",
        description="Symbolic convolution, cross-checked numerically, printable as LaTeX, gradable.")
    from symconv import __version__

    parser.add_argument("--version", action="version", version=f"symconv {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except SymconvError as exc:
        print(terminal_text(f"symconv {args.command}: error: {exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
