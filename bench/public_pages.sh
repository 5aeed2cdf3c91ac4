#!/usr/bin/env bash
# Public pages as a percentage of bare Django, measured in ONE run on this machine (issue #5, point 15).
#
# Two servers, each gunicorn -w 2 (sync), on loopback:
# - the ceiling: bench/ceiling.py (a 10 KB HttpResponse, no database, two middlewares);
# - the site: crm_workshop.settings.production on PostgreSQL with the Redis cache and the demo
#   data (seed_demo), read as an anonymous reader at /, /agenda/ and /agenda/session/1/.
# wrk -t2 -c20 measures them in turns (ceiling, then each page; ROUNDS times), so that a change
# in the load of this shared machine affects both sides. Prints each round and a table with
# each page's requests/s and its % of the ceiling.
#
# Usage: bash bench/public_pages.sh [rounds=3] [seconds per URL and round=5] [connections=20]
# Env:   BENCH_DB (default crm_speed_bench), BENCH_REDIS_URL (default redis://127.0.0.1:6379/14,
#        flushed first: give it a db of its own), BENCH_PORT (default 8765).
# Needs: PostgreSQL on 127.0.0.1:5432 (user postgres, trust), Redis on 127.0.0.1:6379, wrk
#        (apt-get install -y wrk), the venv. Everything listens on loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS="${1:-3}"
DURATION="${2:-5}"
CONNECTIONS="${3:-20}"
PORT="${BENCH_PORT:-8765}"
CEILING_PORT=$((PORT + 1))
DB_NAME="${BENCH_DB:-crm_speed_bench}"
REDIS="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/14}"
SITE="http://127.0.0.1:${PORT}"
CEILING="http://127.0.0.1:${CEILING_PORT}/"
PAGES=(/ /agenda/ /agenda/session/1/)

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

SERVERS=()
stop_servers() {
  for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}
trap stop_servers EXIT

wait_for() {  # url: wait until it answers 200
  for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" = 200 ] && return 0
    sleep 0.1
  done
  echo "$1 did not answer 200" >&2; exit 1
}

measure() {  # url seconds -> prints requests/s; fails on any non-2xx/3xx answer or socket error
  local out
  out=$(wrk -t2 -c"${CONNECTIONS}" -d"$2s" "$1")
  if grep -qE "Non-2xx|Socket errors" <<<"$out"; then echo "$out" >&2; exit 1; fi
  awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}

# --- the site, prepared before any measurement ------------------------------------------------
export DJANGO_SETTINGS_MODULE=crm_workshop.settings.production
export SECRET_KEY="bench-only-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ALLOWED_HOSTS="127.0.0.1,localhost"
export SITE_URL="https://localhost"
export SECURE_SSL_REDIRECT=false   # plain HTTP on loopback for the measurement
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${DB_NAME}"
export REDIS_URL="$REDIS"
export CELERY_BROKER_URL="$REDIS"
export STATIC_ROOT="$(mktemp -d)"
export LOG_LEVEL=WARNING

.venv/bin/python - <<PY
import psycopg2, redis
conn = psycopg2.connect("dbname=postgres user=postgres host=127.0.0.1")
conn.autocommit = True
cur = conn.cursor()
cur.execute("DROP DATABASE IF EXISTS ${DB_NAME}")
cur.execute("CREATE DATABASE ${DB_NAME}")
redis.Redis.from_url("${REDIS}").flushdb()
PY
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo --force -v0 >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0

.venv/bin/gunicorn --chdir bench ceiling:application -w 2 -b "127.0.0.1:${CEILING_PORT}" \
  --log-level warning &
SERVERS+=($!)
.venv/bin/gunicorn crm_workshop.wsgi -w 2 -b "127.0.0.1:${PORT}" --log-level warning &
SERVERS+=($!)
wait_for "$CEILING"
for page in "${PAGES[@]}"; do wait_for "${SITE}${page}"; done

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== gunicorn -w 2 (sync) each; wrk -t2 -c${CONNECTIONS}; ${ROUNDS} rounds of ${DURATION} s per URL,"
echo "   the ceiling and the pages taking turns so that a change in the machine's load hits both"
for url in "$CEILING" "${PAGES[@]/#/$SITE}"; do measure "$url" 2 >/dev/null; done  # warm-up

declare -A total ratios
for round in $(seq 1 "$ROUNDS"); do
  ceiling=$(measure "$CEILING" "$DURATION")
  total[ceiling]=$(awk -v a="${total[ceiling]:-0}" -v b="$ceiling" 'BEGIN {print a + b}')
  line="round ${round}: ceiling ${ceiling}"
  for page in "${PAGES[@]}"; do
    rate=$(measure "${SITE}${page}" "$DURATION")
    total[$page]=$(awk -v a="${total[$page]:-0}" -v b="$rate" 'BEGIN {print a + b}')
    ratios[$page]="${ratios[$page]:-} $(awk -v r="$rate" -v c="$ceiling" 'BEGIN {printf "%.0f", 100 * r / c}')"
    line="${line} | ${page} ${rate}"
  done
  echo "$line"
done
echo "== load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "| URL | requests/s (mean of ${ROUNDS} rounds) | % of ceiling (mean) | % of ceiling per round |"
echo "| --- | --- | --- | --- |"
ceiling_mean=$(awk -v t="${total[ceiling]}" -v n="$ROUNDS" 'BEGIN {printf "%.0f", t / n}')
echo "| ceiling: bare Django, 10 KB, 2 middlewares | ${ceiling_mean} | 100 % | |"
for page in "${PAGES[@]}"; do
  mean=$(awk -v t="${total[$page]}" -v n="$ROUNDS" 'BEGIN {printf "%.0f", t / n}')
  pct=$(awk -v r="$mean" -v c="$ceiling_mean" 'BEGIN {printf "%.0f", 100 * r / c}')
  echo "| \`${page}\` | ${mean} | ${pct} % |${ratios[$page]// / % ·} % |"
done
