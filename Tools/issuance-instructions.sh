#!/usr/bin/env bash
# Instructions per certificate of a bulk results import, counted by valgrind's callgrind: a
# figure this shared host cannot move, where its timings swing by ±30% within a minute. Use it
# to compare two builds of the issuance path.
#
#   bash Tools/issuance-instructions.sh [path/to/skillbank] [results]
#
# Builds a bank with the CLI (one social evaluator, `results` enrolled candidates, default
# 1,000), then runs `skillbank assessment import-results` once under callgrind and prints the
# instructions per certificate inside `Ledger.importResults`, inside the Ed25519 signature, and
# the share of the signature. Needs valgrind (apt-get install valgrind) and python3; valgrind
# 3.19 cannot read DWARF 5, so a copy of the binary without debug information is measured.
# The signature's count under valgrind is not what the processor runs natively (valgrind's
# virtual CPU offers OpenSSL other instruction sets), so compare builds, not the share to
# `openssl speed`.
set -euo pipefail
BIN=$(realpath "${1:-.build/release/skillbank}")
RESULTS=${2:-1000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export SKILLBANK_DB="$WORK/bank.sqlite" SKILLBANK_KEY_PASSPHRASE=instructions
export SKILLBANK_STANDARDS="$(cd "$(dirname "$0")/.." && pwd)/Standards"
sb() { "$BIN" "$@"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

sb init >/dev/null
INS=$(sb institution register --name 计数评价机构 --kind social --code 51440000MJ0000001R --province 44 --json | json id)
sb institution accredit "$INS" --occupation 6-31-01-03 --levels 5,4,3 --from 2020-01-01 >/dev/null
python3 - "$WORK/people.csv" "$RESULTS" <<'PY'
import sys
weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
with open(sys.argv[1], "w") as f:
    f.write("name,id_type,id_number\n")
    for i in range(int(sys.argv[2])):
        body = "4401%02d19900101%03d" % (i // 1000, i % 1000)
        f.write("工人%d,resident,%s%s\n" % (i, body, "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]))
PY
sb import people "$WORK/people.csv" >/dev/null
ASM=$(sb assessment schedule --institution "$INS" --occupation 6-31-01-03 --level 3 --json | json id)
sqlite3 "$SKILLBANK_DB" "SELECT id FROM people ORDER BY id" > "$WORK/people.txt"
while read -r person; do sb assessment enrol "$ASM" --person "$person" --override instructions >/dev/null; done < "$WORK/people.txt"
{ echo "person,theory,practical"; sed 's/$/,75,82/' "$WORK/people.txt"; } > "$WORK/results.csv"

cp "$BIN" "$WORK/skillbank"
strip --strip-debug "$WORK/skillbank"
valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" \
  "$WORK/skillbank" assessment import-results "$ASM" "$WORK/results.csv" > "$WORK/valgrind.log" 2>&1
grep -q "certificate(s) issued" "$WORK/valgrind.log" || { cat "$WORK/valgrind.log"; exit 1; }
callgrind_annotate --inclusive=yes --threshold=100 "$WORK/callgrind.out" 2>/dev/null | python3 -c '
import re, sys
n = int(sys.argv[1])
counts = {}
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+\S*:(\S+)", line)
    if m: counts.setdefault(m.group(2), int(m.group(1).replace(",", "")))
def find(part): return max(v for k, v in counts.items() if part in k)
total = find("V13importResults10assessment")
sign = find("Ed25519PrivateKeyV9signature")
print(f"{n} certificates: {total / n / 1000:,.0f}k instructions each in importResults, {sign / n / 1000:,.0f}k in the Ed25519 signature ({sign / total:.3f} of them)")
' "$RESULTS"
