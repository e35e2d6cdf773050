#!/usr/bin/env python3
"""Crash safety: mixed writes over HTTP against release `skillbank serve` processes, SIGKILL of one
of them at a random moment, restart, and check — N times over (default 50).

The bank is a SQLite file, or with --store postgres://user@host:port/db a new database on that
PostgreSQL server; --servers N runs N serve processes on it, the writers spread over them, and
each round kills one of them at random while the others go on writing.

After every kill, with the writers stopped:
  * PRAGMA integrity_check is ok (SQLite);
  * `skillbank log audit` is clean (every event has its leaf, every subtree hash and checkpoint checks);
  * `skillbank check` reconciles (balances, one deposit per completion, a certificate for every pass
    and a pass for every certificate, every posting explained by an event);
  * every write the client saw acknowledged (2xx) is present, in at least the state acknowledged;
  * no certificate number was issued twice, and the log is one tree (the audit replays every leaf).
The one request in flight at the kill may land or not, but never by halves (the checks above).

Usage: python3 Tools/crash-harness.py [--rounds 50] [--binary .build/release/skillbank] [--seed N]
                                      [--store postgres://user@host:port/db] [--servers 2]
Exit 0 when every round is clean and nothing acknowledged was lost.
"""
import argparse
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness"))
import sbharness as h  # noqa: E402


class Writer(threading.Thread):
    """Issues mixed writes until the server dies, recording what was acknowledged."""

    def __init__(self, port, token, registry, ledger_state, rng):
        super().__init__(daemon=True)
        self.client = h.Client(port, token, timeout=10)
        self.evaluator, self.school, self.course = registry
        self.state = ledger_state
        self.rng = rng
        self.in_flight = None
        self.stopped = threading.Event()

    def run(self):
        s = self.state
        while not self.stopped.is_set():
            choice = self.rng.random()
            try:
                if choice < 0.25 or not s["people"]:
                    n = s["next_person"]
                    s["next_person"] += 1
                    self.in_flight = ("person", n)
                    p = self.client.ok("POST", "/v1/people", {"name": "工人", "id_type": "resident", "id_number": h.resident_id(n)})
                    s["people"].append(p["id"])
                elif choice < 0.45:
                    free = [p for p in s["people"] if p not in s["enrolled"]]
                    if not free:
                        continue
                    person = self.rng.choice(free)
                    self.in_flight = ("enrol", person)
                    e = self.client.ok("POST", "/v1/enrolments", {"person": person, "course": self.course["id"]})
                    s["enrolled"][person] = e["id"]
                    s["enrolments"][e["id"]] = "enrolled"
                elif choice < 0.6:
                    open_ = [e for e, st in s["enrolments"].items() if st == "enrolled"]
                    if not open_:
                        continue
                    e = self.rng.choice(open_)
                    self.in_flight = ("complete", e)
                    self.client.ok("POST", "/v1/enrolments/%s/close" % e, {"outcome": "completed"})
                    s["enrolments"][e] = "completed"
                elif choice < 0.9:
                    person = self.rng.choice(s["people"])
                    if person in s["candidates"]:
                        continue
                    assessment = s["assessment"]
                    self.in_flight = ("candidate", person)
                    self.client.ok("POST", "/v1/assessments/%s/candidates" % assessment, {"person": person})
                    s["candidates"].add(person)
                    self.in_flight = ("issue", person)
                    r = self.client.ok("POST", "/v1/assessments/%s/results" % assessment, {"person": person, "theory": 75, "practical": 88})
                    for c in r["certificates"]:
                        s["certificates"][c["id"]] = (c["number"], "active")
                else:
                    active = [c for c, (_, st) in s["certificates"].items() if st == "active"]
                    if not active:
                        continue
                    c = self.rng.choice(active)
                    self.in_flight = ("revoke", c)
                    self.client.ok("POST", "/v1/certificates/%s/revoke" % c, {"reason": "crash harness"})
                    s["certificates"][c] = (s["certificates"][c][0], "revoked")
                s["acknowledged"] += 1
                self.in_flight = None
            except OSError:
                return  # the server is gone; what was in flight is unknown
            except RuntimeError:
                s["refused"] += 1  # another writer got there first (409); nothing to check
                self.in_flight = None


