"""Forms of the account pages; choices are filled per request, in the reader's language."""

import unicodedata

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from ecommunity.accounts.models import AccountStatus, Role
from ecommunity.core.i18n import LANGUAGE_NAMES
from ecommunity.core.reference import country_choices, instrument_choices, region_choices, timezone_choices

PASSWORD_MIN = 10
PASSWORD_MAX = 200


def _clean(value):
    """Trim and compose text, so names typed on any keyboard compare and display alike."""
    return unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (rendered as a fieldset by the `field` macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AtLeastOne:
    """At least one box ticked."""

    # Unlike DataRequired, no `required` flag: it would mark every single checkbox as required.

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            raise StopValidation(self.message)


def _email_field(label):
    return EmailField(label, filters=[_clean], validators=[
        DataRequired(_l("Enter your email address.")),
        Length(max=254, message=_l("An email address has at most %(max)s characters.")),
        Email(_l("Enter a valid email address, like name@example.org.")),
    ])


def _new_password_fields():
    password = PasswordField(_l("Password"), validators=[
        InputRequired(_l("Choose a password.")),
        Length(PASSWORD_MIN, PASSWORD_MAX, _l("Use between %(min)s and %(max)s characters.")),
    ])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        InputRequired(_l("Repeat the password.")),
        EqualTo("password", _l("The two passwords are not the same.")),
    ])
    return password, confirm


class _ProfileFields(FlaskForm):
    full_name = StringField(_l("Full name"), filters=[_clean], validators=[
        DataRequired(_l("Enter your name.")),
        Length(max=120, message=_l("A name has at most %(max)s characters.")),
    ])
    country = SelectField(_l("Country"), validators=[DataRequired(_l("Choose your country."))])
    region = SelectField(_l("CMS region"), validators=[DataRequired(_l("Choose your region."))])
    instruments = MultiCheckboxField(
        _l("Instruments you are National Focal Point for"),
        validators=[AtLeastOne(_l("Choose at least one instrument."))],
    )
    organisation = StringField(_l("Organisation"), filters=[_clean], validators=[
        DataRequired(_l("Enter your organisation.")),
        Length(max=200, message=_l("At most %(max)s characters.")),
    ])
    position = StringField(_l("Job title"), filters=[_clean], validators=[
        Optional(), Length(max=200, message=_l("At most %(max)s characters.")),
    ])
    language = SelectField(_l("Language"))
    timezone = SelectField(_l("Time zone"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose a country"))] + country_choices()
        self.region.choices = [("", _l("Choose a region"))] + region_choices()
        self.instruments.choices = instrument_choices()
        self.timezone.choices = timezone_choices()
        self.language.choices = list(LANGUAGE_NAMES.items())
        if self.language.data is None:
            locale = get_locale()
            self.language.data = locale.language if locale and locale.language in LANGUAGE_NAMES else "en"

    def profile_data(self) -> dict:
        """The cleaned values, as keyword arguments for the services."""
        return {
            "full_name": self.full_name.data,
            "country": self.country.data,
            "region": self.region.data,
            "instruments": list(self.instruments.data),
            "organisation": self.organisation.data,
            "position": self.position.data or "",
            "language": self.language.data,
            "timezone": self.timezone.data,
        }


class SignupForm(_ProfileFields):
    """A request for an account."""

    email = _email_field(_l("Email address"))
    password, password_confirm = _new_password_fields()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timezone", "UTC")
        super().__init__(*args, **kwargs)

    def signup_data(self) -> dict:
        """Everything `services.register` needs."""
        return {**self.profile_data(), "email": self.email.data, "password": self.password.data}


class ProfileForm(_ProfileFields):
    """The person's own profile."""


class LoginForm(FlaskForm):
    """Email and password, with an optional long-lived login."""

    email = EmailField(_l("Email address"), filters=[_clean], validators=[
        DataRequired(_l("Enter your email address.")), Length(max=254),
    ])
    password = PasswordField(_l("Password"), validators=[
        InputRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX),
    ])
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class EmailForm(FlaskForm):
    """One address: to resend a verification link or to ask for a password reset."""

    email = _email_field(_l("Email address"))


class PasswordResetForm(FlaskForm):
    """A new password chosen from a reset link."""

    password, password_confirm = _new_password_fields()


class PasswordChangeForm(FlaskForm):
    """A new password, with the current one as proof."""

    current_password = PasswordField(_l("Current password"), validators=[
        InputRequired(_l("Enter your current password.")), Length(max=PASSWORD_MAX),
    ])
    password, password_confirm = _new_password_fields()


class EmailChangeForm(FlaskForm):
    """A new address, confirmed by the password."""

    new_email = _email_field(_l("New email address"))
    password = PasswordField(_l("Your password"), validators=[
        InputRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX),
    ])


class MemberSearchForm(FlaskForm):
    """The directory's filters, sent as query parameters."""

    class Meta:
        csrf = False

    q = StringField(_l("Name"), filters=[_clean], validators=[Optional(), Length(max=120)])
    country = SelectField(_l("Country"), validators=[Optional()])
    region = SelectField(_l("CMS region"), validators=[Optional()])
    instrument = SelectField(_l("Instrument"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Any country"))] + country_choices()
        self.region.choices = [("", _l("Any region"))] + region_choices()
        self.instrument.choices = [("", _l("Any instrument"))] + instrument_choices()

    def filters(self) -> dict:
        """The filters, as keyword arguments for `services.member_query`."""
        return {name: self[name].data or "" for name in ("q", "country", "region", "instrument")}


class AccountFilterForm(FlaskForm):
    """The status filter of the secretariat's list."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default=AccountStatus.PENDING.value)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [
            (AccountStatus.PENDING.value, _l("Waiting for approval")),
            (AccountStatus.UNVERIFIED.value, _l("Email not confirmed")),
            (AccountStatus.ACTIVE.value, _l("Active")),
            (AccountStatus.REJECTED.value, _l("Rejected")),
            (AccountStatus.DEACTIVATED.value, _l("Deactivated")),
            ("all", _l("All")),
        ]


class AccountActionForm(FlaskForm):
    """Approve, deactivate or reactivate: nothing to fill in but the way back."""

    next = HiddenField()


class RejectionForm(AccountActionForm):
    """The reason, which the person receives."""

    reason = StringField(_l("Reason for rejecting"), filters=[_clean], validators=[
        DataRequired(_l("Give the reason; the person receives it by email.")),
        Length(max=500, message=_l("At most %(max)s characters.")),
    ])


class RoleForm(AccountActionForm):
    """An administrator's choice of role."""

    role = SelectField(_l("Role"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [
            (Role.MEMBER.value, _l("Member (National Focal Point)")),
            (Role.SECRETARIAT.value, _l("Secretariat")),
            (Role.ADMIN.value, _l("Administrator")),
        ]
