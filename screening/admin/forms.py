from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length


def role_choices():
    return [("recruiter", _l("Recruiter")), ("manager", _l("Hiring manager")), ("admin", _l("Admin"))]


class NewUserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Length(max=120)])
    role = SelectField(_l("Role"), choices=role_choices)
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=128)])


class EditUserForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices)
    active = BooleanField(_l("Active"))
