#!/usr/bin/env python3
"""Concurrency: 64 HTTP clients for 2 minutes against a release `skillbank serve`, mixing
registrations, enrolments, completions, issuances, revocations, verifications and record reads.

Shows, from what the clients were told and what the bank holds afterwards:
  * no 5xx other than 503 with Retry-After;
  * no lost or duplicated writes: each kind of row in the bank numbers exactly what clients
    were acknowledged (plus the set-up), and a create retried with the same Idempotency-Key
    returns the first answer instead of writing twice (with --servers N, through another process);
  * certificate numbers are unique; every acknowledged number is in the bank;
  * integrity_check, log audit and reconciliation are clean afterwards.

With --store postgres://user@host:port/db the bank is a new database on that PostgreSQL server;
with --servers N the clients are spread over N serve processes on the one bank.

Usage: python3 Tools/concurrency-harness.py [--clients 64] [--seconds 120] [--binary .build/release/skillbank]
                                            [--store postgres://user@host:port/db] [--servers 2]
Exit 0 when all of the above hold.
"""
import argparse
import collections
import os
import random
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness"))
import sbharness as h  # noqa: E402

KINDS = [("person", 12), ("enrol", 14), ("complete", 10), ("issue", 18), ("revoke", 4), ("verify", 20), ("record", 22)]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = collections.Counter()
        self.acked = collections.Counter()
        self.bad = []           # 5xx other than 503+Retry-After, or a malformed answer
        self.unknown = 0        # connection errors: outcome not known to the client
        self.numbers = []       # certificate numbers acknowledged
        self.latencies = []
        self.replays = 0
        self.replay_mismatches = []

    def note(self, kind, status, headers, elapsed):
        with self.lock:
            self.statuses[(kind, status)] += 1
            self.latencies.append(elapsed)
            if status >= 500 and not (status == 503 and "Retry-After" in headers):
                self.bad.append((kind, status))


