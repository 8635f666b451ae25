# Kennzahlensystem Soziales — the two commands: `make report` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PERIODE ?= 2023-Q4
RAW ?= data/raw
POOL ?= data/processed
OUT ?= reports

.PHONY: help install demo pool report test test-faults lint lint-quick lab benchmark baselines clean

help:
	@echo "make report   Demo-Daten (falls data/raw/ leer) -> Datenpool -> alle Berichte $(PERIODE)"
	@echo "make test     alle Tests (pytest, nbval, Browser)"
	@echo "make lab      JupyterLab mit dem Projekt-Kernel (als root mit --allow-root)"
	@echo "make pool     nur den Datenpool bauen"
	@echo "make baselines  Notebook-Referenzen (nbval) neu erzeugen"
	@echo "make benchmark  Messungen (benchmarks/README.md)"

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ nötig"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (Kennzahlen)" > /dev/null
	touch $@

install: $(VENV)/.installed

demo: install
	@if ls $(RAW) | grep -qvE '^(README\.md|\.gitkeep)$$'; then \
		echo "$(RAW) enthält bereits Exporte: keine Demo-Daten erzeugt."; \
	else \
		$(BIN)/kennzahlen demo --out $(RAW); \
	fi

pool: demo
	$(BIN)/kennzahlen pool --raw $(RAW) --out $(POOL)

report: pool
	$(BIN)/kennzahlen report --periode $(PERIODE) --pool $(POOL) --out $(OUT)

PYFILES := lib tests benchmarks tools conftest.py

# the suite in parallel, one worker more than cores (conftest.pytest_xdist_auto_num_workers;
# PYTEST_XDIST_AUTO_NUM_WORKERS=n sets it); a test file stays on one worker (its fixtures are
# built once), the longest files first (conftest.LANGE_DATEIEN). One file alone:
# .venv/bin/python -m pytest tests/test_x.py
# the quick checks first (they fail in seconds); mypy (about 20 s of CPU with a cold cache, as
# on CI) runs beside the tests and its verdict is printed after them: either failing fails
test: install lint-quick
	@mypy_log=$$(mktemp); $(BIN)/mypy > "$$mypy_log" 2>&1 & mypy_pid=$$!; \
	$(PY) -m pytest -n auto --dist loadfile --no-loadscope-reorder; tests_rc=$$?; \
	wait $$mypy_pid; mypy_rc=$$?; \
	echo "mypy (neben den Tests):"; cat "$$mypy_log"; rm -f "$$mypy_log"; \
	test $$tests_rc -eq 0 -a $$mypy_rc -eq 0

# the fault-injection suite with more kills per command than `make test` (before a release)
RUNDEN ?= 10
test-faults: install
	KENNZAHLEN_FAULT_ROUNDS=$(RUNDEN) $(PY) -m pytest tests/test_faults.py

# ruff's formatter is the house style (checked, never applied by the test); lint rules and
# their limits (line length, complexity) are in pyproject.toml
lint: lint-quick
	$(BIN)/mypy

lint-quick: install
	$(BIN)/ruff format --check $(PYFILES)
	$(BIN)/ruff check $(PYFILES)
	$(BIN)/lint-imports --no-cache
	$(PY) tools/architektur.py --check
	$(PY) tools/notebook_ausgaben.py --check notebooks/*.ipynb

# JupyterLab refuses to start as root ("Running as root is not recommended"), as in containers
# and on CI machines: there `make lab` says so and passes --allow-root.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: install
	@if [ -n "$(LAB_ROOT)" ]; then echo "make lab: läuft als root – JupyterLab startet mit --allow-root."; fi
	$(BIN)/jupyter lab $(LAB_ROOT) notebooks/

# re-execute the notebooks on a fresh demo pool and store the outputs of the cells nbval checks
# (# NBVAL_CHECK_OUTPUT); every other output is stripped (tools/notebook_ausgaben.py)
baselines: install
	@tmp=$$(mktemp -d) && \
	$(BIN)/kennzahlen demo --out $$tmp/raw > /dev/null && \
	$(BIN)/kennzahlen pool --raw $$tmp/raw --out $$tmp/pool > /dev/null && \
	for nb in notebooks/0*.ipynb; do \
		KENNZAHLEN_POOL=$$tmp/pool $(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.record_timing=False "$$nb" || exit 1; \
	done; rm -rf $$tmp
	$(PY) tools/notebook_ausgaben.py notebooks/0*.ipynb

benchmark: install
	$(PY) benchmarks/run.py

clean:
	rm -rf $(POOL)/*.parquet $(POOL)/manifest.json $(POOL)/versions $(POOL)/.kennzahlen.lock $(OUT)/*/
