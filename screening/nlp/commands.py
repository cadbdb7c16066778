"""Click commands on ``app.cli``: train, evaluate, tag, bench (see the contract)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .errors import TaggerError


def init_app(app) -> None:
    app.cli.add_command(train_command)
    app.cli.add_command(evaluate_command)
    app.cli.add_command(tag_command)
    app.cli.add_command(bench_command)


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _feedback_answers() -> list[dict]:
    """Reviewer-feedback answers from the app (skipped when that service does not exist yet)."""
    try:
        from screening.services.feedback import feedback_answers
    except ImportError:
        return []
    return list(feedback_answers())


@click.command("train")
@with_appcontext
@click.option("--data", "data", type=click.Path(path_type=Path), default=None,
              help="Corpus file or directory (default: CORPUS_DIR).")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Models directory (default: MODELS_DIR).")
@click.option("--audited", is_flag=True, hidden=True,
              help="The caller already recorded this training in the audit trail (the admin's retrain button).")
def train_command(data: Path | None, out: Path | None, audited: bool) -> None:
    """Train the evidence tagger on the corpus plus reviewer feedback; activate the new version."""
    from .runtime import reset_tagger
    from .train import train_model

    data = data or Path(current_app.config.get("CORPUS_DIR") or "data/corpus")
    out = out or Path(current_app.config.get("MODELS_DIR") or "models")
    try:
        extra = _feedback_answers()
        vdir = train_model([data], out, extra_answers=extra, activate=True)
    except TaggerError as exc:
        _fail(str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - feedback service / database problems: a message, no traceback
        _fail(f"training failed: {type(exc).__name__}: {exc}")
        return
    reset_tagger(current_app)
    meta = json.loads((vdir / "metadata.json").read_text(encoding="utf-8"))
    if not audited:
        _audit_training(meta["version"], len(extra))
    click.echo(f"version {meta['version']} (active) in {vdir}")
    click.echo(f"trained on {sum(c['answers'] for c in meta['data']['counts'].values())} answers, "
               f"{sum(c['sentences'] for c in meta['data']['counts'].values())} sentences, "
               f"{meta['data']['feedback_answers']} feedback answers, in {meta['train_seconds']} s")
    for name in ("cv", "heldout"):
        m = meta["metrics"].get(name)
        if m:
            click.echo(_metrics_line(name, m))


def _audit_training(version: str, feedback_answers: int) -> None:
    """Record `model.retrain` (actor: none, via the command line); a database without the schema yet
    (`train` before `init-db`) has no audit trail to write to, which is said, not fatal."""
    import sqlalchemy as sa

    from screening.extensions import db
    from screening.models import AuditEvent
    from screening.services import training

    try:
        if not sa.inspect(db.session.connection()).has_table(AuditEvent.__tablename__):
            db.session.rollback()
            click.echo("audit: no database schema yet (run init-db); this training is not recorded", err=True)
            return
        training.record_cli_training(version, feedback_answers)
    except Exception as exc:  # noqa: BLE001 - the model is trained and active; say what was not recorded
        db.session.rollback()
        click.echo(f"audit: could not record this training: {type(exc).__name__}: {exc}", err=True)


def _metrics_line(name: str, m: dict) -> str:
    ind, star, rating = m["indicators"], m["star"], m.get("rating") or {}
    langs = " ".join(f"{k} {v['macro_f1']:.3f}" for k, v in ind.get("by_lang", {}).items())
    return (f"{name:8s} indicators micro-F1 {ind['micro_f1']:.3f} macro-F1 {ind['macro_f1']:.3f} ({langs}); "
            f"STAR acc {star['accuracy']:.3f} macro-F1 {star['macro_f1']:.3f}; rating spearman "
            f"{rating.get('spearman', 0):.3f} qwk {rating.get('qwk', 0):.3f} mae {rating.get('mae', 0):.3f}")


@click.command("evaluate")
@with_appcontext
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def evaluate_command(path: Path, as_json: bool) -> None:
    """Evaluate the active model on a labelled JSONL file (or a directory of them)."""
    from .evaluate import evaluate
    from .runtime import get_tagger

    try:
        tagger = get_tagger(current_app)
        result = evaluate(tagger, path if path.is_file() else _dir_answers(path))
    except TaggerError as exc:
        _fail(str(exc))
        return
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(f"model {result['model_version']}: {result['n_answers']} answers, {result['n_sentences']} sentences")
    click.echo(_metrics_line("alone", result))
    ctx = result.get("in_context")
    if ctx:
        langs = " ".join(f"{k} {v['macro_f1']:.3f}" for k, v in ctx["indicators"].get("by_lang", {}).items())
        click.echo(f"in context (sentences of an answer tagged together): indicators micro-F1 "
                   f"{ctx['indicators']['micro_f1']:.3f} macro-F1 {ctx['indicators']['macro_f1']:.3f} ({langs}); "
                   f"STAR macro-F1 {ctx['star']['macro_f1']:.3f}")
    for label, v in result["indicators"]["per_label"].items():
        click.echo(f"  {label:13s} P {v['precision']:.3f} R {v['recall']:.3f} F1 {v['f1']:.3f} n={v['support']}")
    for form, v in (result.get("by_form") or {}).items():
        click.echo(f"  {form:9s} indicators macro-F1 {v['indicators']['macro_f1']:.3f}, STAR macro-F1 "
                   f"{v['star']['macro_f1']:.3f}, rating spearman {v['rating']['spearman']:.3f}")


def _dir_answers(path: Path):
    from .corpus import load_answers
    return load_answers([path])


@click.command("tag")
@with_appcontext
@click.option("--lang", type=click.Choice(["ru", "en"]), default=None, help="Language (default: detected).")
@click.argument("text")
def tag_command(lang: str | None, text: str) -> None:
    """Print the sentences of TEXT with indicators, probabilities and STAR parts as JSON."""
    from .runtime import get_tagger

    try:
        result = get_tagger(current_app).tag(text, lang)
    except TaggerError as exc:
        _fail(str(exc))
        return
    click.echo(json.dumps(result, ensure_ascii=False, indent=1))


@click.command("bench")
@with_appcontext
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--quick", is_flag=True, help="Fewer repetitions; skip the spaCy textcat baseline.")
def bench_command(as_json: bool, quick: bool) -> None:
    """Speed and quality figures: latency, throughput, load, train, memory, floor and baselines."""
    from .bench import format_table, run_bench

    try:
        result = run_bench(corpus_dir=Path(current_app.config.get("CORPUS_DIR") or "data/corpus"),
                           models_dir=Path(current_app.config.get("MODELS_DIR") or "models"), quick=quick)
    except TaggerError as exc:
        _fail(str(exc))
        return
    click.echo(json.dumps(result, ensure_ascii=False, indent=1) if as_json else format_table(result))
