#!/usr/bin/env python3
"""Copy the pinned KaTeX release into symconv/explore/vendor/katex/ (run by a maintainer).

The explorer page (``symconv explore``) renders formulas with KaTeX and must work
offline after a plain ``pip install .``, so the few files it needs are committed as
package data. This script is how they got there, and how to update them:

    python scripts/vendor_katex.py            # fetch with `npm pack`, verify, copy
    python scripts/vendor_katex.py --check    # only verify the committed files (no network)

It downloads the npm tarball of exactly ``katex@VERSION`` (``npm pack``; nothing is
installed), refuses it unless its sha512 equals the integrity recorded below (the value
the registry publishes as ``dist.integrity``), and copies ``katex.min.js``,
``katex.min.css``, the ``.woff2`` fonts and the MIT ``LICENSE``. ``MANIFEST.json`` beside
them records the version, the tarball integrity and the sha256 of every copied file;
``--check`` (and the test suite) recompute those hashes.

Only the woff2 fonts are kept: every browser that runs KaTeX reads them, and the CSS
lists woff2 first, so the woff/ttf fallbacks it also names are never requested.
"""

import argparse
import base64
import hashlib
import json
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile

VERSION = "0.19.1"
INTEGRITY = "sha512-jG8uKntjSEcm2EpQOh0XturpPuuC9r3Sq5HLHdsFdWZT27E672SF19QEi+of0/YeOy15lDgRhKvr5614uRrEfA=="
DEST = pathlib.Path(__file__).resolve().parent.parent / "symconv" / "explore" / "vendor" / "katex"


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        subprocess.run(["npm", "pack", "--loglevel=error", f"katex@{VERSION}", "--pack-destination", str(tmp)],
                       check=True, stdout=subprocess.DEVNULL)
        tarball = next(tmp.glob("katex-*.tgz"))
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if digest != INTEGRITY:
            sys.exit(f"katex@{VERSION} tarball has integrity {digest}, expected {INTEGRITY}")
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, filter="data")
        package = tmp / "package"
        if json.loads((package / "package.json").read_text())["version"] != VERSION:
            sys.exit("the tarball's package.json does not say version " + VERSION)
        if DEST.exists():
            shutil.rmtree(DEST)
        (DEST / "fonts").mkdir(parents=True)
        wanted = [("dist/katex.min.js", "katex.min.js"), ("dist/katex.min.css", "katex.min.css"),
                  ("LICENSE", "LICENSE")]
        wanted += [(f"dist/fonts/{f.name}", f"fonts/{f.name}")
                   for f in sorted((package / "dist" / "fonts").glob("*.woff2"))]
        for source, target in wanted:
            shutil.copyfile(package / source, DEST / target)
    files = {target: _sha256(DEST / target) for _source, target in wanted}
    manifest = {"package": "katex", "version": VERSION, "tarball_integrity": INTEGRITY,
                "source": f"npm pack katex@{VERSION}", "license": "MIT (LICENSE)",
                "sha256": files}
    (DEST / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    print(f"copied {len(files)} files of katex {VERSION} into {DEST}")


def check():
    """Return a list of problems with the committed files (empty when they match)."""
    manifest = json.loads((DEST / "MANIFEST.json").read_text())
    problems = []
    if manifest["version"] != VERSION:
        problems.append(f"MANIFEST.json records version {manifest['version']}, expected {VERSION}")
    for name, digest in manifest["sha256"].items():
        path = DEST / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif _sha256(path) != digest:
            problems.append(f"{name} has sha256 {_sha256(path)}, MANIFEST.json records {digest}")
    extra = {str(p.relative_to(DEST)) for p in DEST.rglob("*") if p.is_file()}
    extra -= set(manifest["sha256"]) | {"MANIFEST.json"}
    problems += [f"{name} is not in MANIFEST.json" for name in sorted(extra)]
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed files only")
    args = parser.parse_args()
    if args.check:
        problems = check()
        for p in problems:
            print(p)
        print(f"katex {VERSION}: " + ("OK" if not problems else f"{len(problems)} problem(s)"))
        return 1 if problems else 0
    fetch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
