"""Scorecard pages for managers and the recruiter who ran the interview."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from screening import security
from screening.hiring.common import actor, form_errors, parse_span
from screening.i18n import pick
from screening.scorecards import charts
from screening.scorecards.forms import AddTagForm, DecisionForm, ReviewForm
from screening.services import access, scorecards, scoring
from screening.services.errors import ServiceError
from screening.bank import service as bank
from screening.web import attachment

bp = Blueprint("scorecards", __name__, url_prefix="/scorecards")
EVERYONE = ("admin", "recruiter", "manager")


def indicator_names() -> dict[str, str]:
    return {i.id: pick(i.name) for i in bank.indicators()}


def _render(card, decision_form=None, status: int = 200, add_form: AddTagForm | None = None):
    names = indicator_names()
    add_forms = {}
    for a in card.answers:
        answer = a["answer"]
        form = add_form if add_form is not None and add_form.answer_id.data == answer.id else \
            AddTagForm(prefix=f"add{answer.id}", data={"answer_id": answer.id})
        form.span.choices = [(f"{s}-{e}", answer.text[s:e][:90]) for s, e in
                             scorecards.sentence_spans(answer.id, card.record, a["stale"])]
        form.indicator.choices = list(names.items())
        add_forms[answer.id] = form
    return render_template("scorecards/show.html", card=card, names=names,
                           chart=charts.indicator_bars(card.indicators, names),
                           decision_form=decision_form or DecisionForm(), review_form=ReviewForm(),
                           add_forms=add_forms), status


@bp.get("/<int:interview_id>")
@security.roles_required(*EVERYONE)
def show(interview_id: int):
    return _render(scorecards.get_scorecard(interview_id, actor()))


@bp.post("/<int:interview_id>/decision")
@security.roles_required("manager", "admin")
def decide(interview_id: int):
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            scorecards.decide(interview_id, actor(), form.decision.data, form.rationale.data)
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            form_errors(form, exc)
        else:
            flash(_("Decision recorded."), "success")
            return redirect(url_for("scorecards.show", interview_id=interview_id))
    return _render(scorecards.get_scorecard(interview_id, actor(), audit_view=False), form, 422)


@bp.post("/<int:interview_id>/tags/<int:tag_id>")
@security.roles_required(*EVERYONE)
def review(interview_id: int, tag_id: int):
    access.interview_for_view(actor(), interview_id)  # 404 before anything else
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            scorecards.review_tag(tag_id, form.verdict.data, actor())
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            flash(exc.message, "error")
            return _render(scorecards.get_scorecard(interview_id, actor(), audit_view=False), status=exc.status)
        flash(_("Thank you: the verdict is stored for the next training."), "success")
    return redirect(url_for("scorecards.show", interview_id=interview_id) + "#answers")


@bp.post("/<int:interview_id>/answers/<int:answer_id>/tags")
@security.roles_required(*EVERYONE)
def add_tag(interview_id: int, answer_id: int):
    access.interview_for_view(actor(), interview_id)  # 404 before anything else
    form = AddTagForm(prefix=f"add{answer_id}", data={"answer_id": answer_id})
    form.answer_id.data = answer_id
    try:
        span = parse_span(form.span.data)
        if span is None:
            raise ServiceError(_("Choose a sentence of the answer."), {"span": _("Choose a sentence of the answer.")})
        scorecards.add_tag(answer_id, span[0], span[1], form.indicator.data or "", actor())
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        form.span.errors = list(form.span.errors) + [exc.reasons.get("span") or exc.message]
        flash(exc.message, "error")
        return _render(scorecards.get_scorecard(interview_id, actor(), audit_view=False), status=exc.status,
                       add_form=form)
    flash(_("Evidence added; it is stored for the next training."), "success")
    return redirect(url_for("scorecards.show", interview_id=interview_id) + f"#answer-{answer_id}")


@bp.post("/<int:interview_id>/rescore")
@security.roles_required("admin", "recruiter")
def rescore(interview_id: int):
    try:
        scorecards.rescore(interview_id, actor())
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
    else:
        flash(_("Scored again with the active model."), "success")
    return redirect(url_for("scorecards.show", interview_id=interview_id))


@bp.get("/<int:interview_id>/pdf")
@security.roles_required(*EVERYONE)
def pdf(interview_id: int):
    from weasyprint import HTML

    card = scorecards.get_scorecard(interview_id, actor(), audit_view=False)
    names = indicator_names()
    html = render_template("scorecards/pdf.html", card=card, names=names,
                           chart=charts.indicator_bars(card.indicators, names))
    document = HTML(string=html, base_url=current_app.static_folder).write_pdf()
    scorecards.record_pdf_export(interview_id, actor())
    return attachment(document, "application/pdf", f"scorecard-{interview_id}.pdf")


@bp.get("/vacancy/<int:vacancy_id>")
@security.roles_required(*EVERYONE)
def compare(vacancy_id: int):
    vacancy = access.vacancy_for_view(actor(), vacancy_id)
    sort = request.args.get("sort", "score")
    rows = scorecards.vacancy_rows(vacancy_id, actor(), sort)
    thresholds = scoring.thresholds()
    return render_template("scorecards/compare.html", vacancy=vacancy, rows=rows, sort=sort, names=indicator_names(),
                           strip=charts.score_strip(rows, thresholds), thresholds=thresholds)


@bp.get("/vacancy/<int:vacancy_id>/csv")
@security.roles_required(*EVERYONE)
def compare_csv(vacancy_id: int):
    return attachment(scorecards.vacancy_csv(vacancy_id, actor()), "text/csv; charset=utf-8", f"vacancy-{vacancy_id}.csv")
