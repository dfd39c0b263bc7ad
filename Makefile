# The README's commands. A fresh clone needs only Python 3.11: everything else is installed here.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTANCE_DIR := $(or $(INSTANCE_PATH),instance)
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := marketplace

.PHONY: run test lint format translations bench chromium clean

run: $(VENV)/.installed  ## install, migrate, load demo data on first run, serve on http://127.0.0.1:5000
	$(BIN)/flask db upgrade
	@test -f $(INSTANCE_DIR)/.demo-seeded || \
		($(BIN)/flask seed-demo && touch $(INSTANCE_DIR)/.demo-seeded)
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test chromium lint  ## lint and the whole test suite
	$(BIN)/pytest

lint: $(VENV)/.installed-test  ## ruff, then the type checker on marketplace/ (settings in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-test  ## speed at 100,000 products: ratios to a hello-world baseline (docs/PERFORMANCE.md)
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(BIN)/python -m bench.checkouts $(CHECKOUT_BENCH_ARGS)
	$(BIN)/python -m bench.ledger

translations: $(VENV)/.installed  ## extract messages, update the catalogs, compile them
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --no-location --sort-output \
		-o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --width 100
	$(BIN)/pybabel compile -d translations

chromium:  ## the browser tests drive Debian's Chromium
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	else \
		echo "*** Browser tests need Chromium. Install it with: sudo apt-get install -y chromium"; \
		echo "*** Until then they are skipped."; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache
