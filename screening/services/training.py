"""Retraining from the admin page: one background `flask train` process at a time, its status on disk."""
from __future__ import annotations

import json
import os
import subprocess  # the retrain command line is fixed, no user input  # nosec B404
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from screening.config import REPO_ROOT
from screening.services import audit
from screening.extensions import db


def _status_file(instance_path: str) -> Path:
    return Path(instance_path) / "training.json"


def status(instance_path: str) -> dict[str, Any]:
    path = _status_file(instance_path)
    if not path.exists():
        return {"state": "idle"}
    data = json.loads(path.read_text())
    if data.get("state") == "running" and not _alive(data.get("pid")):
        log = Path(data["log"]).read_text(errors="replace")[-4000:] if Path(data.get("log", "")).exists() else ""
        data["state"] = "finished" if "(active)" in log else "failed"
        data["log_tail"] = log
    return data


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)  # reap our own child if it is done
        return finished == 0
    except ChildProcessError:
        try:
            os.kill(pid, 0)
            return True
        except OSError:
            return False


def record_cli_training(version: str, feedback_answers: int) -> None:
    """`flask train` run by hand: no signed-in actor, so the event names the command line."""
    audit.record("model.retrain", actor_id=None, object_type="model", object_id=version, via="cli",
                 feedback_answers=feedback_answers)
    db.session.commit()


def start(config, instance_path: str, actor_id: int) -> dict[str, Any]:
    current = status(instance_path)
    if current.get("state") == "running":
        return current
    log = Path(instance_path) / "training.log"
    env = {**os.environ, "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"], "MODELS_DIR": str(config["MODELS_DIR"]),
           "CORPUS_DIR": str(config["CORPUS_DIR"]), "SECRET_KEY": config["SECRET_KEY"]}
    with log.open("w") as out:
        process = subprocess.Popen(  # fixed command, no shell  # nosec B603
            # --audited: this start is recorded below with the admin as actor; the command adds no second event
            [sys.executable, "-m", "flask", "--app", "screening", "train", "--audited"], cwd=REPO_ROOT, env=env,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    data = {"state": "running", "pid": process.pid, "started_at": datetime.now(UTC).isoformat(), "log": str(log)}
    _status_file(instance_path).write_text(json.dumps(data))
    audit.record("model.retrain", actor_id=actor_id, object_type="model", via="admin")
    db.session.commit()
    return data
