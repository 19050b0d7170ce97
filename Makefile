# rnncourse: two commands set everything up.
#   make book   create .venv, install the pinned requirements and the package, build the HTML book
#   make test   the same setup, then every check (pytest, nbval over the notebooks, strict book build)
# Other targets: make lab (JupyterLab), make execute (refresh stored notebook outputs), make clean.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stamp-install
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb) $(wildcard exercises/solutions/*.ipynb))
JB_BUILD  := $(BIN)/jupyter-book build . --toc book/_toc.yml
# xdist workers: two cores; --dist loadfile keeps every cell of a notebook on one kernel, in order
PYTEST_PAR := -n 2 --dist loadfile

.PHONY: setup book test lab execute clean

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

test: setup
	$(BIN)/python -m pytest $(PYTEST_PAR) tests $(NOTEBOOKS) --nbval --nbval-current-env \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=120 -p no:cacheprovider
	$(JB_BUILD) -W -n --keep-going

lab: setup
	$(BIN)/jupyter lab chapters

# Execute every notebook in place so its stored outputs are fresh; `make test` proves they still are.
execute: setup
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=300 \
	    --ExecutePreprocessor.record_timing=False $(NOTEBOOKS)

clean:
	rm -rf _build .pytest_cache
