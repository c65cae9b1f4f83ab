#!/usr/bin/env bash
# Installs a LaTeX engine (pdflatex with amsmath) from Debian's packages.
# Needed only to compile generated .tex files into PDFs; everything else works without it.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  texlive-latex-base texlive-latex-recommended >/dev/null
