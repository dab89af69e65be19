"""Forms shared by every page."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired


class LanguageForm(FlaskForm):
    """The language switcher: one button per language, each posting its code."""

    language = StringField(validators=[DataRequired(), AnyOf(["en", "fr", "es"])])
    next = HiddenField()
