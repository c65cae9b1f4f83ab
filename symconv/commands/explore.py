"""``symconv explore``: write the interactive convolution explorer as a static site.

Examples::

    symconv explore --out site/              # then open site/index.html
    symconv explore --out site/ --no-check   # skip the check against symconv's matrices

The site needs no network when viewed (the math renderer is bundled); see
:mod:`symconv.explore` for what it shows and where its numbers come from. Settings are
shared as URL queries such as ``index.html?n=7&k=3&s=2&p=1&d=1&t=0``.
"""

NAME = "explore"
HELP = "Write the interactive convolution explorer (a static, offline HTML page) into a folder"


def add_arguments(parser):
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="folder to write index.html and its files into (created if needed)")
    parser.add_argument("--no-check", action="store_true",
                        help="do not compare the page's window geometry with symconv's matrices "
                             "on the whole grid first (saves a few seconds)")


def run(args):
    from symconv.explore import build_site

    report = build_site(args.out, check=not args.no_check)
    checked = (f"; window geometry checked against symconv's matrices on {report.checked} settings"
               if report.checked else "; not checked against symconv's matrices (--no-check)")
    print(f"wrote {report.files} files ({report.bytes / 1024:.0f} KiB) to {report.path} in "
          f"{report.seconds:.1f} s{checked}")
    print(f"open {report.path / 'index.html'}, e.g. index.html?n=7&k=3&s=2&p=1&d=1&t=0")
    return 0
