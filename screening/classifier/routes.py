"""Classifier: active model, its measured quality, retraining, switches; the model card for everyone."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from screening import security
from screening.classifier.forms import SettingsForm
from screening.hiring.common import actor
from screening.nlp import store
from screening.nlp.errors import ModelUnavailable
from screening.services import settings, training

bp = Blueprint("classifier", __name__, url_prefix="/classifier")


def _models_dir() -> Path:
    return Path(current_app.config["MODELS_DIR"])


def _active_metadata() -> dict | None:
    version = store.active_version(_models_dir())
    if version is None:
        return None
    try:
        return store.read_metadata(_models_dir(), version)
    except ModelUnavailable:
        return None


def _settings_form(form: SettingsForm | None = None) -> SettingsForm:
    return form or SettingsForm(data={key: settings.get(key) for key in settings.DEFAULTS})


@bp.get("/")
@security.roles_required("admin")
def index():
    from screening.services.feedback import feedback_answers

    return render_template("classifier/index.html", meta=_active_metadata(), versions=store.list_versions(_models_dir()),
                           training=training.status(current_app.instance_path), form=_settings_form(),
                           feedback=len(feedback_answers()))


@bp.post("/retrain")
@security.roles_required("admin")
def retrain():
    state = training.start(current_app.config, current_app.instance_path, actor().id)
    flash(_("Training runs in the background (about two minutes); the new model becomes active when it finishes.")
          if state["state"] == "running" else _("Training is already running."), "info")
    return redirect(url_for("classifier.index"))


@bp.post("/settings")
@security.roles_required("admin")
def save_settings():
    form = SettingsForm()
    if not form.validate_on_submit():
        from screening.services.feedback import feedback_answers

        return render_template("classifier/index.html", meta=_active_metadata(), versions=store.list_versions(_models_dir()),
                               training=training.status(current_app.instance_path), form=form,
                               feedback=len(feedback_answers())), 422
    settings.set_value("classifier_enabled", bool(form.classifier_enabled.data), actor().id)
    for key in ("band_strong_yes", "band_yes", "band_mixed"):
        settings.set_value(key, float(getattr(form, key).data), actor().id)
    flash(_("Settings saved."), "success")
    return redirect(url_for("classifier.index"))


@bp.get("/model-card")
@security.roles_required("admin", "recruiter", "manager")
def model_card():
    return render_template("classifier/model_card.html", meta=_active_metadata(),
                           enabled=settings.get("classifier_enabled"))
