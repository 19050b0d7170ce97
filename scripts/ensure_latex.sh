#!/bin/sh
# `make pdf` builds the book through LaTeX (XeLaTeX, for the glossary's Chinese terms). Everything it
# needs comes from Debian: install it with apt when run as root, otherwise say what to install.
packages="latexmk texlive-xetex texlive-latex-extra texlive-fonts-recommended texlive-lang-chinese fonts-noto-cjk fonts-freefont-otf"
if command -v latexmk >/dev/null 2>&1 && command -v xelatex >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing TeX Live for make pdf (about 1 GB): $packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends $packages >/dev/null || {
        apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $packages >/dev/null; }
    exit $?
fi
echo "make pdf needs TeX Live: sudo apt-get install $packages" >&2
exit 1
