"""Forms for workshop registration: the settings, a person's answers, and the secretariat's actions."""

import functools
import math
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ecommunity.accounts.models import Role
from ecommunity.core.reference import country_choices, region_choices
from ecommunity.events.forms import MultiCheckboxField
from ecommunity.workshops.services import Answers, WorkshopSettings

LANGUAGE_NAMES = {"en": _l("English"), "fr": _l("French"), "es": _l("Spanish")}
ROLE_NAMES = {Role.MEMBER.value: _l("National Focal Points (members)"),
              Role.SECRETARIAT.value: _l("Secretariat staff"), Role.ADMIN.value: _l("Administrators")}


class WorkshopForm(FlaskForm):
    """The registration settings of a workshop; times are in the event's own time zone."""

    opens_at = DateTimeLocalField(_l("Registration opens"), validators=[InputRequired()])
    closes_at = DateTimeLocalField(_l("Registration closes"), validators=[InputRequired()])
    capacity = IntegerField(_l("Seats"), validators=[InputRequired(), NumberRange(min=0, max=10000)])
    country_quota = IntegerField(_l("Seats per country"), validators=[Optional(), NumberRange(min=1, max=1000)])
    eligible_regions = MultiCheckboxField(_l("Regions that may register"))
    eligible_countries = MultiCheckboxField(_l("Countries that may register (besides those regions)"))
    eligible_roles = MultiCheckboxField(_l("Who may register"))
    approval_required = BooleanField(_l("The secretariat approves each registration"))
    working_languages = MultiCheckboxField(_l("Working languages"))
    questions = TextAreaField(_l("Additional questions (one per line)"), validators=[Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.eligible_regions.choices = region_choices()
        self.eligible_countries.choices = country_choices()
        self.eligible_roles.choices = [(code, str(label)) for code, label in ROLE_NAMES.items()]
        self.working_languages.choices = [(code, str(label)) for code, label in LANGUAGE_NAMES.items()]

    def fill(self, settings: WorkshopSettings, timezone: str) -> None:
        zone = ZoneInfo(timezone)
        self.opens_at.data = settings.opens_at.astimezone(zone).replace(tzinfo=None)
        self.closes_at.data = settings.closes_at.astimezone(zone).replace(tzinfo=None)
        self.capacity.data, self.country_quota.data = settings.capacity, settings.country_quota
        self.eligible_regions.data = settings.eligible_regions
        self.eligible_countries.data = settings.eligible_countries
        self.eligible_roles.data = settings.eligible_roles
        self.approval_required.data = settings.approval_required
        self.working_languages.data = settings.working_languages
        self.questions.data = "\n".join(settings.questions)

    def to_settings(self, timezone: str) -> WorkshopSettings:
        zone = ZoneInfo(timezone)

        def aware(value: datetime) -> datetime:
            return value.replace(tzinfo=zone)

        return WorkshopSettings(
            opens_at=aware(self.opens_at.data), closes_at=aware(self.closes_at.data),
            capacity=self.capacity.data, country_quota=self.country_quota.data,
            eligible_regions=self.eligible_regions.data or [], eligible_countries=self.eligible_countries.data or [],
            eligible_roles=self.eligible_roles.data or [], approval_required=self.approval_required.data,
            working_languages=self.working_languages.data or [],
            questions=[line for line in (self.questions.data or "").splitlines() if line.strip()][:20],
        )


class RegistrationForm(FlaskForm):
    """A person's answers; the free-form questions are added per workshop (`answer_<key>`)."""

    travel_support = BooleanField(_l("I need support to travel to the workshop"))
    visa_letter = BooleanField(_l("I need a letter to support my visa application"))
    arrival_date = DateField(_l("Arrival date"), validators=[Optional()])
    departure_date = DateField(_l("Departure date"), validators=[Optional()])
    dietary_needs = StringField(_l("Dietary needs"), validators=[Length(max=300)])
    material_language = SelectField(_l("Preferred language for the materials"))

    @classmethod
    def for_workshop(cls, workshop, **kwargs) -> "RegistrationForm":
        """The form with one text field per free-form question of the workshop."""
        form = _form_class(cls, tuple((q["key"], q["label"]) for q in workshop.questions))(**kwargs)
        # Lazy labels: translated when the form is shown, not on every submission.
        form.material_language.choices = [(code, LANGUAGE_NAMES.get(code, code)) for code in workshop.working_languages]
        form.question_fields = [form[f"answer_{q['key']}"] for q in workshop.questions]
        return form

    def fill(self, answers: Answers) -> None:
        for name in ("travel_support", "visa_letter", "arrival_date", "departure_date", "dietary_needs",
                     "material_language"):
            self[name].data = getattr(answers, name)
        for f in self.question_fields:
            f.data = answers.answers.get(f.name.removeprefix("answer_"), "")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.arrival_date.data and self.departure_date.data and self.departure_date.data < self.arrival_date.data:
            self.departure_date.errors = [*self.departure_date.errors,
                                          _l("The departure date must not be before the arrival date.")]
            valid = False
        return valid

    def to_answers(self) -> Answers:
        return Answers(
            travel_support=self.travel_support.data, visa_letter=self.visa_letter.data,
            arrival_date=self.arrival_date.data, departure_date=self.departure_date.data,
            dietary_needs=self.dietary_needs.data or "", material_language=self.material_language.data or "",
            answers={f.name.removeprefix("answer_"): f.data or "" for f in self.question_fields},
        )


@functools.lru_cache(maxsize=256)
def _form_class(base: type[RegistrationForm], questions: tuple[tuple[str, str], ...]) -> type[RegistrationForm]:
    """A form class per set of questions, made once: WTForms builds a class's field list on first use."""

    class _Form(base):
        pass

    for key, label in questions:
        setattr(_Form, f"answer_{key}", TextAreaField(label, validators=[Length(max=2000)]))
    return _Form


class OnBehalfForm(RegistrationForm):
    """The secretariat registers someone: their email address, then their answers."""

    email = StringField(_l("Email address of the person"), validators=[DataRequired(), Length(max=254)])


class ConfirmForm(FlaskForm):
    """A confirmation with nothing else to say (withdrawing)."""


class BulkForm(FlaskForm):
    """Approve or reject the selected registrations (their ids come as `selected` checkboxes)."""

    action = SelectField(_l("With the selected registrations"))
    reason = StringField(_l("Reason for rejecting (sent to the person)"), validators=[Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("approve", str(_l("Approve"))), ("reject", str(_l("Reject")))]


class ReorderForm(FlaskForm):
    """New positions for the waiting list (`position-<id>` inputs)."""

    confirm = HiddenField(default="1")

    @staticmethod
    def wished_positions(formdata, registrations) -> dict[int, float]:
        """The places typed for these registrations; a blank, text, "nan" or "inf" leaves a person where they are."""
        positions = {}
        for registration in registrations:
            try:
                position = float(formdata.get(f"position-{registration.id}", "").strip())
            except ValueError:
                continue
            if math.isfinite(position):
                positions[registration.id] = position
        return positions
