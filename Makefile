# Chapter 6 notebooks. Two commands do all set-up:  make lab  ·  make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

# Offline data: use ../shared/assets when it sits beside the clone and nothing else was said.
SHARED_DATA := $(abspath $(wildcard ../shared/assets/datasets))
ifneq ($(SHARED_DATA),)
export CH6_DATA_DIR ?= $(SHARED_DATA)
endif

NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root)
NBVAL     := --nbval-lax --sanitize-with tests/nbval_sanitize.cfg --nbval-current-env
# Tests write only here (ignored by git), never into the user's ~/.cache/ch6 or the repository;
# they read what `make download` fetched into the user's cache.
DOWNLOADS := $(or $(CH6_DOWNLOAD_DIR),$(CH6_CACHE_DIR),$(HOME)/.cache/ch6)
TEST_ENV  := CH6_QUICK=1 MPLBACKEND=Agg CH6_DOWNLOAD_DIR=$(DOWNLOADS) CH6_CACHE_DIR=$(CURDIR)/build/test-cache CH6_MODEL_DIR= CH6_RESULTS_DIR= CH6_CHECKPOINT_DIR=
PYTEST    := $(BIN)/python -m pytest -q -rs
# make test: the notebooks run once, first (build/executed/ is what later tests read), then the rest.
TEST_PARTS := test-sections test-unit test-doctests
# The commands that refresh the repository's saved checkpoints and results (and only they) write there.
SAVED     := $(CURDIR)/helpers/_course/saved
REFRESH_ENV := CH6_QUICK=0 CH6_RESULTS_DIR=$(SAVED)/results CH6_CHECKPOINT_DIR=$(SAVED)/checkpoints

.PHONY: install install-test lab download test test-unit test-doctests test-no-assets test-notebooks test-sections test-browser colab-replica test-colab test-colab-ci test-colab-latest bench full checkpoints clean-notebooks refresh-outputs slides repo-url

# What a student runs (make lab): the notebooks' libraries only.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# What make test and the maintainers' commands add: the test tools.
$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

lab: install  ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks/

download: install  ## fetch what the notebooks and tests need, so they run offline (WITH=cub,yolov3,resnet50: the big ones too)
	$(BIN)/python tools/download.py $(if $(WITH),--with $(WITH))

test: install-test  ## the whole suite, quick mode: every notebook once (section by section, checked outputs), unit tests, doctests; fails if it changed a tracked file or the user's saved models
	$(BIN)/python tools/tree_state.py save build/tree-state.json
	@mkdir -p build && rm -f build/test-times.txt
	@for part in $(TEST_PARTS); do start=$$(date +%s); $(MAKE) --no-print-directory $$part || exit 1; \
	  echo "make $$part: $$(( $$(date +%s) - start )) s" | tee -a build/test-times.txt; done
	$(BIN)/python tools/tree_state.py compare build/tree-state.json

test-unit: install-test
	$(TEST_ENV) $(PYTEST) tests/ --ignore=tests/test_sections.py

test-doctests: install-test  ## every docstring example in helpers/ runs
	$(TEST_ENV) $(PYTEST) --doctest-modules helpers

test-no-assets: install-test  ## unit tests and doctests in a fresh clone of HEAD without the offline assets, HOME empty, no network
	$(BIN)/python tools/no_assets.py

test-notebooks: install-test  ## optional, not in make test: nbval, each notebook top to bottom in one kernel
	$(TEST_ENV) $(PYTEST) $(NBVAL) --durations=0 $(NOTEBOOKS)

test-sections: install-test  ## every notebook executed once: each section alone after the setup cell, checked outputs compared; executed copies in build/executed/
	$(TEST_ENV) $(PYTEST) --durations=5 tests/test_sections.py

test-browser: install-test  ## JupyterLab in headless Chromium: Run All of 6.4 and 6.8, the executed 6.5-6.7 (build/executed/), explorers live, RISE (screenshots: test-output/browser/)
	dpkg -s chromium fonts-nanum >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium fonts-nanum; }
	CH6_QUICK=1 $(BIN)/python -m pytest -q -s --durations=0 tests/browser

# Google Colab, replicated (tests/colab/runtime.txt, Colab's own list): the notebooks run in its
# kernel while pytest/nbval/nbclient run from .venv.  The pristine replica is kept in COLAB_CACHE
# (each run works in a hard-linked copy under build/colab); COLAB_CACHE= builds it afresh in build/.
COLAB_CACHE ?= $(HOME)/.cache/ch6-colab-replica
COLAB_ENV := $(TEST_ENV) CH6_TEST_KERNEL=colab-replica JUPYTER_PATH=$(CURDIR)/build/colab/share/jupyter
COLAB_NBVAL := --nbval-lax --sanitize-with tests/nbval_sanitize.cfg --nbval-kernel-name colab-replica

