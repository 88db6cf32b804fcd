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
run: $(VENV)/.installed .env
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: install the dev dependencies and run the whole suite (DATABASE_URL picks the database)
test: $(VENV)/.installed .env
	$(PY) -m pytest $(PYTEST_ARGS)

## ci: what CI runs on each database, plus the quick checks
ci: lint migrations-check test

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

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

clean:
	rm -rf $(VENV) var/static
