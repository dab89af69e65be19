"""Forms for events: the organiser's form, postponing, cancelling, filters and the reader's zone."""


from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ecommunity.core.reference import country_choices, instrument_choices, region_choices, timezone_choices
from ecommunity.events.models import EVENT_TYPES
from ecommunity.events.services import (
    DocumentData,
    EventData,
    EventInvalid,
    Schedule,
    SessionData,
    check_event,
)

BLANK_SESSION_ROWS = 3


def zone_choices() -> list[tuple[str, str]]:
    return list(timezone_choices())
BLANK_DOCUMENT_ROWS = 2


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (rendered as a fieldset by the forms macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _type_choices():
    return [(code.value, str(label)) for code, label in EVENT_TYPES.items()]


def attach_errors(form, errors: dict[str, str]) -> None:
    """Show a service's messages beside the fields they name ("sessions-0-title" included)."""
    for name, message in errors.items():
        target = _field_named(form, name)
        if target is None:
            target = form._fields.get("title_en") or next(iter(form._fields.values()))
        if not isinstance(target.errors, list):
            target.errors = list(target.errors)
        if str(message) not in [str(e) for e in target.errors]:
            target.errors.append(message)


def _field_named(form, name: str):
    if name in form._fields:
        return form._fields[name]
    head, _, rest = name.partition("-")
    index, _, sub = rest.partition("-")
    container = form._fields.get(head)
    if container is None or not index.isdigit():
        return None
    rows = getattr(form, "_row_of", {}).get(head, [])
    position = int(index)
    entry_index = rows[position] if position < len(rows) else position
    if entry_index >= len(container.entries):
        return None
    return container.entries[entry_index].form._fields.get(sub)


class SessionForm(Form):
    """One agenda row; a row left blank is ignored."""

    day = DateField(_l("Day"), validators=[Optional()])
    start_time = TimeField(_l("Starts"), validators=[Optional()])
    end_time = TimeField(_l("Ends"), validators=[Optional()])
    title = StringField(_l("Session"), validators=[Optional(), Length(max=300)])

    def is_blank(self) -> bool:
        return not any(f.raw_data and any(v.strip() for v in f.raw_data) for f in self)


class DocumentForm(Form):
    """One document link; a row left blank is ignored."""

    title = StringField(_l("Document title"), validators=[Optional(), Length(max=300)])
    url = URLField(_l("Link"), validators=[Optional(), URL(message=_l("Give a full web address (https://...)."))])

    def is_blank(self) -> bool:
        return not any(f.raw_data and any(v.strip() for v in f.raw_data) for f in self)


class ScheduleFields:
    """Dates and times shared by the event and postponement forms."""

    all_day = BooleanField(_l("All-day event (the times below are not used)"))
    start_date = DateField(_l("First day"), validators=[InputRequired(message=_l("Give the first day."))])
    start_time = TimeField(_l("Start time"), validators=[Optional()])
    end_date = DateField(_l("Last day"), validators=[InputRequired(message=_l("Give the last day."))])
    end_time = TimeField(_l("End time"), validators=[Optional()])


class EventForm(ScheduleFields, FlaskForm):
    title_en = StringField(_l("Title in English"), validators=[
        DataRequired(message=_l("Give the event a title in English.")), Length(max=200)])
    title_fr = StringField(_l("Title in French"), validators=[Optional(), Length(max=200)])
    title_es = StringField(_l("Title in Spanish"), validators=[Optional(), Length(max=200)])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional(), Length(max=20000)])
    description_fr = TextAreaField(_l("Description in French"), validators=[Optional(), Length(max=20000)])
    description_es = TextAreaField(_l("Description in Spanish"), validators=[Optional(), Length(max=20000)])
    event_type = SelectField(_l("Type"), choices=_type_choices, validate_choice=False)
    region = SelectField(_l("CMS region"), validate_choice=False)
    instruments = MultiCheckboxField(_l("Instruments"), choices=instrument_choices, validate_choice=False)
    is_public = BooleanField(_l("Public: visitors who are not logged in see it, and it is in the public calendar feed"),
                             default=True)
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    country = SelectField(_l("Country"), validate_choice=False)
    online_url = URLField(_l("Online link"), validators=[
        Optional(), Length(max=500), URL(message=_l("Give a full web address (https://...)."))])
    timezone = SelectField(_l("Time zone of the event"), choices=zone_choices, validate_choice=False)
    organiser_name = StringField(_l("Organiser"), validators=[Optional(), Length(max=200)])
    organiser_email = StringField(_l("Organiser's email"), validators=[
        Optional(), Length(max=254), Email(message=_l("Give a valid email address."), check_deliverability=False)])
    sessions = FieldList(FormField(SessionForm), label=_l("Agenda"))
    documents = FieldList(FormField(DocumentForm), label=_l("Documents"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [("", str(_l("Global (no region)")))] + region_choices()
        self.country.choices = [("", str(_l("Choose a country")))] + country_choices()
        self._row_of: dict[str, list[int]] = {}

    def add_blank_rows(self) -> None:
        """Empty agenda and document rows to fill in (there is no script to add them)."""
        for _ in range(BLANK_SESSION_ROWS):
            self.sessions.append_entry()
        for _ in range(BLANK_DOCUMENT_ROWS):
            self.documents.append_entry()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for entry in self.sessions.entries:
            row = entry.form
            if row.is_blank():
                continue
            for name, message in (("day", _l("Give the day of the session.")),
                                  ("start_time", _l("Give the start time.")),
                                  ("end_time", _l("Give the end time."))):
                if row[name].data is None and not row[name].errors:
                    row[name].errors = [*row[name].errors, message]
                    valid = False
        for entry in self.documents.entries:
            row = entry.form
            if not row.is_blank() and not (row.title.data or "").strip():
                row.title.errors = [*row.title.errors, _l("Give the document a title.")]
                valid = False
            if not row.is_blank() and not (row.url.data or "").strip():
                row.url.errors = [*row.url.errors, _l("Give the link to the document.")]
                valid = False
        if self.start_date.data and self.end_date.data and not self._schedule_fields_have_errors():
            try:
                check_event(self.to_data())
            except EventInvalid as problem:
                attach_errors(self, problem.errors)
                valid = False
        for rows in (self.sessions, self.documents):  # FieldList keeps the errors it saw when it validated
            rows.errors = [entry.errors for entry in rows.entries] if any(e.errors for e in rows.entries) else []
        return valid

    def _schedule_fields_have_errors(self) -> bool:
        fields = [self.start_date, self.start_time, self.end_date, self.end_time]
        fields += [row.form[name] for row in self.sessions.entries for name in ("day", "start_time", "end_time")]
        return any(f.errors for f in fields)

    def to_data(self) -> EventData:
        """The submitted values as plain data for the services."""
        sessions, documents = [], []
        self._row_of = {"sessions": [], "documents": []}
        for index, entry in enumerate(self.sessions.entries):
            row = entry.form
            if row.is_blank() or None in (row.day.data, row.start_time.data, row.end_time.data):
                continue
            self._row_of["sessions"].append(index)
            sessions.append(SessionData(title=row.title.data or "", day=row.day.data,
                                        start_time=row.start_time.data, end_time=row.end_time.data))
        for index, entry in enumerate(self.documents.entries):
            row = entry.form
            if row.is_blank():
                continue
            self._row_of["documents"].append(index)
            documents.append(DocumentData(title=row.title.data or "", url=row.url.data or ""))
        return EventData(
            title_en=self.title_en.data or "", title_fr=self.title_fr.data or "", title_es=self.title_es.data or "",
            description_en=self.description_en.data or "", description_fr=self.description_fr.data or "",
            description_es=self.description_es.data or "",
            event_type=self.event_type.data or "", region=self.region.data or None,
            instruments=list(self.instruments.data or []), is_public=bool(self.is_public.data),
            city=self.city.data or "", country=self.country.data or None, online_url=self.online_url.data or "",
            organiser_name=self.organiser_name.data or "", organiser_email=self.organiser_email.data or "",
            schedule=self.schedule(self.timezone.data or ""),
            sessions=sessions, documents=documents,
        )

    def schedule(self, timezone: str) -> Schedule:
        return Schedule(
            timezone=timezone, all_day=bool(self.all_day.data),
            start_date=self.start_date.data, end_date=self.end_date.data,
            start_time=self.start_time.data, end_time=self.end_time.data,
        )


class PostponeForm(ScheduleFields, FlaskForm):
    note = TextAreaField(_l("Reason or announcement (optional)"), validators=[Optional(), Length(max=500)])

    def schedule(self, timezone: str) -> Schedule:
        return Schedule(
            timezone=timezone, all_day=bool(self.all_day.data),
            start_date=self.start_date.data, end_date=self.end_date.data,
            start_time=self.start_time.data, end_time=self.end_time.data,
        )


class CancelForm(FlaskForm):
    note = TextAreaField(_l("Reason or announcement (optional)"), validators=[Optional(), Length(max=500)])


class ConfirmForm(FlaskForm):
    """Only the CSRF token: for buttons that change something."""


class ReaderZoneForm(FlaskForm):
    """For visitors who are not logged in: the zone to show times in (members set it in their profile)."""

    timezone = SelectField(_l("Show times in"), choices=zone_choices, validate_choice=False)


class FilterChoices:
    """The options of the filter selects, in one language; built once per language and process.

    The filters are a plain GET form rendered by the template: a WTForms form would build and
    render some forty options with their labels on every list and month page.
    """

    _by_language: dict[str, "FilterChoices"] = {}

    def __init__(self):
        self.region = [("", str(_l("All regions")))] + region_choices()
        self.type = [("", str(_l("All types")))] + _type_choices()
        self.instrument = [("", str(_l("All instruments")))] + instrument_choices()
        self.labels = {"region": str(_l("Region")), "type": str(_l("Type")), "instrument": str(_l("Instrument"))}

    @classmethod
    def current(cls, language: str) -> "FilterChoices":
        found = cls._by_language.get(language)
        if found is None:
            found = cls._by_language[language] = cls()
        return found