colab-replica: install-test  ## build Colab's replica (build/colab) and install the project as the setup cell does
	$(BIN)/python tools/colab_replica.py build $(if $(COLAB_CACHE),--cache $(COLAB_CACHE))
	$(BIN)/python tools/colab_replica.py install

test-colab: colab-replica  ## the quick-mode suite in Colab's replica (every notebook once, section by section, checked outputs compared); run it whenever tests/colab/runtime.txt or the requirements change
	$(COLAB_ENV) $(PYTEST) tests/test_colab_replica.py
	$(COLAB_ENV) $(PYTEST) --durations=5 tests/test_sections.py
	@cat build/colab/timings.json
	@$(BIN)/python -c "import sys; sys.path.insert(0, 'tools'); import colab_replica; print(colab_replica.REFRESH_HINT)"

test-colab-ci: colab-replica  ## CI's part: the install check, every setup cell, 6.8 quick, the replay of 6.4 and 6.6
	$(COLAB_ENV) $(PYTEST) tests/test_colab_replica.py -k "colab_and_the_install or setup_cell or without_network or replay and (nb64 or nb66)"
	$(COLAB_ENV) $(PYTEST) $(COLAB_NBVAL) notebooks/6.8-object-detection.ipynb
	@cat build/colab/timings.json

test-colab-latest:  ## optional: the quick-mode suite on the newest releases of what Colab preinstalls (requirements-colab-latest.txt)
	test -x build/venv-colab-latest/bin/python || $(PYTHON) -m venv build/venv-colab-latest
	build/venv-colab-latest/bin/python -m pip install --quiet --upgrade pip
	build/venv-colab-latest/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -r requirements-colab-latest.txt
	build/venv-colab-latest/bin/python -m pip install --quiet .
	build/venv-colab-latest/bin/python -m pip list --format=freeze | grep -iE '^(tensorflow|keras|numpy|matplotlib|scikit-learn|opencv-python-headless|ipywidgets)=='
	$(TEST_ENV) build/venv-colab-latest/bin/python -m pytest -q -rs $(NBVAL) --durations=0 $(NOTEBOOKS)

bench: install-test  ## benchmark: benchmarks/results/bench.json + table (BENCH_ARGS="--notebooks --investigate" for all)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

slides:  ## (re)write the RISE slide metadata of every notebook
	$(BIN)/python tools/slides.py $(NOTEBOOKS)

full: install-test  ## run every notebook in full mode (hours); refreshes helpers/_course/saved/
	$(REFRESH_ENV) $(BIN)/python tools/preflight.py full
	@echo "make full writes helpers/_course/saved/ (commit them with this command named)."
	for nb in $(NOTEBOOKS); do $(REFRESH_ENV) $(BIN)/python tools/notebooks.py run "$$nb" || exit 1; done
	$(BIN)/python tools/notebooks.py results

checkpoints: install-test  ## full-mode training of 6-1 … 6-4 and 6-8 (hours): refreshes helpers/_course/saved/
	$(REFRESH_ENV) $(BIN)/python tools/preflight.py checkpoints
	@echo "make checkpoints writes helpers/_course/saved/ (commit them with this command named)."
	$(REFRESH_ENV) $(BIN)/python tools/notebooks.py run notebooks/6.4-cnn-programming.ipynb --until "## 결과 비교"
	$(REFRESH_ENV) $(BIN)/python tools/notebooks.py run notebooks/6.6-regularization.ipynb --until "## 프로그램 6-9"
	$(BIN)/python tools/evaluate_checkpoints.py $(CH6_DATA_DIR) $(EXTRA_DATA_DIRS)
	$(BIN)/python tools/notebooks.py results

clean-notebooks: install-test  ## strip outputs except the cells nbval checks
	$(BIN)/python tools/notebooks.py clean $(NOTEBOOKS)

refresh-outputs: install-test  ## re-run notebooks in quick mode and keep only the checked outputs
	$(TEST_ENV) $(BIN)/python tools/notebooks.py refresh $(NOTEBOOKS)

repo-url:  ## point every Colab badge, install line and link at your repository: make repo-url URL=https://github.com/OWNER/NAME
	$(PYTHON) tools/repo_url.py "$(URL)"
