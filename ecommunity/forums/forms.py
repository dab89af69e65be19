"""Forum forms. Every message is tied to its field by the `field` macro."""

import re
import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ecommunity.core.reference import region_choices
from ecommunity.forums.links import LinkError, parse_link
from ecommunity.forums.models import MAX_POST_LENGTH, Access, Digest, ReportReason


def choices(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_submission_token() -> str:
    """A random token for one rendering of a posting form (see Post.submission_token)."""
    return secrets.token_urlsafe(18)


def _body_field(label):
    return TextAreaField(
        label,
        validators=[
            DataRequired(message=_l("Write something before posting.")),
            Length(max=MAX_POST_LENGTH, message=_l(
                "A post can have at most %(max)d characters. Please shorten it or split it in two.",
                max=MAX_POST_LENGTH,
            )),
        ],
    )


class _Posting(FlaskForm):
    submission = HiddenField(validators=[InputRequired(), Regexp(TOKEN)])

    def prepare(self) -> "_Posting":
        """Give a fresh form its one-time submission token (a re-shown form keeps its own)."""
        if not self.submission.data or not TOKEN.match(self.submission.data):
            self.submission.data = new_submission_token()
        return self


class TopicForm(_Posting):
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Give your topic a title.")),
        Length(max=200, message=_l("A title can have at most %(max)d characters.", max=200)),
    ])
    body = _body_field(_l("Message"))
    link = StringField(_l("Related event or manual section (optional)"), validators=[Optional(), Length(max=500)])

    def validate_link(self, field):
        try:
            self.parsed_link = parse_link(field.data)
        except LinkError:
            raise ValidationError(
                _l("Paste the address of an event page (/events/…) or a manual section (/manual/…) of this site.")
            ) from None


class ReplyForm(_Posting):
    body = _body_field(_l("Your reply"))


class PostEditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        Length(max=200, message=_l("A title can have at most %(max)d characters.", max=200)),
    ])
    body = _body_field(_l("Message"))

    def __init__(self, *args, first_post: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.first_post = first_post

    def validate_title(self, field):
        if self.first_post and not (field.data or "").strip():  # the first post carries the topic's title
            raise ValidationError(_l("Give your topic a title."))


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change something."""


class ModerationForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("Reason (optional, for the moderation log)"), validators=[Optional(), Length(max=300)])


REPORT_REASONS = [
    (ReportReason.SPAM.value, _l("Spam or advertising")),
    (ReportReason.OFFENSIVE.value, _l("Offensive or disrespectful")),
    (ReportReason.OFF_TOPIC.value, _l("Off topic or in the wrong category")),
    (ReportReason.CONFIDENTIAL.value, _l("Shares confidential or personal information")),
    (ReportReason.OTHER.value, _l("Something else")),
]


class ReportForm(FlaskForm):
    reason = RadioField(_l("Why should a moderator look at this post?"), choices=choices(REPORT_REASONS),
                        validators=[InputRequired(message=_l("Choose a reason."))])
    details = TextAreaField(_l("Details (optional)"), validators=[Optional(), Length(max=2000)])


class MoveForm(FlaskForm):
    # No "required" validator: a select always has a value, and the choice list checks it.
    category = SelectField(_l("Move to category"), coerce=int)
    reason = StringField(_l("Reason (optional, for the moderation log)"), validators=[Optional(), Length(max=300)])


class ReportDecisionForm(FlaskForm):
    decision = HiddenField(validators=[DataRequired()])


DIGEST_CHOICES = [
    (Digest.OFF.value, _l("No digest")),
    (Digest.DAILY.value, _l("Daily digest of new topics")),
    (Digest.WEEKLY.value, _l("Weekly digest of new topics")),
]


class SettingsForm(FlaskForm):
    digest = RadioField(_l("Digest by mail"), choices=choices(DIGEST_CHOICES), validators=[InputRequired()])
    mention_mails = BooleanField(_l("Mail me when someone mentions me with @"))
    auto_watch = BooleanField(_l("Watch the topics I start or reply to"))


ACCESS_CHOICES = [
    (Access.MEMBERS.value, _l("All members")),
    (Access.SECRETARIAT.value, _l("Secretariat only")),
    (Access.REGION.value, _l("Members of one region (and the secretariat)")),
]


class CategoryForm(FlaskForm):
    name = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])
    name_fr = StringField(_l("Name (French)"), validators=[Optional(), Length(max=120)])
    name_es = StringField(_l("Name (Spanish)"), validators=[Optional(), Length(max=120)])
    slug = StringField(_l("Address name"), validators=[
        DataRequired(), Length(max=60),
        Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and hyphens.")),
    ])
    description = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=2000)])
    description_fr = TextAreaField(_l("Description (French)"), validators=[Optional(), Length(max=2000)])
    description_es = TextAreaField(_l("Description (Spanish)"), validators=[Optional(), Length(max=2000)])
    position = IntegerField(_l("Position in the list"), default=0, validators=[
        InputRequired(), NumberRange(min=0, max=10000),
    ])
    access = SelectField(_l("Who may read and write"), choices=choices(ACCESS_CHOICES))
    region = SelectField(_l("Region"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = choices([("", _l("(none)"))] + region_choices())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.access.data == Access.REGION and not self.region.data:
            self.region.errors = [*self.region.errors, _l("Choose the region whose members may use this category.")]
            return False
        return valid


class TopicWatchForm(FlaskForm):
    watch = HiddenField(validators=[AnyOf(["watching", "muted", "default"])])


class CategoryWatchForm(FlaskForm):
    watch = HiddenField(validators=[AnyOf(["on", "off"])])
