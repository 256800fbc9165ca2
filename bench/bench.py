#!/usr/bin/env python3
"""Sportello's benchmark (issue 8), driven by bench/run. Python 3.11 standard library only.

For each database size (cases) it generates a database with the bench-generate example, starts the release
server on it (2 workers) and measures:

- ceiling         GET /health/live: the cheapest request through the same middleware (request id, metrics,
                  access log). The server's and wrk's own overhead on this machine, measured first.
- get_case        GET /cases/{id}: authenticated, authorized, audited read of one case.
- search_name     GET /cases?q=<3-5 letters of a real family name> (also non-Latin scripts), first page.
- search_filters  GET /cases?status=&citizenship=&desk_id= combinations, first page.
- search_deep     the same filter queries with the cursor of a page ~10 000 rows deep.
- create_case     POST /cases with one family member.
- patch_case      PATCH /cases/{id}, merge patch with If-Match, ETags tracked by the Lua script.
- rss_256         get_case with 256 connections while the server's RSS is sampled every 50 ms.
- change_feed     the whole sync feed read sequentially by integration clients, largest pages.
- batch_upsert    POST /sync/cases/batch, batches of the largest size, from 4 threads.
- stats           the four statistics endpoints over one year, 3 times each.
and, once per backend, ready_ms: from spawn to /health/ready answering 200 on an empty database.

Why ratios: absolute requests per second say as much about the machine (cores, wrk sharing them, turbo)
as about the code. Reporting each scenario as a fraction of the ceiling measured minutes before on the same
machine and server turns "12 000 req/s" into "what the application costs above the HTTP stack", a figure
that can be compared between machines and between commits. Latency targets (p99, scaling with the size) and
the sync, RSS, ready and statistics targets are absolute, as the issue states them.

Between scenarios the server is left to finish what wrk gave up on (wrk stops without waiting for answers),
so that no scenario pays for the previous one's backlog. With --reuse, the cases earlier runs created are
recognised (CREATED_NOTE, BATCH_SOURCE) and left out of the cases the scenarios pick.

Output: a Markdown report in bench/results/<date>-<backend>.md (bench/work/ with --smoke), also printed.
Exit status: 1 when something broke (generation, start or a scenario raised, every request of a scenario
failed, a statistics call failed); with --smoke also on any non-2xx answer or socket error and on a scenario
with no successful request. Missed targets never fail a run.

Knobs (environment): BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432), SPORTELLO_BENCH_PASSWORD,
BENCH_OPERATOR / BENCH_ADMIN / BENCH_ANALYST (the accounts, default bench-generate's), BENCH_GENERATOR, BENCH_SERVER (the server binary, default target/release/sportello: for A/B runs).
"""

import argparse
import datetime
import http.client
import json
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
LUA = ROOT / "bench" / "lua"
RESULTS = ROOT / "bench" / "results"
SERVER = Path(os.environ.get("BENCH_SERVER", ROOT / "target" / "release" / "sportello"))
GENERATOR = Path(os.environ.get("BENCH_GENERATOR", ROOT / "target" / "release" / "examples" / "bench-generate"))
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")

# The accounts bench-generate creates (bench.op.01 works in the largest organization), and their password.
PASSWORD = os.environ.get("SPORTELLO_BENCH_PASSWORD", "bench-password-2026")
OPERATOR = os.environ.get("BENCH_OPERATOR", "bench.op.01")
ADMIN = os.environ.get("BENCH_ADMIN", "bench.admin")
ANALYST = os.environ.get("BENCH_ANALYST", "bench.analyst")

JWT_SECRET = "bench-only-jwt-secret-not-for-production-0123456789"
WORKERS = 2
WRK_THREADS = 2
GET_CASES = 2000  # case ids get_case cycles through
PATCH_CASES = 5000  # cases patch_case spreads its writes over
DEEP_ROWS = 10_000  # how deep search_deep starts
LIST_MAX = 200  # GET /cases: the largest page the spec allows
FEED_MAX = 1000  # GET /sync/changes: the largest page
BATCH_MAX = 1000  # POST /sync/cases/batch: the most items
BATCH_THREADS = 4
BATCH_SOURCE = "bench"  # source_system of the cases batch_upsert creates
CREATED_NOTE = "Created by the benchmark"  # notes of the cases create_case.lua creates (keep them in step)
READY_RUNS = 5
ALWAYS = ("ceiling", "generate", "start", "setup")  # --only never skips these
SEARCHES = ("search_name", "search_filters", "search_deep")
STATS = (("cases", "citizenship"), ("interventions", "kind"), ("referrals", "provider_category"),
         ("activations", "kind"))


# --- arguments ------------------------------------------------------------------------------------------

def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--sizes", help="comma-separated case counts (default 10000,1000000; smoke 1000)")
    p.add_argument("--duration", type=int, help="seconds per wrk scenario (default 10; smoke 2)")
    p.add_argument("--connections", type=int, help="wrk connections (default 64; smoke 8)")
    p.add_argument("--smoke", action="store_true", help="CI: tiny and short, fails on any error")
    p.add_argument("--reuse", action="store_true", help="reuse a database already generated for a size")
    p.add_argument("--only", help="comma-separated scenarios to run (the ceiling always runs), e.g. get_case,stats")
    p.add_argument("--profile", action="store_true",
                   help="record each scenario's server with perf; the top functions go to bench/work/profile-*.txt")
    a = p.parse_args()
    a.only = set(a.only.split(",")) if a.only else None
    a.sizes = [int(s) for s in (a.sizes or ("1000" if a.smoke else "10000,1000000")).split(",")]
    a.duration = a.duration or (2 if a.smoke else 10)
    a.connections = a.connections or (8 if a.smoke else 64)
    return a


