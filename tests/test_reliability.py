"""Reliability: no lost update under concurrency, one winner per version, consistent backups that
restore, the backup and restore commands, and a short run of the load script."""
from __future__ import annotations

import importlib.util
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Self

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from screening import create_app, operations
from screening.bank import service as bank
from screening.extensions import db
from screening.models import Answer, Candidate, Interview, User
from screening.services import candidates, interviews
from screening.services.errors import Conflict

REPO = Path(__file__).resolve().parent.parent
BANK = REPO / "question_bank"
RECRUITER = "recruiter@example.com"


@pytest.fixture
def room(app, make_user) -> dict:
    """A loaded bank, one recruiter, a candidate with consent and one started interview."""
    recruiter_id = make_user(RECRUITER, "recruiter")
    with app.app_context():
        bank.import_bank(BANK)
        actor = db.session.get(User, recruiter_id)
        candidate = candidates.create_candidate(candidates.CandidateInput("Anna Smirnova", consent=True), actor, "v1")
        interview = interviews.start_interview(
            interviews.StartInput(candidate_id=candidate.id, guide_id=bank.list_guides()[0].id), actor)
        questions = [q["id"] for q in interview.guide_snapshot["questions"]]
        return {"recruiter": recruiter_id, "interview": interview.id, "questions": questions}


