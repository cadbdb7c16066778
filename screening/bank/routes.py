"""Bank pages: guides for everyone (read-only), questions, guide builder, versions and coverage for admins."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from screening import security
from screening.bank import history, service
from screening.bank.forms import GuideForm, GuideSettingsForm, QuestionFilterForm, QuestionForm
from screening.bank.schema import BankInvalid, Problem
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


def problem_texts(problems: list[Problem | str]) -> list[str]:
    """Problems of a refused save, in the user's language, each with its place."""
    return [f"{p.localized_place()}: {p.localized()}" if isinstance(p, Problem) else str(p) for p in problems]


def _map_reasons(form, exc: service.ServiceError) -> None:
    for name, message in exc.reasons.items():
        if name in form:
            form[name].errors = [*form[name].errors, message]


# ---------------------------------------------------------------- guides (everyone)


@bp.get("/guides")
@security.roles_required(*EVERYONE)
def guides():
    items = service.list_guides()
    retired = [g for g in service.list_guides(include_retired=True) if g.retired] if current_user.role == "admin" else []
    return render_template("bank/guides.html", guides=items, retired=retired,
                           minutes={g.id: service.guide_minutes(g) for g in items + retired},
                           counts={g.id: len(service.active_items(g)) for g in items + retired},
                           roles=dict(roles_and_names()))


@bp.get("/guides/<guide_id>")
@security.roles_required(*EVERYONE)
def guide(guide_id: str):
    g = service.get_guide(guide_id)
    return render_template("bank/guide.html", guide=g, items=service.active_items(g), total=service.guide_minutes(g),
                           indicators={i.id: i for i in service.indicators()}, roles=dict(roles_and_names()))


@bp.get("/guides/<guide_id>/print")
@security.roles_required(*EVERYONE)
def guide_print(guide_id: str):
    g = service.get_guide(guide_id)
    return render_template("bank/guide_print.html", guide=g, items=service.active_items(g),
                           total=service.guide_minutes(g), indicators={i.id: i for i in service.indicators()})


# ---------------------------------------------------------------- guide builder (admin)


def _builder(g, form: GuideForm | None = None) -> dict:
    """The builder's form and rows: what was submitted (after a refused save), else the guide as stored."""
    if form is None:
        form = GuideForm(data={"duration_minutes": g.duration_minutes, "revision": g.revision,
                               "items": [{"question": i.question_id, "position": n + 1, "minutes": i.minutes}
                                         for n, i in enumerate(g.items)]})
    questions = {q.id: q for q in service.search_questions(service.QuestionFilter(include_retired=True))}
    rows = [(sub, questions.get(sub.question.data)) for sub in form["items"]]
    listed = {sub.question.data for sub, _q in rows}
    candidates = [q for q in questions.values() if not q.retired and q.id not in listed]
    candidates.sort(key=lambda q: (g.role not in q.roles, q.id))
    form.add_question.choices = [("", _("— choose a question —"), {"data-minutes": "0"})] + [
        (q.id, f"{q.id} · {pick(q.text)[:90]}" + ("" if g.role in q.roles else f" ({_('other role')})"),
         {"data-minutes": str(q.minutes)})
        for q in candidates]
    total = g.intro_minutes + g.closing_minutes
    for sub, q in rows:
        if q is not None and not q.retired and not sub.remove.data:
            total += sub.minutes.data or q.minutes
    added = questions.get(form.add_question.data or "")
    total += added.minutes if added is not None else 0
    return {"guide": g, "form": form, "rows": rows, "total": total}


@bp.get("/guides/<guide_id>/edit")
@security.roles_required(*ADMIN)
def guide_edit(guide_id: str):
    g = service.get_guide(guide_id)
    return render_template("bank/guide_edit.html", **_builder(g), problems=[], conflict=None)


@bp.post("/guides/<guide_id>/edit")
@security.roles_required(*ADMIN)
def guide_save(guide_id: str):
    g = service.get_guide(guide_id)
    form = GuideForm()
    problems, conflict = [], None
    if form.validate_on_submit():
        try:
            result = service.save_guide(guide_id, current_user.id, items=form.ordered_items(),
                                        fields={"duration_minutes": form.duration_minutes.data},
                                        expected_revision=form.expected_revision())
        except BankInvalid as exc:
            problems = exc.problems
        except service.StaleEdit as exc:
            problems, conflict = [exc.message], exc
            form.revision.data = str(exc.current_revision)
        except service.ServiceError as exc:
            problems = [exc.message]
        else:
            if result.changed:
                flash(_("Guide saved as bank version %(n)s.", n=result.version.number), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for("bank.guide_edit", guide_id=guide_id))
    return render_template("bank/guide_edit.html", **_builder(g, form), problems=problem_texts(problems),
                           conflict=conflict), 422


