#!/usr/bin/env python3
"""Bounded load test: simulated recruiters autosave answers against gunicorn, then every write is checked.

    .venv/bin/python tools/load_test.py [--seconds 60] [--users 20] [--workers 4]
                                        [--database-url postgresql://…] [--kill-worker] [--json]

What it does, in order:

1. Prepares a database: a temporary SQLite file (default) or the given ``--database-url``
   (PostgreSQL: give it a database of its own, e.g. ``createdb loadtest``). The schema comes from
   the migrations (``init-db``), the bank from ``question_bank/``, and users, API tokens,
   vacancies, candidates with consent and interviews from the app's own services. Recruiters
   work in pairs on one vacancy, so two people edit the same answers and conflicts happen.
2. Starts the app under gunicorn on 127.0.0.1 (loopback only) on a free port with several workers.
3. Runs one thread per recruiter for ``--seconds``: each autosaves a random answer of its pair's
   interviews with ``PUT /api/v1/interviews/<id>/answers/<question>``, sending a client-made text
   (writer id, sequence number, checksum) and the version it last saw. A 409 carries the current
   text and version, which the client adopts; a dropped connection or a 5xx makes it re-read the
   interview. With ``--kill-worker`` one gunicorn worker is killed with SIGKILL halfway through
   (gunicorn starts a new one).
4. Stops gunicorn and reads every answer from the database. For each answer the highest version
   acknowledged by a 200 must be in the database with exactly the acknowledged text; no version may
   be acknowledged twice (that would be a lost update); every stored text must be one a client sent,
   with a valid checksum.

Prints requests, statuses, p50/p95 latency and the verification; ``--json`` prints one JSON object.
Exit status 0 when nothing was lost or corrupted and no 5xx was answered, 1 otherwise, 2 when the
run could not be set up. Everything is bounded: the run stops by itself, requests time out, and
gunicorn is always stopped.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import subprocess  # starts gunicorn with a fixed argv, no shell  # nosec B404
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, by design: there is no option to change it
REQUEST_TIMEOUT = 30.0
BOOT_TIMEOUT = 60.0
WORDS = ("клиент", "вопрос", "решение", "договор", "звонок", "заказ", "возврат", "сроки", "уточнила", "предложил",
         "customer", "refund", "delivery", "listened", "follow-up", "promise", "feedback", "escalated", "сервис", "ё")


class SetupError(Exception):
    pass


# ---------------------------------------------------------------- preparing the database


@dataclass
class Plan:
    """Who works on what: per recruiter its token and the answers (interview, question) it edits."""

    run_id: str
    tokens: list[str]
    answers: list[list[tuple[int, str]]]
    interview_ids: list[int]


def prepare(database_url: str, users: int, secret_key: str) -> Plan:
    """Schema, bank, recruiters in pairs, tokens, vacancies, candidates and interviews, via the app."""
    sys.path.insert(0, str(REPO))
    from flask_migrate import upgrade

    from screening import create_app
    from screening.bank import service as bank
    from screening.database import MIGRATIONS_DIR
    from screening.extensions import db
    from screening.services import candidates, interviews, vacancies
    from screening.services import users as user_service

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": secret_key})
    run_id = secrets.token_hex(3)
    tokens: list[str] = []
    answers: list[list[tuple[int, str]]] = []
    interview_ids: list[int] = []
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)  # what `flask --app screening init-db` does
        if bank.latest_version() is None:
            bank.import_bank(Path(app.config["QUESTION_BANK_DIR"]))
        guides = bank.list_guides()
        if not guides:
            raise SetupError("The question bank has no guide to interview with.")
        guide = guides[0]
        recruiters = [user_service.create_user(f"load-{run_id}-{n:02d}@example.test", "recruiter",
                                               secrets.token_urlsafe(18), name=f"Load recruiter {n}")
                      for n in range(users)]
        teams = [recruiters[i:i + 2] for i in range(0, users, 2)]
        team_answers: dict[int, list[tuple[int, str]]] = {}
        for t, team in enumerate(teams):
            vacancy = vacancies.create_vacancy(vacancies.VacancyInput(
                f"Load test {run_id} team {t}", guide.role, guide.id, None, tuple(u.id for u in team)), team[0])
            keys: list[tuple[int, str]] = []
            for member in team:
                candidate = candidates.create_candidate(
                    candidates.CandidateInput(f"Load candidate {run_id}-{member.id}", consent=True), member,
                    app.config["CONSENT_TEXT_VERSION"])
                interview = interviews.start_interview(interviews.StartInput(
                    candidate_id=candidate.id, vacancy_id=vacancy.id, lang="ru"), member)
                interview_ids.append(interview.id)
                keys += [(interview.id, q["id"]) for q in interview.guide_snapshot["questions"]]
            team_answers[t] = keys
        for n, member in enumerate(recruiters):
            tokens.append(user_service.issue_token(member, f"load test {run_id}"))
            answers.append(team_answers[n // 2])
        db.session.remove()
        db.engine.dispose()
    return Plan(run_id, tokens, answers, interview_ids)


def stored_answers(database_url: str, secret_key: str, interview_ids: list[int]) -> dict[tuple[int, str], tuple[int, str]]:
    """(interview, question) → (version, text), read straight from the database."""
    import sqlalchemy as sa

    from screening import create_app
    from screening.extensions import db
    from screening.models import Answer

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": secret_key})
    with app.app_context():
        rows = db.session.execute(sa.select(Answer.interview_id, Answer.question_id, Answer.version, Answer.text)
                                  .where(Answer.interview_id.in_(interview_ids))).all()
        db.session.remove()
        db.engine.dispose()
    return {(r.interview_id, r.question_id): (r.version, r.text or "") for r in rows}


# ---------------------------------------------------------------- gunicorn


class Server:
    """gunicorn on 127.0.0.1, in its own process group, always stopped by `stop()`."""

    def __init__(self, workers: int, threads: int, database_url: str, secret_key: str, log_dir: Path):
        self.log_path = log_dir / "gunicorn.log"
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret_key, "PYTHONUNBUFFERED": "1"}
        env.pop("PRODUCTION", None)
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
                   "--bind", f"{HOST}:0", "--timeout", "60", "--graceful-timeout", "10",
                   "--error-logfile", str(self.log_path), "--log-level", "info", "wsgi:app"]
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL,  # fixed argv  # nosec B603
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        self.workers = workers
        self.port = 0

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_ready(self) -> None:
        deadline = time.monotonic() + BOOT_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SetupError("gunicorn exited while starting:\n" + self.log()[-3000:])
            match = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", self.log())
            if match and len(self.worker_pids()) >= self.workers:
                self.port = int(match.group(1))
                try:
                    status, _, _ = request(self.port, "GET", "/api/v1/openapi.json")
                except OSError:
                    status = None
                if status == 200:
                    return
            time.sleep(0.2)
        raise SetupError("gunicorn did not become ready in time:\n" + self.log()[-3000:])

    def worker_pids(self) -> list[int]:
        """Children of the gunicorn master (read from /proc; Linux)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2:].split()
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                pids.append(int(entry.name))
        return sorted(pids)

    def kill_one_worker(self, rng: random.Random) -> int | None:
        pids = self.worker_pids()
        if not pids:
            return None
        victim = rng.choice(pids)
        os.kill(victim, signal.SIGKILL)
        return victim

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


