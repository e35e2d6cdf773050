#!/usr/bin/env bash
# HTTP benchmark: POST /v1/verify and GET /v1/me/record with wrk on loopback against a release
# build, next to the library's own verifications per second measured in the same run.
#
#   bash Tools/http-bench.sh [people=100000] [seconds=20]
#
# BIN=path/to/skillbank measures another build (the library comparison is then skipped unless
# BENCH=path/to/skillbank-bench is given too); Tools/ab-bench.sh uses that to compare two builds.
# Needs: wrk (apt-get install wrk), python3. Everything runs on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${1:-100000}
SECONDS_PER_RUN=${2:-20}
PORT=${PORT:-18080}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 69; }

if [ -z "${BIN:-}" ]; then
  swift build -c release --static-swift-stdlib --product skillbank >/dev/null
  swift build -c release --static-swift-stdlib --product skillbank-bench >/dev/null
  BIN=$PWD/.build/release/skillbank
  BENCH=$PWD/.build/release/skillbank-bench
fi
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
cd "$WORK"

# A bank with one certificate and $PEOPLE workers (fixed content, so runs compare).
$BIN init >/dev/null 2>&1
INS=$($BIN institution register --name 评价中心 --kind social --code 51440000MJ0000001R --province 44 2>/dev/null)
$BIN institution accredit "$INS" --occupation 6-31-01-03 --levels 5,4,3 --from 2020-01-01 >/dev/null
python3 - "$PEOPLE" > people.csv <<'PY'
import sys, datetime
W=[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2]; C="10X98765432"
print("name,id_type,id_number")
n=int(sys.argv[1]); base=datetime.date(1980,1,1)
for i in range(n):
    d=base+datetime.timedelta(days=i//1000)
    s="440305"+d.strftime("%Y%m%d")+"%03d"%(i%1000)
    print("工人%d,resident,%s%s"%(i,s,C[sum(int(c)*w for c,w in zip(s,W))%11]))
PY
$BIN import people people.csv >/dev/null
PER=$($BIN person find --id-number "$(sed -n 2p people.csv | cut -d, -f3)" --json | python3 -c "import json,sys;print(json.load(sys.stdin)['id'])")
ASM=$($BIN assessment schedule --institution "$INS" --occupation 6-31-01-03 --level 5)
$BIN assessment enrol "$ASM" --person "$PER" >/dev/null
$BIN assessment result "$ASM" --person "$PER" --theory 80 --practical 80 >/dev/null
CRT=$($BIN record "$PER" --json | python3 -c "import json,sys;print(json.load(sys.stdin)['certificates'][0]['id'])")
$BIN cert export "$CRT" --out cert.json 2>/dev/null
WORKER=$($BIN token create --role worker --person "$PER" | tail -1)
python3 -c "import json;print(json.dumps({'credential':json.load(open('cert.json'))}))" > body.json
cat > verify.lua <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("body.json", "r"); wrk.body = f:read("*a"); f:close()
LUA

$BIN serve --port "$PORT" --rate-limit 1000000000 > serve.log 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf -X POST -H 'Content-Type: application/json' --data @body.json "http://127.0.0.1:$PORT/v1/verify" | grep -q '"verdict":"valid"'

rss() { awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$SERVER/status; }
# The server's CPU time (user + system, in clock ticks) so far. Divided by the requests of a wrk
# run it shows how fast the host was during that run: the same build's CPU per request moves by
# half from one hour to the next on a shared host, and latency follows it.
ticks() { awk '{print $14 + $15}' /proc/$SERVER/stat; }
per_request() { python3 -c "import sys; print(round(($2 - $1) * 1e6 / $(getconf CLK_TCK) / int(sys.argv[1])))" \
    "$(grep -Eo '[0-9]+ requests in' "$3" | awk '{print $1}')"; }
echo "== POST /v1/verify, 64 connections, ${SECONDS_PER_RUN}s"
BEFORE=$(ticks)
wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --latency -s verify.lua "http://127.0.0.1:$PORT/v1/verify" | tee verify.txt | grep -E "Requests/sec|99%|50%|Non-2xx"
echo "server CPU per request: $(per_request "$BEFORE" "$(ticks)" verify.txt) µs; peak RSS: $(rss)"
echo "== GET /v1/me/record at $PEOPLE people, 64 connections, ${SECONDS_PER_RUN}s"
BEFORE=$(ticks)
wrk -t2 -c64 -d"${SECONDS_PER_RUN}s" --latency -H "Authorization: Bearer $WORKER" "http://127.0.0.1:$PORT/v1/me/record" | tee record.txt | grep -E "Requests/sec|99%|50%|Non-2xx"
echo "server CPU per request: $(per_request "$BEFORE" "$(ticks)" record.txt) µs; peak RSS: $(rss)"
kill -INT $SERVER; wait $SERVER || true

[ -n "${BENCH:-}" ] || exit 0
echo "== library verification, same machine, same run"
cd - >/dev/null
LIB=$("$BENCH" certificates --results 10 --bulk 1000 --verifications 20000 | grep "offline verification" | awk '{print $3}')
HTTP=$(grep "Requests/sec" "$WORK/verify.txt" | awk '{print $2}')
echo "library: $LIB verifications/s; HTTP: $HTTP requests/s; ratio $(python3 -c "print(round($HTTP/$LIB, 3))")"
