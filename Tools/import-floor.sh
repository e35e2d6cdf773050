#!/usr/bin/env bash
# How close can a completion import get to the `.import` target (issue 2: 0.3 of the sqlite3
# shell's own rate) in SQLite alone, with no application code at all?
#
#   bash Tools/import-floor.sh
#
# In one run, on fresh files in a temporary folder:
#   1. the baseline: `.import` of 1,000,000 two-column rows (what skillbank-bench compares with);
#   2. Tools/import-floor.sql: what a million completions must write in this design (an event,
#      two log nodes, the enrolment update, a double-entry posting with its indexes) as
#      set-based statements;
#   3. the same without the event and the log nodes: only the enrolment update and the posting,
#      which any design that keeps enrolment state and double-entry credits must write.
# Each is printed in seconds and as a ratio to the baseline. Needs sqlite3 and python3.
set -euo pipefail
cd "$(dirname "$0")"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$WORK/rows.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("enrolment,outcome\n")
    for i in range(1_000_000):
        f.write("enr_%020d,completed\n" % i)
PY

seconds() { python3 -c "import time,subprocess,sys; t=time.monotonic(); subprocess.run(sys.argv[1], shell=True, check=True, stdout=subprocess.DEVNULL); print(round(time.monotonic()-t, 2))" "$1"; }

sqlite3 "$WORK/import.sqlite" "PRAGMA journal_mode=WAL; CREATE TABLE completions(enrolment TEXT, outcome TEXT);" >/dev/null
BASE=$(seconds "printf '.mode csv\n.import --skip 1 $WORK/rows.csv completions\n' | sqlite3 $WORK/import.sqlite")

# The floor script times its own transaction; only the statements inside it count.
inside() { sqlite3 "$1" < "$2" | awk '/^Run Time/ {s += $4} END {printf "%.2f", s}'; }
FULL=$(inside "$WORK/full.sqlite" import-floor.sql)
grep -v -E "INSERT INTO (events|log_nodes)" import-floor.sql | awk '
  /^WITH RECURSIVE/ { held = $0; next }
  held != "" { if ($0 ~ /^INSERT/) print held; held = "" }
  { print }' > "$WORK/minimal.sql"
MINIMAL=$(inside "$WORK/minimal.sqlite" "$WORK/minimal.sql")

ratio() { python3 -c "print(round($BASE / $1, 3))"; }
echo ".import of 1,000,000 rows:                        $BASE s"
echo "floor with events and log (import-floor.sql):     $FULL s   ratio $(ratio "$FULL")"
echo "floor of enrolment update + posting alone:        $MINIMAL s   ratio $(ratio "$MINIMAL")"
