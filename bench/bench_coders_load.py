"""20 coders saving their drafts at once, on PostgreSQL 15 through gunicorn (DEBUG off, the real
password hasher, session auth through the login form with CSRF), the way the workspace autosaves:
PUT /api/codings/<id>/ with every answer and the revision it loaded (409 when stale), then GET the
machine suggestions, as the page does after each save. Only the PUT is timed as "the save".

Two closed loops, one run:
  (b) the goal: every coder autosaves every 1-2 s (the workspace debounces edits by 600 ms; a
      coder clicks a value, types a note or cites a passage, then reads on);
  (a) stress: every coder saves back to back, no think time.
The baseline is the same saves by one coder alone. After the run, every coder's stored answers
must be the last ones she saved successfully, and her revision must count every successful save
(lost updates otherwise). Goal: (b) p95 <= 100 ms, 0 errors, 0 lost. Exit status 1 on any error
or lost update (not on a missed latency goal: that depends on the machine, see the CPU lines).

Server: gunicorn, GUNICORN_WORKERS sync workers (default 2 x cores + 1). Sync workers because a
save is short and spends its time on the CPU or waiting on PostgreSQL, never on a slow client
(on loopback, or behind a proxy that buffers): one request per process, no GIL shared between
requests, no idle keep-alive connections to drop, and a few more processes than cores so one
waiting on the database leaves the CPU to another. GUNICORN_THREADS=N (N > 1) runs gthread
workers instead, to compare.

Database connections: with CONN_MAX_AGE=0 every request opens a new PostgreSQL connection (a
backend process started and its caches filled, about 17 ms of CPU per request here), and the goal
is out of reach on 2 cores. The production settings keep connections for 60 s (CONN_MAX_AGE,
with health checks); this bench runs the server with CONN_MAX_AGE=60 as production does;
BENCH_CONN_MAX_AGE=0 runs it with a new connection per request (the base settings' default).

The CPU lines say where the machine's CPU went (Linux /proc): a latency measured while other
processes take a core is not the server's alone.

Run: .venv/bin/python bench/bench_coders_load.py      (BENCH_CONN_MAX_AGE=0: a new connection per request)
"""

import json
import os
import random
import re
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from _django import setup
from _gunicorn import gunicorn_start, gunicorn_stop

from config.devservices import postgres_server

CODERS = 20
ARTICLES, CHAPTERS = 150, 10  # a mid-sized FTA
THINK = (1.0, 2.0)  # seconds between two autosaves of one coder in load (b)
SECONDS_THINK, SECONDS_STRESS, SAVES_ALONE = 20, 6, 40
GOAL_MS = 100
PASSWORD = "coder-" + secrets.token_hex(6)
CORES = os.cpu_count() or 2
WORKERS = int(os.environ.get("GUNICORN_WORKERS", str(2 * CORES + 1)))
THREADS = int(os.environ.get("GUNICORN_THREADS", "1"))  # more than 1: gthread workers, to compare
CONN_MAX_AGE = int(os.environ.get("BENCH_CONN_MAX_AGE", "60"))  # 60: as production; 0: base's default


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url):
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG="0",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="ERROR",
    )
    env["CONN_MAX_AGE"] = str(CONN_MAX_AGE)  # config/settings/base.py reads it
    return env


def start_server(port, env):
    return gunicorn_start(
        port,
        env,
        "--workers",
        str(WORKERS),
        "--worker-class",
        "gthread" if THREADS > 1 else "sync",
        "--threads",
        str(THREADS),
        "--backlog",
        "256",
    )


def article_text(n):
    sentence = (
        f"Each Party shall ensure that technical regulations under Article {n} are not prepared, adopted "
        "or applied with a view to or with the effect of creating unnecessary obstacles to trade. "
    )
    return sentence * 6


