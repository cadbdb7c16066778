"""`import-bank` and `export-bank` (contract). Their output is in English, like the rest of the CLI."""
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
    """Load the question bank from question_bank/ (or PATH) as a new version.

    The files are the source of truth: edits made in the admin pages since the last import
    that the files do not contain are replaced, and listed as a warning.
    """
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
    if result.overridden:
        click.echo("Warning: this import replaces edits made in the admin pages that are not in the files"
                   " (they were not exported before the import):", err=True)
        for edit in result.overridden:
            when = f"{edit.when:%Y-%m-%d %H:%M} UTC" if edit.when else "unknown time"
            click.echo(f"  {edit.kind} {edit.id}: edited in bank version {edit.version}"
                       f" by {edit.author or 'unknown'} ({when})", err=True)
        click.echo("  They stay readable in the version history (Question bank > Version history); redo them in"
                   " the admin pages if they are still wanted. Run `export-bank` before editing the files to avoid"
                   " this.", err=True)
    click.echo(f"Imported bank version {result.version.number}: {service.summarise(result.changes)}.")


@click.command("export-bank")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Export into a folder that is not empty: its questions/ and guides/ YAML files are replaced.")
@with_appcontext
def export_bank(path: Path, force: bool) -> None:
    """Write the current bank to PATH in the import format (PATH must be empty, or use --force)."""
    if path.exists() and not path.is_dir():
        raise click.ClickException(f"{path} is not a directory.")
    try:
        written = service.export_bank(path, force=force)
    except service.ExportTargetNotEmpty:
        raise click.ClickException(
            f"{path} is not empty. Old files left there could bring deleted questions back on the next import:"
            " choose an empty folder, or pass --force to replace the YAML files of its questions/ and guides/"
            " folders (other files stay).") from None
    except service.NotFound as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Wrote {len(written)} files to {path}.")
