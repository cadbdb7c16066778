"""Forms of the bank's admin pages. They check shape; the bank's schema checks the rules."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from screening.nlp.labels import NEGATIVE, POSITIVE, STAR_PARTS

MAX_PROBES = 6
ANCHOR_SCORES = (1, 2, 3, 4, 5)
TEXT = [Length(max=4000)]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def star_choices():
    labels = {"situation": _l("Situation"), "task": _l("Task"), "action": _l("Action"), "result": _l("Result")}
    return [("", _l("any part"))] + [(s, labels[s]) for s in STAR_PARTS]


class ProbeForm(Form):
    star = SelectField(_l("Draws out"), choices=star_choices, validators=[Optional()])
    text_ru = TextAreaField(_l("Probe (Russian)"), validators=TEXT)
    text_en = TextAreaField(_l("Probe (English)"), validators=TEXT)


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionForm(FlaskForm):
    id = StringField(_l("Id"), validators=[DataRequired(), Length(max=80),
                                           Regexp(r"^[a-z0-9][a-z0-9-]+$", message=_l("Lowercase letters, digits and dashes."))])
    type = SelectField(_l("Type"), choices=[("behavioural", _l("Behavioural (tell me about a time…)")),
                                             ("situational", _l("Situational (what would you do if…)"))])
    indicators = MultiCheckboxField(_l("Targeted indicators"), choices=[(i, i) for i in POSITIVE])
    red_flags = MultiCheckboxField(_l("Red flags it can reveal"), choices=[(i, i) for i in NEGATIVE])
    roles = MultiCheckboxField(_l("Roles"), choices=[])
    minutes = IntegerField(_l("Suggested minutes"), validators=[InputRequired(), NumberRange(min=3, max=15)])
    text_ru = TextAreaField(_l("Question (Russian)"), validators=TEXT)
    text_en = TextAreaField(_l("Question (English)"), validators=TEXT)
    probes = FieldList(FormField(ProbeForm), min_entries=MAX_PROBES, max_entries=MAX_PROBES)
    listen_for_ru = TextAreaField(_l("Listen for (Russian, one per line)"), validators=TEXT)
    listen_for_en = TextAreaField(_l("Listen for (English, one per line)"), validators=TEXT)
    red_flag_signs_ru = TextAreaField(_l("Warning signs (Russian, one per line)"), validators=TEXT)
    red_flag_signs_en = TextAreaField(_l("Warning signs (English, one per line)"), validators=TEXT)
    anchor_1_ru = TextAreaField(_l("A 1 sounds like (Russian)"), validators=TEXT)
    anchor_1_en = TextAreaField(_l("A 1 sounds like (English)"), validators=TEXT)
    anchor_2_ru = TextAreaField(_l("A 2 sounds like (Russian, optional)"), validators=TEXT)
    anchor_2_en = TextAreaField(_l("A 2 sounds like (English, optional)"), validators=TEXT)
    anchor_3_ru = TextAreaField(_l("A 3 sounds like (Russian)"), validators=TEXT)
    anchor_3_en = TextAreaField(_l("A 3 sounds like (English)"), validators=TEXT)
    anchor_4_ru = TextAreaField(_l("A 4 sounds like (Russian, optional)"), validators=TEXT)
    anchor_4_en = TextAreaField(_l("A 4 sounds like (English, optional)"), validators=TEXT)
    anchor_5_ru = TextAreaField(_l("A 5 sounds like (Russian)"), validators=TEXT)
    anchor_5_en = TextAreaField(_l("A 5 sounds like (English)"), validators=TEXT)
    # The revision the form was opened on: a save from a stale form is refused.
    revision = HiddenField()

    def to_question(self) -> dict[str, Any]:
        probes = [{"star": p["star"] or None, "text": {"ru": (p["text_ru"] or "").strip(), "en": (p["text_en"] or "").strip()}}
                  for p in self.probes.data if (p["text_ru"] or "").strip() or (p["text_en"] or "").strip()]
        return {
            "id": (self.id.data or "").strip(),
            "type": self.type.data,
            "indicators": list(self.indicators.data),
            "red_flags": list(self.red_flags.data),
            "roles": list(self.roles.data),
            "minutes": self.minutes.data,
            "text": {"ru": (self.text_ru.data or "").strip(), "en": (self.text_en.data or "").strip()},
            "probes": probes,
            "listen_for": {"ru": _lines(self.listen_for_ru.data), "en": _lines(self.listen_for_en.data)},
            "red_flag_signs": {"ru": _lines(self.red_flag_signs_ru.data), "en": _lines(self.red_flag_signs_en.data)},
            "anchors": self._anchors(),
        }

    def _anchors(self) -> dict[str, dict[str, str]]:
        """Anchors 1, 3 and 5 always (the schema reports an empty one); 2 and 4 when either language is filled."""
        anchors = {}
        for s in ANCHOR_SCORES:
            text = {"ru": (getattr(self, f"anchor_{s}_ru").data or "").strip(),
                    "en": (getattr(self, f"anchor_{s}_en").data or "").strip()}
            if s in (1, 3, 5) or text["ru"] or text["en"]:
                anchors[str(s)] = text
        return anchors

    def expected_revision(self) -> int:
        """The revision the form was opened on (0, which no question has, when it is missing)."""
        return _revision(self.revision)

    @classmethod
    def from_question(cls, q) -> QuestionForm:
        data = {
            "id": q.id, "type": q.type, "indicators": q.indicators, "red_flags": q.red_flags, "roles": q.roles,
            "minutes": q.minutes, "text_ru": q.text.get("ru", ""), "text_en": q.text.get("en", ""),
            "probes": [{"star": p.get("star") or "", "text_ru": p["text"].get("ru", ""),
                        "text_en": p["text"].get("en", "")} for p in q.probes],
            "listen_for_ru": "\n".join(q.listen_for.get("ru", [])), "listen_for_en": "\n".join(q.listen_for.get("en", [])),
            "red_flag_signs_ru": "\n".join(q.red_flag_signs.get("ru", [])),
            "red_flag_signs_en": "\n".join(q.red_flag_signs.get("en", [])),
            "revision": q.revision,
        }
        for s in ANCHOR_SCORES:
            anchor = q.anchors.get(str(s), {})
            data[f"anchor_{s}_ru"], data[f"anchor_{s}_en"] = anchor.get("ru", ""), anchor.get("en", "")
        return cls(data=data)


class GuideItemForm(Form):
    question = HiddenField()
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=1, max=99)])
    minutes = IntegerField(_l("Minutes"), validators=[Optional(), NumberRange(min=1, max=60)])
    remove = BooleanField(_l("Remove"))


def _revision(field: HiddenField) -> int:
    try:
        return int(field.data or 0)
    except ValueError:
        return 0


class GuideForm(FlaskForm):
    duration_minutes = IntegerField(_l("Interview length (minutes)"), validators=[InputRequired(), NumberRange(min=10, max=240)])
    items = FieldList(FormField(GuideItemForm), min_entries=0, max_entries=40)
    add_question = SelectField(_l("Add a question"), choices=[], validators=[Optional()], validate_choice=False)
    revision = HiddenField()

    def ordered_items(self) -> list[dict[str, Any]]:
        kept = [(i["position"] or 99, n, i) for n, i in enumerate(self.items.data) if not i["remove"] and i["question"]]
        items = [{"question": i["question"], "minutes": i["minutes"]} for _, _, i in sorted(kept)]
        if self.add_question.data:
            items.append({"question": self.add_question.data, "minutes": None})
        return items

    def expected_revision(self) -> int:
        return _revision(self.revision)


GUIDE_ID = Regexp(r"^[a-z0-9][a-z0-9_-]{1,39}$", message=_l("2 to 40 lowercase letters, digits, dashes or underscores."))
SCRIPT = [DataRequired(), Length(max=4000)]


class GuideSettingsForm(FlaskForm):
    """A guide's own fields; its questions are edited in the builder (GuideForm)."""

    id = StringField(_l("Id"), validators=[DataRequired(), Length(max=40), GUIDE_ID])
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired()])
    title_ru = StringField(_l("Title (Russian)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    duration_minutes = IntegerField(_l("Interview length (minutes)"), validators=[InputRequired(), NumberRange(min=10, max=240)])
    intro_minutes = IntegerField(_l("Introduction (minutes)"), default=0, validators=[InputRequired(), NumberRange(min=0, max=30)])
    closing_minutes = IntegerField(_l("Closing (minutes)"), default=0, validators=[InputRequired(), NumberRange(min=0, max=30)])
    intro_ru = TextAreaField(_l("Introduction script (Russian)"), validators=SCRIPT)
    intro_en = TextAreaField(_l("Introduction script (English)"), validators=SCRIPT)
    closing_ru = TextAreaField(_l("Closing script (Russian)"), validators=SCRIPT)
    closing_en = TextAreaField(_l("Closing script (English)"), validators=SCRIPT)
    first_question = SelectField(_l("First question"), choices=[], validators=[Optional()], validate_choice=False)
    revision = HiddenField()

    def settings(self) -> dict[str, Any]:
        def both(name: str) -> dict[str, str]:
            return {"ru": (getattr(self, f"{name}_ru").data or "").strip(), "en": (getattr(self, f"{name}_en").data or "").strip()}

        return {"role": self.role.data, "title": both("title"), "duration_minutes": self.duration_minutes.data,
                "intro": both("intro"), "closing": both("closing"), "intro_minutes": self.intro_minutes.data,
                "closing_minutes": self.closing_minutes.data}

    def expected_revision(self) -> int:
        return _revision(self.revision)

    @classmethod
    def from_guide(cls, g) -> GuideSettingsForm:
        return cls(data={
            "id": g.id, "role": g.role, "title_ru": g.title.get("ru", ""), "title_en": g.title.get("en", ""),
            "duration_minutes": g.duration_minutes, "intro_minutes": g.intro_minutes, "closing_minutes": g.closing_minutes,
            "intro_ru": g.intro.get("ru", ""), "intro_en": g.intro.get("en", ""),
            "closing_ru": g.closing.get("ru", ""), "closing_en": g.closing.get("en", ""), "revision": g.revision})


class QuestionFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    indicator = SelectField(_l("Indicator"), choices=[], validators=[Optional()], validate_choice=False)
    type = SelectField(_l("Type"), choices=[("", _l("any type")), ("behavioural", _l("Behavioural")),
                                            ("situational", _l("Situational"))], validators=[Optional()])
    role = SelectField(_l("Role"), choices=[], validators=[Optional()], validate_choice=False)
    lang = SelectField(_l("Search in"), choices=[("", _l("both languages")), ("ru", "Русский"), ("en", "English")],
                       validators=[Optional()])
    q = StringField(_l("Text"), validators=[Optional(), Length(max=200)])
    retired = BooleanField(_l("Show retired"))
