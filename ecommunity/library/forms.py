"""Library forms: a document's description, the upload, and the list's filters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ecommunity.core.i18n import LANGUAGE_NAMES
from ecommunity.core.reference import instrument_choices
from ecommunity.library.models import DOCUMENT_KINDS, TOPICS
from ecommunity.library.services import DocumentData


def _pairs(mapping) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in mapping.items()]


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class DocumentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Give the document a title.")),
        Length(max=300, message=_l("At most %(max)d characters.", max=300)),
    ])
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=2000)])
    kind = SelectField(_l("Kind"))  # the choice itself is checked: no "required" placeholder needed
    language = SelectField(_l("Language of the document"))
    instrument = SelectField(_l("Instrument"), validators=[Optional()])
    topic = SelectField(_l("Topic"), validators=[Optional()])
    year = IntegerField(_l("Year (optional)"), validators=[
        Optional(), NumberRange(min=1970, max=2200, message=_l("Give a year between 1970 and 2200.")),
    ])
    members_only = BooleanField(_l("Members only (hidden from visitors who are not logged in)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _pairs(DOCUMENT_KINDS)
        self.language.choices = _pairs(LANGUAGE_NAMES)
        self.instrument.choices = _choices([("", _l("None in particular")), *instrument_choices()])
        self.topic.choices = [SelectChoice("", _l("None in particular")), *_pairs(TOPICS)]

    def document_data(self) -> DocumentData:
        return DocumentData(
            title=self.title.data, description=self.description.data or "", kind=self.kind.data,
            language=self.language.data, instrument=self.instrument.data or None, topic=self.topic.data or None,
            year=self.year.data, members_only=bool(self.members_only.data),
        )


class UploadForm(DocumentForm):
    file = FileField(_l("File (PDF, .txt or .md)"), validators=[FileRequired(message=_l("Choose a file to upload."))])


class ConfirmForm(FlaskForm):
    """A button that only needs its CSRF token."""


class FilterForm(FlaskForm):
    """The list's filters, sent by GET (no CSRF: they change nothing)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"))
    language = SelectField(_l("Language"))
    instrument = SelectField(_l("Instrument"))
    topic = SelectField(_l("Topic"))
    year = SelectField(_l("Year"))

    def __init__(self, years: list[int], *args, **kwargs):
        super().__init__(*args, **kwargs)
        every = SelectChoice("", _l("All"))
        self.kind.choices = [every, *_pairs(DOCUMENT_KINDS)]
        self.language.choices = [every, *_pairs(LANGUAGE_NAMES)]
        self.instrument.choices = [every, *_choices(instrument_choices())]
        self.topic.choices = [every, *_pairs(TOPICS)]
        self.year.choices = [every, *[SelectChoice(str(year), str(year)) for year in years]]
