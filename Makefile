# Quick start: `make run` opens the program, `make test` runs the whole suite.
# Each target creates .venv (Python 3.11) on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint format dist dist-check clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m app $(ARGS)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check app tests bench

format: $(STAMP)
	$(BIN)/ruff format app tests bench
	$(BIN)/ruff check --fix app tests bench

# The PyInstaller bundle: dist/fazhi-taizhang/ (fazhi-taizhang = window, fazhi-cli = console).
DIST_STAMP := $(VENV)/.installed-dist
$(DIST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dist]'
	touch $(DIST_STAMP)

dist: $(DIST_STAMP)
	$(BIN)/pyinstaller --noconfirm --log-level WARN --workpath build/pyinstaller --distpath dist installer.spec

# Run the bundle as a new user would (clean environment): demo, report, backup, the window.
dist-check: dist
	build/smoke_test.sh dist/fazhi-taizhang

clean:
	rm -rf $(VENV) build/pyinstaller dist