def run_threads(count: int, work: Callable[[int], None], timeout: float = 60) -> None:
    """Run `work(n)` in `count` threads and re-raise the first failure in the test's thread."""
    failures: list[BaseException] = []

    def wrapped(n: int) -> None:
        try:
            work(n)
        except BaseException as exc:  # noqa: BLE001 - handed to the test below
            failures.append(exc)

    threads = [threading.Thread(target=wrapped, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a worker thread did not finish"
    if failures:
        raise failures[0]


def stored(app, interview_id: int, question_id: str) -> tuple[int, str]:
    with app.app_context():
        row = db.session.execute(sa.select(Answer.version, Answer.text).where(
            Answer.interview_id == interview_id, Answer.question_id == question_id)).one()
        return row.version, row.text


# ---------------------------------------------------------------- optimistic locking


def test_eight_threads_incrementing_one_answer_lose_no_update(app, room):
    """8 x 200 read-increment-write through save_answer: read the counter and its version, write
    counter + 1 with that version in the same transaction, retry on a conflict. It ends at exactly
    1600 and every success wrote a distinct version. On SQLite this needs BEGIN IMMEDIATE (a deferred
    read-then-write fails with "database is locked"); on PostgreSQL the losers get Conflict and retry."""
    interview_id, question_id = room["interview"], room["questions"][0]
    written: list[list[int]] = [[] for _ in range(8)]

    def work(n: int) -> None:
        rng = random.Random(n)
        with app.app_context():
            actor = db.session.get(User, room["recruiter"])
            streak = 0
            while len(written[n]) < 200:
                version, text = db.session.execute(sa.select(Answer.version, Answer.text).where(
                    Answer.interview_id == interview_id, Answer.question_id == question_id)).one()
                try:
                    interviews.save_answer(interview_id, question_id, actor, text=str(int(text or 0) + 1),
                                           expected_version=version)
                except Conflict:
                    streak += 1  # back off, as a client would, so the retries do not pile up
                    time.sleep(rng.uniform(0, min(0.2, 0.02 * 2 ** streak)))
                    continue
                streak = 0
                written[n].append(version + 1)  # the WHERE version = <read> matched: this write is read + 1

    run_threads(8, work, timeout=120)
    assert stored(app, interview_id, question_id) == (1600, "1600")
    assert sorted(v for versions in written for v in versions) == list(range(1, 1601))


def test_two_clients_with_the_same_version_exactly_one_gets_409(app, room, api_token):
    interview_id, question_id = room["interview"], room["questions"][1]
    tokens = [api_token("recruiter", RECRUITER), api_token("recruiter", RECRUITER)]
    clients = [app.test_client(), app.test_client()]
    url = f"/api/v1/interviews/{interview_id}/answers/{question_id}"
    for round_ in range(10):
        version = stored(app, interview_id, question_id)[0]
        barrier = threading.Barrier(2)
        responses: dict[int, tuple[int, dict]] = {}

        def save(n: int, barrier=barrier, round_=round_, version=version, responses=responses) -> None:
            barrier.wait(timeout=10)
            response = clients[n].put(url, json={"text": f"round {round_} client {n}", "version": version},
                                      headers=tokens[n])
            responses[n] = (response.status_code, response.get_json())

        run_threads(2, save)
        assert sorted(status for status, _ in responses.values()) == [200, 409]
        winner = next(n for n, (status, _) in responses.items() if status == 200)
        loser_body = responses[1 - winner][1]
        assert loser_body["error"] == "conflict"
        assert loser_body["current"]["text"] == f"round {round_} client {winner}"
        assert stored(app, interview_id, question_id) == (version + 1, f"round {round_} client {winner}")
    assert stored(app, interview_id, question_id)[0] == 10


def test_the_acknowledgement_describes_the_clients_own_write(app, room):
    """A 200 must carry the version this save created and its text; otherwise the client takes the
    other writer's version as its own and its next save overwrites that text without a 409."""
    interview_id, question_id = room["interview"], room["questions"][2]
    with app.app_context():
        actor = db.session.get(User, room["recruiter"])

        def another_client_saves(_session) -> None:
            with db.engine.begin() as conn:
                conn.execute(sa.update(Answer).where(Answer.interview_id == interview_id,
                                                     Answer.question_id == question_id, Answer.version == 1)
                             .values(text="the other client's text", version=2))

        event.listen(db.session(), "after_commit", another_client_saves, once=True)
        answer = interviews.save_answer(interview_id, question_id, actor, text="my text", expected_version=0)
        state = interviews.answer_state(answer)
    assert (state["version"], state["text"]) == (1, "my text")


# ---------------------------------------------------------------- backup and restore


class Writers:
    """Threads that keep writing (new candidates with consent, answer saves) until stopped."""

    def __init__(self, app, room, count: int = 3):
        self.app, self.room, self.count = app, room, count
        self.done = 0
        self.stop = threading.Event()
        self.failures: list[BaseException] = []
        self.threads = [threading.Thread(target=self._work, args=(n,)) for n in range(count)]

    def _work(self, n: int) -> None:
        try:
            with self.app.app_context():
                actor = db.session.get(User, self.room["recruiter"])
                question_id = self.room["questions"][n % len(self.room["questions"])]
                i = 0
                while not self.stop.is_set():
                    i += 1
                    candidates.create_candidate(candidates.CandidateInput(f"Writer {n}-{i}", consent=True), actor, "v1")
                    interviews.save_answer(self.room["interview"], question_id, actor, text=f"writer {n} save {i}")
                    self.done += 1
        except BaseException as exc:  # noqa: BLE001 - reported by join()
            self.failures.append(exc)

    def wait_for(self, more: int, timeout: float = 20) -> None:
        target, deadline = self.done + more, time.monotonic() + timeout
        while self.done < target:
            assert time.monotonic() < deadline, "the writers made no progress"
            time.sleep(0.01)

    def __enter__(self) -> Self:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)
        if self.failures:
            raise self.failures[0]


@pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL: see the pg_dump round trip below
def test_sqlite_backup_under_concurrent_writes_restores_into_a_fresh_file(app, room, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    copy = tmp_path / "backup.sqlite3"
    with Writers(app, room) as writers:
        writers.wait_for(5)
        outcome = operations.backup(url, copy)
        writers.wait_for(5)  # the writers went on during and after the backup
    assert outcome.integrity == "ok"
    with sqlite3.connect(copy) as conn:
        assert operations.sqlite_integrity(conn) == "ok"
        counts = operations.sqlite_counts(conn)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    conn.close()
    assert counts == outcome.counts
    assert counts["candidates"] == counts["consents"]  # one snapshot: no candidate without its consent row
    with sqlite3.connect(operations.sqlite_path(url)) as live:
        assert operations.sqlite_counts(live)["candidates"] > counts["candidates"]  # later writes are not in it
    live.close()

    fresh = tmp_path / "fresh" / "restored.sqlite3"
    fresh.parent.mkdir()
    restored = operations.restore_sqlite(copy, fresh)
    assert restored.integrity == "ok" and restored.counts == counts
    other = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{fresh}"})
    with other.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == counts["answers"]
        assert db.session.get(Interview, room["interview"]) is not None
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite: see the online backup test above
def test_postgres_dump_under_concurrent_writes_and_restore_round_trip(app, room, tmp_path):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("the PostgreSQL client (pg_dump, pg_restore) is not installed")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    archive = tmp_path / "backup.dump"
    with Writers(app, room) as writers:
        writers.wait_for(5)
        outcome = operations.backup(url, archive)
        writers.wait_for(5)
    assert ("answers" in {name for _, name in operations.pg_archive_tables(archive)}) and outcome.size_bytes > 0
    with app.app_context():
        after_writes = operations.postgres_counts(url)
        db.session.remove()
        db.engine.dispose()
    restored = operations.restore(archive, url)
    assert restored.counts["candidates"] == restored.counts["consents"]  # one snapshot
    assert restored.counts["candidates"] < after_writes["candidates"]  # later writes are not in it

    with app.app_context():  # change things, then restore again: exactly the archive's rows come back
        candidates.create_candidate(candidates.CandidateInput("After the backup", consent=True),
                                    db.session.get(User, room["recruiter"]), "v1")
        db.session.remove()
        db.engine.dispose()
    assert operations.restore(archive, url).counts == restored.counts


def test_backup_and_restore_commands(app, make_user, runner, backend, tmp_path):
    target = tmp_path / ("backup.sqlite3" if backend == "sqlite" else "backup.dump")
    if backend == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("the PostgreSQL client is not installed")
    recruiter_id = make_user(RECRUITER, "recruiter")
    with app.app_context():
        candidates.create_candidate(candidates.CandidateInput("Anna Smirnova", consent=True),
                                    db.session.get(User, recruiter_id), "v1")
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert ("integrity_check: ok" in result.output) if backend == "sqlite" else ("pg_dump -Fc" in result.output)

    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1 and "already exists" in result.output and "--force" in result.output
    assert runner.invoke(args=["backup", str(target), "--force"]).exit_code == 0
    result = runner.invoke(args=["backup", str(tmp_path / "missing" / "b.bak")])
    assert result.exit_code == 1 and "does not exist" in result.output
    assert "Traceback" not in result.output

    with app.app_context():  # a change after the backup, which the restore takes back
        candidates.create_candidate(candidates.CandidateInput("Late Candidate", consent=True),
                                    db.session.get(User, recruiter_id), "v1")

    def candidate_names() -> set[str]:
        with app.app_context():
            return set(db.session.scalars(sa.select(Candidate.name)))

    result = runner.invoke(args=["restore", str(target)], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert "Late Candidate" in candidate_names()

    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output and "candidates 1" in result.output
    assert candidate_names() == {"Anna Smirnova"}

    result = runner.invoke(args=["restore", str(tmp_path / "nothing-here"), "--yes"])
    assert result.exit_code == 1 and "No backup file" in result.output
    junk = tmp_path / "junk.bak"
    junk.write_text("not a database")
    result = runner.invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert ("is not a SQLite database" if backend == "sqlite" else "not a pg_dump custom-format archive") in result.output
    assert candidate_names() == {"Anna Smirnova"}


def test_commands_explain_what_cannot_be_done(app, runner, backend, tmp_path, monkeypatch):
    if backend == "postgresql":
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        schema = operations.pg_schema(url)
        assert schema.startswith("pytest_")  # the suite's own schema, named in the URL's search_path
        if shutil.which("pg_dump"):  # an archive holds one schema and goes back only to that schema
            archive = operations.backup(url, tmp_path / "b.dump")
            assert {s for s, _ in operations.pg_archive_tables(Path(archive.target))} == {schema}
            elsewhere = url.split("?")[0] + "?options=-csearch_path%3Dsomewhere_else"
            with pytest.raises(operations.OperationError, match=f"holds schema {schema} but the app uses schema "
                                                                "somewhere_else"):
                operations.restore(tmp_path / "b.dump", elsewhere)
        monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump on the PATH
        result = runner.invoke(args=["backup", str(tmp_path / "c.dump")])
        assert result.exit_code == 1 and "pg_dump is not installed" in result.output
        return
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    result = runner.invoke(args=["restore", str(other), "--yes"])
    assert result.exit_code == 1 and "not a Screening backup" in result.output
    with pytest.raises(operations.OperationError, match="in memory"):
        operations.sqlite_path("sqlite://")
    with pytest.raises(operations.OperationError, match="not 'mysql'"):
        operations.backend_of("mysql://u@localhost/db")


# ---------------------------------------------------------------- the load script


def load_test_module():
    spec = importlib.util.spec_from_file_location("load_test", REPO / "tools" / "load_test.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_load_script_verification_catches_lost_and_corrupted_writes():
    lt = load_test_module()
    key = (1, "q1")
    texts = [lt.make_text(1, n, __import__("random").Random(n)) for n in range(3)]
    journal = lt.Journal()
    for text in texts:
        journal.will_send(key, text)
    journal.ack(key, 1, texts[0])
    journal.ack(key, 2, texts[1])
    assert lt.verify(journal, {key: (2, texts[1])})["lost"] == 0
    assert lt.verify(journal, {key: (1, texts[0])})["lost"] == 1  # the last acknowledged write is gone
    assert lt.verify(journal, {key: (2, texts[0])})["lost"] == 1  # right version, wrong text
    assert lt.verify(journal, {key: (3, texts[1][:-3] + "xyz")})["corrupted"] == 1
    unacked = lt.verify(journal, {key: (3, texts[2])})  # sent, applied, answer lost with a killed worker
    assert (unacked["lost"], unacked["corrupted"], unacked["unacknowledged_but_applied"]) == (0, 0, 1)
    journal.ack(key, 2, texts[2])  # two clients told they made version 2: a lost update
    assert lt.verify(journal, {key: (2, texts[2])})["lost"] == 1


@pytest.mark.slow
def test_load_script_short_run_on_sqlite_loses_nothing():
    command = [sys.executable, str(REPO / "tools" / "load_test.py"), "--seconds", "5", "--users", "3",
               "--workers", "2", "--json"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    verification = report["verification"]
    assert verification["lost"] == 0 and verification["corrupted"] == 0, verification
    assert not [s for s in report["statuses"] if s.isdigit() and int(s) >= 500], report["statuses"]
    assert report["statuses"].get("200", 0) > 20 and report["statuses"].get("409", 0) > 0
    assert verification["answers_written"] > 0
    assert report["failures"] == [] and report["ok"]
