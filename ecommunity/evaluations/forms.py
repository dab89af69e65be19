"""Forms of evaluations: the secretariat's settings, the participant's answers, and the action buttons."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DateRange, InputRequired, Length, Optional

from ecommunity.evaluations.models import SCORES, Evaluation
from ecommunity.evaluations.services import MAX_COMMENT_LENGTH, MAX_TOPICS, Answers, TopicData
from ecommunity.events.models import Event

BLANK_TOPIC_ROWS = 3


def attach_errors(form, errors: dict) -> None:
    """Show a service's messages beside the fields they name ("topics-0-title_en" included).

    Messages about the topics as a whole go to `form.topic_errors`, shown above the topic rows.
    """
    for name, message in errors.items():
        target = form._fields.get(name)
        if name.startswith("topics-") and "topics" in form._fields:
            _, index, sub = name.split("-", 2)
            entries = form.topics.entries
            target = entries[int(index)].form._fields.get(sub) if int(index) < len(entries) else None
        elif name == "topics" and hasattr(form, "topic_errors"):
            form.topic_errors.append(message)
            continue
        if target is None:
            target = next(iter(form._fields.values()))
        target.errors = [*target.errors, message] if isinstance(target.errors, list) else [message]


class TopicForm(Form):
    """One self-assessment topic; a blank row is ignored."""

    title_en = StringField(_l("Topic in English"), validators=[Optional(), Length(max=200)])
    title_fr = StringField(_l("Topic in French"), validators=[Optional(), Length(max=200)])
    title_es = StringField(_l("Topic in Spanish"), validators=[Optional(), Length(max=200)])


class EvaluationForm(FlaskForm):
    """The secretariat's settings: the topics and the last day to answer."""

    closes_on = DateField(_l("Last day to answer"), validators=[
        InputRequired(message=_l("Give the last day to answer.")),
        # Far enough for any evaluation; the answer period ends the next day, which must exist.
        DateRange(max=date(2199, 12, 31), message=_l("Give a day before the year 2200."))])
    topics = FieldList(FormField(TopicForm), label=_l("Self-assessment topics"), max_entries=MAX_TOPICS + 4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic_errors: list = []

    def fill(self, evaluation: Evaluation | None, event: Event, closes_at: datetime) -> None:
        """The current values, and blank rows to add topics (there is no script to add them)."""
        self.closes_on.data = closes_at.astimezone(ZoneInfo(event.timezone)).date()
        for topic in evaluation.topics if evaluation is not None else []:
            self.topics.append_entry({"title_en": topic.title_en, "title_fr": topic.title_fr,
                                      "title_es": topic.title_es})
        for _ in range(BLANK_TOPIC_ROWS):
            self.topics.append_entry()

    def topic_data(self) -> list[TopicData]:
        return [TopicData(row.form.title_en.data or "", row.form.title_fr.data or "", row.form.title_es.data or "")
                for row in self.topics.entries]

    def closes_at(self, event: Event) -> datetime:
        """The end of the chosen day in the workshop's zone."""
        day = self.closes_on.data + timedelta(days=1)
        return datetime.combine(day, time(0), tzinfo=ZoneInfo(event.timezone))


class ActionForm(FlaskForm):
    """A button that does one thing (open, close, invite): only the CSRF token."""


def _score(value):
    """A level from the form: None when left blank; anything else an int (out of range: the service says so)."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _labels():
    return {
        1: _l("1 (not useful)"), 2: "2", 3: "3", 4: "4", 5: _l("5 (very useful)"),
    }


def _level_choices():
    return [("", str(_l("Choose a level"))), *((str(s), str(s)) for s in SCORES)]


def _rating_choices():
    labels = _labels()
    return [("", str(_l("Did not attend"))), *((str(s), str(labels[s])) for s in SCORES)]


class AnswerForm(FlaskForm):
    comments = TextAreaField(_l("Comments: what worked, what to change for the next workshop (optional)"),
                             validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)])


def answer_form(evaluation: Evaluation, language: str, response=None, **kwargs) -> AnswerForm:
    """A form with a rating per session and two levels per topic of `evaluation`, filled from `response`."""

    class Form_(AnswerForm):
        pass

    for item in evaluation.sessions:
        setattr(Form_, f"session_{item.id}", RadioField(
            item.title, choices=_rating_choices,
            coerce=_score, validate_choice=False, default=None))
    for topic in evaluation.topics:
        title = topic.title_in(language)
        setattr(Form_, f"topic_{topic.id}_before", SelectField(
            _l("%(topic)s: my level before the workshop", topic=title), choices=_level_choices,
            coerce=_score, validate_choice=False, default=None))
        setattr(Form_, f"topic_{topic.id}_after", SelectField(
            _l("%(topic)s: my level now", topic=title), choices=_level_choices,
            coerce=_score, validate_choice=False, default=None))
    data = None
    if response is not None:
        data = {"comments": response.comments}
        data.update({f"session_{r.session_id}": r.rating for r in response.ratings})
        for a in response.assessments:
            data[f"topic_{a.topic_id}_before"] = a.level_before
            data[f"topic_{a.topic_id}_after"] = a.level_after
    form = Form_(data=data, **kwargs)
    form.session_fields = [(item, form[f"session_{item.id}"]) for item in evaluation.sessions]
    form.topic_fields = [(topic, form[f"topic_{topic.id}_before"], form[f"topic_{topic.id}_after"])
                         for topic in evaluation.topics]
    return form


def answers_from(form: AnswerForm) -> Answers:
    """The submitted values as plain data for the services."""
    return Answers(
        ratings={item.id: field.data for item, field in form.session_fields},
        assessments={topic.id: (before.data, after.data) for topic, before, after in form.topic_fields},
        comments=form.comments.data or "",
    )