def create_data():
    """A codebook (desta-tbt, 7 indicators), CODERS coders, CODERS treaties with a text; treaty i
    double-coded by coders i and i+1, so every coder has two codings and saves the first.
    Returns [{username, coding, articles}] and the indicators' allowed values."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from coding.models import Agreement, Coding
    from coding.roles import CODER
    from coding.services import codebook_import, text_version_create
    from coding.services.assignments import assignment_create
    from coding.services.users import user_role_grant
    from config.demo import DEMO_DIR

    version = codebook_import(path=DEMO_DIR / "codebooks" / "desta_tbt.yaml").version
    User = get_user_model()
    hashed = make_password(PASSWORD)  # the real hasher, once: every coder has this password
    coders = []
    for n in range(CODERS):
        user = User.objects.create(username=f"coder{n:02d}", password=hashed)
        coders.append(user_role_grant(user=user, role=CODER))
    per_chapter = ARTICLES // CHAPTERS
    chapters = [
        SimpleNamespace(
            identifier=str(c + 1),
            name=f"Chapter {c + 1}",
            articles=[
                SimpleNamespace(identifier=str(a), number=str(a), heading=f"Heading {a}", text=article_text(a))
                for a in range(c * per_chapter + 1, (c + 1) * per_chapter + 1)
            ],
        )
        for c in range(CHAPTERS)
    ]
    agreements = []
    for n in range(CODERS):
        agreement = Agreement.objects.create(
            name=f"Bench FTA {n:02d}", entry_into_force_year=2010, membership=Agreement.Membership.BILATERAL
        )
        text_version_create(agreement=agreement, chapters=chapters, text_hash=f"bench-{n}")
        agreements.append(agreement)
    for n, agreement in enumerate(agreements):
        assignment_create(agreements=[agreement], version=version, coders=[coders[n], coders[(n + 1) % CODERS]])
    articles = {str(a): article_text(a) for a in range(1, ARTICLES + 1)}
    people = [
        {
            "username": c.username,
            "coding": Coding.objects.get(coder=c, agreement=agreements[n]).pk,
            "articles": articles,
        }
        for n, c in enumerate(coders)
    ]
    values = {i.code: list(i.values) for i in version.indicators.all()}
    return people, values


class Coder:
    """One browser: logs in through the form, opens the workspace, then edits and autosaves."""

    def __init__(self, base, person, values, seed):
        import requests

        self.base, self.person, self.values = base, person, values
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.saves, self.suggestions, self.errors = [], [], []
        self.successes = 0
        self.last_saved = self.unknown = None  # unknown: answers of a save whose answer never came
        self.start_revision = None

    def start(self):
        try:
            self.login()
        except Exception as exc:  # noqa: BLE001 - a failed login is an error of the run, reported
            self.errors.append(f"login of {self.person['username']}: {exc!r}")

    def login(self):
        page = self.session.get(f"{self.base}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.session.post(
            f"{self.base}/accounts/login/",
            allow_redirects=False,
            data={"username": self.person["username"], "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302, f"login of {self.person['username']}: {response.status_code}"
        self.open_workspace()

    def open_workspace(self):
        page = self.session.get(f"{self.base}/coding/codings/{self.person['coding']}/")
        assert page.status_code == 200, page.status_code
        payload = json.loads(
            re.search(
                r'<script id="coding-payload" type="application/json">(.*?)</script>', page.text, re.DOTALL
            ).group(1)
        )
        self.revision, self.start_revision = payload["revision"], payload["revision"]
        # As the page does: every indicator has an answer in the state it sends.
        self.answers = {
            code: payload["answers"].get(code)
            or {"value": None, "note": "", "not_found": False, "searched_chapters": [], "evidence": []}
            for code in self.values
        }
        self.csrf = self.session.cookies["csrftoken"]

    def edit(self):
        """One edit, as a burst the 600 ms debounce turns into one save: always a change."""
        code = self.rng.choice(list(self.values))
        answer, roll = self.answers[code], self.rng.random()
        if roll < 0.45:
            answer["value"] = self.rng.choice([v for v in self.values[code] if v != answer["value"]])
        elif roll < 0.8 or (roll >= 0.9 and not answer["evidence"]):
            note = answer["note"] if len(answer["note"]) < 400 else ""
            answer["note"] = note + self.rng.choice(["mutual recognition ", "see art. ", "TBT ", "cooperation "])
        elif roll < 0.9 and len(answer["evidence"]) < 6:
            article = self.rng.choice(list(self.person["articles"]))
            start = self.rng.randrange(0, 200)
            quote = self.person["articles"][article][start : start + 60]
            answer["evidence"].append({"article": article, "start": start, "end": start + len(quote), "quote": quote})
        else:
            answer["evidence"].pop(0)

    def save(self):
        import requests

        body = json.dumps({"revision": self.revision, "answers": self.answers})
        started = time.perf_counter()
        try:
            response = self.session.put(
                f"{self.base}/api/codings/{self.person['coding']}/",
                data=body,
                headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf},
            )
        except requests.RequestException as exc:  # saved or not: this coder stops, as the page would
            self.errors.append(f"connection: {exc!r}")
            self.unknown = json.loads(body)["answers"]
            return False
        self.saves.append(time.perf_counter() - started)
        if response.status_code != 200:
            self.errors.append(f"{response.status_code} {response.text[:200]}")
            return False
        self.revision = response.json()["revision"]
        self.successes += 1
        self.last_saved = json.loads(body)["answers"]
        started = time.perf_counter()
        try:
            suggestions = self.session.get(f"{self.base}/coding/codings/{self.person['coding']}/suggestions/")
        except requests.RequestException as exc:
            self.errors.append(f"suggestions: connection: {exc!r}")
            return True
        self.suggestions.append(time.perf_counter() - started)
        if suggestions.status_code != 200:
            self.errors.append(f"suggestions {suggestions.status_code}")
        return True

    def reset_samples(self):
        self.saves, self.suggestions = [], []

    def run(self, until, think):
        if think:  # coders do not start in step
            time.sleep(self.rng.uniform(0, think[1]))
        while time.monotonic() < until and self.start_revision is not None and self.unknown is None:
            self.edit()
            self.save()
            if think:
                time.sleep(self.rng.uniform(*think))


class CpuMeter:
    """Where the machine's CPU went during a phase (Linux /proc): the server (gunicorn's processes
    and PostgreSQL's, including finished children), this process (the clients), and everything
    else, which on a shared machine competes with the server and inflates its latency."""

    def __init__(self, server_pid, database_url):
        self.roots = [server_pid]
        port = database_url.rsplit(":", 1)[1].split("/")[0]
        for pidfile in Path(tempfile.gettempdir()).glob("workbench-pg-*/data/postmaster.pid"):
            lines = pidfile.read_text().splitlines()
            if len(lines) > 3 and lines[3].strip() == port:
                self.roots.append(int(lines[0]))

    @staticmethod
    def _stat(pid):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[1]), sum(int(f) for f in fields[11:15])  # parent, utime+stime+cutime+cstime

    def sample(self):
        try:
            stats = {}
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        stats[int(entry.name)] = self._stat(entry.name)
                    except (OSError, IndexError):
                        pass
            tick, trees = os.sysconf("SC_CLK_TCK"), []
            for root in self.roots:  # gunicorn, then PostgreSQL
                tree, todo = set(), [root]
                while todo:
                    pid = todo.pop()
                    tree.add(pid)
                    todo += [child for child, (parent, _ticks) in stats.items() if parent == pid and child not in tree]
                trees.append(sum(stats[pid][1] for pid in tree if pid in stats) / tick)
            total = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
            times = os.times()
            return (
                time.monotonic(),
                sum(trees),
                times.user + times.system,
                (sum(total) - total[3] - total[4]) / tick,
                trees[0],
            )
        except OSError:
            return None

    @staticmethod
    def summary(before, after, saves):
        if before is None or after is None:
            return ""
        seconds = after[0] - before[0]
        server, clients, busy, web = (after[i] - before[i] for i in (1, 2, 3, 4))
        per_save = 1000 / max(saves, 1)
        return (
            f"CPU: server {server * per_save:.0f} ms per save (gunicorn {web * per_save:.0f}, PostgreSQL "
            f"{(server - web) * per_save:.0f}), {server / seconds:.2f} cores; clients "
            f"{clients / seconds:.2f}; other processes on the machine {max(0.0, busy - server - clients) / seconds:.2f} "
            f"of {CORES} cores"
        )


def run_all(coders, seconds, think, meter):
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=c.run, args=(until, think)) for c in coders]
    before = meter.sample()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return CpuMeter.summary(before, meter.sample(), sum(len(c.saves) for c in coders))


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summary(samples):
    ms = [s * 1000 for s in samples]
    return {"n": len(ms), "p50": statistics.median(ms), "p95": percentile(ms, 95), "max": max(ms)}


def lost_updates(coders):
    """Coders whose stored answers are not the last they saved, or whose revision did not move by
    exactly one per successful save. A save whose answer never came (a connection error, counted
    as an error) may have been stored or not: either is accepted."""
    from coding.models import Answer, Coding

    def comparable(answers):  # the API trims text fields (DRF's CharField), as it does for the page
        return {
            code: (
                a["value"],
                a["note"].strip(),
                a["not_found"],
                a["searched_chapters"],
                [(e["article"], e.get("start"), e.get("end"), e.get("quote", "").strip()) for e in a["evidence"]],
            )
            for code, a in (answers or {}).items()
        }

    lost = []
    for coder in coders:
        if coder.start_revision is None:  # never logged in: an error already
            continue
        coding = Coding.objects.get(pk=coder.person["coding"])
        stored = {}
        for answer in Answer.objects.filter(coding=coding).select_related("indicator").prefetch_related("evidence"):
            stored[answer.indicator.code] = (
                answer.value,
                answer.note,
                answer.not_found,
                answer.searched_chapters,
                [(e.article_identifier, e.start, e.end, e.quote) for e in answer.evidence.all()],
            )
        expected = coder.start_revision + coder.successes
        fine = [(comparable(coder.last_saved), expected)]
        if coder.unknown is not None:
            fine.append((comparable(coder.unknown), expected + 1))
        if (stored, coding.revision) not in fine:
            lost.append(
                f"{coder.person['username']}: revision {coding.revision}, expected {expected}; answers "
                f"{'match' if any(stored == answers for answers, _r in fine) else 'differ'}"
            )
    return lost


def line(name, stats, errors):
    return (
        f"{name}: p50 {stats['p50']:.0f} ms, p95 {stats['p95']:.0f} ms, max {stats['max']:.0f} ms "
        f"({stats['n']} saves), {errors} errors"
    )


def main():
    started, marks = time.monotonic(), {}
    with postgres_server() as database_url:
        os.environ["DATABASE_URL"] = database_url
        setup()  # migrates the fresh database
        from django.db import connection

        people, values = create_data()
        connection.close()
        marks["database"] = time.monotonic()
        port = free_port()
        server = start_server(port, server_env(database_url))
        base = f"http://127.0.0.1:{port}"
        meter = CpuMeter(server.pid, database_url)
        try:
            coders = [Coder(base, person, values, seed=n) for n, person in enumerate(people)]
            logins = [threading.Thread(target=c.start) for c in coders]
            for thread in logins:
                thread.start()
            for thread in logins:
                thread.join()
            marks["server and logins"] = time.monotonic()

            def errors():
                return sum(len(c.errors) for c in coders)

            login_errors = errors()
            alone = next(c for c in coders if c.start_revision is not None)
            for _ in range(3):  # warm-up: every worker has imported its code and opened its caches
                alone.edit(), alone.save()
            alone.reset_samples()
            for _ in range(SAVES_ALONE):
                alone.edit()
                alone.save()
            one = summary(alone.saves)
            errors_before = errors()
            for coder in coders:
                coder.reset_samples()
            marks["1 coder"] = time.monotonic()
            think_cpu = run_all(coders, SECONDS_THINK, THINK, meter)
            marks["(b)"] = time.monotonic()
            think = summary([s for c in coders for s in c.saves])
            think_suggestions = summary([s for c in coders for s in c.suggestions])
            think_errors = errors() - errors_before
            for coder in coders:
                coder.reset_samples()
            stress_cpu = run_all(coders, SECONDS_STRESS, None, meter)
            marks["(a)"] = time.monotonic()
            stress = summary([s for c in coders for s in c.saves])
            stress_errors = errors() - errors_before - think_errors
        finally:
            gunicorn_stop(server)
        lost = lost_updates(coders)
        connection.close()
    first_errors = [e for c in coders for e in c.errors][:3]
    kind = f"gthread workers x {THREADS} threads" if THREADS > 1 else "sync workers"
    print(
        f"server: gunicorn {WORKERS} {kind} on {CORES} cores, DEBUG off, PostgreSQL 15, "
        f"CONN_MAX_AGE={f'{CONN_MAX_AGE} (as production)' if CONN_MAX_AGE else '0 (a new connection per request)'}; "
        f"codebook desta-tbt (7 indicators), "
        f"{ARTICLES}-article treaties; each save: PUT every answer + GET suggestions"
    )
    print(
        f"1 coder alone (baseline): p50 {one['p50']:.0f} ms, p95 {one['p95']:.0f} ms ({one['n']} saves), "
        f"{errors_before - login_errors} errors; {CODERS - login_errors} of {CODERS} coders logged in"
    )
    verdict = "met" if think["p95"] <= GOAL_MS and think_errors == 0 and not lost else "NOT met"
    print(
        f"(b) {line(f'{CODERS} coders, an autosave every {THINK[0]:g}-{THINK[1]:g} s', think, think_errors)}, "
        f"{len(lost)} lost; ratio p95 {CODERS}/1 = {think['p95'] / one['p95']:.1f}x"
    )
    print(
        f"    the goal applies to (b): p95 <= {GOAL_MS} ms, 0 errors, 0 lost: {verdict}  "
        f"(suggestions after each save: p50 {think_suggestions['p50']:.0f} ms, p95 {think_suggestions['p95']:.0f} ms)"
    )
    print(f"    {think_cpu}")
    print(
        f"(a) {line(f'{CODERS} coders back to back (stress)', stress, stress_errors)}; "
        f"ratio p95 {CODERS}/1 = {stress['p95'] / one['p95']:.1f}x, "
        f"{stress['n'] / SECONDS_STRESS:.0f} saves/s"
    )
    print(f"    {stress_cpu}")
    for message in lost[:3] + first_errors:
        print(f"    {message}")
    phases, last = [], started
    for name, at in marks.items():
        phases.append(f"{name} {at - last:.0f} s")
        last = at
    print(
        f"({time.monotonic() - started:.0f} s in all: {', '.join(phases)}; load average "
        f"{os.getloadavg()[0]:.1f} on {CORES} cores)"
    )
    if lost or errors_before or think_errors or stress_errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
