# rnncourse: two commands set everything up.
#   make book   create .venv, install the pinned requirements and the package, build the HTML book
#   make test   the same setup, then every check: the strict book build, then pytest (unit tests, nbval
#               over every notebook, the grader's sandbox, and the browser tests against the built pages)
# Other targets: make lab (JupyterLab with live widgets), make execute (refresh stored notebook
# outputs), make pdf (the whole book as one PDF, needs TeX Live from Debian), make clean.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stamp-install
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb) $(wildcard exercises/solutions/*.ipynb))
JB_BUILD  := $(BIN)/jupyter-book build . --toc book/_toc.yml
# xdist workers: two cores; --dist loadfile keeps every cell of a notebook on one kernel, in order
PYTEST_PAR := -n 2 --dist loadfile

.PHONY: setup browser sandbox book test lab execute pdf clean

# Re-runs only when the pins or the package metadata change, so a second `make book` takes seconds.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

setup: $(STAMP)

book: setup
	$(JB_BUILD)
	@echo "Open $(CURDIR)/_build/html/index.html in a browser."

# Debian's Chromium and ChromeDriver for tests/test_browser.py: installed with apt when missing and
# possible; otherwise the script says loudly what to install and those tests are skipped (-rs below
# lists the reason).
browser:
	@sh scripts/ensure_browser.sh

# Debian's bubblewrap for the grader's sandbox (rnncourse.grade runs every student answer in it, and
# tests/test_grader*.py check it): installed with apt when missing and possible, as for the browser.
sandbox:
	@sh scripts/ensure_sandbox.sh

# The book is built first (warnings are errors, every page rebuilt) because the browser tests read it.
test: setup browser sandbox
	$(JB_BUILD) -W -n --keep-going --all
	$(BIN)/python -m pytest -rs $(PYTEST_PAR) tests $(NOTEBOOKS) --nbval --nbval-current-env \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=120 -p no:cacheprovider

# RNNCOURSE_WIDGETS=1: live ipywidgets sliders (rnncourse.interactive); RNNCOURSE_PROGRESS=1: tqdm bars.
lab: setup
	RNNCOURSE_WIDGETS=1 RNNCOURSE_PROGRESS=1 $(BIN)/jupyter lab chapters

# Execute every notebook in place so its stored outputs are fresh; `make test` proves they still are.
execute: setup
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=300 \
	    --ExecutePreprocessor.record_timing=False $(NOTEBOOKS)

# PDF through LaTeX: needs Debian's TeX Live (see scripts/ensure_latex.sh for the package list).
pdf: setup
	@sh scripts/ensure_latex.sh
	$(JB_BUILD) --builder pdflatex
	@echo "PDF: $$(ls $(CURDIR)/_build/latex/*.pdf)"

clean:
	rm -rf _build .pytest_cache
