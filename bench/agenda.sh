#!/usr/bin/env bash
# Throughput of /agenda/ under gunicorn (2 sync workers) on PostgreSQL, measured with wrk.
# Usage: bash bench/agenda.sh [seconds] [connections]
# Needs: PostgreSQL on 127.0.0.1:5432 (user postgres, trust), wrk (apt-get install wrk), the venv.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${1:-20}"
CONNECTIONS="${2:-20}"
PORT="${BENCH_PORT:-8765}"
DB_NAME="crm_workshop_bench"

export DJANGO_SETTINGS_MODULE=crm_workshop.settings.production
export SECRET_KEY="bench-only-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ALLOWED_HOSTS="127.0.0.1,localhost"
export SECURE_SSL_REDIRECT=false   # plain HTTP on loopback for the measurement
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${DB_NAME}"
export STATIC_ROOT="$(mktemp -d)"
export LOG_LEVEL=WARNING
# Cache: LocMem per worker by default; BENCH_REDIS_URL=redis://127.0.0.1:6379/3 uses Redis as in production.
if [ -n "${BENCH_REDIS_URL:-}" ]; then export REDIS_URL="$BENCH_REDIS_URL"; else unset REDIS_URL CELERY_BROKER_URL; fi

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

.venv/bin/python - <<PY
import psycopg2
conn = psycopg2.connect("dbname=postgres user=postgres host=127.0.0.1")
conn.autocommit = True
cur = conn.cursor()
cur.execute("DROP DATABASE IF EXISTS ${DB_NAME}")
cur.execute("CREATE DATABASE ${DB_NAME}")
PY
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo --force -v0 >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0

.venv/bin/gunicorn crm_workshop.wsgi -w 2 -b "127.0.0.1:${PORT}" --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null; wait $GUNICORN 2>/dev/null || true' EXIT

for _ in $(seq 1 50); do
  curl -fs -o /dev/null "http://127.0.0.1:${PORT}/agenda/" 2>/dev/null && break
  sleep 0.2
done
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT}/agenda/")
[ "$status" = 200 ] || { echo "/agenda/ answered $status, not 200" >&2; exit 1; }

echo "== warm-up (5 s)"
wrk -t2 -c"${CONNECTIONS}" -d5s "http://127.0.0.1:${PORT}/agenda/" >/dev/null
echo "== /agenda/ : ${CONNECTIONS} connections, ${DURATION} s, gunicorn -w 2, PostgreSQL, cache ${REDIS_URL:-locmem}"
wrk -t2 -c"${CONNECTIONS}" -d"${DURATION}s" --latency "http://127.0.0.1:${PORT}/agenda/"
echo "== /agenda/?tz=America/Mexico_City"
wrk -t2 -c"${CONNECTIONS}" -d"${DURATION}s" "http://127.0.0.1:${PORT}/agenda/?tz=America/Mexico_City"
