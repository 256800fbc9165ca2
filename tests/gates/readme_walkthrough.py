#!/usr/bin/env python3
"""The README's walk through the API, run as written against the release server.

Extracts every ```bash block of the README section "A walk through the API with curl" (its subsections
included), points `API` and `SPORTELLO_ADMIN_PASSWORD` at a fresh server, and runs the blocks in one bash with
`set -euo pipefail`. Every curl fails on an HTTP error status (`--fail-with-body` is added), except the lines that
print a status themselves (`-w`). Then checks what the walk-through promises: the referral ends `completed`, the
transfer `accepted`, the sending desk gets 404 for the case it handed over, the activation is completed and
counted as confirmed within its deadline, the case opened from a desk contact takes its topics as needs, the
contact statistics count both contacts, the course's place passes from the person who withdrew to the head of
its waiting list, the permit is found among the renewals and downloads intact, and a renamed program is refused
with 415.

Usage: readme_walkthrough.py BINARY sqlite|postgres
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

BINARY, BACKEND = sys.argv[1], sys.argv[2]
PASSWORD = "Readme-Walkthrough-Admin"
PG_ADMIN = os.environ.get("SPORTELLO_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "README.md")

# Every curl of the walk-through fails on an error status, unless it prints the status itself.
PRELUDE = """set -euo pipefail
curl() {
  case " $* " in *" -w "*) command curl "$@" ;; *) command curl --fail-with-body "$@" ;; esac
}
"""


def walkthrough_script(api):
    text = open(README, encoding="utf-8").read()
    section = re.search(r"^## A walk through the API with curl\n(.*?)^## ", text, re.S | re.M)
    if not section:
        raise SystemExit("README: no section 'A walk through the API with curl'")
    blocks = re.findall(r"^```bash\n(.*?)^```", section.group(1), re.S | re.M)
    script = "\n".join(blocks)
    script = re.sub(r"^API=.*$", f"API={api}", script, count=1, flags=re.M)
    script = re.sub(r"^SPORTELLO_ADMIN_PASSWORD=.*$", f"SPORTELLO_ADMIN_PASSWORD='{PASSWORD}'", script, count=1, flags=re.M)
    return PRELUDE + script


def main():
    tmp = tempfile.mkdtemp(prefix="walkthrough-")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = dict(os.environ, SPORTELLO_DATA_DIR=tmp, SPORTELLO_ADMIN_PASSWORD=PASSWORD, RUST_LOG="warn",
               SPORTELLO_BIND=f"127.0.0.1:{port}", SPORTELLO_JWT_SECRET="walkthrough-secret-0123456789-abcdefghij")
    pg_db = None
    if BACKEND == "postgres":
        pg_db = f"walkthrough_{os.getpid()}"
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {pg_db}"], check=True)
        env["SPORTELLO_DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + pg_db
    else:
        env["SPORTELLO_DATABASE_URL"] = os.path.join(tmp, "sportello.db")
    log = open(os.path.join(tmp, "server.log"), "w")
    server = subprocess.Popen([BINARY, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/health/ready", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise SystemExit("the server did not become ready")
        run = subprocess.run(["bash", "-c", walkthrough_script(base + "/api/v1")], capture_output=True, text=True,
                             timeout=120)
        print(run.stdout)
        if run.returncode != 0:
            print(run.stderr[-4000:], file=sys.stderr)
            raise SystemExit(f"the README walk-through failed on {BACKEND} (exit {run.returncode})")
        lines = run.stdout.strip().splitlines()
        problems = [want for want in ["completed", "accepted", "404"] if want not in lines]
        if lines.count("completed") < 2:
            problems.append("the activation completed")
        # curl prints no newline after a body: a printed JSON body shares its line with what follows.
        if not any('"confirmed_within_deadline":1' in line for line in lines):
            problems.append("the activation confirmed within its deadline in the SLA")
        if not any("['residence_permit', 'language_course']" in line for line in lines):
            problems.append("the contact's topics as the new case's needs")
        if not any('"dataset":"contacts"' in line
                   and '"total":{"dimensions":{},"values":{"cases_opened":1,"contacts":2' in line for line in lines):
            problems.append("the two contacts counted, one with a case opened from it")
        if not any("'enrolled': 1, 'waiting': 0" in line and "'withdrawn': 1" in line for line in lines):
            problems.append("the course's place passed from the withdrawn person to the head of the waiting list")
        if not any(line.endswith("permesso.pdf") for line in lines):
            problems.append("the permit found among the renewals")
        if "download identical" not in lines:
            problems.append("the document downloaded intact")
        if not lines or lines[-1] != "415":
            problems.append("the renamed program refused with 415")
        if problems:
            raise SystemExit(f"the README walk-through did not show: {', '.join(problems)}")
        print(f"README walk-through: ran as written on {BACKEND}")
    finally:
        server.terminate()
        server.wait()
        if pg_db:
            subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)"], check=False)


if __name__ == "__main__":
    main()
