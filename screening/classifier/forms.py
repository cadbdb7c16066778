"""The classifier's admin pages and its public model card."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField
from wtforms.validators import InputRequired, NumberRange


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN, sNaN and infinities (Decimal parses them; comparing them raises)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class SettingsForm(FlaskForm):
    classifier_enabled = BooleanField(_l("Use the classifier (evidence highlighting and model ratings)"))
    band_strong_yes = FiniteDecimalField(_l("“Strong yes” from"), places=1, validators=[InputRequired(), NumberRange(0, 100)])
    band_yes = FiniteDecimalField(_l("“Yes” from"), places=1, validators=[InputRequired(), NumberRange(0, 100)])
    band_mixed = FiniteDecimalField(_l("“Mixed” from"), places=1, validators=[InputRequired(), NumberRange(0, 100)])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.band_mixed.data <= self.band_yes.data <= self.band_strong_yes.data:
            self.band_yes.errors = list(self.band_yes.errors) + [_l("Bands must rise: mixed ≤ yes ≤ strong yes.")]
            return False
        return True
