"""Forms of the manual's editors (the secretariat). Every message is tied to its field by the `field` macro."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, Regexp

from ecommunity.manual.models import MAX_BODY_LENGTH, SLUG_PATTERN

SLUG_HINT = _l("Part of the page's address, fixed once created: lowercase letters, digits and hyphens.")


def _slug_field():
    return StringField(_l("Address name (slug)"), validators=[
        DataRequired(message=_l("Give an address name.")),
        Length(max=80, message=_l("At most %(max)d characters.", max=80)),
        Regexp(SLUG_PATTERN, message=_l("Use lowercase letters, digits and hyphens only, like “national-reports”.")),
    ])


def _title_field(label, required=False):
    validators = [Length(max=200, message=_l("At most %(max)d characters.", max=200))]
    validators.insert(0, DataRequired(message=_l("Give a title.")) if required else Optional())
    return StringField(label, validators=validators)


def _summary_field(label):
    return TextAreaField(label, validators=[Optional(), Length(max=2000)])


class PartForm(FlaskForm):
    slug = _slug_field()
    title_en = _title_field(_l("Title in English"), required=True)
    title_fr = _title_field(_l("Title in French"))
    title_es = _title_field(_l("Title in Spanish"))

    def titles(self) -> dict[str, str]:
        return {"en": self.title_en.data, "fr": self.title_fr.data, "es": self.title_es.data}


class ChapterForm(PartForm):
    part = SelectField(_l("Part"), coerce=int, validate_choice=True)
    summary_en = _summary_field(_l("Summary in English"))
    summary_fr = _summary_field(_l("Summary in French"))
    summary_es = _summary_field(_l("Summary in Spanish"))

    def summaries(self) -> dict[str, str]:
        return {"en": self.summary_en.data, "fr": self.summary_fr.data, "es": self.summary_es.data}


class VersionForm(FlaskForm):
    """A section's text in one language."""

    title = _title_field(_l("Title"), required=True)
    body = TextAreaField(_l("Text (Markdown)"), validators=[
        DataRequired(message=_l("Write the section's text.")),
        Length(max=MAX_BODY_LENGTH, message=_l("At most %(max)d characters.", max=MAX_BODY_LENGTH)),
    ])
    note = StringField(_l("What did you change? (optional)"), validators=[Optional(), Length(max=300)])
    # The revision the editor started from, to notice another editor's save in between.
    base_revision = HiddenField(filters=[lambda value: value.strip() if isinstance(value, str) else value],
                                validators=[Optional(), Regexp(r"^\d{1,9}$")])


class SectionForm(VersionForm):
    """A new section: its address name and its English text."""

    slug = _slug_field()


class MoveForm(FlaskForm):
    direction = RadioField(_l("Direction"), choices=[SelectChoice("up", _l("Up")), SelectChoice("down", _l("Down"))],
                           validators=[InputRequired(), AnyOf(["up", "down"])])


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token."""
