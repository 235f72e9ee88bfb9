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

.PHONY: install lab test test-unit test-notebooks test-browser test-colab bench full checkpoints clean-notebooks refresh-outputs slides

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

lab: install  ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks/

test: test-unit test-notebooks  ## the whole suite, quick mode

test-unit: install
	CH6_QUICK=1 MPLBACKEND=Agg $(BIN)/python -m pytest -q tests/

test-notebooks: install
	CH6_QUICK=1 $(BIN)/python -m pytest -q $(NBVAL) --durations=0 $(NOTEBOOKS)

test-browser: install  ## every notebook through JupyterLab in headless Chromium, quick mode (screenshots: test-output/browser/)
	dpkg -s chromium fonts-nanum >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium fonts-nanum; }
	CH6_QUICK=1 $(BIN)/python -m pytest -q -s --durations=0 tests/browser

COLAB_VENV := build/venv-colab

test-colab:  ## the quick-mode suite on the newest libraries, as Colab follows them (requirements-colab.txt)
	test -x $(COLAB_VENV)/bin/python || $(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COLAB_VENV)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -r requirements-colab.txt
	$(COLAB_VENV)/bin/python -m pip install --quiet -e .
	$(COLAB_VENV)/bin/python -m pip list --format=freeze | grep -iE '^(tensorflow|keras|numpy|matplotlib|scikit-learn|opencv-python-headless|ipywidgets)=='
	CH6_QUICK=1 MPLBACKEND=Agg $(COLAB_VENV)/bin/python -m pytest -q tests/test_colab_setup.py
	CH6_QUICK=1 $(COLAB_VENV)/bin/python -m pytest -q $(NBVAL) --durations=0 $(NOTEBOOKS)

bench: install  ## benchmark: results/bench.json + table (BENCH_ARGS="--notebooks --investigate" for all)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

slides:  ## (re)write the RISE slide metadata of every notebook
	$(BIN)/python tools/slides.py $(NOTEBOOKS)

full: install  ## run every notebook in full mode; results land in results/
	mkdir -p build/full
	for nb in $(NOTEBOOKS); do \
	  CH6_QUICK=0 $(BIN)/jupyter nbconvert --to notebook --execute \
	    --ExecutePreprocessor.timeout=-1 --output-dir build/full "$$nb" || exit 1; \
	done
	$(BIN)/python tools/notebooks.py results

checkpoints: install  ## full-mode training of 6-1 … 6-4 and 6-8: results/ and checkpoints/
	CH6_QUICK=0 $(BIN)/python tools/notebooks.py run notebooks/6.4-cnn-programming.ipynb
	CH6_QUICK=0 $(BIN)/python tools/notebooks.py run notebooks/6.6-regularization.ipynb --until "## 프로그램 6-9"
	$(BIN)/python tools/notebooks.py results

clean-notebooks:  ## strip outputs except the cells nbval checks
	$(BIN)/python tools/notebooks.py clean $(NOTEBOOKS)

refresh-outputs: install  ## re-run notebooks in quick mode and keep only the checked outputs
	CH6_QUICK=1 $(BIN)/python tools/notebooks.py refresh $(NOTEBOOKS)
