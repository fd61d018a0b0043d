#!/bin/bash
# The statement that stores one survey response (surveys.services._checked_sql: the four checks
# gating the INSERT of the response and its pending row, one commit), run by pgbench against
# the bench database with no web process in the way: its rate, and the machine's CPU per
# statement (/proc/stat, so the kernel's share of each commit's flush counts too).
#
#   bench/statement.sh [clients=4] [seconds=10]
#
# PGOPTIONS="-c synchronous_commit=off" bench/statement.sh shows what the commit's flush costs.
# The rows it stores are dated two hours back (outside the survey's burst windows, so a `make
# bench` that follows is not flagged) and wait in surveys_pendingcount for the next fold; the
# unit's burst count looks back 5 seconds, not 5 minutes, so that a second run does not count
# the rows of the first (a few rows per unit, as in a `make bench` campaign).
set -euo pipefail
clients=${1:-4}
seconds=${2:-10}
url=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/langnghe_bench}
script=$(mktemp)
trap 'rm -f "$script"' EXIT
cat >"$script" <<'SQL'
\set unit random(1, 3400)
\set r random(1, 2000000000)
WITH c (existing, d, i, u) AS (SELECT
  (SELECT id FROM surveys_surveyresponse WHERE client_id = md5(:r::text || :client_id::text)::uuid),
  (SELECT COUNT(*) FROM (SELECT 1 FROM surveys_surveyresponse WHERE device_hash = ''
     AND submitted_at >= now() - interval '2 hour 10 minute' LIMIT 0) d),
  (SELECT COUNT(*) FROM (SELECT 1 FROM surveys_surveyresponse WHERE ip_hash = 'bench'
     AND submitted_at >= now() - interval '2 hour 10 minute' LIMIT 0) i),
  (SELECT COUNT(*) FROM (SELECT 1 FROM surveys_surveyresponse WHERE unit_id = :unit
     AND submitted_at >= now() - interval '2 hour 5 second'
     AND submitted_at < now() - interval '90 minute' LIMIT 60) u)),
r AS (INSERT INTO surveys_surveyresponse (client_id, unit_id, template_id, answers, comment,
  dossier_code, lowest_score, source, submitted_at, day, ip_hash, device_hash, is_flagged,
  flag_reason)
  SELECT md5(:r::text || :client_id::text)::uuid, :unit,
    (SELECT id FROM surveys_surveytemplate WHERE is_current ORDER BY id LIMIT 1),
    '{"overall": "1", "staff": "1"}'::jsonb, '', '', 1, 'api', now() - interval '2 hour',
    current_date, 'bench', '', false, ''
  FROM c WHERE c.existing IS NULL AND c.d < 3 AND c.i < 1 AND c.u < 1000000
  ON CONFLICT DO NOTHING RETURNING id),
p AS (INSERT INTO surveys_pendingcount (response_id) SELECT id FROM r)
SELECT (SELECT id FROM r), c.existing, c.d, c.i, c.u FROM c;
SQL
busy() { head -1 /proc/stat | awk '{print $2 + $3 + $4 + $7 + $8}'; }
before=$(busy)
out=$(pgbench "$url" -n -M prepared -c "$clients" -j 1 -T "$seconds" -f "$script" 2>&1) || {
    echo "$out" >&2
    exit 1
}
after=$(busy)
done=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
rate=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
hz=$(getconf CLK_TCK)
ms=$(echo "scale=3; ($after - $before) * 1000 / $hz / $done" | bc)
printf 'statement: %s clients, %.0f/s, machine CPU 0%s ms per statement (pgbench included)\n' \
    "$clients" "$rate" "$ms"
