#!/usr/bin/env python3
"""A Standard Webhooks receiver for trying SkillBank's webhooks and for the delivery tests.

It checks every delivery's signature with Python's own hmac (an implementation independent of
SkillBank's), answers 204 to a valid one and 401 to an invalid one, and appends one JSON line per
request to --log: the webhook-id, the timestamp, whether the signature was valid, and the body.

    python3 Tools/webhooks/receiver.py --port 9100 --secret whsec_... --log deliveries.jsonl

--delay-ms makes each answer slow (deliveries are then in flight when a test kills the sender);
--fail N answers 503 to the first N requests (the sender retries). With --port 0 the chosen
port is printed on the first line. The receiver stops when its standard input closes.
"""
import argparse
import base64
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--secret", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--delay-ms", type=int, default=0)
parser.add_argument("--fail", type=int, default=0)
parser.add_argument("--tolerance", type=int, default=300, help="seconds a timestamp may be off")
args = parser.parse_args()

key = base64.b64decode(args.secret[len("whsec_"):] if args.secret.startswith("whsec_") else args.secret)
lock = threading.Lock()
seen = {"requests": 0}


def valid(msg_id, timestamp, body, header):
    try:
        if abs(time.time() - int(timestamp)) > args.tolerance:
            return False
    except ValueError:
        return False
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
    return any(part.startswith("v1,") and hmac.compare_digest(part[3:], expected) for part in header.split(" "))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        msg_id = self.headers.get("webhook-id", "")
        timestamp = self.headers.get("webhook-timestamp", "")
        ok = valid(msg_id, timestamp, body, self.headers.get("webhook-signature", ""))
        with lock:
            seen["requests"] += 1
            failing = seen["requests"] <= args.fail
            with open(args.log, "a", encoding="utf-8") as f:
                f.write(json.dumps({"id": msg_id, "timestamp": timestamp, "valid": ok, "answered": 503 if failing else (204 if ok else 401),
                                    "body": body.decode("utf-8", "replace")}, ensure_ascii=False) + "\n")
        if args.delay_ms:
            time.sleep(args.delay_ms / 1000)
        self.send_response(503 if failing else (204 if ok else 401))
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
server.serve_forever()