# --- HTTP -----------------------------------------------------------------------------------------------

class Response:
    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    def json(self):
        return json.loads(self.body)

    def expect(self, *statuses):
        if self.status not in statuses:
            raise RuntimeError(f"HTTP {self.status}, expected {statuses}: {self.body[:300]!r}")
        return self


class Http:
    """One keep-alive HTTP/1.1 connection to the server under test; reconnects once if it was dropped."""

    def __init__(self, port, timeout=300):
        self.port, self.timeout, self.conn = port, timeout, None

    def request(self, method, path, body=None, token=None, headers=None):
        h = {"Accept": "application/json", **(headers or {})}
        if token:
            h["Authorization"] = f"Bearer {token}"
        if isinstance(body, (dict, list)):
            body, h["Content-Type"] = json.dumps(body).encode(), "application/json"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                started = time.perf_counter()
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                seconds = time.perf_counter() - started
                return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data, seconds)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise

    def get_json(self, path, token):
        return self.request("GET", path, token=token).expect(200).json()

    def form(self, path, fields):
        body = urllib.parse.urlencode(fields).encode()
        return self.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})


def login(http_, username):
    fields = {"grant_type": "password", "username": username, "password": PASSWORD}
    return http_.form("/api/v1/auth/token", fields).expect(200).json()["access_token"]


def client_token(http_, client):
    fields = {"grant_type": "client_credentials", "client_id": client["id"], "client_secret": client["secret"]}
    return http_.form("/api/v1/auth/token", fields).expect(200).json()["access_token"]


def pages(http_, token, path, limit):
    """Yields the pages ({"items", "next_cursor"}) of a collection, following next_cursor."""
    sep = "&" if "?" in path else "?"
    cursor = None
    while True:
        url = f"{path}{sep}limit={limit}" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        page = http_.get_json(url, token)
        yield page
        cursor = page.get("next_cursor")
        if not cursor:
            return


def collect(http_, token, path, limit, at_most, keep=lambda item: True):
    items = []
    for page in pages(http_, token, path, limit):
        items += filter(keep, page["items"])
        if len(items) >= at_most:
            break
    return items[:at_most]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready_once(port):
    """Whether GET /health/ready answers 200 now (a fresh connection: the server may not listen yet)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/health/ready")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


# --- databases ------------------------------------------------------------------------------------------

def psql(sql, database="postgres"):
    subprocess.run(["psql", f"{PG_URL}/{database}", "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                   check=True, capture_output=True, text=True)


def pg_exists(name):
    out = subprocess.run(["psql", f"{PG_URL}/postgres", "-qAtc",
                          f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                         check=True, capture_output=True, text=True).stdout
    return out.strip() == "1"


def pg_recreate(name):
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')


def sqlite_remove(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def database_url(backend, size):
    if backend == "postgres":
        return f"{PG_URL}/sportello_bench_{size}"
    return str(WORK / f"sqlite-{size}.db")


def generator_report(stdout):
    """The generator's JSON object: its whole output, or else its last line."""
    try:
        return json.loads(stdout)
    except json.JSONDecodeError:
        return json.loads(stdout.strip().splitlines()[-1])


def prepare_database(backend, size, reuse):
    """The database of `size` cases, generated unless --reuse finds one (its generator report beside it)."""
    url, marker = database_url(backend, size), WORK / f"{backend}-{size}.json"
    exists = pg_exists(f"sportello_bench_{size}") if backend == "postgres" else Path(url).exists()
    if reuse and marker.exists() and exists:
        return url, {**json.loads(marker.read_text()), "reused": True}
    marker.unlink(missing_ok=True)
    if backend == "postgres":
        pg_recreate(f"sportello_bench_{size}")
    else:
        sqlite_remove(url)
    print(f"== generating {size} cases ({backend})", file=sys.stderr, flush=True)
    started = time.perf_counter()
    out = subprocess.run([str(GENERATOR), "--database-url", url, "--cases", str(size)], check=True,
                         stdout=subprocess.PIPE, text=True, env={**os.environ, "SPORTELLO_BENCH_PASSWORD": PASSWORD})
    report = generator_report(out.stdout)
    report["wall_seconds"] = time.perf_counter() - started
    marker.write_text(json.dumps(report, indent=1))
    return url, {**report, "reused": False}