def _settings_form(form: GuideSettingsForm) -> GuideSettingsForm:
    form.role.choices = roles_and_names()
    form.first_question.choices = [("", _("— choose a question —"))] + [
        (q.id, f"{q.id} · {pick(q.text)[:90]}") for q in service.search_questions(service.QuestionFilter())]
    return form


@bp.get("/guides/new")
@security.roles_required(*ADMIN)
def guide_new():
    form = _settings_form(GuideSettingsForm(data={"duration_minutes": 45, "intro_minutes": 3, "closing_minutes": 3}))
    return render_template("bank/guide_settings.html", form=form, guide=None, problems=[], conflict=None)


@bp.post("/guides/new")
@security.roles_required(*ADMIN)
def guide_create():
    form = _settings_form(GuideSettingsForm())
    problems = []
    if form.validate_on_submit():
        guide_id = form.id.data.strip()
        try:
            result = service.create_guide({"id": guide_id, **form.settings()}, form.first_question.data or "",
                                          current_user.id)
        except BankInvalid as exc:
            problems = exc.problems
        except service.ServiceError as exc:
            problems = [exc.message]
            _map_reasons(form, exc)
        else:
            flash(_("Guide created as bank version %(n)s: now add its questions.", n=result.version.number), "success")
            return redirect(url_for("bank.guide_edit", guide_id=guide_id))
    return render_template("bank/guide_settings.html", form=form, guide=None, problems=problem_texts(problems),
                           conflict=None), 422


@bp.get("/guides/<guide_id>/settings")
@security.roles_required(*ADMIN)
def guide_settings(guide_id: str):
    g = service.get_guide(guide_id)
    return render_template("bank/guide_settings.html", form=_settings_form(GuideSettingsForm.from_guide(g)), guide=g,
                           problems=[], conflict=None)


@bp.post("/guides/<guide_id>/settings")
@security.roles_required(*ADMIN)
def guide_settings_save(guide_id: str):
    g = service.get_guide(guide_id)
    form = _settings_form(GuideSettingsForm())
    form.id.data = guide_id  # the id of an existing guide never changes
    problems, conflict = [], None
    if form.validate_on_submit():
        try:
            result = service.save_guide(guide_id, current_user.id, fields=form.settings(),
                                        expected_revision=form.expected_revision())
        except BankInvalid as exc:
            problems = exc.problems
        except service.StaleEdit as exc:
            problems, conflict = [exc.message], exc
            form.revision.data = str(exc.current_revision)
        except service.ServiceError as exc:
            problems = [exc.message]
            _map_reasons(form, exc)
        else:
            if result.changed:
                flash(_("Guide saved as bank version %(n)s.", n=result.version.number), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for("bank.guide", guide_id=guide_id))
    return render_template("bank/guide_settings.html", form=form, guide=g, problems=problem_texts(problems),
                           conflict=conflict), 422


@bp.post("/guides/<guide_id>/retire")
@security.roles_required(*ADMIN)
def guide_retire(guide_id: str):
    return _retire_guide(guide_id, True)


@bp.post("/guides/<guide_id>/restore")
@security.roles_required(*ADMIN)
def guide_restore(guide_id: str):
    return _retire_guide(guide_id, False)


def _retire_guide(guide_id: str, retired: bool):
    service.get_guide(guide_id)
    try:
        service.set_guide_retired(guide_id, retired, current_user.id)
    except BankInvalid as exc:
        flash("; ".join(problem_texts(exc.problems[:3])), "error")
    except service.ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Guide retired: it is no longer offered for new interviews.") if retired else _("Guide restored."),
              "success")
    return redirect(url_for("bank.guide", guide_id=guide_id))


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
    """Save and redirect, or return the problems (and a conflict) to show beside what the admin typed."""
    problems, conflict = [], None
    if form.validate_on_submit():
        try:
            result = service.save_question(form.to_question(), current_user.id, question_id,
                                           expected_revision=form.expected_revision() if question_id else None)
        except BankInvalid as exc:
            problems = exc.problems
        except service.StaleEdit as exc:
            problems, conflict = [exc.message], exc
            # Saving again now is a deliberate choice to replace the other admin's edit.
            form.revision.data = str(exc.current_revision)
        except service.ServiceError as exc:
            problems = [exc.message]
            _map_reasons(form, exc)
        else:
            qid = question_id or form.id.data.strip()
            if result.changed:
                flash(_("Question saved as bank version %(n)s.", n=result.version.number), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for("bank.question", question_id=qid)), [], None
    return None, problem_texts(problems), conflict


