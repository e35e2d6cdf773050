#!/usr/bin/env bash
# Hostile input over HTTP: schemathesis (pip install schemathesis) against /openapi.json, once per
# role with that role's token, on a fresh bank. Prints each role's summary and the totals.
# Usage: bash Tools/schemathesis/run.sh [path/to/skillbank]   (default: .build/release/skillbank)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="${1:-$here/../../.build/release/skillbank}"
eval "$(python3 "$here/setup_bank.py" "$binary")"
trap 'kill $PID 2>/dev/null || true' EXIT
export SB_INSTITUTION SB_PERSON SB_ENROLMENT SB_ASSESSMENT SB_CERTIFICATE
base="http://127.0.0.1:$PORT/openapi.json"
public='^/(healthz|openapi\.json|verify|occupations|levels|frameworks|contexts|v1/(verify|trust-list|status-lists|log|certificates/lookup|certificates/\{id\}/bundle|subsidies/programmes))'
institution='^/v1/(courses|enrolments|assessments|imports|certificates$|certificates/revocations|certificates/\{id\}/(revoke|suspend|reinstate)|institutions/\{id\}$|subsidies/claims|webhooks|vacancies|talent/)'
status=0
run() {  # role, header, path regex
  echo "=== $1"
  local args=(--config-file "$here/schemathesis.toml" run "$base" --include-path-regex "$3" --report junit --report-dir "$DB.reports/$1")
  [ -n "$2" ] && args+=(-H "Authorization: Bearer $2")
  schemathesis "${args[@]}" > "$DB.$1.log" 2>&1 || status=1
  sed -n '/SUMMARY/,$p' "$DB.$1.log"
}
run public "" "$public"
# Not the token revocation: the fuzzer finds the operator's own token id and revokes it (tested in the suite).
# Not the worker's pages either: they take a session cookie from a sign-in link, not a token
# (Tools/browser/worker-pages.py drives them).
run operator "$OPERATOR" '^/(?!v1/me/)(?!me(/|$))(?!v1/tokens/\{id\}/revoke)'
run institution "$INSTITUTION" "$institution"
run worker "$WORKER" '^/v1/me/'
echo "=== totals"
metrics="$(curl -s "http://127.0.0.1:$PORT/metrics")"
echo "$metrics" | awk '/^hb_requests[{ ]/ {n += $NF} END {print n " requests served (hb_requests, counted by the server)"}'
echo "$metrics" | awk '/^hb_requests[{ ]/ && /http_response_status_code="5/ {n += $NF} END {print n+0 " of them answered 5xx"}'

grep -h "generated" "$DB".*.log | awk '{n += $1} END {print n " test cases generated"}'
echo "server errors in the server's own log: $(grep -c 'request failed' "$DB.serve.log" || true)"
echo "logs: $DB.*.log"
exit $status
