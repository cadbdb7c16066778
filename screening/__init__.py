"""Screening: structured interviews for client orientation. The app factory reads as a list."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from screening import config as config_module


def create_app(config: dict[str, Any] | None = None) -> Flask:
    # INSTANCE_PATH lets tests keep their secret key, database and demo logins out of instance/
    app = Flask(__name__, instance_relative_config=True, instance_path=(config or {}).get("INSTANCE_PATH"))
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_object(config_module.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    config_module.apply_environment(app.config)
    app.config.update(overrides or {})
    app.config.setdefault("DATABASE_URL", config_module.database_url_default(app.instance_path))
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if app.config["PRODUCTION"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    config_module.ensure_secret_key(app.config, app.instance_path)


def register_extensions(app: Flask) -> None:
    from screening import database, i18n, security, ui, web
    from screening.auth import session as auth_session

    database.init_app(app)
    security.init_app(app)
    auth_session.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    ui.init_app(app)


def register_blueprints(app: Flask) -> None:
    from screening.admin.routes import bp as admin_bp
    from screening.api import bp as api_bp
    from screening.auth.routes import bp as auth_bp
    from screening.bank.routes import bp as bank_bp
    from screening.classifier.routes import bp as classifier_bp
    from screening.fairness.routes import bp as fairness_bp
    from screening.hiring.candidates import bp as candidates_bp
    from screening.hiring.interviews import bp as interviews_bp
    from screening.hiring.vacancies import bp as vacancies_bp
    from screening.main.routes import bp as main_bp
    from screening.scorecards.routes import bp as scorecards_bp

    for bp in (main_bp, auth_bp, admin_bp, bank_bp, vacancies_bp, candidates_bp, interviews_bp, scorecards_bp, fairness_bp, classifier_bp, api_bp):
        app.register_blueprint(bp)


def register_errorhandlers(app: Flask) -> None:
    from screening import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from screening import cli, operations
    from screening.bank import commands as bank_commands
    from screening.nlp import commands as nlp_commands

    cli.init_app(app)
    operations.init_app(app)
    bank_commands.init_app(app)
    nlp_commands.init_app(app)
