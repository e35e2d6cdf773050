"""Shared pieces of the SkillBank harnesses: start and kill `skillbank serve`, talk HTTP,
make valid registration codes and ID numbers, and check a bank from outside.

Standard library only, so the harnesses run on any machine with Python 3.9+.
"""
import http.client
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_BINARY = os.path.join(REPO, ".build", "release", "skillbank")
STANDARDS = os.path.join(REPO, "Standards")

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(first17):
    """A 统一社会信用代码 with its GB 32100-2015 check character."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return first17 + USCC_CHARS[(31 - total % 31) % 31]


def resident_id(n):
    """A well-formed, fictional 居民身份证 number (GB 11643 check digit), distinct for each n < 10**6."""
    first17 = "440305" + "1990" + "%02d%02d" % (1 + n // 28000 % 12, 1 + n // 1000 % 28) + "%03d" % (n % 1000)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(first17, weights))
    return first17 + "10X98765432"[total % 11]


class Store:
    """Where a harness's bank lives: a SQLite file in `folder`, or (with `server`, a postgres://
    URL naming a database to connect to) a new database on that PostgreSQL server. Its secrets
    and the operator token file sit in `folder` either way."""

    def __init__(self, folder, server=None):
        self.folder = folder
        self.url = None
        if server:
            base, _, _ = server.rpartition("/")
            name = "skillbank_harness_" + uuid.uuid4().hex[:8]
            subprocess.run(["psql", server, "-qAtc", "CREATE DATABASE " + name], check=True)
            self.url = base + "/" + name
            self.args = ["--store", self.url]
            self.db = os.path.join(folder, "skillbank")  # base of the local files
        else:
            self.db = os.path.join(folder, "bank.sqlite")
            self.args = ["--db", self.db]

    @property
    def location(self):
        return self.url or self.db

    def query(self, sql):
        """The rows of one query, as tuples of strings (SQLite: as sqlite3 returns them)."""
        if self.url is None:
            connection = sqlite3.connect(self.db)
            try:
                return connection.execute(sql).fetchall()
            finally:
                connection.close()
        out = subprocess.run(["psql", self.url, "-qAt", "-F", "\t", "-c", sql], check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines()]

    def count(self, sql):
        return int(self.query(sql)[0][0])

    def integrity_problems(self):
        """SQLite's own page and index check; PostgreSQL checks its pages as it reads them."""
        if self.url is None:
            verdict = self.query("PRAGMA integrity_check")
            return [] if verdict == [("ok",)] else ["integrity_check: %s" % verdict[:3]]
        return []


