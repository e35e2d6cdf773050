#!/usr/bin/env python3
"""Starts `skillbank serve` on a fresh bank with one record of every kind and prints, as shell
assignments, its port, its pid and a token for every role (for run.sh)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "harness"))
import sbharness as h  # noqa: E402

binary = sys.argv[1] if len(sys.argv) > 1 else h.DEFAULT_BINARY
db, server, operator, (evaluator, school, course) = h.start_bank("schemathesis", binary, extra=["--rate-limit", "100000000"])
op = h.Client(server.port, operator)
person = op.ok("POST", "/v1/people", {"name": "工人", "id_type": "resident", "id_number": h.resident_id(1)})["id"]
enrolment = op.ok("POST", "/v1/enrolments", {"person": person, "course": course["id"]})["id"]
assessment = op.ok("POST", "/v1/assessments", {"institution": evaluator["id"], "occupation": "6-31-01-03", "level": 5})["id"]
op.ok("POST", "/v1/assessments/%s/candidates" % assessment, {"person": person})
certificate = op.ok("POST", "/v1/assessments/%s/results" % assessment, {"person": person, "theory": 80, "practical": 80})["certificates"][0]["id"]


def token(*args):
    status, out = h.cli(binary, "token", "create", *args, db=db)
    return out.strip().splitlines()[-1]


for name, value in [("INSTITUTION", evaluator["id"]), ("PERSON", person), ("ENROLMENT", enrolment), ("ASSESSMENT", assessment), ("CERTIFICATE", certificate)]:
    print("SB_%s=%s" % (name, value))
print("PORT=%d" % server.port)
print("PID=%d" % server.process.pid)
print("DB=%s" % db)
print("OPERATOR=%s" % operator)
print("INSTITUTION=%s" % token("--role", "institution", "--institution", evaluator["id"]))
print("WORKER=%s" % token("--role", "worker", "--person", person))
