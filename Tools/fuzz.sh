#!/usr/bin/env bash
# Hostile input to the parsers: builds the libFuzzer executable and runs each target for
# SECONDS (default 600), JOBS targets at a time (default 2), from the seed corpus in
# Tools/Fuzz/corpus/TARGET. A crashing input lands in Tools/Fuzz/regressions/TARGET/, where the
# FuzzRegressionTests replay it on every `swift test`.
# Usage: bash Tools/fuzz.sh [SECONDS] [TARGET...]      targets: json credential note csv
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"; shift || true
targets=("${@:-json credential note csv}")
read -r -a targets <<< "${targets[*]}"
jobs="${JOBS:-2}"
swift build -c release --product skillbank-fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING 2>&1 | tail -1
work="$(mktemp -d /tmp/skillbank-fuzz-XXXX)"
run() {
  local t="$1"
  mkdir -p "$work/$t" "Tools/Fuzz/regressions/$t"
  cp "Tools/Fuzz/corpus/$t/"* "$work/$t/"
  SWIFT_BACKTRACE=enable=no SKILLBANK_FUZZ_TARGET="$t" .build-fuzz/release/skillbank-fuzz "$work/$t" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="Tools/Fuzz/regressions/$t/" > "$work/$t.log" 2>&1 || true
  local runs crashes
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$' || echo "?")
  crashes=$(grep -c 'Test unit written to' "$work/$t.log" || true)
  printf '%-11s %6ss  %12s executions  corpus %4s inputs  crashes/timeouts/ooms kept: %s\n' "$t" "$seconds" "$runs" "$(ls "$work/$t" | wc -l)" "$crashes"
}
for t in "${targets[@]}"; do
  run "$t" &
  while [ "$(jobs -r | wc -l)" -ge "$jobs" ]; do sleep 1; done
done
wait
echo "logs and grown corpora: $work"
