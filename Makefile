# The README's commands. `make run` and `make test` set everything up on the first call.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup check demo clean messages

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

demo: setup
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo

run: demo
	@echo "IOP Finder runs at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py check
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

test: check
	$(BIN)/pytest $(PYTEST_ARGS)

# New interface words: extract them from the code and the Jinja2 templates into the Spanish
# catalogue (translate the new entries in locale/es/LC_MESSAGES/django.po), then compile it.
messages: setup
	$(BIN)/pybabel extract -F babel.cfg --no-location --omit-header -o locale/django.pot \
		-k gettext_lazy -k ngettext_lazy:1,2 -k pgettext_lazy:1c,2 -k npgettext_lazy:1c,2,3 .
	$(BIN)/pybabel update -i locale/django.pot -d locale -D django -l es \
		--no-fuzzy-matching --ignore-obsolete --width 100
	rm locale/django.pot
	$(BIN)/pybabel compile -d locale -D django -l es

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
