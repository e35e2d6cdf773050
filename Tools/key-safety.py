#!/usr/bin/env python3
"""Key safety in memory: a running `skillbank serve` that has signed certificates is dumped with
gcore, and the dump is searched for private keys in forms that should never linger:
  * PEM without encryption ("BEGIN PRIVATE KEY") and the clear PKCS#8 DER of an Ed25519 key;
  * each key's 32-byte seed, counted: OpenSSL must hold it while the server signs (one copy per
    loaded key is the floor); more copies mean a decrypted buffer was left behind.
On disk: the same forms in every file of the bank's folder, and the mode of every secret file.

Usage: python3 Tools/key-safety.py [--binary .build/release/skillbank]   (needs gdb's gcore and openssl)
"""
import argparse
import glob
import os
import sqlite3
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness"))
import sbharness as h  # noqa: E402

CLEAR_PKCS8 = bytes.fromhex("302e020100300506032b657004220420")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=h.DEFAULT_BINARY)
    args = parser.parse_args()
    db, server, operator, (evaluator, _, _) = h.start_bank("keys", args.binary)
    folder = os.path.dirname(db)
    op = h.Client(server.port, operator)
    op.ok("POST", "/v1/institutions/%s/rotate-key" % evaluator["id"])
    assessment = op.ok("POST", "/v1/assessments", {"institution": evaluator["id"], "occupation": "6-31-01-03", "level": 5})["id"]
    for n in range(20):
        person = op.ok("POST", "/v1/people", {"name": "工人", "id_type": "resident", "id_number": h.resident_id(n + 1)})["id"]
        op.ok("POST", "/v1/assessments/%s/candidates" % assessment, {"person": person})
        op.ok("POST", "/v1/assessments/%s/results" % assessment, {"person": person, "theory": 80, "practical": 80})
    op.ok("GET", "/v1/trust-list")
    core = os.path.join(folder, "core")
    subprocess.run(["gcore", "-o", core, str(server.process.pid)], capture_output=True, check=True)
    server.stop()
    dump = open(glob.glob(core + "*")[0], "rb").read()

    keypass = os.path.join(folder, "bank.sqlite.keypass")
    pems = [r[0] for r in sqlite3.connect(db).execute("SELECT encrypted_pem FROM keys")]
    seeds = []
    for pem in pems:
        der = subprocess.run(["openssl", "pkey", "-passin", "file:" + keypass, "-outform", "DER"], input=pem.encode(), capture_output=True, check=True).stdout
        assert der.startswith(CLEAR_PKCS8) and len(der) == 48
        seeds.append(der[16:])
    failures = []
    print("core dump: %d MB of a server that signed 20 certificates with %d keys" % (len(dump) // 2**20, len(seeds)))
    for label, needle in [("clear PEM header", b"BEGIN PRIVATE KEY"), ("clear PKCS#8 DER prefix", CLEAR_PKCS8)]:
        n = dump.count(needle)
        print("  %-28s %d" % (label, n))
        if n:
            failures.append(label)
    for i, seed in enumerate(seeds):
        raw, hexed = dump.count(seed), dump.count(seed.hex().encode())
        print("  seed of key %d: raw %d, hex %d" % (i + 1, raw, hexed))
        if raw > 1 or hexed:
            failures.append("seed %d lingers (%d raw copies)" % (i + 1, raw))

    for path in sorted(glob.glob(os.path.join(folder, "bank.sqlite*"))):
        data = open(path, "rb").read()
        found = [s for s in seeds if s in data or s.hex().encode() in data] + [n for n in (b"BEGIN PRIVATE KEY", CLEAR_PKCS8) if n in data]
        mode = stat.S_IMODE(os.stat(path).st_mode)
        secret = path.endswith((".secret", ".keypass", ".operator-token"))
        print("  %-28s mode %o%s" % (os.path.basename(path), mode, "  KEY IN CLEAR" if found else ""))
        if found:
            failures.append(path)
        if secret and mode != 0o600:
            failures.append("%s has mode %o" % (path, mode))

    env = dict(os.environ, SKILLBANK_KEY_PASSPHRASE="definitely-the-wrong-passphrase", SKILLBANK_STANDARDS=h.STANDARDS)
    wrong = subprocess.run([args.binary, "institution", "rotate-key", evaluator["id"], "--db", db], capture_output=True, text=True, env=env)
    print("wrong passphrase: exit %d, %s" % (wrong.returncode, wrong.stderr.strip().splitlines()[-1] if wrong.stderr.strip() else "(nothing said)"))
    if wrong.returncode == 0 or "passphrase" not in wrong.stderr:
        failures.append("a wrong passphrase was not refused clearly")
    os.remove(glob.glob(core + "*")[0])
    print("RESULT: %s" % ("pass" if not failures else "FAIL %s" % failures))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