# ---------------------------------------------------------------- the simulated recruiters


def request(port: int, method: str, path: str, body: Any = None, token: str | None = None):
    """One request on a fresh connection: (status, parsed JSON or None, seconds)."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        status = response.status
    finally:
        conn.close()
    elapsed = time.perf_counter() - started
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, parsed, elapsed


def checksum(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def make_text(writer: int, seq: int, rng: random.Random) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 250)))
    body = f"w{writer:02d}#{seq:06d} {words}"
    return f"{body} [{checksum(body)}]"


def text_is_intact(text: str) -> bool:
    match = re.fullmatch(r"(.*) \[([0-9a-f]{16})\]", text, flags=re.DOTALL)
    return bool(match) and checksum(match.group(1)) == match.group(2)


@dataclass
class Journal:
    """Everything the clients were told, shared by the threads (under a lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acked: dict[tuple[int, str], dict[int, str]] = field(default_factory=dict)
    observed: dict[tuple[int, str], dict[int, str]] = field(default_factory=dict)
    sent: dict[tuple[int, str], set[str]] = field(default_factory=dict)
    duplicate_acks: list[dict[str, Any]] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)  # requests without an answer: applied or not
    bad_acks: list[dict[str, Any]] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    by_method: dict[str, Counter] = field(default_factory=lambda: {"PUT": Counter(), "GET": Counter()})
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"PUT": [], "GET": []})

    def record(self, method: str, status: int | str, seconds: float | None) -> None:
        with self.lock:
            self.statuses[str(status)] += 1
            self.by_method[method][str(status)] += 1
            if seconds is not None:
                self.latencies[method].append(seconds)

    def will_send(self, key, text: str) -> None:
        with self.lock:
            self.sent.setdefault(key, set()).add(text)

    def ack(self, key, version: int, text: str) -> None:
        with self.lock:
            versions = self.acked.setdefault(key, {})
            if version in versions and versions[version] != text:
                self.duplicate_acks.append({"answer": list(key), "version": version})
            versions[version] = text

    def observe(self, key, version: int, text: str) -> None:
        with self.lock:
            self.observed.setdefault(key, {})[version] = text or ""


