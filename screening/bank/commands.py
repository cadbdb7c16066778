"""`import-bank` and `export-bank` (contract)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from screening.bank import service
from screening.bank.schema import BankInvalid


def init_app(app: Flask) -> None:
    app.cli.add_command(import_bank)
    app.cli.add_command(export_bank)


@click.command("import-bank")
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def import_bank(path: Path | None) -> None:
    """Load the question bank from question_bank/ (or PATH) as a new version."""
    root = path or Path(current_app.config["QUESTION_BANK_DIR"])
    if not root.is_dir():
        raise click.ClickException(f"{root} is not a directory.")
    try:
        result = service.import_bank(root)
    except BankInvalid as exc:
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(f"The bank was not imported: {len(exc.problems)} problem(s). Nothing changed.") from None
    if not result.changed:
        click.echo("No changes: the bank is identical to the current version.")
        return
    click.echo(f"Imported bank version {result.version.number}: {service.summarise(result.changes)}.")


@click.command("export-bank")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_bank(path: Path) -> None:
    """Write the current bank to PATH in the import format."""
    try:
        written = service.export_bank(path)
    except service.NotFound as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Wrote {len(written)} files to {path}.")
