from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length


class DecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[("advance", _l("Advance")), ("hold", _l("Hold")),
                                                     ("reject", _l("Reject"))])
    rationale = TextAreaField(_l("Rationale"), validators=[DataRequired(), Length(max=4000)])


class ReviewForm(FlaskForm):
    verdict = HiddenField(validators=[DataRequired()])


class AddTagForm(FlaskForm):
    span = SelectField(_l("Sentence"), choices=[], validate_choice=False)
    indicator = SelectField(_l("Indicator"), choices=[], validate_choice=False)
    answer_id = IntegerField(validators=[InputRequired()])
