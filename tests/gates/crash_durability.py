#!/usr/bin/env python3
"""Crash durability: writes answered 2xx survive SIGKILL of the server at random moments.

Runs the release server, drives concurrent creates and patches of cases, kills the server with SIGKILL at a
random moment, restarts it, and checks that every acknowledged write is present and intact. On SQLite it
also runs PRAGMA integrity_check. Usage: crash_durability.py BINARY sqlite|postgres ROUNDS
"""
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

BINARY, BACKEND, ROUNDS = sys.argv[1], sys.argv[2], int(sys.argv[3])
PASSWORD = "Crash-Test-Admin-Password"
PG_ADMIN = os.environ.get("SPORTELLO_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(base, method, path, body=None, token=None, headers=None, timeout=10):
    h = {"Content-Type": "application/merge-patch+json" if method == "PATCH" else "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read() or b"null")


class Server:
    def __init__(self, env):
        self.env, self.proc, self.port = env, None, free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self):
        env = dict(self.env, SPORTELLO_BIND=f"127.0.0.1:{self.port}")
        self.proc = subprocess.Popen([BINARY, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/health/ready", timeout=1)
                return
            except Exception:
                time.sleep(0.05)
        raise SystemExit("server did not become ready")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def main():
    tmp = tempfile.mkdtemp(prefix="crash-")
    pg_db = None
    env = dict(os.environ, SPORTELLO_DATA_DIR=tmp, SPORTELLO_ADMIN_PASSWORD=PASSWORD, RUST_LOG="warn",
               SPORTELLO_JWT_SECRET="crash-test-secret-crash-test-secret-0123456789", SPORTELLO_WORKERS="2")
    if BACKEND == "postgres":
        pg_db = f"crash_{os.getpid()}"
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {pg_db}"], check=True)
        env["SPORTELLO_DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + pg_db
    else:
        env["SPORTELLO_DATABASE_URL"] = os.path.join(tmp, "sportello.db")
    server = Server(env)
    server.start()
    status, _, body = call(server.base, "POST", "/api/v1/auth/token",
                           {"grant_type": "password", "username": "admin", "password": PASSWORD})
    assert status == 200, body
    token = body["access_token"]

    created = {}   # case id -> given name acknowledged at creation
    patched = {}   # case id -> (version acknowledged, phone)
    lock = threading.Lock()
    total_acks = 0

    def writer(stop, n):
        nonlocal total_acks
        mine = []
        i = 0
        while not stop.is_set():
            i += 1
            try:
                if not mine or random.random() < 0.5:
                    name = f"W{n}-{i}-{random.randrange(10**9)}"
                    s, h, b = call(server.base, "POST", "/api/v1/cases", {"given_name": name, "family_name": "Crash"},
                                   token, timeout=5)
                    if s == 201:
                        with lock:
                            created[b["id"]] = name
                            total_acks += 1
                        mine.append((b["id"], 1))
                else:
                    k = random.randrange(len(mine))
                    case_id, version = mine[k]
                    phone = f"+39 02 {n}{i:06d}"
                    s, h, b = call(server.base, "PATCH", f"/api/v1/cases/{case_id}", {"phone": phone}, token,
                                   {"If-Match": f'"{version}"'}, timeout=5)
                    if s == 200:
                        with lock:
                            patched[case_id] = (b["version"], phone)
                            total_acks += 1
                        mine[k] = (case_id, b["version"])
            except Exception:
                time.sleep(0.01)  # the server is down: writes are not acknowledged

    for round_no in range(ROUNDS):
        stop = threading.Event()
        threads = [threading.Thread(target=writer, args=(stop, n)) for n in range(4)]
        for t in threads:
            t.start()
        time.sleep(random.uniform(0.3, 1.5))
        server.kill()
        stop.set()
        for t in threads:
            t.join()
        server.start()
        lost = []
        for case_id, name in list(created.items()):
            s, _, b = call(server.base, "GET", f"/api/v1/cases/{case_id}", token=token)
            if s != 200 or b["given_name"] != name:
                lost.append(f"case {case_id}: {s}")
                continue
            if case_id in patched:
                version, phone = patched[case_id]
                if b["version"] < version or (b["version"] == version and b["phone"] != phone):
                    lost.append(f"patch of {case_id} v{version}: stored v{b['version']} phone {b['phone']}")
        if lost:
            raise SystemExit(f"round {round_no + 1}: {len(lost)} acknowledged writes lost: {lost[:5]}")
        print(f"round {round_no + 1}/{ROUNDS}: {len(created)} cases, {len(patched)} patched, all acknowledged writes intact")

    server.kill()
    if BACKEND == "sqlite":
        check = sqlite3.connect(env["SPORTELLO_DATABASE_URL"]).execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise SystemExit(f"integrity_check: {check}")
        print("PRAGMA integrity_check: ok")
    if pg_db:
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)"], check=False)
    print(f"crash durability ({BACKEND}): {ROUNDS} kills, {total_acks} acknowledged writes, none lost")


if __name__ == "__main__":
    main()