class Server:
    """`skillbank serve` as a child process on a port of its own."""

    def __init__(self, binary, store, port, extra=()):
        self.binary, self.store, self.port, self.extra = binary, store, port, list(extra)
        self.db = store.db
        self.process = None
        self.log = open(os.path.join(store.folder, "serve-%d.log" % port), "ab")

    def start(self):
        env = dict(os.environ, SKILLBANK_STANDARDS=STANDARDS, SKILLBANK_LOG_LEVEL="warning")
        self.process = subprocess.Popen([self.binary, "serve", "--port", str(self.port)] + self.store.args + self.extra,
                                        stdout=self.log, stderr=self.log, env=env, cwd=self.store.folder)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if Client(self.port).request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError("serve exited with %d; see %s" % (self.process.returncode, self.log.name))
            time.sleep(0.05)
        raise RuntimeError("serve did not come up in 30 s")

    def kill(self):
        """SIGKILL: no shutdown handler runs, the way a power cut or OOM kill looks to the store."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def operator_token(self):
        with open(self.db + ".operator-token") as f:
            return f.read().strip()


class Client:
    """One keep-alive HTTP connection with an optional bearer token."""

    def __init__(self, port, token=None, timeout=30):
        self.port, self.token, self.timeout = port, token, timeout
        self.connection = None
        self.last_used = 0.0

    def request(self, method, path, body=None, raw=None, headers=None):
        """Returns (status, parsed JSON or text, response headers). Raises OSError when the
        connection fails (the server died mid-request: the outcome is unknown)."""
        # The server closes a connection idle for 30 s (--idle-timeout); a request sent on one it
        # is closing would fail without having been read, so reconnect well before that.
        if self.connection is not None and time.time() - self.last_used > 20:
            self.connection.close()
            self.connection = None
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self.last_used = time.time()
        h = dict(headers or {})
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        elif raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode()
            h.setdefault("Content-Type", "text/csv")
        try:
            self.connection.request(method, path, body=data, headers=h)
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as e:
            self.connection.close()
            self.connection = None
            raise OSError(str(e))
        text = payload.decode("utf-8", "replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return response.status, parsed, dict(response.getheaders())

    def ok(self, method, path, body=None, expect=(200, 201)):
        status, value, _ = self.request(method, path, body)
        if status not in expect:
            raise RuntimeError("%s %s → %d %s" % (method, path, status, value))
        return value


def cli(binary, *args, db=None, store=None):
    """Runs the CLI against a bank (a SQLite path, or a Store) and returns (exit status, stdout)."""
    store = store or (db if isinstance(db, Store) else Store(os.path.dirname(db)))
    env = dict(os.environ, SKILLBANK_STANDARDS=STANDARDS)
    done = subprocess.run([binary] + list(args) + store.args, capture_output=True, text=True, env=env, cwd=store.folder)
    return done.returncode, done.stdout


def check_bank(binary, db):
    """Everything a crash or a race must not break. Returns a list of problems (empty: clean)."""
    store = db if isinstance(db, Store) else Store(os.path.dirname(db))
    problems = store.integrity_problems()
    status, out = cli(binary, "log", "audit", "--json", store=store)
    if status != 0 or not json.loads(out).get("clean"):
        problems.append("log audit: %s" % out.strip()[:300])
    status, out = cli(binary, "check", "--json", store=store)
    report = json.loads(out) if out.strip() else {}
    if status != 0 or report.get("problems"):
        problems.append("reconcile: %s" % report.get("problems", out[:300]))
    numbers = store.query("SELECT number, count(*) FROM certificates GROUP BY number HAVING count(*) > 1")
    if numbers:
        problems.append("certificate numbers issued twice: %s" % numbers[:5])
    return problems


def new_folder(name):
    folder = os.path.join("/tmp", "skillbank-%s-%s" % (name, uuid.uuid4().hex[:8]))
    os.makedirs(folder)
    return folder


def free_port():
    return random.randint(20000, 60000)


def setup_registry(port, operator):
    """An evaluator and a school accredited for 电工 6-31-01-03 at levels 5–3, and a course."""
    op = Client(port, operator)
    suffix = "%06d" % random.randint(0, 999999)
    evaluator = op.ok("POST", "/v1/institutions", {"name": "评价中心", "kind": "social", "code": uscc("51440000MJ" + suffix + "1"), "province": "44"})
    school = op.ok("POST", "/v1/institutions", {"name": "培训学校", "kind": "training", "code": uscc("52440300MJ" + suffix + "2"), "province": "44"})
    for institution in (evaluator, school):
        op.ok("POST", "/v1/institutions/%s/accreditations" % institution["id"], {"occupation": "6-31-01-03", "levels": [5, 4, 3]})
    course = op.ok("POST", "/v1/courses", {"institution": school["id"], "title": "低压电工", "occupation": "6-31-01-03", "level": 4, "hours": 80})
    return evaluator, school, course


def start_bank(name, binary, extra=()):
    """A fresh bank in its own folder with `serve` running and the registry set up.
    Returns (db path, server, operator token, (evaluator, school, course))."""
    store, servers, operator, registry = start_servers(name, binary, extra)
    return store.db, servers[0], operator, registry


def start_servers(name, binary, extra=(), server=None, count=1):
    """A fresh bank (a SQLite file, or a new database on the PostgreSQL `server`) with `count`
    `serve` processes on it, each on its own port, and the registry set up.
    Returns (store, servers, operator token, (evaluator, school, course))."""
    store = Store(new_folder(name), server)
    servers = []
    for _ in range(count):
        # One after another: the first makes the operator token file the others then find.
        servers.append(Server(binary, store, free_port(), extra=extra))
        servers[-1].start()
    operator = servers[0].operator_token()
    return store, servers, operator, setup_registry(servers[0].port, operator)