class Recruiter(threading.Thread):
    def __init__(self, number: int, token: str, answers: list[tuple[int, str]], port: int, deadline: float,
                 journal: Journal, think: float, seed: int):
        super().__init__(name=f"recruiter-{number}", daemon=True)
        self.number, self.token, self.answers, self.port = number, token, answers, port
        self.deadline, self.journal, self.think = deadline, journal, think
        self.rng = random.Random(seed)  # simulated typing, not security  # nosec B311
        self.known = {key: 0 for key in answers}
        self.seq = 0
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while time.monotonic() < self.deadline:
                self.autosave(self.rng.choice(self.answers))
                time.sleep(self.rng.uniform(0, self.think))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.failure = exc

    def autosave(self, key: tuple[int, str]) -> None:
        self.seq += 1
        text = make_text(self.number, self.seq, self.rng)
        version = self.known[key]
        self.journal.will_send(key, text)
        path = f"/api/v1/interviews/{key[0]}/answers/{urllib.parse.quote(key[1], safe='')}"
        try:
            status, body, seconds = request(self.port, "PUT", path, {"text": text, "version": version}, self.token)
        except (OSError, http.client.HTTPException) as exc:
            self.journal.record("PUT", f"connection:{type(exc).__name__}", None)
            self.reread(key[0])
            with self.journal.lock:  # did the write land before the worker died? (either is fine)
                applied = self.journal.observed.get(key, {}).get(self.known[key]) == text
                self.journal.dropped["applied" if applied else "not_applied"] += 1
            return
        self.journal.record("PUT", status, seconds)
        if status == 200 and isinstance(body, dict):
            # A 200 means the UPDATE ... WHERE version = <sent> matched: this text is version sent + 1.
            self.journal.ack(key, version + 1, text)
            self.known[key] = version + 1
            if body.get("text") != text or body.get("version") != version + 1:
                # The acknowledgement describes another write: a client trusting it would later
                # overwrite that write without a conflict. Counted as a failure; re-read the truth.
                with self.journal.lock:
                    self.journal.bad_acks.append({"answer": list(key), "sent_version": version,
                                                  "acknowledged_version": body.get("version"),
                                                  "acknowledged_own_text": body.get("text") == text})
                self.reread(key[0])
        elif status == 409 and isinstance(body, dict) and isinstance(body.get("current"), dict):
            current = body["current"]
            self.journal.observe(key, current["version"], current.get("text") or "")
            self.known[key] = current["version"]
        else:
            self.reread(key[0])

    def reread(self, interview_id: int) -> None:
        """After an unknown outcome: adopt what the server holds now (bounded retries)."""
        for attempt in range(5):
            try:
                status, body, seconds = request(self.port, "GET", f"/api/v1/interviews/{interview_id}",
                                                token=self.token)
            except (OSError, http.client.HTTPException) as exc:
                self.journal.record("GET", f"connection:{type(exc).__name__}", None)
                time.sleep(0.2 * (attempt + 1))
                continue
            self.journal.record("GET", status, seconds)
            if status == 200 and isinstance(body, dict):
                for question in body.get("questions", []):
                    answer = question.get("answer")
                    key = (interview_id, question["id"])
                    if answer and key in self.known:
                        self.journal.observe(key, answer["version"], answer.get("text") or "")
                        self.known[key] = answer["version"]
                return
            time.sleep(0.2 * (attempt + 1))


# ---------------------------------------------------------------- verification and report


