"""Bank pages: guides for everyone (read-only), questions, guide builder, versions and coverage for admins."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from screening import security
from screening.bank import service
from screening.bank.forms import GuideForm, QuestionFilterForm, QuestionForm
from screening.bank.schema import BankInvalid
from screening.i18n import current_lang, pick

bp = Blueprint("bank", __name__)
ADMIN = ("admin",)
EVERYONE = ("admin", "recruiter", "manager")


def roles_and_names() -> list[tuple[str, str]]:
    version = service.latest_version()
    if version is None:
        return []
    return [(r["id"], pick(r["name"])) for r in version.snapshot.get("roles", [])]


def indicator_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(i.id, pick(i.name)) for i in service.indicators()]


# ---------------------------------------------------------------- guides (everyone)


@bp.get("/guides")
@security.roles_required(*EVERYONE)
def guides():
    items = service.list_guides()
    return render_template("bank/guides.html", guides=items, minutes={g.id: service.guide_minutes(g) for g in items},
                           roles=dict(roles_and_names()))


@bp.get("/guides/<guide_id>")
@security.roles_required(*EVERYONE)
def guide(guide_id: str):
    g = service.get_guide(guide_id)
    return render_template("bank/guide.html", guide=g, total=service.guide_minutes(g),
                           indicators={i.id: i for i in service.indicators()}, roles=dict(roles_and_names()))


@bp.get("/guides/<guide_id>/print")
@security.roles_required(*EVERYONE)
def guide_print(guide_id: str):
    g = service.get_guide(guide_id)
    return render_template("bank/guide_print.html", guide=g, total=service.guide_minutes(g),
                           indicators={i.id: i for i in service.indicators()})


# ---------------------------------------------------------------- guide builder (admin)


def _guide_form(g, form: GuideForm | None = None) -> GuideForm:
    if form is None:
        form = GuideForm(data={"duration_minutes": g.duration_minutes,
                               "items": [{"question": i.question_id, "position": n + 1, "minutes": i.minutes}
                                         for n, i in enumerate(g.items)]})
    in_guide = {i.question_id for i in g.items}
    candidates = [q for q in service.search_questions(service.QuestionFilter()) if q.id not in in_guide]
    candidates.sort(key=lambda q: (g.role not in q.roles, q.id))
    form.add_question.choices = [("", _("— choose a question —"))] + [
        (q.id, f"{q.id} · {pick(q.text)[:90]}" + ("" if g.role in q.roles else f" ({_('other role')})"))
        for q in candidates]
    return form


@bp.get("/guides/<guide_id>/edit")
@security.roles_required(*ADMIN)
def guide_edit(guide_id: str):
    g = service.get_guide(guide_id)
    return render_template("bank/guide_edit.html", guide=g, form=_guide_form(g), total=service.guide_minutes(g),
                           problems=[])


@bp.post("/guides/<guide_id>/edit")
@security.roles_required(*ADMIN)
def guide_save(guide_id: str):
    g = service.get_guide(guide_id)
    form = _guide_form(g, GuideForm())
    problems = []
    if form.validate_on_submit():
        try:
            result = service.save_guide(guide_id, current_user.id, items=form.ordered_items(),
                                        fields={"duration_minutes": form.duration_minutes.data})
        except BankInvalid as exc:
            problems = exc.problems
        except service.ServiceError as exc:
            problems = [exc.message]
        else:
            if result.changed:
                flash(_("Guide saved as bank version %(n)s.", n=result.version.number), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for("bank.guide_edit", guide_id=guide_id))
    return render_template("bank/guide_edit.html", guide=g, form=form, total=service.guide_minutes(g),
                           problems=problems), 422


# ---------------------------------------------------------------- questions (admin)


@bp.get("/questions")
@security.roles_required(*ADMIN)
def questions():
    form = QuestionFilterForm(request.args)
    form.indicator.choices = indicator_choices(_("any indicator"))
    form.role.choices = [("", _("any role"))] + roles_and_names()
    form.validate()
    found = service.search_questions(service.QuestionFilter(
        indicator=form.indicator.data or None, type=form.type.data or None, role=form.role.data or None,
        lang=form.lang.data or None, text=form.q.data or None, include_retired=form.retired.data))
    return render_template("bank/questions.html", form=form, questions=found, counts=service.bank_counts(),
                           indicators={i.id: i for i in service.indicators()})


def _question_form(form: QuestionForm) -> QuestionForm:
    form.roles.choices = roles_and_names()
    form.indicators.choices = [(i.id, pick(i.name)) for i in service.indicators() if i.polarity == "positive"]
    form.red_flags.choices = [(i.id, pick(i.name)) for i in service.indicators() if i.polarity == "negative"]
    return form


def _save_question(form: QuestionForm, question_id: str | None):
    """Save and redirect, or return the problems to show beside what the admin typed."""
    problems = []
    if form.validate_on_submit():
        try:
            result = service.save_question(form.to_question(), current_user.id, question_id)
        except BankInvalid as exc:
            problems = exc.problems
        except service.ServiceError as exc:
            problems = [exc.message]
            for field, message in exc.reasons.items():
                getattr(form, field).errors.append(message)
        else:
            qid = question_id or form.id.data.strip()
            if result.changed:
                flash(_("Question saved as bank version %(n)s.", n=result.version.number), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for("bank.question", question_id=qid)), None
    return None, problems


@bp.get("/questions/new")
@security.roles_required(*ADMIN)
def question_new():
    return render_template("bank/question_form.html", form=_question_form(QuestionForm(data={"minutes": 6})),
                           question=None, problems=[])


@bp.post("/questions/new")
@security.roles_required(*ADMIN)
def question_create():
    form = _question_form(QuestionForm())
    response, problems = _save_question(form, None)
    return response or (render_template("bank/question_form.html", form=form, question=None, problems=problems), 422)


@bp.get("/questions/<question_id>")
@security.roles_required(*ADMIN)
def question(question_id: str):
    q = service.get_question(question_id)
    return render_template("bank/question.html", question=q, used=service.question_is_used(q.id),
                           indicators={i.id: i for i in service.indicators()}, roles=dict(roles_and_names()))


@bp.get("/questions/<question_id>/edit")
@security.roles_required(*ADMIN)
def question_edit(question_id: str):
    q = service.get_question(question_id)
    return render_template("bank/question_form.html", form=_question_form(QuestionForm.from_question(q)),
                           question=q, problems=[])


@bp.post("/questions/<question_id>/edit")
@security.roles_required(*ADMIN)
def question_update(question_id: str):
    q = service.get_question(question_id)
    form = _question_form(QuestionForm())
    form.id.data = question_id  # the id of an existing question never changes
    response, problems = _save_question(form, question_id)
    return response or (render_template("bank/question_form.html", form=form, question=q, problems=problems), 422)


@bp.post("/questions/<question_id>/retire")
@security.roles_required(*ADMIN)
def question_retire(question_id: str):
    return _retire(question_id, True)


@bp.post("/questions/<question_id>/restore")
@security.roles_required(*ADMIN)
def question_restore(question_id: str):
    return _retire(question_id, False)


def _retire(question_id: str, retired: bool):
    service.get_question(question_id)
    try:
        service.set_question_retired(question_id, retired, current_user.id)
    except BankInvalid as exc:
        flash("; ".join(str(p) for p in exc.problems[:3]), "error")
    else:
        flash(_("Question retired.") if retired else _("Question restored."), "success")
    return redirect(url_for("bank.question", question_id=question_id))


@bp.post("/questions/<question_id>/delete")
@security.roles_required(*ADMIN)
def question_delete(question_id: str):
    service.get_question(question_id)
    try:
        service.delete_question(question_id, current_user.id)
    except (service.ServiceError, BankInvalid) as exc:
        flash(getattr(exc, "message", str(exc)), "error")
        return redirect(url_for("bank.question", question_id=question_id))
    flash(_("Question deleted."), "success")
    return redirect(url_for("bank.questions"))


# ---------------------------------------------------------------- versions and coverage (admin)


@bp.get("/bank/versions")
@security.roles_required(*ADMIN)
def versions():
    return render_template("bank/versions.html", versions=service.versions())


@bp.get("/bank/versions/<int:number>")
@security.roles_required(*ADMIN)
def version(number: int):
    v = service.get_version(number)
    return render_template("bank/version.html", version=v, summary=service.summarise(v.changes))


@bp.get("/bank/coverage")
@security.roles_required(*ADMIN)
def coverage():
    return render_template("bank/coverage.html", matrix=service.coverage(), lang=current_lang())
