# Konto: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test ci lint format migrations-check messages check-deploy bench clean

# The virtualenv is rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

.env:
	cp .env.example .env

## run: install, migrate the SQLite database, load the demo account, serve on http://127.0.0.1:$(PORT)
## with the task worker beside it (it sends the e-mails; they print here with the console backend)
run: $(VENV)/.installed .env
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: install the dev dependencies and run the whole suite (DATABASE_URL picks the database)
test: $(VENV)/.installed .env
	$(PY) -m pytest $(PYTEST_ARGS)

## ci: what CI runs on each database, plus the quick checks
ci: lint migrations-check test

## lint: ruff (lint and format) and mypy with django-stubs
lint: $(VENV)/.installed .env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check templates
	$(VENV)/bin/mypy .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml templates

migrations-check: $(VENV)/.installed .env
	$(PY) manage.py makemigrations --check --dry-run

## messages: extract translatable strings into locale/*/django.po and compile the .mo files
messages: $(VENV)/.installed .env
	$(PY) manage.py makemessages --locale pl --locale en --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	$(PY) manage.py compilemessages --ignore '.venv/*'

## check-deploy: Django's deployment checklist with production-like settings
check-deploy: $(VENV)/.installed
	DEBUG=0 SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=konto.example.com $(PY) manage.py check --deploy --fail-level WARNING

## bench: the benchmarks at small sizes, a quick look (bench/README.md has the full-size runs);
## the import bench needs PostgreSQL (BENCH_POSTGRES_URL) and creates and drops its own database
BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432
bench: $(VENV)/.installed .env
	env -u DATABASE_URL $(PY) bench/calls.py --calls 20000
	DATABASE_URL=$(BENCH_POSTGRES_URL)/konto_bench_import $(PY) bench/import_cdrs.py --rows 20000

clean:
	rm -rf $(VENV) var/static