# --- the server -----------------------------------------------------------------------------------------

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Server:
    """target/release/sportello serving one database on a free port, its output in a log file."""

    def __init__(self, url, log_path):
        self.url, self.log_path, self.port, self.proc = url, log_path, free_port(), None
        self.data_dir = tempfile.mkdtemp(prefix="data-", dir=WORK)

    def env(self):
        return {**os.environ, "SPORTELLO_DATABASE_URL": self.url, "SPORTELLO_BIND": f"127.0.0.1:{self.port}",
                "SPORTELLO_WORKERS": str(WORKERS), "SPORTELLO_DATA_DIR": self.data_dir,
                "SPORTELLO_JWT_SECRET": JWT_SECRET, "SPORTELLO_LOGIN_RATE_PER_MINUTE": "100000",
                "SPORTELLO_ADMIN_PASSWORD": PASSWORD}

    def start(self):
        self.started = time.perf_counter()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([str(SERVER), "serve"], env=self.env(), stdout=log, stderr=log,
                                         stdin=subprocess.DEVNULL)
        return self

    def wait_ready(self, timeout=300, poll=0.02):
        """Milliseconds from spawn until /health/ready answered 200."""
        while time.perf_counter() - self.started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {self.log_path}")
            if ready_once(self.port):
                return (time.perf_counter() - self.started) * 1000
            time.sleep(poll)
        raise RuntimeError(f"the server was not ready within {timeout} s; see {self.log_path}")

    def rss_mib(self):
        return rss_kib(self.proc.pid) / 1024

    def busy(self, http_):
        """(requests answered so far, database connections in use), from /metrics."""
        text = http_.request("GET", "/metrics").expect(200).body.decode()
        answered, gauges = 0, {}
        for line in text.splitlines():
            if line.startswith("sportello_http_requests_total{") and 'route="/metrics"' not in line:
                answered += int(float(line.rsplit(" ", 1)[1]))
            elif line.startswith("sportello_db_pool_"):
                name, value = line.split()
                gauges[name] = int(float(value))
        in_use = gauges.get("sportello_db_pool_connections", 0) - gauges.get("sportello_db_pool_idle_connections", 0)
        return answered, in_use

    def drain(self, timeout=900):
        """Seconds until the server has finished the requests a client gave up on (wrk stops without waiting
        for answers): no database connection in use and no request answered over 3 polls 100 ms apart."""
        http_, started, quiet, last = Http(self.port), time.perf_counter(), 0, None
        while quiet < 3 and time.perf_counter() - started < timeout:
            answered, in_use = self.busy(http_)
            quiet = quiet + 1 if in_use == 0 and answered == last else 0
            last = answered
            time.sleep(0.1)
        return max(0.0, time.perf_counter() - started - 0.3)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class RssSampler(threading.Thread):
    """The peak VmRSS of a process, sampled every 50 ms until stopped."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.stopping = pid, 0, threading.Event()

    def run(self):
        while not self.stopping.is_set():
            self.peak_kib = max(self.peak_kib, rss_kib(self.pid))
            self.stopping.wait(0.05)

    def stop(self):
        self.stopping.set()
        self.join()
        return self.peak_kib / 1024


# --- wrk ------------------------------------------------------------------------------------------------

def wrk(port, script, connections, duration, token=None, data_file=None):
    """Runs one wrk scenario; returns the figures printed by common.lua's done()."""
    env = {**os.environ, "BENCH_THREADS": str(WRK_THREADS), "BENCH_TOKEN": token or "",
           "BENCH_FILE": str(data_file or "")}
    cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency",
           "-s", str(LUA / script), f"http://127.0.0.1:{port}"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=duration + 120)
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH_RESULT ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}")
    raw = json.loads(line.removeprefix("BENCH_RESULT "))
    e = raw["errors"]
    failed = max(e["status"], e["non_2xx"])  # wrk counts status >= 400; scripts with response() all non-2xx
    socket_errors = e["connect"] + e["read"] + e["write"] + e["timeout"]
    seconds, ok = raw["duration_us"] / 1e6, raw["requests"] - failed
    # No answer within the run: every request took longer than it, so its latency is unbounded.
    ms = {f"{p}_ms": raw["latency_us"][p] / 1000 if ok else math.inf for p in ("p50", "p90", "p99")}
    return {"rps": ok / seconds, "ok": ok, "errors": failed + socket_errors, "non_2xx": failed,
            "socket_errors": socket_errors, **ms, "connections": connections}


# --- the data the scenarios use -------------------------------------------------------------------------

