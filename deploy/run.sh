#!/usr/bin/env bash
# The README's production walk-through, as a script (decision 81).
#
#   deploy/run.sh setup   # install the pinned requirements, migrate, collect static files, check --deploy
#   deploy/run.sh start   # run web (gunicorn), worker and beat in the foreground (honcho, deploy/Procfile)
#   deploy/run.sh all     # both
#
# The environment comes from $URA_ENV_FILE (default /etc/ura/env; deploy/env.template shows it).
# A service manager (systemd) may run the three lines of deploy/Procfile itself instead of `start`;
# keep exactly one beat. `make deploy-check` runs this script against PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."

ENV_FILE=${URA_ENV_FILE:-/etc/ura/env}
if [ -f "$ENV_FILE" ]; then
  set -a; . "$ENV_FILE"; set +a
fi
: "${DJANGO_SETTINGS_MODULE:?set DJANGO_SETTINGS_MODULE (settings.production) in $ENV_FILE}"
PYTHON=${URA_PYTHON:-.venv/bin/python}
BIN=$(dirname "$PYTHON")
export PATH="$BIN:$PATH"

setup() {
  if [ "${URA_SKIP_INSTALL:-}" != "1" ]; then
    "$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements.txt
  fi
  mkdir -p "${URA_DATA_DIR:-var}"
  # Migrations are not requests: a data migration, or an index built on a large table, may run past
  # the limit every request's statement keeps (DATABASE_STATEMENT_TIMEOUT_MS, 20 s); the web and
  # the workers are stopped meanwhile (README, "Upgrading"). Bounded all the same: 10 minutes.
  DATABASE_STATEMENT_TIMEOUT_MS="${URA_MIGRATE_STATEMENT_TIMEOUT_MS:-600000}" "$PYTHON" manage.py migrate --noinput
  "$PYTHON" manage.py collectstatic --noinput --verbosity 0
  "$PYTHON" manage.py check --deploy --fail-level WARNING
}

start() {
  exec "$BIN/honcho" start --no-colour --procfile deploy/Procfile --app-root .
}

case "${1:-all}" in
  setup) setup ;;
  start) start ;;
  all) setup; start ;;
  *) echo "usage: $0 [setup|start|all]" >&2; exit 2 ;;
esac
