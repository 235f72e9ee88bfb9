# Chapter 6 notebooks. Two commands do all set-up:  make lab  ·  make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Offline data: use ../shared/assets when it sits beside the clone and nothing else was said.
SHARED_DATA := $(abspath $(wildcard ../shared/assets/datasets))
ifneq ($(SHARED_DATA),)
export CH6_DATA_DIR ?= $(SHARED_DATA)
endif

NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root)
NBVAL     := --nbval-lax --sanitize-with tests/nbval_sanitize.cfg --nbval-current-env
# Tests write only here (ignored by git), never into the user's ~/.cache/ch6 or the repository.
TEST_ENV  := CH6_QUICK=1 MPLBACKEND=Agg CH6_CACHE_DIR=$(CURDIR)/build/test-cache CH6_MODEL_DIR= CH6_RESULTS_DIR= CH6_CHECKPOINT_DIR=
PYTEST    := $(BIN)/python -m pytest -q -rs
# make test: the notebooks run once, first (build/executed/ is what later tests read), then the rest.
TEST_PARTS := test-sections test-unit test-doctests
# The commands that refresh the repository's saved checkpoints and results (and only they) write there.
SAVED     := $(CURDIR)/helpers/_course/saved
REFRESH_ENV := CH6_QUICK=0 CH6_RESULTS_DIR=$(SAVED)/results CH6_CHECKPOINT_DIR=$(SAVED)/checkpoints

.PHONY: install lab test test-unit test-doctests test-notebooks test-sections test-browser test-colab bench full checkpoints clean-notebooks refresh-outputs slides repo-url

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

lab: install  ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks/

test: install  ## the whole suite, quick mode: every notebook once (section by section, checked outputs), unit tests, doctests; fails if it changed a tracked file or the user's saved models
	$(BIN)/python tools/tree_state.py save build/tree-state.json
	@mkdir -p build && rm -f build/test-times.txt
	@for part in $(TEST_PARTS); do start=$$(date +%s); $(MAKE) --no-print-directory $$part || exit 1; \
	  echo "make $$part: $$(( $$(date +%s) - start )) s" | tee -a build/test-times.txt; done
	$(BIN)/python tools/tree_state.py compare build/tree-state.json

test-unit: install
	$(TEST_ENV) $(PYTEST) tests/ --ignore=tests/test_sections.py

test-doctests: install  ## every docstring example in helpers/ runs
	$(TEST_ENV) $(PYTEST) --doctest-modules helpers

test-notebooks: install  ## optional, not in make test: nbval, each notebook top to bottom in one kernel
	$(TEST_ENV) $(PYTEST) $(NBVAL) --durations=0 $(NOTEBOOKS)

test-sections: install  ## every notebook executed once: each section alone after the setup cell, checked outputs compared; executed copies in build/executed/
	$(TEST_ENV) $(PYTEST) --durations=5 tests/test_sections.py

test-browser: install  ## JupyterLab in headless Chromium: Run All of 6.4 and 6.8, the executed 6.5-6.7 (build/executed/), explorers live, RISE (screenshots: test-output/browser/)
	dpkg -s chromium fonts-nanum >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium fonts-nanum; }
	CH6_QUICK=1 $(BIN)/python -m pytest -q -s --durations=0 tests/browser

COLAB_VENV := build/venv-colab

test-colab:  ## the quick-mode suite on the newest libraries, as Colab follows them (requirements-colab.txt)
	test -x $(COLAB_VENV)/bin/python || $(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COLAB_VENV)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -r requirements-colab.txt
	$(COLAB_VENV)/bin/python -m pip install --quiet -e .
	$(COLAB_VENV)/bin/python -m pip list --format=freeze | grep -iE '^(tensorflow|keras|numpy|matplotlib|scikit-learn|opencv-python-headless|ipywidgets)=='
	$(TEST_ENV) $(COLAB_VENV)/bin/python -m pytest -q -rs tests/test_colab_setup.py
	$(TEST_ENV) $(COLAB_VENV)/bin/python -m pytest -q -rs $(NBVAL) --durations=0 $(NOTEBOOKS)

bench: install  ## benchmark: benchmarks/results/bench.json + table (BENCH_ARGS="--notebooks --investigate" for all)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

slides:  ## (re)write the RISE slide metadata of every notebook
	$(BIN)/python tools/slides.py $(NOTEBOOKS)

full: install  ## run every notebook in full mode (hours); refreshes helpers/_course/saved/
	@echo "make full writes helpers/_course/saved/ (commit them with this command named)."
	for nb in $(NOTEBOOKS); do $(REFRESH_ENV) $(BIN)/python tools/notebooks.py run "$$nb" || exit 1; done
	$(BIN)/python tools/notebooks.py results

checkpoints: install  ## full-mode training of 6-1 … 6-4 and 6-8 (hours): refreshes helpers/_course/saved/
	@echo "make checkpoints writes helpers/_course/saved/ (commit them with this command named)."
	$(REFRESH_ENV) $(BIN)/python tools/notebooks.py run notebooks/6.4-cnn-programming.ipynb --until "## 결과 비교"
	$(REFRESH_ENV) $(BIN)/python tools/notebooks.py run notebooks/6.6-regularization.ipynb --until "## 프로그램 6-9"
	$(BIN)/python tools/evaluate_checkpoints.py $(CH6_DATA_DIR) $(EXTRA_DATA_DIRS)
	$(BIN)/python tools/notebooks.py results

clean-notebooks:  ## strip outputs except the cells nbval checks
	$(BIN)/python tools/notebooks.py clean $(NOTEBOOKS)

refresh-outputs: install  ## re-run notebooks in quick mode and keep only the checked outputs
	$(TEST_ENV) $(BIN)/python tools/notebooks.py refresh $(NOTEBOOKS)

repo-url:  ## point every Colab badge, install line and link at your repository: make repo-url URL=https://github.com/OWNER/NAME
	$(PYTHON) tools/repo_url.py "$(URL)"
