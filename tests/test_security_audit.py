"""The audit trail: denied access (checklist 12) and model retraining from both entry points."""
from __future__ import annotations

import json
import os

import pytest
import sqlalchemy as sa

from screening.extensions import db
from screening.models import AuditEvent


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()
        db.session.expunge_all()
        return list(rows)


# ---------------------------------------------------------------- denied access


def test_a_forbidden_page_is_audited_once_without_the_query(app, client, auth):
    user_id = auth.as_role("recruiter")
    assert client.get("/admin/audit?actor=Secret+Name").status_code == 403
    assert client.get("/admin/audit?actor=Secret+Name").status_code == 403  # a retry does not flood the log
    assert client.get("/admin/users").status_code == 403
    denied = events(app, "access.denied")
    assert [(e.actor_id, e.details["method"], e.details["path"]) for e in denied] == [
        (user_id, "GET", "/admin/audit"), (user_id, "GET", "/admin/users")]
    assert denied[0].details["endpoint"] == "admin.audit" and denied[0].ip == "127.0.0.1"
    assert "Secret" not in json.dumps([e.details for e in denied])


def test_a_forbidden_api_call_is_audited(app, client, api_token):
    headers = api_token("recruiter")
    assert client.delete("/api/v1/candidates/1", headers=headers).status_code == 403
    (event,) = events(app, "access.denied")
    assert event.details["method"] == "DELETE" and event.details["path"] == "/api/v1/candidates/1"
    assert event.actor_id is not None


def test_a_services_forbidden_error_is_audited(app, client, auth):
    from screening import security
    from screening.services.errors import Forbidden

    @app.get("/test-forbidden-by-service")
    @security.signed_in
    def forbidden_by_service():
        raise Forbidden("Not for you.")

    user_id = auth.as_role("manager")
    assert client.get("/test-forbidden-by-service").status_code == 403
    (event,) = events(app, "access.denied")
    assert event.actor_id == user_id and event.details["endpoint"] == "forbidden_by_service"


def test_a_failure_to_record_the_denial_still_answers_403(app, client, auth, monkeypatch):
    from screening.services import audit

    def broken(**_kw):
        raise RuntimeError("database down")

    auth.as_role("recruiter")
    monkeypatch.setattr(audit, "record_denied", broken)
    assert client.get("/admin/users").status_code == 403


# ---------------------------------------------------------------- model retraining


class FakeProcess:
    def __init__(self, args, **_kw):
        FakeProcess.args = args
        self.pid = os.getpid()  # alive for as long as the test runs


def test_the_retrain_button_records_model_retrain(app, client, auth, monkeypatch):
    from screening.services import training

    monkeypatch.setattr(training.subprocess, "Popen", FakeProcess)
    admin_id = auth.as_role("admin")
    assert client.post("/classifier/retrain").status_code == 302
    (event,) = events(app, "model.retrain")
    assert event.actor_id == admin_id and event.details["via"] == "admin"
    assert "--audited" in FakeProcess.args  # the command it starts records no second event


def fake_train_model(paths, out, extra_answers=(), activate=True, **_kw):
    vdir = out / "20990101-000000"
    vdir.mkdir(parents=True)
    (vdir / "metadata.json").write_text(json.dumps({
        "version": vdir.name, "train_seconds": 0.1, "metrics": {},
        "data": {"counts": {"ru": {"answers": 1, "sentences": 2}}, "feedback_answers": len(extra_answers)}}))
    return vdir


@pytest.mark.parametrize("audited", [False, True])
def test_flask_train_records_model_retrain(app, runner, tmp_path, monkeypatch, audited):
    from screening.nlp import train

    monkeypatch.setattr(train, "train_model", fake_train_model)
    args = ["train", "--data", str(tmp_path), "--out", str(tmp_path / "models")] + (["--audited"] if audited else [])
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    recorded = events(app, "model.retrain")
    if audited:  # started by the button, which recorded it with the admin as actor
        assert recorded == []
    else:
        (event,) = recorded
        assert event.actor_id is None and event.details["via"] == "cli" and event.object_id == "20990101-000000"
