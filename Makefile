# Two commands for a newcomer: `make run` (demo site on http://127.0.0.1:8000) and `make test`.
# Both create .venv on first use and reinstall only when a requirements file changed.

PYTHON3 ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

REQUIREMENTS := requirements.txt requirements-dev.txt
REQ_HASH := $(shell cat $(REQUIREMENTS) | $(PYTHON3) -c "import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:12])")
STAMP := $(VENV)/.installed-$(REQ_HASH)

PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test lint format worker beat install messages migrate seed clean-venv

run: install messages migrate seed
	$(PY) manage.py runserver 127.0.0.1:8000

test: install messages
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Need a broker: REDIS_URL or CELERY_BROKER_URL (e.g. in .env). Without one, tasks run inline.
worker: install
	$(VENV)/bin/celery -A crm_workshop worker -l info

beat: install
	$(VENV)/bin/celery -A crm_workshop beat -l info --schedule $(VENV)/celerybeat-schedule

migrate: install
	$(PY) manage.py migrate --noinput

seed: install
	$(PY) manage.py seed_demo

install: $(STAMP)

$(PY):
	$(PYTHON3) -m venv $(VENV)

$(STAMP): $(REQUIREMENTS) | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

# The .mo files are committed; they are rebuilt only when a .po is newer and msgfmt exists.
messages: $(MO_FILES)

%.mo: %.po
	@if command -v msgfmt >/dev/null 2>&1; then \
		echo "msgfmt $<"; msgfmt --check-format -o $@ $<; \
	else \
		echo "msgfmt not found (apt-get install gettext): keeping the committed $@"; \
	fi

clean-venv:
	rm -rf $(VENV)