class Worker(threading.Thread):
    def __init__(self, port, operator, worker_tokens, registry, shared, tally, deadline, seed, retry_port=None):
        super().__init__(daemon=True)
        self.op = h.Client(port, operator)
        # Retries go to another serve process when there is one: the key must hold across processes.
        self.retry_op = h.Client(retry_port or port, operator)
        self.port = port
        self.evaluator, self.school, self.course = registry
        self.workers = worker_tokens  # [(person, token, certificate id, credential)]
        self.shared, self.tally, self.deadline = shared, tally, deadline
        self.rng = random.Random(seed)
        self.mine = {"people": [], "open": [], "active": []}
        self.worker_clients = {}
        self.public = h.Client(port)  # verification needs no token

    def call(self, kind, client, method, path, body=None, headers=None):
        start = time.perf_counter()
        status, value, response_headers = client.request(method, path, body, headers=headers)
        self.tally.note(kind, status, response_headers, time.perf_counter() - start)
        return status, value, response_headers

    def run(self):
        names = [k for k, _ in KINDS]
        weights = [w for _, w in KINDS]
        while time.time() < self.deadline:
            kind = self.rng.choices(names, weights)[0]
            try:
                self.step(kind)
            except OSError:
                with self.tally.lock:
                    self.tally.unknown += 1

    def step(self, kind):
        t, m = self.tally, self.mine
        if kind == "person" or (kind in ("enrol", "issue") and not m["people"]):
            with t.lock:
                n = self.shared["next_person"]
                self.shared["next_person"] += 1
            status, value, _ = self.call("person", self.op, "POST", "/v1/people", {"name": "工人", "id_type": "resident", "id_number": h.resident_id(n)})
            if status == 201:
                m["people"].append(value["id"])
                with t.lock:
                    t.acked["person"] += 1
        elif kind == "enrol":
            person = m["people"].pop(self.rng.randrange(len(m["people"])))
            body = {"person": person, "course": self.course["id"]}
            key = {"Idempotency-Key": uuid.uuid4().hex}
            status, value, _ = self.call("enrol", self.op, "POST", "/v1/enrolments", body, key)
            if status == 201:
                m["open"].append(value["id"])
                with t.lock:
                    t.acked["enrol"] += 1
                # One in five is retried as a client would after a lost answer: the same key
                # must replay the first answer, not enrol twice.
                if self.rng.random() < 0.2:
                    status2, value2, headers2 = self.call("enrol-retry", self.retry_op, "POST", "/v1/enrolments", body, key)
                    while status2 == 503:  # overloaded: wait as told, then retry the same request
                        time.sleep(float(headers2.get("Retry-After", "1")))
                        status2, value2, headers2 = self.call("enrol-retry", self.retry_op, "POST", "/v1/enrolments", body, key)
                    with t.lock:
                        t.replays += 1
                        if status2 != 201 or value2 != value or headers2.get("Idempotent-Replay") != "true":
                            t.replay_mismatches.append((status2, value2))
            m["people"].append(person)  # may still sit an assessment
        elif kind == "complete":
            if not m["open"]:
                return
            e = m["open"].pop()
            status, _, _ = self.call("complete", self.op, "POST", "/v1/enrolments/%s/close" % e, {"outcome": "completed"})
            if status == 200:
                with t.lock:
                    t.acked["complete"] += 1
        elif kind == "issue":
            person = m["people"].pop(self.rng.randrange(len(m["people"])))  # one assessment per person
            assessment = self.shared["assessment"]
            status, _, _ = self.call("candidate", self.op, "POST", "/v1/assessments/%s/candidates" % assessment, {"person": person})
            if status != 201 and status != 200:
                return
            status, value, _ = self.call("issue", self.op, "POST", "/v1/assessments/%s/results" % assessment,
                                         {"person": person, "theory": 70, "practical": 90})
            if status == 200:
                with t.lock:
                    t.acked["issue"] += len(value["certificates"])
                    t.numbers += [c["number"] for c in value["certificates"]]
                m["active"] += [c["id"] for c in value["certificates"]]
        elif kind == "revoke":
            if not m["active"]:
                return
            c = m["active"].pop()
            status, _, _ = self.call("revoke", self.op, "POST", "/v1/certificates/%s/revoke" % c, {"reason": "concurrency harness"})
            if status == 200:
                with t.lock:
                    t.acked["revoke"] += 1
        elif kind == "verify":
            _, _, _, credential = self.rng.choice(self.workers)
            status, value, _ = self.call("verify", self.public, "POST", "/v1/verify", {"credential": credential})
            if status == 200 and value.get("verdict") != "valid":
                with t.lock:
                    t.bad.append(("verify", "a valid set-up certificate did not verify: %s" % value.get("reasons")))
        elif kind == "record":
            person, token, _, _ = self.rng.choice(self.workers)
            client = self.worker_clients.setdefault(person, h.Client(self.port, token))
            status, value, _ = self.call("record", client, "GET", "/v1/me/record")
            if status == 200 and value.get("person", {}).get("id", person) != person:
                with t.lock:
                    t.bad.append(("record", "a worker saw another worker's record"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--binary", default=h.DEFAULT_BINARY)
    parser.add_argument("--max-in-flight", type=int, default=512,
                        help="the server's admission limit; set it below --clients to see overload answered with 503 + Retry-After")
    parser.add_argument("--store", help="a PostgreSQL server (postgres://user@host:port/db to connect to); default: a SQLite file")
    parser.add_argument("--servers", type=int, default=1, help="serve processes on the one bank")
    args = parser.parse_args()
    # Verification is rate-limited per address; every client here shares one address.
    store, servers, operator, registry = h.start_servers(
        "concurrency", args.binary, extra=["--rate-limit", "100000000", "--max-in-flight", str(args.max_in_flight)], server=args.store,
        count=args.servers)
    server = servers[0]
    op = h.Client(server.port, operator)
    shared = {"next_person": 100000}
    # Set-up: 16 workers holding a certificate, each with a worker token, for reads and verifications.
    setup_assessment = op.ok("POST", "/v1/assessments", {"institution": registry[0]["id"], "occupation": "6-31-01-03", "level": 5})["id"]
    workers = []
    for n in range(16):
        person = op.ok("POST", "/v1/people", {"name": "持证人", "id_type": "resident", "id_number": h.resident_id(n + 1)})["id"]
        op.ok("POST", "/v1/assessments/%s/candidates" % setup_assessment, {"person": person})
        certificate = op.ok("POST", "/v1/assessments/%s/results" % setup_assessment, {"person": person, "theory": 80, "practical": 80})["certificates"][0]
        status, out = h.cli(args.binary, "token", "create", "--role", "worker", "--person", person, store=store)
        token = out.strip().splitlines()[-1]
        credential = h.Client(server.port, token).ok("GET", "/v1/me/certificates/%s" % certificate["id"])
        workers.append((person, token, certificate["id"], credential))
    shared["assessment"] = op.ok("POST", "/v1/assessments", {"institution": registry[0]["id"], "occupation": "6-31-01-03", "level": 5})["id"]
    before = {t: store.count("SELECT count(*) FROM %s" % t) for t in ("people", "enrolments", "certificates")}

    tally = Tally()
    deadline = time.time() + args.seconds
    threads = [Worker(servers[seed % len(servers)].port, operator, workers, registry, shared, tally, deadline, seed,
                      retry_port=servers[(seed + 1) % len(servers)].port) for seed in range(args.clients)]
    print("concurrency harness: %d clients for %d s against %s on %d serve process(es)" % (args.clients, args.seconds, store.location, len(servers)),
          flush=True)
    started = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.time() - started
    for server in servers:
        server.stop()

    count = store.count
    found = {
        "person": count("SELECT count(*) FROM people") - before["people"],
        "enrol": count("SELECT count(*) FROM enrolments") - before["enrolments"],
        "complete": count("SELECT count(*) FROM enrolments WHERE status = 'completed'"),
        "issue": count("SELECT count(*) FROM certificates") - before["certificates"],
        "revoke": count("SELECT count(*) FROM certificates WHERE status = 'revoked'"),
    }
    stored_numbers = {r[0] for r in store.query("SELECT number FROM certificates")}
    duplicates_told = len(tally.numbers) - len(set(tally.numbers))
    missing_numbers = [n for n in tally.numbers if n not in stored_numbers]
    problems = h.check_bank(args.binary, store)

    total = sum(tally.statuses.values())
    latencies = sorted(tally.latencies)
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0  # noqa: E731
    print("requests: %d in %.0f s (%.0f/s); p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (total, elapsed, total / elapsed, pct(0.5), pct(0.99), latencies[-1] * 1000))
    by_status = collections.Counter()
    for (_, status), n in tally.statuses.items():
        by_status[status] += n
    print("statuses: %s (503 with Retry-After: %d)" % (dict(sorted(by_status.items())), by_status[503]))
    mismatched = {k: (tally.acked[k], found[k]) for k in found if tally.acked[k] != found[k]}
    for k in found:
        print("  %-8s acknowledged %6d, in the bank %6d%s" % (k, tally.acked[k], found[k], "" if tally.acked[k] == found[k] else "  MISMATCH"))
    print("idempotent retries: %d, mismatched replays: %d" % (tally.replays, len(tally.replay_mismatches)))
    print("certificate numbers: %d told, %d duplicates, %d missing from the bank" % (len(tally.numbers), duplicates_told, len(missing_numbers)))
    print("5xx other than 503+Retry-After (or wrong answers): %d %s" % (len(tally.bad), tally.bad[:5]))
    print("connection errors (outcome unknown): %d" % tally.unknown)
    print("bank checks: %s" % ("clean" if not problems else problems))
    ok = not tally.bad and not mismatched and not tally.replay_mismatches and not duplicates_told and not missing_numbers and not problems and tally.unknown == 0
    print("RESULT: %s" % ("pass" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
