# OpenISMS developer entry points. `make run` and `make test` are the two that matter.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OPENISMS_DATA_DIR ?= $(CURDIR)/var

# Find Python >= 3.12 (Django 6 needs it): python3.13/python3.12 on PATH, else pyenv's.
PYTHON ?= $(shell for c in python3.13 python3.12 \
	$$(ls -d $$(pyenv root 2>/dev/null)/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { command -v $$c; break; }; done)

.PHONY: help install run serve test lint typecheck check pytest bench openapi clean

help:
	@echo "make run    install, migrate, load catalogues, create the demo organisation, serve"
	@echo "make test   everything CI checks (lint, types, checks, migrations, tests, coverage)"
	@echo "make bench  benchmarks (see bench/README.md)"

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "OpenISMS needs Python 3.12 or newer. Install python3.12 (e.g. 'apt-get install python3.12'" \
	       "or 'pyenv install 3.12') and run make again, or pass PYTHON=/path/to/python3.12."; exit 1; fi
	@echo "Using $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@$(BIN)/python -c "from openisms.reports.fonts import missing; m = missing(); m and print('Note: PDF exports want the fonts ' + ', '.join(m) + ' (Debian: apt-get install fonts-dejavu-core fonts-wqy-zenhei); see docs/deployment.md.')"
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/openisms migrate --no-input
	$(BIN)/openisms demo
	$(BIN)/openisms collectstatic --no-input --verbosity 0
	$(BIN)/openisms serve

test: install lint typecheck check pytest

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy src

check: install
	$(BIN)/python manage.py check --fail-level WARNING
	OPENISMS_SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=') OPENISMS_BEHIND_TLS_PROXY=1 \
	  OPENISMS_SECURE_COOKIES=1 OPENISMS_ALLOWED_HOSTS=isms.example.org \
	  OPENISMS_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

# Tests run in one process per CPU (pytest-xdist), handed out one by one in collection order, so
# each process runs its transactional tests (which empty the database) after all the others, as
# pytest-django orders them; PYTEST_WORKERS=0 runs them in this process.
PYTEST_WORKERS ?= auto
pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --cov --cov-report=term $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run.py

openapi: install
	$(BIN)/python manage.py export_openapi_schema --api openisms.api.api --indent 2 --sorted --output docs/openapi.json

clean:
	rm -rf $(VENV) var .coverage