def verify(journal: Journal, stored: dict[tuple[int, str], tuple[int, str]]) -> dict[str, Any]:
    lost: list[dict[str, Any]] = []
    corrupted: list[dict[str, Any]] = []
    unacknowledged_applied = 0
    written = 0
    for key, (version, text) in sorted(stored.items()):
        acked = journal.acked.get(key, {})
        sent = journal.sent.get(key, set())
        if version > 0:
            written += 1
            if text not in sent or not text_is_intact(text):
                corrupted.append({"answer": list(key), "version": version, "text": text[:80]})
        if acked:
            top = max(acked)
            if version < top or (version == top and text != acked[top]):
                lost.append({"answer": list(key), "acknowledged_version": top, "stored_version": version})
                continue
        if version > max(acked, default=0) and version > 0:
            # Written by a request whose answer never arrived (a killed worker): allowed, but counted.
            seen = journal.observed.get(key, {})
            if seen.get(version) != text:
                unacknowledged_applied += 1
    missing = [list(key) for key in journal.sent if key not in stored]
    return {
        "answers_checked": len(stored),
        "answers_written": written,
        "acknowledged_writes": sum(len(v) for v in journal.acked.values()),
        "lost": len(lost) + len(journal.duplicate_acks) + len(missing),
        "corrupted": len(corrupted),
        "duplicate_acknowledged_versions": len(journal.duplicate_acks),
        "wrong_acknowledgements": len(journal.bad_acks),
        "unacknowledged_but_applied": unacknowledged_applied,
        "examples": (lost + corrupted + journal.duplicate_acks + journal.bad_acks)[:5],
    }


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))  # nearest rank
    return round(ordered[index] * 1000, 1)


def latency_summary(values: list[float]) -> dict[str, Any]:
    return {"count": len(values), "p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95),
            "p99_ms": percentile(values, 99), "max_ms": round(max(values) * 1000, 1) if values else None}


