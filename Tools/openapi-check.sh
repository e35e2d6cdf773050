#!/usr/bin/env bash
# Checks the OpenAPI document the way an integrator's tools would: it validates as OpenAPI 3.1
# (openapi-spec-validator) and a client generator turns it into typed models
# (openapi-python-client). Needs: pip install openapi-spec-validator openapi-python-client
# Usage: bash Tools/openapi-check.sh [path/to/skillbank]
set -euo pipefail
binary=$(realpath "${1:-.build/release/skillbank}")
standards=$(realpath Standards)
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$work" && SKILLBANK_STANDARDS="$standards" "$binary" serve --port "$port" >/dev/null 2>&1) &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/openapi.json" > "$work/openapi.json"
python3 - "$work/openapi.json" <<'PY'
import json, sys
from openapi_spec_validator import validate
document = json.load(open(sys.argv[1]))
validate(document)
paths = sum(len(v) for v in document["paths"].values())
print(f"openapi-spec-validator: valid OpenAPI {document['openapi']}, {paths} operations, {len(document['components']['schemas'])} schemas")
PY
(cd "$work" && openapi-python-client generate --path openapi.json --output-path client --overwrite >"$work/generate.log" 2>&1) || { cat "$work/generate.log"; exit 1; }
models=$(ls "$work"/client/*/models/*.py | grep -vc __init__)
skipped=$(grep -c "will not be generated" "$work/generate.log" || true)
echo "openapi-python-client: $models typed models; $skipped operations skipped ($(grep -A2 'will not be generated' "$work/generate.log" | grep -o 'Unsupported content type [a-z/]*' | sort -u | tr '\n' ' '))"