def lost_writes(store, state):
    """Acknowledged writes missing from the bank, or present in an earlier state than acknowledged."""
    rank = {"enrolled": 0, "completed": 1, "failed": 1, "withdrawn": 1, "active": 0, "suspended": 0, "revoked": 1}
    missing = []
    people = {r[0] for r in store.query("SELECT id FROM people")}
    missing += ["person %s" % p for p in state["people"] if p not in people]
    enrolments = dict(store.query("SELECT id, status FROM enrolments"))
    for e, st in state["enrolments"].items():
        if e not in enrolments or rank[enrolments[e]] < rank[st]:
            missing.append("enrolment %s (%s, found %s)" % (e, st, enrolments.get(e)))
    certificates = {r[0]: (r[1], r[2]) for r in store.query("SELECT id, number, status FROM certificates")}
    for c, (number, st) in state["certificates"].items():
        found = certificates.get(c)
        if found is None or found[0] != number or rank[found[1]] < rank[st]:
            missing.append("certificate %s (%s, found %s)" % (c, st, found))
    return missing


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--binary", default=h.DEFAULT_BINARY)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--writers", type=int, default=4, help="concurrent HTTP clients writing (per serve process)")
    parser.add_argument("--store", help="a PostgreSQL server (postgres://user@host:port/db to connect to); default: a SQLite file")
    parser.add_argument("--servers", type=int, default=1, help="serve processes on the one bank")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    store, servers, operator, registry = h.start_servers("crash", args.binary, extra=["--checkpoint-interval", "1"], server=args.store,
                                                         count=args.servers)
    state = {"people": [], "enrolled": {}, "enrolments": {}, "candidates": set(), "certificates": {}, "next_person": 1, "acknowledged": 0, "refused": 0}
    survived, lost_total, unknown = 0, [], 0
    print("crash harness: %d rounds, seed %d, bank %s, %d serve process(es)" % (args.rounds, args.seed, store.location, len(servers)))
    for round_ in range(1, args.rounds + 1):
        for server in servers:
            if server.process.poll() is not None:
                server.start()
        # A fresh assessment each round keeps the candidate list short.
        state["assessment"] = h.Client(servers[0].port, operator).ok(
            "POST", "/v1/assessments", {"institution": registry[0]["id"], "occupation": "6-31-01-03", "level": 5})["id"]
        state["candidates"] = set()
        writers = [Writer(servers[i % len(servers)].port, operator, registry, state, random.Random(rng.random()))
                   for i in range(args.writers * len(servers))]
        for w in writers:
            w.start()
        time.sleep(rng.uniform(0.2, 2.5))
        victim = rng.randrange(len(servers))
        servers[victim].kill()
        for w in writers:
            w.stopped.set()
        for w in writers:
            w.join(timeout=30)
        flying = [w.in_flight[0] for w in writers if w.in_flight]
        unknown += len(flying)
        problems = h.check_bank(args.binary, store)
        lost = lost_writes(store, state)
        lost_total += lost
        if not problems and not lost:
            survived += 1
        print("round %2d: killed serve %d; acknowledged so far %6d, in flight at kill: %-32s %s" % (
            round_, victim + 1, state["acknowledged"], ",".join(flying) or "-",
            "clean" if not problems and not lost else "PROBLEMS %s LOST %s" % (problems, lost[:5])), flush=True)
    for server in servers:
        server.stop()
    events = store.count("SELECT count(*) FROM events")
    print("\nkills survived: %d/%d; acknowledged writes: %d (%d refused as conflicts between writers); lost: %d; "
          "requests in flight at a kill: %d; events in the bank: %d"
          % (survived, args.rounds, state["acknowledged"], state["refused"], len(lost_total), unknown, events))
    return 0 if survived == args.rounds and not lost_total else 1


if __name__ == "__main__":
    sys.exit(main())