def write_lines(path, lines):
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def name_fragments(cases, count=40):
    """3-5 letter pieces of real family names, and a few whole short pieces of non-Latin ones."""
    rng = random.Random(8)
    latin, other = [], []
    for c in cases:
        name = c["family_name"].replace(" ", "")
        (other if any(ch.isalpha() and ord(ch) > 0x24F for ch in name) else latin).append(name)
    fragments = []
    for name in rng.sample(latin, min(len(latin), count)):
        size = min(len(name), rng.randint(3, 5))
        start = rng.randint(0, len(name) - size)
        fragments.append(name[start:start + size].lower())
    for name in rng.sample(other, min(len(other), max(3, count // 8))):
        fragments.append(name[:min(len(name), 3)])
    return [f for f in dict.fromkeys(fragments) if len(f) >= 2]


def filter_queries(cases):
    """A few filter combinations on the values most met in the operator's cases."""
    top = {field: [v for v, _ in Counter(c[field] for c in cases if c.get(field)).most_common(2)]
           for field in ("status", "citizenship", "desk_id")}
    combos = ((("status", 0), ("citizenship", 0)), (("desk_id", 0), ("status", 0)),
              (("citizenship", 1), ("desk_id", 0)))
    queries = []
    for combo in combos:
        params = [f"{field}={top[field][i]}" for field, i in combo if len(top[field]) > i]
        if params:
            queries.append("/api/v1/cases?" + "&".join(params))
    if not queries:
        raise RuntimeError("the operator's cases have no status, citizenship or desk to filter on")
    return list(dict.fromkeys(queries))


def deep_cursor(http_, token, query):
    """The cursor after ~DEEP_ROWS rows of a query (or as deep as it goes), and the depth reached."""
    depth, cursor = 0, None
    for page in pages(http_, token, query, LIST_MAX):
        if not page.get("next_cursor"):
            break
        depth, cursor = depth + len(page["items"]), page["next_cursor"]
        if depth >= DEEP_ROWS:
            break
    return cursor, depth


def generated(case):
    """Whether a case comes from the generator, not from an earlier run's create_case or batch_upsert (the
    newest cases come first, and with --reuse they would otherwise be all the scenarios see)."""
    return case.get("notes") != CREATED_NOTE and case.get("source_system") != BATCH_SOURCE


def batch_organization(orgs, operator_org):
    """Where batch_upsert creates its cases: the last generated organization (the smallest), away from the
    operator's, so that the operator's searches keep seeing the generated data on a reused database."""
    others = [o for o in orgs if o["id"] != operator_org]
    generated_orgs = sorted((o for o in others if o["code"].startswith("BENCH-")), key=lambda o: o["code"])
    return (generated_orgs or others or orgs)[-1]["id"]


class Fixture:
    """Tokens, the operator's cases and the files the Lua scripts read, for one size."""

    def __init__(self, http_, prefix):
        self.http, self.prefix = http_, prefix
        self.refresh_tokens()
        self.cases = collect(http_, self.operator, "/api/v1/cases", LIST_MAX, max(GET_CASES, PATCH_CASES),
                             keep=generated)
        if len(self.cases) < 2 * WRK_THREADS:
            raise RuntimeError(f"{OPERATOR} sees only {len(self.cases)} cases")
        self.organization_id = self.cases[0]["organization_id"]
        self.check_etag(self.cases[0])

    def refresh_tokens(self):
        """Fresh 15-minute tokens; called before each scenario."""
        self.operator, self.admin, self.analyst = (login(self.http, u) for u in (OPERATOR, ADMIN, ANALYST))

    def check_etag(self, case):
        """The ETag patch_case starts from is the listed version: check that once against a GET."""
        r = self.http.request("GET", f"/api/v1/cases/{case['id']}", token=self.operator).expect(200)
        if r.headers.get("etag") != f'"{case["version"]}"':
            raise RuntimeError(f"ETag {r.headers.get('etag')!r} is not the version {case['version']}")

    def file(self, name, lines):
        return write_lines(WORK / f"{self.prefix}-{name}.txt", lines)

    def get_case_file(self):
        return self.file("get_case", (f"/api/v1/cases/{c['id']}" for c in self.cases[:GET_CASES]))

    def search_name_file(self):
        q = (f"/api/v1/cases?q={urllib.parse.quote(f)}&limit=50" for f in name_fragments(self.cases))
        return self.file("search_name", q)

    def search_filters_file(self):
        return self.file("search_filters", (f"{q}&limit=50" for q in filter_queries(self.cases)))

    def search_deep_file(self):
        paths, depths = [], []
        for q in filter_queries(self.cases):
            cursor, depth = deep_cursor(self.http, self.operator, q)
            paths.append(f"{q}&limit=50" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""))
            depths.append(depth)
        return self.file("search_deep", paths), depths

    def patch_file(self):
        return self.file("patch_case", (f'{c["id"]} "{c["version"]}"' for c in self.cases[:PATCH_CASES]))

    def integration_clients(self, run_id):
        """Clients covering every organization (at most 20 each); the first one's first organization is where
        batch_upsert creates cases."""
        listed = collect(self.http, self.admin, "/api/v1/organizations", LIST_MAX, 10**6)
        first = batch_organization(listed, self.organization_id)
        orgs = sorted((o["id"] for o in listed), key=lambda o: o != first)
        clients = []
        for i in range(0, len(orgs), 20):
            body = {"name": f"bench {run_id} #{i // 20 + 1}", "organization_ids": orgs[i:i + 20]}
            made = self.http.request("POST", "/api/v1/integration-clients", body, token=self.admin).expect(201)
            made = made.json()
            clients.append({"id": made["client"]["id"], "secret": made["client_secret"]})
        return clients


# --- the Python scenarios -------------------------------------------------------------------------------

def change_feed(port, clients):
    """Reads each client's whole feed, largest pages, one keep-alive connection; server vs parse time."""
    http_ = Http(port)
    records = pages_read = 0
    server_s = parse_s = 0.0
    started = time.perf_counter()
    for client in clients:
        token, since = client_token(http_, client), None
        while True:
            path = f"/api/v1/sync/changes?limit={FEED_MAX}" + (f"&since={since}" if since else "")
            r = http_.request("GET", path, token=token)
            if r.status == 401:  # the 15-minute token ran out on a long feed
                token = client_token(http_, client)
                continue
            r.expect(200)
            server_s += r.seconds
            t = time.perf_counter()
            page = r.json()
            parse_s += time.perf_counter() - t
            records, pages_read, since = records + len(page["changes"]), pages_read + 1, page["next_cursor"]
            if not page["has_more"]:
                break
    wall = time.perf_counter() - started
    return {"records": records, "pages": pages_read, "seconds": wall, "records_per_s": records / wall,
            "server_seconds": server_s, "server_records_per_s": records / server_s if server_s else 0,
            "parse_seconds": parse_s, "clients": len(clients)}


def batch_item(run_id, thread_no, n):
    return {"source_system": BATCH_SOURCE, "external_id": f"{run_id}-{thread_no}-{n}",
            "case": {"given_name": "Amina", "family_name": f"Batch{thread_no}x{n}", "citizenship": "SN",
                     "languages": ["fr"], "needs": ["residence_permit"], "sex": "female",
                     "birth_date": "1990-05-17"}}


def batch_worker(port, token, run_id, thread_no, deadline, out):
    http_ = Http(port)
    made = n = 0
    failures = []
    while time.perf_counter() < deadline:
        items = [batch_item(run_id, thread_no, n + i) for i in range(BATCH_MAX)]
        n += BATCH_MAX
        r = http_.request("POST", "/api/v1/sync/cases/batch", {"items": items}, token=token)
        if r.status != 200:
            failures.append(f"HTTP {r.status}: {r.body[:200]!r}")
            continue
        result = r.json()
        made += result["created"]
        if result["created"] != len(items):
            failures.append({k: result[k] for k in ("created", "updated", "unchanged", "conflict", "invalid")})
    out[thread_no] = (made, failures)


def batch_upsert(port, token, run_id, duration):
    out = {}
    deadline = time.perf_counter() + duration
    started = time.perf_counter()
    workers = [threading.Thread(target=batch_worker, args=(port, token, run_id, t, deadline, out))
               for t in range(BATCH_THREADS)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - started
    cases = sum(made for made, _ in out.values())
    failures = [f for _, fs in out.values() for f in fs]
    return {"cases": cases, "seconds": wall, "cases_per_s": cases / wall, "errors": len(failures),
            "failures": failures[:5]}


def stats(http_, token):
    """Each statistics endpoint over the last year, without and with one grouping, 3 times each."""
    today = datetime.date.today()
    period = f"from={today - datetime.timedelta(days=364)}&to={today}"
    rows = []
    for endpoint, grouping in STATS:
        for group in (None, grouping):
            path = f"/api/v1/stats/{endpoint}?{period}" + (f"&group_by={group}" if group else "")
            times, failures = [], []
            for _ in range(3):
                r = http_.request("GET", path, token=token)
                times.append(r.seconds)
                if r.status != 200:
                    failures.append(f"HTTP {r.status}: {r.body[:200]!r}")
            rows.append({"endpoint": endpoint, "group_by": group or "(none)", "median_s": statistics.median(times),
                         "max_s": max(times), "errors": len(failures), "failures": failures[:2]})
    return rows


def ready_runs(backend):
    """Milliseconds from spawn to /health/ready on a brand-new database, polled every 2 ms."""
    runs = []
    for i in range(READY_RUNS):
        name = f"sportello_bench_ready_{os.getpid()}"  # the pid: two runs at once never share it
        if backend == "postgres":
            pg_recreate(name)
            url = f"{PG_URL}/{name}"
        else:
            url = str(WORK / f"{name}-{i}.db")
        server = Server(url, WORK / f"server-{backend}-ready.log")
        try:
            runs.append(server.start().wait_ready(timeout=60, poll=0.002))
        finally:
            server.stop()
            if backend == "postgres":
                psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            else:
                sqlite_remove(url)
    return {"runs_ms": runs, "median_ms": statistics.median(runs), "max_ms": max(runs)}


# --- profiles -----------------------------------------------------------------------------------------

class Profiler:
    """perf record of the whole machine while one scenario runs (sampled, no call graphs: the release build has
    no debug info), then, as text next to the report, where the CPU went by thread (the machine's idle time
    included, as `swapper`) and the server's busiest functions. System-wide, because `perf record -p` missed
    the threads of the server's blocking pool, where the queries run."""

    def __init__(self, run, name):
        self.data = WORK / f"profile-{run.args.backend}-{run.size}-{name}.data"
        self.text, self.pid = self.data.with_suffix(".txt"), run.server.proc.pid
        self.proc = subprocess.Popen(["perf", "record", "-q", "-a", "-F", "999", "-o", str(self.data)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def report(self, *options):
        out = subprocess.run(["perf", "report", "-i", str(self.data), "--stdio", "--no-children", *options],
                             capture_output=True, text=True).stdout
        # perf pads each line to the widest symbol and appends empty columns: keep percent, object, symbol.
        return [" ".join(l.split()[:3] + [" ".join(l.split()[3:]).rstrip(" -")])
                for l in out.splitlines() if l.strip() and not l.startswith("#")]

    def stop(self):
        self.proc.send_signal(2)  # SIGINT: perf writes its file and exits
        self.proc.wait(60)
        threads = self.report("--sort", "comm", "--percent-limit", "0.5")
        functions = self.report("--pid", str(self.pid), "--sort", "dso,symbol", "--percent-limit", "0.5")
        lines = ["# CPU by thread, whole machine", *threads, "", "# the server's functions", *functions]
        self.text.write_text("\n".join(lines) + "\n")
        print(f"   profile: {self.text.relative_to(ROOT)}", file=sys.stderr, flush=True)


# --- one size -------------------------------------------------------------------------------------------

class SizeRun:
    """Every scenario on one database size; a scenario that raises is recorded and the others still run."""

    def __init__(self, args, size):
        self.args, self.size, self.generation, self.server = args, size, {}, None
        self.results, self.broken, self.rss_after, self.drained = {}, {}, {}, {}
        self.run_id = f"b{int(time.time())}"

    def scenario(self, name, fn):
        if self.args.only and name not in self.args.only and name not in ALWAYS:
            return
        print(f"== {self.size}: {name}", file=sys.stderr, flush=True)
        profiler = Profiler(self, name) if self.args.profile and name not in ALWAYS[1:] else None
        try:
            self.results[name] = fn()
        except Exception as e:  # noqa: BLE001 -- a broken scenario is reported, the run goes on
            self.broken[name] = f"{type(e).__name__}: {e}"
            print(f"   {name} broke: {self.broken[name]}", file=sys.stderr, flush=True)
        if profiler:
            profiler.stop()
        if self.server and "start" not in self.broken and self.server.proc.poll() is None:
            self.drained[name] = self.server.drain()  # so that no scenario pays for the previous one
            self.rss_after[name] = self.server.rss_mib()  # where the memory goes

    def wrk(self, script, token=None, data_file=None, connections=None):
        return wrk(self.server.port, script, connections or self.args.connections, self.args.duration,
                   token, data_file)

    def run(self):
        self.scenario("generate", lambda: prepare_database(self.args.backend, self.size, self.args.reuse))
        if self.broken:
            return self
        url, self.generation = self.results.pop("generate")
        log = WORK / f"server-{self.args.backend}-{self.size}.log"
        with Server(url, log) as self.server:
            self.scenario("start", self.server.wait_ready)
            if "start" not in self.broken:
                self.results["rss_idle_start_mib"] = self.server.rss_mib()
                self.scenario("setup", lambda: Fixture(Http(self.server.port), f"{self.args.backend}-{self.size}"))
            if self.broken:
                return self
            self.run_scenarios(self.results.pop("setup"))
            time.sleep(1)
            self.results["rss_idle_end_mib"] = self.server.rss_mib()
        return self

    def run_scenarios(self, fx):
        s = self.scenario
        s("ceiling", lambda: self.wrk("ceiling.lua"))
        s("get_case", lambda: self.wrk("get_paths.lua", fx.operator, fx.get_case_file()))
        s("search_name", lambda: self.wrk("get_paths.lua", fx.operator, fx.search_name_file()))
        s("search_filters", lambda: self.wrk("get_paths.lua", fx.operator, fx.search_filters_file()))
        s("search_deep", lambda: self.search_deep(fx))
        fx.refresh_tokens()
        s("create_case", lambda: self.wrk("create_case.lua", fx.operator))
        s("patch_case", lambda: self.wrk("patch_case.lua", fx.operator, fx.patch_file()))
        s("rss_256", lambda: self.rss_256(fx))
        fx.refresh_tokens()
        clients = fx.integration_clients(self.run_id)
        s("change_feed", lambda: change_feed(self.server.port, clients))
        token = client_token(fx.http, clients[0])
        s("batch_upsert", lambda: batch_upsert(self.server.port, token, self.run_id, self.args.duration))
        fx.refresh_tokens()
        s("stats", lambda: stats(fx.http, fx.analyst))

    def search_deep(self, fx):
        path, depths = fx.search_deep_file()
        return {**self.wrk("get_paths.lua", fx.operator, path), "depths": depths}

    def rss_256(self, fx):
        sampler = RssSampler(self.server.proc.pid)
        sampler.start()
        try:
            result = self.wrk("get_paths.lua", fx.operator, fx.get_case_file(), connections=256)
        finally:
            peak = sampler.stop()
        return {**result, "peak_rss_mib": peak}


# --- the report -----------------------------------------------------------------------------------------

def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()


def machine():
    commit = sh("git", "rev-parse", "--short", "HEAD")
    if sh("git", "--no-optional-locks", "status", "--porcelain"):
        commit += "-dirty"
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    return {"commit": commit, "nproc": sh("nproc"), "cpu": cpu}


def fmt(x, digits=1):
    if x is None:
        return "–"
    return "none in time" if math.isinf(x) or math.isnan(x) else f"{x:,.{digits}f}"


def scenario_notes(run, name, x):
    notes = []
    if name == "search_deep":
        notes.append("cursor depth (rows): " + ", ".join(str(d) for d in x["depths"]))
    if name == "rss_256":
        notes.append(f"peak RSS {fmt(x['peak_rss_mib'])} MiB")
    if x["errors"]:
        notes.append(f"{x['non_2xx']} non-2xx, {x['socket_errors']} socket errors")
    if x["ok"] == 0:
        notes.append(f"no answer within the {run.args.duration} s run")
    if run.drained.get(name, 0) >= 0.5:
        notes.append(f"the server was busy {fmt(run.drained[name])} s after wrk stopped")
    return "; ".join(notes)


def scenario_table(run):
    ceiling = figure(run, "ceiling", "rps")
    lines = ["| scenario | conn. | req/s | % of ceiling | p50 ms | p90 ms | p99 ms | errors | notes |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for name in ("ceiling", "get_case", *SEARCHES, "create_case", "patch_case", "rss_256"):
        if name in run.broken:
            lines.append(f"| {name} | | | | | | | | BROKE: {run.broken[name]} |")
        elif x := run.results.get(name):
            pct = 100 * x["rps"] / ceiling if ceiling else None
            lines.append(f"| {name} | {x['connections']} | {fmt(x['rps'], 0)} | {fmt(pct)} | {fmt(x['p50_ms'], 2)} "
                         f"| {fmt(x['p90_ms'], 2)} | {fmt(x['p99_ms'], 2)} | {x['errors']} "
                         f"| {scenario_notes(run, name, x)} |")
    return lines


def sync_lines(run):
    r, lines = run.results, []
    if "change_feed" in r:
        f = r["change_feed"]
        lines.append(f"- change feed: {f['records']:,} records in {f['pages']:,} pages of up to {FEED_MAX} "
                     f"({f['clients']} integration client(s), 20 organizations each at most): "
                     f"**{fmt(f['records_per_s'], 0)} records/s** end to end in {fmt(f['seconds'], 2)} s; "
                     f"server time (request to last byte) {fmt(f['server_seconds'], 2)} s = "
                     f"{fmt(f['server_records_per_s'], 0)} records/s, Python's json.loads "
                     f"{fmt(f['parse_seconds'], 2)} s.")
    if "batch_upsert" in r:
        b = r["batch_upsert"]
        lines.append(f"- batch upsert: {b['cases']:,} cases created in {fmt(b['seconds'], 1)} s from "
                     f"{BATCH_THREADS} threads, batches of {BATCH_MAX}: **{fmt(b['cases_per_s'], 0)} cases/s**"
                     + (f"; {b['errors']} failed batches: {b['failures']}" if b["errors"] else "") + ".")
    for name in ("change_feed", "batch_upsert"):
        if name in run.broken:
            lines.append(f"- {name}: BROKE: {run.broken[name]}")
    return lines


def stats_table(run):
    if "stats" in run.broken:
        return [f"Statistics BROKE: {run.broken['stats']}"]
    lines = ["| endpoint | group_by | median s | max s | errors |", "|---|---|---:|---:|---:|"]
    for row in run.results.get("stats", []):
        err = f"{row['errors']} {row['failures']}" if row["errors"] else "0"
        lines.append(f"| {row['endpoint']} | {row['group_by']} | {fmt(row['median_s'], 3)} | "
                     f"{fmt(row['max_s'], 3)} | {err} |")
    return lines


def size_section(run):
    r, g = run.results, run.generation
    gen = "reused" if g.get("reused") else f"generated in {fmt(g.get('seconds'), 1)} s"
    broken = [f"**{name} BROKE**: {run.broken[name]}" for name in ("generate", "start", "setup")
              if name in run.broken]
    after = ", ".join(f"{name} {fmt(mib, 0)}" for name, mib in run.rss_after.items())
    return [f"## {run.size:,} cases", "",
            f"Database: {g.get('cases', run.size):,} generated cases, {g.get('organizations', '?')} organizations, "
            f"the largest (the operator's) with {g.get('largest_organization_cases', '?')} cases; {gen}. "
            f"Server ready in {fmt(r.get('start'), 0)} ms.", "", *(f"{b}\n" for b in broken),
            *scenario_table(run), "", *sync_lines(run), "",
            "Statistics (one year, as the analyst: small cells suppressed):", "", *stats_table(run), "",
            f"RSS: {fmt(r.get('rss_idle_start_mib'))} MiB idle after start, "
            f"{fmt(figure(run, 'rss_256', 'peak_rss_mib'))} MiB peak under 256 connections, "
            f"{fmt(r.get('rss_idle_end_mib'))} MiB idle after all scenarios (1 s later). "
            f"After each step, MiB: {after}.", ""]


def figure(run, scenario, key):
    """One figure of a scenario's result, None when the scenario did not run or broke."""
    result = run.results.get(scenario)
    return result.get(key) if isinstance(result, dict) else None


def at_most(value, limit):
    return None if value is None else value <= limit


def at_least(value, limit):
    return None if value is None else value >= limit


def targets(args, runs, ready):
    """(target, value, met) rows; met is None when the figure is missing (the scenario broke)."""
    rows, largest, smallest = [], runs[-1], runs[0]
    floor = 50 if args.backend == "sqlite" else 30
    for run in runs:
        c, g = figure(run, "ceiling", "rps"), figure(run, "get_case", "rps")
        pct = 100 * g / c if c and g is not None else None
        rows.append((f"get_case ≥ {floor} % of ceiling ({run.size:,})", f"{fmt(pct)} %", at_least(pct, floor)))
    for name in SEARCHES:
        p99 = figure(largest, name, "p99_ms")
        rows.append((f"{name} p99 < 25 ms ({largest.size:,})", f"{fmt(p99, 2)} ms", at_most(p99, 25)))
    if len(runs) > 1:
        for name in SEARCHES:
            big, small = figure(largest, name, "p50_ms"), figure(smallest, name, "p50_ms")
            ratio = big / small if big is not None and small else None
            rows.append((f"{name} p50 at {largest.size:,} ≤ 1.5 × at {smallest.size:,}", f"{fmt(ratio, 2)} ×",
                         at_most(ratio, 1.5)))
    for key, how in (("records_per_s", "end to end"), ("server_records_per_s", "server time only")):
        rate = figure(largest, "change_feed", key)
        rows.append((f"change feed ≥ 100 000 records/s ({largest.size:,}, {how})", fmt(rate, 0),
                     at_least(rate, 100_000)))
    floor = 20_000 if args.backend == "sqlite" else 10_000
    cps = figure(largest, "batch_upsert", "cases_per_s")
    rows.append((f"batch upsert ≥ {floor:,} cases/s ({largest.size:,})", fmt(cps, 0), at_least(cps, floor)))
    idle = max((v for run in runs for v in (run.results.get("rss_idle_start_mib"),
                                             run.results.get("rss_idle_end_mib")) if v is not None), default=None)
    rows.append(("RSS idle ≤ 64 MiB (max over sizes, after start and after the scenarios)",
                 f"{fmt(idle)} MiB", at_most(idle, 64)))
    peak = max((p for run in runs if (p := figure(run, "rss_256", "peak_rss_mib")) is not None), default=None)
    rows.append(("RSS ≤ 200 MiB under 256 connections (max over sizes)", f"{fmt(peak)} MiB", at_most(peak, 200)))
    median = ready.get("median_ms")
    rows.append((f"ready < 300 ms on an empty database (median of {READY_RUNS})",
                 f"{fmt(median)} ms (max {fmt(ready.get('max_ms'))})", None if median is None else median < 300))
    worst = max((row["max_s"] for row in largest.results.get("stats", [])), default=None)
    rows.append((f"statistics < 2 s, slowest endpoint ({largest.size:,})", f"{fmt(worst, 3)} s",
                 None if worst is None else worst < 2))
    return rows


def report(args, runs, ready, ready_broken, info):
    today = datetime.date.today().isoformat()
    gens = "; ".join(f"{r.size:,}: " + ("reused" if r.generation.get("reused") else
                                        f"{fmt(r.generation.get('seconds'), 1)} s") for r in runs)
    lines = [f"# Sportello benchmark — {args.backend}, {today}" + (" (smoke)" if args.smoke else ""), "",
             f"- commit `{info['commit']}`, {info['nproc']} CPUs ({info['cpu']})",
             f"- backend {args.backend}; sizes {', '.join(f'{s:,}' for s in args.sizes)} cases",
             f"- server: release build, {WORKERS} workers, default database pool, "
             f"RUST_LOG={os.environ.get('RUST_LOG', 'info (the default: an access log line per request)')}, "
             "on the same machine as wrk and the Python client",
             f"- wrk: {WRK_THREADS} threads, {args.connections} connections (256 for rss_256), {args.duration} s "
             f"per scenario; Python scenarios: change feed sequential, batch upsert {BATCH_THREADS} threads",
             f"- data generation: {gens}",
             "- req/s counts 2xx answers only; % of ceiling is req/s over the ceiling's at the same size; after "
             "each scenario the server finishes its backlog (/metrics quiet) before the next one starts"
             + ("; smoke run: targets not enforced" if args.smoke else ""), ""]
    for run in runs:
        lines += size_section(run)
    lines += ["## Start on an empty database", ""]
    if ready_broken:
        lines += [f"ready_ms BROKE: {ready_broken}", ""]
    elif not ready:
        lines += ["Not measured in this run (--only without ready_ms).", ""]
    else:
        lines += [f"Spawn to `/health/ready` = 200 (migrations and the bootstrap admin included), polled every 2 ms, "
                  f"{READY_RUNS} runs: median {fmt(ready['median_ms'])} ms, max {fmt(ready['max_ms'])} ms "
                  f"({', '.join(fmt(x) for x in ready['runs_ms'])}).", ""]
    lines += ["## Targets", "", "| target | value | met? |", "|---|---|---|"]
    for name, value, met in targets(args, runs, ready):
        lines.append(f"| {name} | {value} | {'n/a' if met is None else 'yes' if met else 'NO'} |")
    return "\n".join(lines) + "\n"


# --- main -----------------------------------------------------------------------------------------------

def problems(args, runs, ready_broken):
    """What makes the exit status non-zero: broken things always, any failed request in smoke mode."""
    found = [f"{r.size}: {name} broke" for r in runs for name in r.broken]
    if ready_broken:
        found.append("ready_ms broke")
    for r in runs:
        for name, x in r.results.items():
            if not isinstance(x, dict):
                continue
            done = x.get("ok", x.get("cases", x.get("records")))
            if done == 0 and (args.smoke or x.get("errors")):  # none in time is a finding, all failing a fault
                found.append(f"{r.size}: {name} had no successful request")
            if args.smoke and x.get("errors"):
                found.append(f"{r.size}: {name} had {x['errors']} errors")
        found += [f"{r.size}: stats {row['endpoint']} {row['group_by']} failed"
                  for row in r.results.get("stats", []) if row["errors"]]
    return found


def main():
    args = parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    for tool in (SERVER, GENERATOR):
        if not tool.exists():
            sys.exit(f"bench: {tool} is missing: run bench/run (it builds it)")
    info, runs = machine(), []
    for size in args.sizes:
        runs.append(SizeRun(args, size).run())
    ready, ready_broken = {}, None
    if not args.only or "ready_ms" in args.only:
        print("== ready_ms", file=sys.stderr, flush=True)
        try:
            ready = ready_runs(args.backend)
        except Exception as e:  # noqa: BLE001
            ready_broken = f"{type(e).__name__}: {e}"
    text = report(args, runs, ready, ready_broken, info)
    # A partial or profiled run is for the developer, not the record.
    out_dir = WORK if args.smoke or args.only or args.profile else RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.date.today().isoformat()}-{args.backend}" + ("-smoke" if args.smoke else "")
    (out_dir / f"{name}.md").write_text(text)
    print(text)
    print(f"== written to {(out_dir / f'{name}.md').relative_to(ROOT)}", file=sys.stderr)
    found = problems(args, runs, ready_broken)
    for p in found:
        print(f"bench: {p}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
