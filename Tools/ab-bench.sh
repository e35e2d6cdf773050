#!/usr/bin/env bash
# Two builds of SkillBank measured in one run, interleaved, on the figures a user notices:
# bulk and single issuance/s, verifications/s, imports rows/s, `record` (library and CLI
# process), HTTP verify req/s and p99 at 64 connections. This is how a fast path earns its keep:
# build the tree with and without it, then
#
#   bash Tools/ab-bench.sh OLD_CHECKOUT NEW_CHECKOUT [rounds=2]
#
# Each checkout needs `swift build -c release --static-swift-stdlib --product skillbank` and
# `swift build -c release --product skillbank-bench` done. Needs wrk and python3.
set -euo pipefail
OLD=$(cd "$1" && pwd); NEW=$(cd "$2" && pwd); ROUNDS=${3:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mktemp -d)
for round in $(seq "$ROUNDS"); do
  for side in OLD NEW; do
    dir=${!side}
    echo "## round $round: $side ($dir)"
    "$dir/.build/release/skillbank-bench" certificates --results 1000 --bulk 8000 --verifications 20000 \
      | grep -E "^openssl speed|^issuance|^offline verification" | tee -a "$OUT/$side.certificates"
    "$dir/.build/release/skillbank-bench" import --people 20000 --courses 200 --per-person 5 --record-samples 500 \
      --cli "$dir/.build/release/skillbank" | grep -E "import  |^record" | tee -a "$OUT/$side.import"
    BIN="$dir/.build/release/skillbank" PORT=$((18080 + round)) bash "$HERE/http-bench.sh" 20000 15 \
      | grep -E "^==|Requests/sec|99%|50%|CPU per request" | tee -a "$OUT/$side.http"
  done
done
echo "results in $OUT"
