# rnncourse: two commands set everything up.
#   make book   create .venv, install the pinned requirements and the package, build the HTML book
#               (English in _build/html, the Chinese edition in _build/html/zh)
#   make test   the same setup, then every check: the strict book build, pytest (unit tests, nbval
#               over every notebook, the grader's sandbox, the browser tests against the built pages,
#               and JupyterLab driven through Chromium), then nbval over every notebook again under
#               two other CPU instruction-set dispatches (portability)
# Other targets:
#   make translations  after editing English prose: bring the Chinese catalogues (locales/zh_CN/)
#                 up to date; changed paragraphs come back marked fuzzy, new ones empty (README,
#                 "The Chinese edition"; locales/TRANSLATING.md)
#   make check-po PO=chapters/07_lstm   the translation tests of one catalogue only (no build)
#   make lab      students: JupyterLab on workspace/, an untracked (git-ignored) copy of chapters/ and
#                 exercises/ made on the first run; later runs add what is new and never overwrite a
#                 notebook you changed. Live widget sliders and progress bars. LAB_ARGS="--port=8899"
#                 passes options to jupyter lab.
#   make edit     contributors: JupyterLab on the tracked chapters/ and exercises/ themselves, with the
#                 outputs in the form `make execute` stores (animations, no progress bar)
#   make execute  re-execute every notebook in place to refresh its stored outputs (never widgets)
#   make portability  only the two extra nbval passes of make test
#   make pdf      the whole book as one PDF (XeLaTeX; installs Debian's TeX Live as root)
#   make clean    remove build outputs (not workspace/: it holds the student's work)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stamp-install
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb) $(wildcard exercises/solutions/*.ipynb))
JB_BUILD  := $(BIN)/jupyter-book build . --toc book/_toc.yml
# The Chinese edition: the same Sphinx build with language=zh_CN, into _build/html/zh.
# ALLOW_UNTRANSLATED=1 (while chapters are being translated): untranslated and fuzzy messages are
# counted per catalogue instead of failing `make test`; every other check still holds.
ZH_BUILD  := $(BIN)/python scripts/translations.py build
ALLOW_UNTRANSLATED ?=
ZH_ALLOW  := $(if $(ALLOW_UNTRANSLATED),--allow-untranslated)
ZH_ENV    := $(if $(ALLOW_UNTRANSLATED),RNNCOURSE_ALLOW_UNTRANSLATED=1)
# xdist workers: two cores; --dist loadfile keeps every cell of a notebook on one kernel, in order.
# OMP_NUM_THREADS=1 for the test runs: two workers with two BLAS threads each would oversubscribe
# the two cores (the chapters set it themselves, for readers too).
PYTEST_PAR := -n 2 --dist loadfile
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
         --nbval-cell-timeout=120 -p no:cacheprovider

# Portability: the stored outputs must not depend on the CPU that executed them (README, "Stored
# outputs"). Each dispatch below makes PyTorch (ATen), oneDNN, MKL, OpenBLAS and NumPy pick other
# kernels than they pick natively, on AVX2 and on AVX-512 machines alike, so the last bits of float
# results change as they do on another reader's CPU:
#   baseline: ATen's scalar kernels, oneDNN SSE4.1, MKL SSE4.2, OpenBLAS Nehalem, NumPy without its
#             AVX2/AVX-512 loops (X86_V3, X86_V4 and later disabled) -- a pre-2013 x86-64;
#   avx:      ATen AVX2 (differs on AVX-512 machines), oneDNN and MKL AVX (no AVX2/FMA), MKL's AVX
#             conditional-numerical-reproducibility branch, OpenBLAS Sandybridge, NumPy without its
#             AVX-512 loops -- a 2011 Sandy Bridge.
# (On ARM these variables do nothing; the passes then repeat the native one.)
DISPATCH_BASELINE := ATEN_CPU_CAPABILITY=default DNNL_MAX_CPU_ISA=SSE41 MKL_ENABLE_INSTRUCTIONS=SSE4_2 \
    OPENBLAS_CORETYPE=Nehalem NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL AVX512_SPR"
DISPATCH_AVX := ATEN_CPU_CAPABILITY=avx2 DNNL_MAX_CPU_ISA=AVX MKL_ENABLE_INSTRUCTIONS=AVX MKL_CBWR=AVX \
    OPENBLAS_CORETYPE=Sandybridge NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR"

.PHONY: setup browser sandbox book translations check-po test portability lab edit execute pdf clean

# Re-runs only when the pins or the package metadata change, so a second `make book` takes seconds.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

setup: $(STAMP)

# A paragraph without a current translation shows in English in the Chinese edition here (one
# summary line says how many); `make test` fails on it.
book: setup
	$(JB_BUILD)
	$(ZH_BUILD) --allow-untranslated
	@echo "Open $(CURDIR)/_build/html/index.html in a browser."

# Regenerate the gettext templates from the notebooks and pages (_build/gettext) and update every
# catalogue with sphinx-intl; prints each catalogue's counts.
translations: setup
	$(BIN)/python scripts/translations.py update

# Only the translation tests of one catalogue, e.g. make check-po PO=chapters/07_lstm
PO ?=
check-po: setup
	RNNCOURSE_PO="$(PO)" $(BIN)/python -m pytest -q -rs -p no:cacheprovider tests/test_translations.py

# Debian's Chromium and ChromeDriver for tests/test_browser.py: installed with apt when missing and
# possible; otherwise the script says loudly what to install and those tests are skipped (-rs below
# lists the reason).
browser:
	@sh scripts/ensure_browser.sh

# Debian's bubblewrap for the grader's sandbox (rnncourse.grade runs every student answer in it, and
# tests/test_grader*.py check it): installed with apt when missing and possible, as for the browser.
sandbox:
	@sh scripts/ensure_sandbox.sh

# Both editions are built first (warnings are errors, every page rebuilt; in the Chinese one, any
# paragraph without a current translation is a warning) because the browser tests read them.
test: setup browser sandbox
	$(JB_BUILD) -W -n --keep-going --all
	$(ZH_BUILD) -W -n --keep-going --all $(ZH_ALLOW)
	$(ZH_ENV) OMP_NUM_THREADS=1 $(BIN)/python -m pytest -rs $(PYTEST_PAR) tests $(NOTEBOOKS) $(NBVAL)
	@$(MAKE) --no-print-directory portability

# The notebooks again, under each dispatch: every stored output and every assertion must hold.
portability: setup
	@echo "nbval under the baseline dispatch: $(DISPATCH_BASELINE)"
	env OMP_NUM_THREADS=1 $(DISPATCH_BASELINE) $(BIN)/python -m pytest -q $(PYTEST_PAR) $(NOTEBOOKS) $(NBVAL)
	@echo "nbval under the avx dispatch: $(DISPATCH_AVX)"
	env OMP_NUM_THREADS=1 $(DISPATCH_AVX) $(BIN)/python -m pytest -q $(PYTEST_PAR) $(NOTEBOOKS) $(NBVAL)

# rnncourse.lab: copies into workspace/ what is new, signs the course's copies as trusted, starts
# JupyterLab there (--allow-root when root) with RNNCOURSE_WIDGETS=1 (live sliders) and
# RNNCOURSE_PROGRESS=1 (progress bars); a save hook keeps widget outputs out of saved notebooks.
LAB_ARGS ?=
lab: setup
	$(BIN)/python -m rnncourse.lab $(LAB_ARGS)

# The same JupyterLab on the tracked notebooks, with the stored outputs' forms (both switches 0).
edit: setup
	$(BIN)/python -m rnncourse.lab --edit $(LAB_ARGS)

# Execute every notebook in place so its stored outputs are fresh; `make test` proves they still are.
# The switches are forced off and widget state is not stored, whatever the calling shell has set
# (a terminal opened inside `make lab` has RNNCOURSE_WIDGETS=1): stored notebooks hold no widget.
execute: setup
	RNNCOURSE_WIDGETS=0 RNNCOURSE_PROGRESS=0 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.record_timing=False \
	    --ExecutePreprocessor.store_widget_state=False $(NOTEBOOKS)
	$(BIN)/python scripts/coalesce_streams.py $(NOTEBOOKS)

# PDF through LaTeX: needs Debian's TeX Live (see scripts/ensure_latex.sh for the package list).
pdf: setup
	@sh scripts/ensure_latex.sh
	$(JB_BUILD) --builder pdflatex
	@echo "PDF: $$(ls $(CURDIR)/_build/latex/*.pdf)"

clean:
	rm -rf _build .pytest_cache
	find locales -name '*.mo' -delete
