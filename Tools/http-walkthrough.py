#!/usr/bin/env python3
"""The README walk-through over HTTP only, as an integrator would do it.

Usage: python3 Tools/http-walkthrough.py [--skillbank .build/release/skillbank] [--keep DIR]

Starts `skillbank serve` in a fresh folder (the bank is created on first start), reads the
operator token file (the only thing taken from outside HTTP), and then does every job through
the API with ids taken from the replies: register a training school and an evaluation centre,
accredit them, give each an institution token, publish a course, register a worker, enrol and
complete (credits deposited), read the worker's record with a worker token, schedule an
assessment, enrol the worker as a candidate, record a pass (a certificate is issued), fetch the
bundle, verify it (valid), revoke it, verify again (revoked), list what the evaluator issued,
and check the refusals a client must handle (problem+json with a code and a field). Exit 0 when
every step answered as expected; each step is printed as `METHOD path → status`.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port):
        self.port = port

    def call(self, method, path, body=None, token=None, expect=200, content_type="application/json"):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
        print(f"{method} {path.split('?')[0]} → {response.status}")
        if response.status != expect:
            sys.exit(f"expected {expect}, got {response.status}: {text[:400]}")
        if response.getheader("Content-Type", "").startswith(("application/json", "application/problem+json")):
            return json.loads(text)
        return text


def uscc(first17):
    """GB 32100 check character for a fictional 统一社会信用代码."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(c) * w for c, w in zip(first17, weights))
    return first17 + alphabet[(31 - total % 31) % 31]


def resident(first17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skillbank", default=".build/release/skillbank")
    parser.add_argument("--keep", help="run in this folder and keep it")
    args = parser.parse_args()
    binary = os.path.abspath(args.skillbank)
    standards = os.path.abspath("Standards")
    folder = args.keep or tempfile.mkdtemp(prefix="skillbank-walk-")
    os.makedirs(folder, exist_ok=True)
    port = free_port()
    env = dict(os.environ, SKILLBANK_STANDARDS=standards)
    server = subprocess.Popen([binary, "serve", "--port", str(port), "--base-url", f"http://127.0.0.1:{port}"], cwd=folder, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        token_file = os.path.join(folder, "skillbank.sqlite.operator-token")
        op = open(token_file).read().strip()
        api = Client(port)

        # The registry sets up two institutions and hands each a token.
        school = api.call("POST", "/v1/institutions", {"name": "深圳市电工技能培训学校", "kind": "training", "code": uscc("91440300MA5F8R2K1"), "province": "44"},
                          token=op, expect=201)["id"]
        api.call("POST", f"/v1/institutions/{school}/accreditations", {"occupation": "6-31-01-03", "levels": [5, 4, 3], "valid_from": "2026-01-01"},
                 token=op, expect=201)
        school_token = api.call("POST", "/v1/tokens", {"role": "institution", "institution": school}, token=op, expect=201)["secret"]
        centre = api.call("POST", "/v1/institutions", {"name": "广东省电工职业技能评价中心", "kind": "social", "code": uscc("51440000MJ0000001"),
                                                       "province": "44", "evaluator_code": "0012", "site_sequence": "000007"}, token=op, expect=201)["id"]
        api.call("POST", f"/v1/institutions/{centre}/accreditations", {"occupation": "6-31-01-03", "levels": [5, 4, 3], "valid_from": "2026-01-01"},
                 token=op, expect=201)
        centre_token = api.call("POST", "/v1/tokens", {"role": "institution", "institution": centre}, token=op, expect=201)["secret"]

        # Training: a course, a worker, an enrolment, a completion that deposits credits.
        course = api.call("POST", "/v1/courses", {"title": "低压电工作业", "occupation": "6-31-01-03", "level": 4, "hours": 64, "capacity": 30},
                          token=school_token, expect=201)
        assert course["credits"] == "6.4", course
        worker = api.call("POST", "/v1/people", {"name": "李明", "id_type": "resident", "id_number": resident("44030519900307123")}, token=op, expect=201)
        assert "李明" not in json.dumps(worker, ensure_ascii=False), "the reply must be masked"
        found = api.call("POST", "/v1/people/search", {"id_type": "resident", "id_number": resident("44030519900307123")}, token=op)
        assert found["id"] == worker["id"]
        enrolment = api.call("POST", "/v1/enrolments", {"person": worker["id"], "course": course["id"]}, token=school_token, expect=201)["id"]
        closed = api.call("POST", f"/v1/enrolments/{enrolment}/close", {"outcome": "completed"}, token=school_token)
        assert closed["credited"] == "6.4", closed
        worker_token = api.call("POST", "/v1/tokens", {"role": "worker", "person": worker["id"]}, token=op, expect=201)["secret"]
        record = api.call("GET", "/v1/me/record", token=worker_token)
        assert any(b.get("balance") == "6.4" for b in record.get("balances", [])), record

        # Refusals a client handles: out of scope, a misnamed member, no token.
        refused = api.call("POST", "/v1/courses", {"title": "焊工", "occupation": "6-18-02-04", "level": 4, "hours": 64}, token=school_token, expect=403)
        assert refused["code"] == "ledger.out-of-accreditation-scope", refused
        misnamed = api.call("POST", f"/v1/institutions/{school}/accreditations", {"occupation": "6-31-01-03", "levels": [5], "from": "2026-01-01"},
                            token=op, expect=422)
        assert misnamed["field"] == "$.from" and 'send "valid_from"' in misnamed["invalid_params"][0]["reason"], misnamed
        api.call("GET", "/v1/courses", expect=401)

        # Assessment: schedule, enrol (the operator overrides eligibility with a reason), pass.
        assessment = api.call("POST", "/v1/assessments", {"occupation": "6-31-01-03", "level": 4}, token=centre_token, expect=201)["id"]
        api.call("POST", f"/v1/assessments/{assessment}/candidates", {"person": worker["id"], "override": "上岗前已有从业经历"}, token=op, expect=201)
        outcome = api.call("POST", f"/v1/assessments/{assessment}/results", {"person": worker["id"], "theory": 78, "practical": 85}, token=centre_token)
        assert outcome["passed"] and len(outcome["certificates"]) == 1, outcome
        certificate = outcome["certificates"][0]

        # The worker fetches the bundle; anyone verifies it; the centre revokes; verify again.
        bundle = api.call("GET", f"/v1/me/certificates/{certificate['id']}?format=bundle", token=worker_token)
        verdict = api.call("POST", "/v1/verify", {"credential": bundle})
        assert verdict["verdict"] == "valid", verdict
        api.call("POST", f"/v1/certificates/{certificate['id']}/revoke", {"reason": "证书信息有误"}, token=centre_token)
        verdict = api.call("POST", "/v1/verify", {"credential": bundle})
        assert verdict["verdict"] == "invalid" and "revoked" in verdict["reasons"], verdict
        issued = api.call("GET", "/v1/certificates?status=revoked", token=centre_token)
        assert [c["id"] for c in issued["items"]] == [certificate["id"]], issued
        print(f"walk-through over HTTP: every step as expected ({certificate['number']} issued, verified, revoked)")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