def print_report(report: dict[str, Any]) -> None:
    cfg, v = report["config"], report["verification"]
    print(f"Load test on {cfg['backend']}: {cfg['users']} recruiters, {cfg['seconds']} s, "
          f"gunicorn {cfg['workers']} workers x {cfg['threads']} threads on 127.0.0.1:{cfg['port']}")
    print(f"Requests: {report['requests']} ({report['requests_per_second']} per second)")
    for method, statuses in report["statuses_by_method"].items():
        if statuses:
            print(f"{method} statuses: " + ", ".join(f"{k}: {n}" for k, n in sorted(statuses.items())))
    put = report["latency"]["PUT"]
    print(f"Autosave latency: p50 {put['p50_ms']} ms, p95 {put['p95_ms']} ms, p99 {put['p99_ms']} ms, "
          f"max {put['max_ms']} ms")
    if report.get("killed_worker"):
        k = report["killed_worker"]
        print(f"Killed worker pids {k['pids']} at {k['at_seconds']} s; workers at the end: {k['workers_after']}")
        dropped = report["dropped_requests"]
        print(f"Requests cut off by the kill: {sum(dropped.values())} (their write was applied: "
              f"{dropped.get('applied', 0)}, not applied: {dropped.get('not_applied', 0)}; the client re-read both)")
    print(f"Verification: {v['answers_checked']} answers checked, {v['answers_written']} written, "
          f"{v['acknowledged_writes']} acknowledged writes; lost {v['lost']}, corrupted {v['corrupted']}, "
          f"wrong acknowledgements {v['wrong_acknowledgements']}, "
          f"applied without acknowledgement {v['unacknowledged_but_applied']}")
    for example in v["examples"]:
        print(f"  problem: {example}")
    print("Result: " + ("OK" if report["ok"] else "FAILED: " + "; ".join(report["failures"])))


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the recruiters type (1–600, default 60)")
    parser.add_argument("--users", type=int, default=20, help="simulated recruiters (1–100, default 20)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (1–16, default 4)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (default 1)")
    parser.add_argument("--think", type=float, default=0.1,
                        help="each recruiter waits up to this many seconds between saves (default 0.1)")
    parser.add_argument("--database-url", help="a PostgreSQL database of its own (default: a temporary SQLite file)")
    parser.add_argument("--kill-worker", action="store_true", help="SIGKILL one gunicorn worker halfway through")
    parser.add_argument("--kills", type=int, default=1,
                        help="with --kill-worker: how many workers to kill, evenly spread over the run (default 1)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the simulated recruiters")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (SQLite file and log)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be between 1 and 600")
    if not 1 <= args.users <= 100:
        parser.error("--users must be between 1 and 100")
    if not 1 <= args.workers <= 16 or not 1 <= args.threads <= 16:
        parser.error("--workers and --threads must be between 1 and 16")
    if not 1 <= args.kills <= 20:
        parser.error("--kills must be between 1 and 20")
    if not 0 <= args.think <= 10:
        parser.error("--think must be between 0 and 10")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="screening-load-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'load.sqlite3'}"
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    secret_key = secrets.token_hex(32)
    server = None
    try:
        try:
            plan = prepare(database_url, args.users, secret_key)
        except SetupError:
            raise
        except Exception as exc:  # noqa: BLE001 - an unreachable database, a refused migration: say so, briefly
            raise SetupError(f"preparing the database failed: {type(exc).__name__}: {exc}") from None
        server = Server(args.workers, args.threads, database_url, secret_key, workdir)
        server.wait_ready()
        journal = Journal()
        rng = random.Random(args.seed)  # which worker to kill, not security  # nosec B311
        started = time.monotonic()
        deadline = started + args.seconds
        recruiters = [Recruiter(n, plan.tokens[n], plan.answers[n], server.port, deadline, journal, args.think,
                                args.seed * 1000 + n) for n in range(args.users)]
        for recruiter in recruiters:
            recruiter.start()
        killed = None
        if args.kill_worker:
            killed = {"pids": [], "at_seconds": []}
            for k in range(args.kills):
                time.sleep(max(0.0, started + args.seconds * (k + 1) / (args.kills + 1) - time.monotonic()))
                killed["pids"].append(server.kill_one_worker(rng))
                killed["at_seconds"].append(round(time.monotonic() - started, 1))
        for recruiter in recruiters:
            recruiter.join(timeout=max(1.0, deadline - time.monotonic()) + 3 * REQUEST_TIMEOUT)
        elapsed = time.monotonic() - started
        stuck = [r.name for r in recruiters if r.is_alive()]
        failures_in_threads = [f"{r.name}: {r.failure!r}" for r in recruiters if r.failure]
        if killed is not None:
            killed["workers_after"] = len(server.worker_pids())
        server.stop()
        log = server.log()
        stored = stored_answers(database_url, secret_key, plan.interview_ids)
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    verification = verify(journal, stored)
    requests = sum(journal.statuses.values())
    server_errors = sum(n for status, n in journal.statuses.items() if status.isdigit() and int(status) >= 500)
    connection_errors = sum(n for status, n in journal.statuses.items() if status.startswith("connection"))
    failures = []
    if verification["lost"]:
        failures.append(f"{verification['lost']} acknowledged writes lost")
    if verification["corrupted"]:
        failures.append(f"{verification['corrupted']} answers corrupted")
    if verification["wrong_acknowledgements"]:
        failures.append(f"{verification['wrong_acknowledgements']} acknowledgements described another write "
                        "(version or text not the client's own)")
    if server_errors:
        failures.append(f"{server_errors} server errors (5xx)")
    if connection_errors and not args.kill_worker:
        failures.append(f"{connection_errors} dropped connections without a killed worker")
    if stuck:
        failures.append(f"threads did not stop: {', '.join(stuck)}")
    failures += failures_in_threads
    if args.kill_worker and (killed is None or None in killed["pids"]):
        failures.append("a worker could not be killed")
    report = {
        "config": {"backend": backend, "users": args.users, "seconds": args.seconds, "workers": args.workers,
                   "threads": args.threads, "think": args.think, "port": server.port if server else None,
                   "kill_worker": args.kill_worker, "workdir": str(workdir) if args.keep else None},
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1) if elapsed else None,
        "statuses": dict(journal.statuses),
        "statuses_by_method": {method: dict(counter) for method, counter in journal.by_method.items()},
        "latency": {method: latency_summary(values) for method, values in journal.latencies.items()},
        "killed_worker": killed,
        "dropped_requests": dict(journal.dropped),
        "server_log_errors": len(re.findall(r"\[ERROR\]|Traceback", log)),
        "server_log_excerpt": log[-3000:] if "Traceback" in log or server_errors else None,
        "verification": verification,
        "failures": failures,
        "ok": not failures,
    }
    return report


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        report = run(args)
    except SetupError as exc:
        print(f"The load test could not start: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
