"""Operational commands on app.cli (contract: init-db, create-user, create-token, seed-demo)."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from screening.models import ROLES
from screening.services import users
from screening.services.errors import ServiceError


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(create_user)
    app.cli.add_command(create_token)
    app.cli.add_command(seed_demo)
    app.cli.add_command(bootstrap)
    app.cli.add_command(purge_expired)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the schema (idempotent)."""
    from screening.database import MIGRATIONS_DIR

    upgrade(directory=MIGRATIONS_DIR)
    click.echo("Database is up to date.")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(email: str, role: str, name: str, password: str) -> None:
    """Create a user (prompts for the password when not given)."""
    try:
        user = users.create_user(email, role, password, name=name)
    except ServiceError as exc:
        reasons = "; ".join(f"{k}: {v}" for k, v in exc.reasons.items())
        raise click.ClickException(f"{exc.message} {reasons}".strip()) from None
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--name", default="cli")
def create_token(email: str, name: str) -> None:
    """Print a new API token for the user (shown once, stored hashed)."""
    user = users.get_by_email(email)
    if user is None or not user.active:
        raise click.ClickException(f"No active user {email!r}.")
    click.echo(users.issue_token(user, name))


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Demo users, a vacancy, candidates and completed interviews, for a first look."""
    from screening.services import demo

    for line in demo.seed(current_app.instance_path):
        click.echo(line)


@click.command("bootstrap")
@with_appcontext
def bootstrap() -> None:
    """Everything a first run needs: schema, question bank, a trained model, demo data (each only once)."""
    from pathlib import Path

    from screening.bank import service as bank
    from screening.database import MIGRATIONS_DIR
    from screening.nlp import store
    from screening.services import demo

    upgrade(directory=MIGRATIONS_DIR)
    click.echo("Database is up to date.")
    if bank.latest_version() is None:
        result = bank.import_bank(Path(current_app.config["QUESTION_BANK_DIR"]))
        click.echo(f"Imported the question bank as version {result.version.number}.")
    models_dir = Path(current_app.config["MODELS_DIR"])
    if store.active_version(models_dir) is None:
        from screening.nlp.train import train_model

        click.echo("Training the evidence tagger (first run only, about a minute)...")
        version_dir = train_model([Path(current_app.config["CORPUS_DIR"])], models_dir, activate=True)
        click.echo(f"Model {version_dir.name} is active.")
    for line in demo.seed(current_app.instance_path):
        click.echo(line)


@click.command("purge-expired")
@click.option("--days", type=int, default=None, help="Retention period (default: RETENTION_DAYS).")
@click.option("--dry-run", is_flag=True, help="List what would be erased, change nothing.")
@with_appcontext
def purge_expired(days: int | None, dry_run: bool) -> None:
    """Erase candidates without a hire decision whose data is older than the retention period."""
    from screening.services import privacy

    days = days if days is not None else current_app.config["RETENTION_DAYS"]
    if days < 1:
        raise click.ClickException("--days must be at least 1.")
    ids = privacy.purge_expired(days, dry_run=dry_run)
    verb = "would erase" if dry_run else "erased"
    click.echo(f"{verb} {len(ids)} candidate(s) idle for more than {days} days" + (f": {ids}" if ids else "."))