@bp.get("/questions/new")
@security.roles_required(*ADMIN)
def question_new():
    return render_template("bank/question_form.html", form=_question_form(QuestionForm(data={"minutes": 6})),
                           question=None, problems=[], conflict=None)


@bp.post("/questions/new")
@security.roles_required(*ADMIN)
def question_create():
    form = _question_form(QuestionForm())
    response, problems, conflict = _save_question(form, None)
    return response or (render_template("bank/question_form.html", form=form, question=None, problems=problems,
                                        conflict=conflict), 422)


@bp.get("/questions/<question_id>")
@security.roles_required(*ADMIN)
def question(question_id: str):
    q = service.get_question(question_id)
    revisions, previous = [], None
    for r in q.revisions:
        revisions.append((r, history.question_changes(previous.content, r.content) if previous else None))
        previous = r
    return render_template("bank/question.html", question=q, used=service.question_is_used(q.id),
                           revisions=list(reversed(revisions)),
                           indicators={i.id: i for i in service.indicators()}, roles=dict(roles_and_names()))


@bp.get("/questions/<question_id>/edit")
@security.roles_required(*ADMIN)
def question_edit(question_id: str):
    q = service.get_question(question_id)
    return render_template("bank/question_form.html", form=_question_form(QuestionForm.from_question(q)),
                           question=q, problems=[], conflict=None)


@bp.post("/questions/<question_id>/edit")
@security.roles_required(*ADMIN)
def question_update(question_id: str):
    q = service.get_question(question_id)
    form = _question_form(QuestionForm())
    form.id.data = question_id  # the id of an existing question never changes
    response, problems, conflict = _save_question(form, question_id)
    return response or (render_template("bank/question_form.html", form=form, question=q, problems=problems,
                                        conflict=conflict), 422)


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
        result = service.set_question_retired(question_id, retired, current_user.id)
    except BankInvalid as exc:
        flash("; ".join(problem_texts(exc.problems[:3])), "error")
    except service.ServiceError as exc:
        flash(exc.message, "error")
    else:
        guides = (result.changes.get("guides") or {}).get("changed", [])
        if retired and guides:
            flash(_("Question retired and taken out of these guides: %(guides)s.", guides=", ".join(guides)), "success")
        else:
            flash(_("Question retired.") if retired else _("Question restored."), "success")
    return redirect(url_for("bank.question", question_id=question_id))


@bp.post("/questions/<question_id>/delete")
@security.roles_required(*ADMIN)
def question_delete(question_id: str):
    service.get_question(question_id)
    try:
        service.delete_question(question_id, current_user.id)
    except BankInvalid as exc:
        flash("; ".join(problem_texts(exc.problems[:3])), "error")
        return redirect(url_for("bank.question", question_id=question_id))
    except service.ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("bank.question", question_id=question_id))
    flash(_("Question deleted."), "success")
    return redirect(url_for("bank.questions"))


# ---------------------------------------------------------------- versions and coverage (admin)


@bp.get("/bank/versions")
@security.roles_required(*ADMIN)
def versions():
    rows = [{"version": v, "source": history.source_label(v.source), "note": history.note_label(v.note),
             "changes": history.change_lines(v.changes)} for v in service.versions()]
    return render_template("bank/versions.html", rows=rows)


@bp.get("/bank/versions/<int:number>")
@security.roles_required(*ADMIN)
def version(number: int):
    v = service.get_version(number)
    previous = service.find_version(number - 1)
    return render_template("bank/version.html", version=v, source=history.source_label(v.source),
                           note=history.note_label(v.note), changes=history.change_lines(v.changes),
                           details=history.version_details(v.snapshot, previous.snapshot if previous else None,
                                                           v.changes))


@bp.get("/bank/coverage")
@security.roles_required(*ADMIN)
def coverage():
    return render_template("bank/coverage.html", matrix=service.coverage(), lang=current_lang())
