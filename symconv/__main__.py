"""``python -m symconv``: the same command line as ``symconv``."""

from symconv.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
