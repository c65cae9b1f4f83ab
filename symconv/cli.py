"""The ``symconv`` command line (also ``python -m symconv``).

Each subcommand lives in its own module under :mod:`symconv.commands` and exposes

* ``NAME``: the subcommand as typed (``"shapes"``, ``"check-proof"``, ...),
* ``HELP``: a one-line summary,
* ``add_arguments(parser)``: declares its options,
* ``run(args) -> int``: does the work and returns the exit status.

Errors a user can cause (:class:`~symconv.errors.SymconvError`) are printed as one
line on stderr with exit status 2, never as a traceback.
"""

import argparse as _argparse
import difflib as _difflib
import importlib as _importlib
import pkgutil as _pkgutil
import sys as _sys

from symconv._util.text import terminal_text as _terminal_text
from symconv.errors import SymconvError as _SymconvError

__all__ = ["main", "build_parser"]


def _command_modules():
    import symconv.commands as package

    for info in sorted(_pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield _importlib.import_module(f"symconv.commands.{info.name}")


def build_parser():
    """The argument parser with one subparser per command module."""
    parser = _argparse.ArgumentParser(
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


def _subcommands(parser):
    for action in parser._actions:
        if isinstance(action, _argparse._SubParsersAction):
            return sorted(action.choices)
    return []


def _unknown(what, given, known):
    """One line: the unknown name, the nearest known one if any is close, else the list."""
    close = _difflib.get_close_matches(given, known, n=1, cutoff=0.6)
    if close:
        return f"symconv: error: unknown {what} {given!r}; did you mean {close[0]!r}?"
    return f"symconv: error: unknown {what} {given!r}; expected one of {', '.join(known)}"


def _unknown_options(parser, args, extra):
    """One line for arguments the subcommand does not take, with the nearest option."""
    options = []
    for action in parser._actions:
        if isinstance(action, _argparse._SubParsersAction) and args.command in action.choices:
            options = [o for a in action.choices[args.command]._actions for o in a.option_strings]
    unknown = next((w for w in extra if w.startswith("-")), extra[0])
    where = f"symconv {args.command}" if args.command else "symconv"
    close = _difflib.get_close_matches(unknown.split("=")[0], options, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else (
        f"; see 'symconv {args.command} --help'" if args.command else "")
    return f"{where}: error: unrecognized argument {unknown!r}{hint}"


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = build_parser()
    words = list(_sys.argv[1:] if argv is None else argv)
    command = next((w for w in words if not w.startswith("-")), None)
    if command is not None:
        known = _subcommands(parser)
        if command not in known:
            print(_unknown("command", command, known), file=_sys.stderr)
            return 2
    args, extra = parser.parse_known_args(words)
    if extra:
        print(_unknown_options(parser, args, extra), file=_sys.stderr)
        return 2
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except _SymconvError as exc:
        print(_terminal_text(f"symconv {args.command}: error: {exc}"), file=_sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=_sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (symconv ... | head): stop quietly, as Unix tools do
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, _sys.stdout.fileno())
        return 141
