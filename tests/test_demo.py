"""`bootstrap` and `seed-demo`: what a newcomer's `make run` gives them, each step only once."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from screening.extensions import db
from screening.models import Answer, Candidate, Interview, ScoreRecord, User, Vacancy
from screening.services import demo
from tests.conftest import make_app
from tests.nlp_fixtures import REPO


@pytest.fixture
def fresh_app(backend, tmp_path, small_models_dir):
    """An empty database and a copy of the small trained model (bootstrap must not retrain)."""
    models = tmp_path / "models"
    shutil.copytree(small_models_dir, models)
    app = make_app(backend, tmp_path, MODELS_DIR=str(models))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (User, Vacancy, Candidate, Interview, ScoreRecord)}


def test_bootstrap_builds_everything_once_and_seed_demo_adds_nothing_more(fresh_app):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["bootstrap"])
    assert first.exit_code == 0, first.output
    assert "Imported the question bank" in first.output
    assert "Training" not in first.output  # an active model is there already
    assert counts(fresh_app) == {"User": 3, "Vacancy": 1, "Candidate": 4, "Interview": 4, "ScoreRecord": 3}
    with fresh_app.app_context():
        statuses = sorted(i.status for i in db.session.scalars(sa.select(Interview)))
        assert statuses == ["completed"] * 3 + ["in_progress"]  # one left for trying the room
    logins = json.loads((Path(fresh_app.instance_path) / "demo_logins.json").read_text())
    assert sorted(logins) == ["admin@demo.local", "manager@demo.local", "recruiter@demo.local"]

    again = runner.invoke(args=["bootstrap"])
    assert again.exit_code == 0, again.output
    assert "Imported the question bank" not in again.output
    seeded = runner.invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "Demo logins:" in seeded.output and "recruiter@demo.local" in seeded.output
    assert counts(fresh_app) == {"User": 3, "Vacancy": 1, "Candidate": 4, "Interview": 4, "ScoreRecord": 3}


def test_demo_answers_never_come_from_the_evaluation_set(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["bootstrap"]).exit_code == 0
    dev_sentences = {s["text"] for path in (REPO / "data" / "dev").glob("*.jsonl")
                     for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
                     for s in json.loads(line)["sentences"]}
    with fresh_app.app_context():
        texts = [a.text for a in db.session.scalars(sa.select(Answer)) if a.text]
    assert texts, "the demo interviews have answers"
    assert not [t for t in texts if any(s in t for s in dev_sentences if len(s) > 30)]
    assert "data/corpus" in demo.DEMO_ANSWERS.as_posix()
