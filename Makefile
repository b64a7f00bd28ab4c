# Ura: the two commands a newcomer needs are `make run` and `make test`.
# Everything is installed into .venv; only Python (3.11, 3.12 or 3.13) and make are assumed.

PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
PYTEST_ARGS ?= --numprocesses 2
BENCH_SIZES ?= 10000 100000 1000000

.PHONY: install run test probe contract faults deploy-check lint bandit bench messages vendor lock clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 13), "Ura needs Python 3.11, 3.12 or 3.13, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## run: install, migrate, load the demo data, serve on http://127.0.0.1:8000 with a Celery worker and beat
run: export DJANGO_SETTINGS_MODULE = settings.local
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/honcho --no-prefix start --procfile Procfile.local || true

## test: install and run the whole suite (SQLite, or PostgreSQL when DATABASE_URL is set)
test: export DJANGO_SETTINGS_MODULE = settings.test
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

## deploy-check: the production walk-through of deploy/ against PostgreSQL and Redis (not in make test)
deploy-check: install
	URA_DEPLOY_CHECK=1 $(BIN)/pytest -p no:xdist -m deploy tests/test_deploy.py

## probe: the access probe: every demo user asks every page, API operation and admin page with every
## object id of every kind, judged against the access model (tests/probe/; minutes; CI runs it after test);
## then axe (WCAG 2.1 AA) on every page each demo person reaches, in both languages (about ten minutes)
PROBE_ARGS ?= --numprocesses 2
probe: install
	$(BIN)/pytest -m probe $(PROBE_ARGS) tests/probe
	$(BIN)/pytest -m probe tests/browser/test_axe_everywhere.py  # axe on every page each demo person reaches

## contract: the API contract as a client meets it: schemathesis fuzzes every operation, and a client
## generated from the served schema runs an integrator's script (minutes; CI runs it after test)
contract: install
	$(BIN)/pytest -m contract --numprocesses 0 tests/test_api_fuzz.py tests/test_api_client.py

## faults: the fault-injection suite (a Redis of its own, killed workers, a stalling mail server, a
## PostgreSQL of its own frozen); needs PostgreSQL (DATABASE_URL, initdb) and redis-server
faults: install
	$(BIN)/pytest -m faults tests/outbox/test_faults.py tests/test_frozen_database.py -v --basetemp="$$(mktemp -d)/faults"

## lint: ruff, formatting, mypy, bandit (high severity), Django's checks, missing migrations, pip-audit
BANDIT_TARGETS := outbox agencies audit families cases referrals panels interventions reminders privacy pages demo operations settings stats learning bench deploy manage.py
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/bandit --quiet -lll -r $(BANDIT_TARGETS)
	bash .ci/pip-audit
	DJANGO_SETTINGS_MODULE=settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=settings.test $(BIN)/python manage.py makemigrations --check --dry-run

## bandit: the security linter, high-severity findings only (CI runs it before the tests)
bandit: install
	$(BIN)/bandit --quiet -lll -r $(BANDIT_TARGETS)

## bench: the pages, the access model, search and the reminder sweep at 10k, 100k and 1M cases
## (needs DATABASE_URL to PostgreSQL; BENCH_SIZES="100000" for one size; results: docs/bench.md)
bench: install
	for n in $(BENCH_SIZES); do $(BIN)/python bench/run.py --cases $$n || exit 1; done

## messages: extract and compile the translation catalogues (needs GNU gettext)
messages: export DJANGO_SETTINGS_MODULE = settings.test
messages: install
	$(BIN)/python manage.py makemessages --locale sq --ignore '.venv/*' --ignore 'staticfiles/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --locale sq --ignore '.venv/*'

## vendor: refresh the front-end files in static/vendor from the npm registry (needs npm)
vendor:
	bash static/vendor/update.sh

## lock: re-pin every dependency after editing requirements*.in
lock: install
	$(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links requirements.in -o requirements.txt
	$(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links requirements-dev.in -o requirements-dev.txt

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache
