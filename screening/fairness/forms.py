"""Forms of the bias audit pages: the report's scope (GET) and one candidate's self-report (POST)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from screening.fairness.service import DECLINED, ETHNICITY_MAX_LENGTH, SEX_CATEGORIES, SEX_LABELS
from screening.web import parse_int


class ScopeForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    vacancy = SelectField(_l("Vacancy"), choices=[], validators=[Optional()], validate_choice=False)
    date_from = DateField(_l("Scored from"), validators=[Optional()])
    date_to = DateField(_l("Scored to"), validators=[Optional()])

    def vacancy_id(self) -> int | None:
        return parse_int(self.vacancy.data)

    def validate_vacancy(self, field) -> None:
        if field.data and parse_int(field.data) is None:
            raise ValidationError(_l("No such vacancy."))


def sex_choices() -> list[tuple[str, object]]:
    return [("", _l("Not recorded"))] + [(c, SEX_LABELS[c]) for c in SEX_CATEGORIES + (DECLINED,)]


class DemographicsForm(FlaskForm):
    sex = SelectField(_l("Sex (self-reported)"), choices=sex_choices, validators=[Optional()])
    ethnicity = StringField(_l("Ethnicity (self-reported, as the candidate put it)"),
                            validators=[Optional(), Length(max=ETHNICITY_MAX_LENGTH)])
    ethnicity_declined = BooleanField(_l("The candidate declined to state an ethnicity"))

    def validate_ethnicity(self, field) -> None:
        if self.ethnicity_declined.data and (field.data or "").strip() and \
                (field.data or "").strip().casefold() != DECLINED:
            raise ValidationError(_l("Either enter the ethnicity or mark it as declined, not both."))

    def ethnicity_value(self) -> str | None:
        return DECLINED if self.ethnicity_declined.data else (self.ethnicity.data or None)
