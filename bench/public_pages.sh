#!/usr/bin/env bash
# Public pages as a percentage of bare Django, measured in ONE run on this machine (issue #5, point 15).
#
# Two servers, each gunicorn -w 2 (sync), on loopback:
# - the ceiling: bench/ceiling.py (a 10 KB HttpResponse, no database, two middlewares);
# - the site: crm_workshop.settings.production on PostgreSQL with the Redis cache and the demo
#   data (seed_demo), read as an anonymous reader at /, /agenda/ and /agenda/session/1/.
# wrk -t2 -c20 measures them in turns (ceiling, then each page; ROUNDS times), so that a change
# in the load of this shared machine affects both sides. Prints each round and a table with
# each page's requests/s, its % of the ceiling, and the CPU time the gunicorn workers spent
# per request (from /proc: much less sensitive to other load on the machine than requests/s).
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

worker_ticks() {  # gunicorn master pid -> CPU clock ticks (user + system) used by its workers
  local total=0 pid
  for pid in $(pgrep -P "$1"); do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
  echo "$total"
}

measure() {  # url seconds master-pid -> "requests/s worker-CPU-µs-per-request"
  local out before after
  before=$(worker_ticks "$3")
  out=$(wrk -t2 -c"${CONNECTIONS}" -d"$2s" "$1")
  after=$(worker_ticks "$3")
  if grep -qE "Non-2xx|Socket errors" <<<"$out"; then echo "$out" >&2; exit 1; fi
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /requests in/ {n = $1} /^Requests\/sec:/ {rps = $2}
    END {printf "%s %.0f\n", rps, ticks / hz * 1e6 / n}' <<<"$out"
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
CEILING_PID=$!
.venv/bin/gunicorn crm_workshop.wsgi -w 2 -b "127.0.0.1:${PORT}" --log-level warning &
SERVERS+=($!)
SITE_PID=$!
wait_for "$CEILING"
for page in "${PAGES[@]}"; do wait_for "${SITE}${page}"; done

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== gunicorn -w 2 (sync) each; wrk -t2 -c${CONNECTIONS}; ${ROUNDS} rounds of ${DURATION} s per URL,"
echo "   the ceiling and the pages taking turns so that a change in the machine's load hits both"
measure "$CEILING" 2 "$CEILING_PID" >/dev/null  # warm-up
for page in "${PAGES[@]}"; do measure "${SITE}${page}" 2 "$SITE_PID" >/dev/null; done

declare -A rate cpu ratios
for round in $(seq 1 "$ROUNDS"); do
  read -r ceiling ceiling_cpu < <(measure "$CEILING" "$DURATION" "$CEILING_PID")
  rate[ceiling]="${rate[ceiling]:-} $ceiling"
  cpu[ceiling]="${cpu[ceiling]:-} $ceiling_cpu"
  line="round ${round}: ceiling ${ceiling} req/s (${ceiling_cpu} µs)"
  for page in "${PAGES[@]}"; do
    read -r r c < <(measure "${SITE}${page}" "$DURATION" "$SITE_PID")
    rate[$page]="${rate[$page]:-} $r"
    cpu[$page]="${cpu[$page]:-} $c"
    ratios[$page]="${ratios[$page]:-} $(awk -v r="$r" -v c="$ceiling" 'BEGIN {printf "%.0f", 100 * r / c}')"
    line="${line} | ${page} ${r} (${c} µs)"
  done
  echo "$line"
done
echo "== load average $(cut -d' ' -f1-3 /proc/loadavg)"

mean() { awk '{s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.0f", s / NF}' <<<"$1"; }
echo
echo "| URL | requests/s (mean) | % of ceiling | % of ceiling, each round | worker CPU per request |"
echo "| --- | --- | --- | --- | --- |"
ceiling_mean=$(mean "${rate[ceiling]}")
echo "| ceiling: bare Django, 10 KB, 2 middlewares | ${ceiling_mean} | 100 % | | $(mean "${cpu[ceiling]}") µs |"
for page in "${PAGES[@]}"; do
  page_mean=$(mean "${rate[$page]}")
  pct=$(awk -v r="$page_mean" -v c="$ceiling_mean" 'BEGIN {printf "%.0f", 100 * r / c}')
  each=$(sed -E 's/^ //; s/ / %, /g; s/$/ %/' <<<"${ratios[$page]}")
  echo "| \`${page}\` | ${page_mean} | ${pct} % | ${each} | $(mean "${cpu[$page]}") µs |"
done
