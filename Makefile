# The two commands of the README: `make docs` (the docs site) and `make test` (the suite).
# Each creates .venv and installs what it needs on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS := all,test,docs
# Debian packages the tests use: a real browser for the theme checks, TeX Live for the PDF
# (xelatex and lualatex set Sphinx's default FreeSerif font and index with xindy).
SYSTEM_PACKAGES := chromium texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
	texlive-xetex texlive-luatex latexmk poppler-utils fonts-freefont-otf xindy

.PHONY: docs test system-packages lint clean

$(STAMP): pyproject.toml example_project/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]" -e ./example_project
	touch $(STAMP)

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

# Installs the Debian packages when any is missing and apt-get can (root); otherwise the tests
# that need them say why they are skipped.
system-packages:
	@if ! dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	  else echo "note: chromium/TeX Live missing and cannot be installed here; their tests will be skipped"; fi; \
	fi

# TensorFlow and torch never share a process (importing both crashes), so the suite runs in
# parts: everything without torch and Flax; the torch tests; the Flax tests; the Keras tests once
# per Keras backend.
test: $(STAMP) system-packages
	$(BIN)/python -m pytest -m "not torch and not flax and not keras_backend"
	$(BIN)/python -m pytest -m torch
	$(BIN)/python -m pytest -m flax
	for backend in tensorflow jax torch; do \
	  KERAS_BACKEND=$$backend $(BIN)/python -m pytest -m keras_backend || exit 1; \
	done

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf docs/_build .pytest_cache
