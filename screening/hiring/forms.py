from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from screening.hiring.common import ChosenId


class VacancyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    guide_id = SelectField(_l("Interview guide"), choices=[], validate_choice=False)
    manager_id = SelectField(_l("Hiring manager"), choices=[], validate_choice=False, validators=[ChosenId()])
    recruiter_ids = SelectMultipleField(_l("Recruiters"), choices=[], validate_choice=False, validators=[ChosenId()])


class CandidateForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    consent = BooleanField(_l("The candidate consents to the processing of their personal data for this assessment"))


class StartInterviewForm(FlaskForm):
    candidate_id = SelectField(_l("Candidate"), choices=[], validate_choice=False,
                               validators=[InputRequired(_l("Choose a candidate.")), ChosenId()])
    vacancy_id = SelectField(_l("Vacancy"), choices=[], validate_choice=False, validators=[ChosenId()])
    guide_id = SelectField(_l("Guide"), choices=[], validate_choice=False, validators=[Length(max=80)])
    lang = SelectField(_l("Interview language"), choices=[("ru", "Русский"), ("en", "English")])


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("Why reopen?"), validators=[DataRequired(), Length(max=500)])
