"""Evaluations of training workshops: preparing and opening them, answering, and the pooled results.

Functions take plain values and flush; the caller (a view, the seeding, a test) commits.
Who may answer is decided by the workshops' registrations (`is_confirmed_participant`); the
secretariat sees results pooled over all participants and comments without names.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, raiseload

from ecommunity.accounts.models import User
from ecommunity.database import take_sqlite_write_lock, utcnow
from ecommunity.evaluations.models import (
    MAX_SCORE,
    SCORES,
    Evaluation,
    EvaluationInvitation,
    EvaluationResponse,
    EvaluationSession,
    EvaluationStatus,
    EvaluationTopic,
    SessionRating,
    TopicAssessment,
)
from ecommunity.events.models import Event, EventStatus, EventType
from ecommunity.extensions import db
from ecommunity.forums.notifications import mail_context
from ecommunity.mail.services import queue_templated_mail
from ecommunity.workshops.services import confirmed_participants, is_confirmed_participant

# How long participants have to answer, by default, after the workshop ends.
DEFAULT_ANSWER_DAYS = 21
MAX_TOPICS = 12
MAX_COMMENT_LENGTH = 5000


class EvaluationInvalid(ValueError):
    """Input that breaks a rule; `errors` maps a form field name to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid: " + ", ".join(errors))
        self.errors = errors


class EvaluationUnavailable(Exception):
    """The person may not answer now: `message` says why, `status` is the HTTP answer (403 or 409)."""

    def __init__(self, message, status: int):
        super().__init__(str(message))
        self.message = message
        self.status = status


# --- the participants (decided by the workshop registrations) ----------------------------------


def is_participant(evaluation: Evaluation, user) -> bool:
    """A confirmed participant of the evaluated workshop."""
    return bool(user.is_authenticated) and is_confirmed_participant(evaluation.event_id, user.id)


def _participants(evaluation: Evaluation) -> list[User]:
    return list(confirmed_participants(evaluation.event_id))


# --- preparing, opening and closing -------------------------------------------------------------


@dataclass
class TopicData:
    title_en: str
    title_fr: str = ""
    title_es: str = ""


def default_closing(event: Event) -> datetime:
    return event.ends_at + timedelta(days=DEFAULT_ANSWER_DAYS)


def _check_settings(event: Event, topics: list[TopicData], closes_at: datetime) -> list[TopicData]:
    errors: dict[str, str] = {}
    kept = [TopicData(t.title_en.strip(), t.title_fr.strip(), t.title_es.strip()) for t in topics]
    for index, topic in enumerate(kept):
        if not topic.title_en and (topic.title_fr or topic.title_es):
            errors[f"topics-{index}-title_en"] = _l("Give the topic a title in English.")
    kept = [topic for topic in kept if topic.title_en]
    if len(kept) > MAX_TOPICS:
        errors["topics"] = _l("An evaluation has at most %(n)s topics.", n=MAX_TOPICS)
    if closes_at <= event.ends_at:
        errors["closes_on"] = _l("The evaluation must close after the workshop ends.")
    if errors:
        raise EvaluationInvalid(errors)
    return kept


def create_evaluation(event: Event, topics: list[TopicData], closes_at: datetime | None = None,
                      author=None) -> Evaluation:
    """A draft evaluation of a workshop, with its self-assessment topics."""
    if event.event_type != EventType.PRE_COP_WORKSHOP:
        raise EvaluationInvalid({"topics": _l("Only training workshops are evaluated.")})
    if db.session.scalar(select(Evaluation.id).where(Evaluation.event_id == event.id)) is not None:
        raise EvaluationInvalid({"topics": _l("This workshop already has an evaluation.")})
    closes_at = closes_at or default_closing(event)
    kept = _check_settings(event, topics, closes_at)
    now = utcnow()
    evaluation = Evaluation(
        event=event, closes_at=closes_at, status=EvaluationStatus.DRAFT.value, created_at=now, updated_at=now,
        created_by_id=author.id if author is not None else None,
        topics=[EvaluationTopic(position=i, title_en=t.title_en, title_fr=t.title_fr, title_es=t.title_es)
                for i, t in enumerate(kept)],
    )
    db.session.add(evaluation)
    db.session.flush()
    return evaluation


def response_count(evaluation: Evaluation) -> int:
    return db.session.scalar(
        select(func.count()).select_from(EvaluationResponse).where(EvaluationResponse.evaluation_id == evaluation.id))


def update_evaluation(evaluation: Evaluation, topics: list[TopicData], closes_at: datetime,
                      now: datetime | None = None) -> None:
    """Change the topics (only while nobody has answered) and the closing time."""
    now = now or utcnow()
    kept = _check_settings(evaluation.event, topics, closes_at)
    if evaluation.status == EvaluationStatus.OPEN and closes_at <= now:
        raise EvaluationInvalid({"closes_on": _l("An open evaluation must close in the future. "
                                                 "To stop answers now, close it.")})
    current = [(t.title_en, t.title_fr, t.title_es) for t in evaluation.topics]
    wanted = [(t.title_en, t.title_fr, t.title_es) for t in kept]
    if current != wanted:
        if response_count(evaluation):
            raise EvaluationInvalid({"topics": _l(
                "Participants have answered already: the topics can no longer change.")})
        evaluation.topics = [EvaluationTopic(position=i, title_en=en, title_fr=fr, title_es=es)
                             for i, (en, fr, es) in enumerate(wanted)]
    evaluation.closes_at = closes_at
    evaluation.updated_at = now
    db.session.flush()


def open_evaluation(evaluation: Evaluation, now: datetime | None = None, notify: bool = True) -> int:
    """Open the evaluation once the workshop has ended and invite its participants; return how many."""
    now = now or utcnow()
    _lock(evaluation)
    event = evaluation.event
    if evaluation.is_open(now):
        raise EvaluationInvalid({"status": _l("The evaluation is open already.")})
    if event.status == EventStatus.CANCELLED:
        raise EvaluationInvalid({"status": _l("The workshop was cancelled: there is nothing to evaluate.")})
    if event.ends_at > now:
        raise EvaluationInvalid({"status": _l("The workshop has not ended yet: open the evaluation after it ends.")})
    if evaluation.closes_at <= now:
        raise EvaluationInvalid({"closes_on": _l("The closing date has passed: set a later one first.")})
    if not evaluation.sessions:
        evaluation.sessions = [
            EvaluationSession(position=i, agenda_session_id=item.id, title=item.title, starts_at=item.starts_at)
            for i, item in enumerate(event.sessions)
        ]
    if not evaluation.sessions and not evaluation.topics:
        raise EvaluationInvalid({"status": _l(
            "There is nothing to ask: the workshop has no agenda sessions and the evaluation no topics.")})
    evaluation.status = EvaluationStatus.OPEN.value
    evaluation.opened_at = evaluation.opened_at or now
    evaluation.closed_at = None
    evaluation.updated_at = now
    db.session.flush()
    return invite_participants(evaluation, now=now, notify=notify)


def invite_participants(evaluation: Evaluation, now: datetime | None = None, notify: bool = True) -> int:
    """Invite the confirmed participants not invited yet, each by mail in their language; return how many."""
    now = now or utcnow()
    _lock(evaluation)
    invited = set(db.session.scalars(
        select(EvaluationInvitation.user_id).where(EvaluationInvitation.evaluation_id == evaluation.id)))
    fresh = [user for user in _participants(evaluation) if user.id not in invited]
    for user in fresh:
        db.session.add(EvaluationInvitation(evaluation_id=evaluation.id, user_id=user.id, sent_at=now))
        if notify:
            _send_invitation(evaluation, user)
    db.session.flush()
    return len(fresh)


def _lock(evaluation: Evaluation) -> None:
    """Serialise opening and inviting: a second click waits, then finds the work done (no mail twice)."""
    _sqlite_write_lock()
    db.session.refresh(evaluation, with_for_update=True)


def _send_invitation(evaluation: Evaluation, user: User) -> None:
    language = user.language if user.language in ("en", "fr", "es") else "en"
    try:
        zone = ZoneInfo(user.timezone or "UTC")
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    with mail_context():
        queue_templated_mail(
            user.email, "evaluation_invitation", language, headers={"Auto-Submitted": "auto-generated"},
            person=user, title=evaluation.event.title_in(language),
            closes_on=evaluation.closes_at.astimezone(zone).date(),
            link=url_for("evaluations.answer", evaluation_id=evaluation.id, _external=True),
        )


def close_evaluation(evaluation: Evaluation, now: datetime | None = None) -> None:
    """Stop accepting answers now; the results stay."""
    now = now or utcnow()
    if evaluation.status != EvaluationStatus.OPEN:
        raise EvaluationInvalid({"status": _l("Only an open evaluation can be closed.")})
    evaluation.status = EvaluationStatus.CLOSED.value
    evaluation.closed_at = now
    evaluation.closes_at = min(evaluation.closes_at, now)
    evaluation.updated_at = now
    db.session.flush()


# --- answering -----------------------------------------------------------------------------------


def check_may_answer(evaluation: Evaluation, user, now: datetime | None = None) -> None:
    """Raise EvaluationUnavailable unless `user` may answer (or change their answers) now."""
    now = now or utcnow()
    if not is_participant(evaluation, user):
        raise EvaluationUnavailable(_l(
            "Only the confirmed participants of this workshop can answer its evaluation."), 403)
    if evaluation.event.ends_at > now or evaluation.status == EvaluationStatus.DRAFT:
        raise EvaluationUnavailable(_l(
            "The evaluation is not open yet. You will receive an invitation by mail after the workshop."), 409)
    if evaluation.is_closed(now):
        raise EvaluationUnavailable(_l(
            "The evaluation is closed: answers are no longer accepted. Thank you for your interest."), 409)


def response_of(evaluation: Evaluation, user) -> EvaluationResponse | None:
    return db.session.scalar(select(EvaluationResponse).where(
        EvaluationResponse.evaluation_id == evaluation.id, EvaluationResponse.user_id == user.id))


@dataclass
class Answers:
    """What a participant entered: a rating per session id (None: did not attend), levels per topic id."""

    ratings: dict[int, int | None] = field(default_factory=dict)
    assessments: dict[int, tuple[int | None, int | None]] = field(default_factory=dict)
    comments: str = ""


def _check_answers(evaluation: Evaluation, answers: Answers) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    out_of_range = _l("Choose a level from 1 to %(n)s.", n=MAX_SCORE)
    session_ids = {s.id for s in evaluation.sessions}
    topic_ids = {t.id for t in evaluation.topics}
    ratings, assessments = {}, {}
    for session_id, value in answers.ratings.items():
        if session_id not in session_ids:
            errors[f"session_{session_id}"] = _l("This session is not part of the evaluation.")
        elif value is not None and value not in SCORES:
            errors[f"session_{session_id}"] = out_of_range
        elif value is not None:
            ratings[session_id] = value
    for topic_id, (before, after) in answers.assessments.items():
        if topic_id not in topic_ids:
            errors[f"topic_{topic_id}_before"] = _l("This topic is not part of the evaluation.")
            continue
        for name, value in (("before", before), ("after", after)):
            if value is not None and value not in SCORES:
                errors[f"topic_{topic_id}_{name}"] = out_of_range
        if (before is None) != (after is None):
            missing = "before" if before is None else "after"
            errors[f"topic_{topic_id}_{missing}"] = _l(
                "Give both levels, before and after the workshop, or neither.")
        elif before is not None and f"topic_{topic_id}_before" not in errors \
                and f"topic_{topic_id}_after" not in errors:
            assessments[topic_id] = (before, after)
    if len(answers.comments) > MAX_COMMENT_LENGTH:
        errors["comments"] = _l("Keep your comments under %(n)s characters.", n=MAX_COMMENT_LENGTH)
    if not errors and not ratings and not assessments and not answers.comments.strip():
        errors["comments"] = _l("Answer at least one question before sending.")
    if errors:
        raise EvaluationInvalid(errors)
    return ratings, assessments


def save_response(evaluation: Evaluation, user, answers: Answers, now: datetime | None = None) -> EvaluationResponse:
    """Record or replace the participant's answers; one response per participant, held by the database."""
    now = now or utcnow()
    check_may_answer(evaluation, user, now)
    ratings, assessments = _check_answers(evaluation, answers)
    _sqlite_write_lock()
    response = response_of(evaluation, user)
    if response is None:
        response = EvaluationResponse(evaluation_id=evaluation.id, user_id=user.id, submitted_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(response)
        except IntegrityError:  # the same person sent the form twice at once: keep one response
            response = response_of(evaluation, user)
    response.comments = answers.comments.strip()
    response.updated_at = now
    _replace(response.ratings, ratings, "session_id",
             lambda key, value: SessionRating(session_id=key, rating=value), lambda row, value: setattr(
                 row, "rating", value))
    _replace(response.assessments, assessments, "topic_id",
             lambda key, value: TopicAssessment(topic_id=key, level_before=value[0], level_after=value[1]),
             lambda row, value: (setattr(row, "level_before", value[0]), setattr(row, "level_after", value[1])))
    if db.session.get(EvaluationInvitation, (evaluation.id, user.id)) is None:
        # Confirmed after the invitations went out: counts among the invited from now on.
        db.session.add(EvaluationInvitation(evaluation_id=evaluation.id, user_id=user.id, sent_at=now))
    db.session.flush()
    return response


def _sqlite_write_lock() -> None:
    """SQLite: the write lock before reading the response. PostgreSQL needs nothing: the unique
    constraint and the savepoint below settle a double send."""
    take_sqlite_write_lock(db.session)


def _replace(rows: list, wanted: dict, key: str, make, change) -> None:
    existing = {getattr(row, key): row for row in rows}
    for row_key, row in existing.items():
        if row_key not in wanted:
            rows.remove(row)
    for row_key, value in wanted.items():
        if row_key in existing:
            change(existing[row_key], value)
        else:
            rows.append(make(row_key, value))


# --- results of one workshop ---------------------------------------------------------------------


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


@dataclass
class SessionResult:
    session: EvaluationSession
    distribution: list[int]  # answers giving 1, 2, 3, 4, 5

    @property
    def count(self) -> int:
        return sum(self.distribution)

    @property
    def mean(self) -> float | None:
        return _mean(sum(score * n for score, n in zip(SCORES, self.distribution, strict=True)), self.count)


@dataclass
class TopicResult:
    topic: EvaluationTopic
    count: int
    total_before: int
    total_after: int

    @property
    def mean_before(self) -> float | None:
        return _mean(self.total_before, self.count)

    @property
    def mean_after(self) -> float | None:
        return _mean(self.total_after, self.count)

    @property
    def gain(self) -> float | None:
        return _mean(self.total_after - self.total_before, self.count)


@dataclass
class Results:
    evaluation: Evaluation
    invited: int
    responses: int
    sessions: list[SessionResult]
    topics: list[TopicResult]
    comments: list[str]

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.responses / self.invited, 1) if self.invited else None


def results(evaluation: Evaluation) -> Results:
    """The pooled answers of one evaluation, in a fixed number of queries."""
    invited = db.session.scalar(select(func.count()).select_from(EvaluationInvitation)
                                .where(EvaluationInvitation.evaluation_id == evaluation.id))
    responses = response_count(evaluation)
    counts = db.session.execute(
        select(SessionRating.session_id, SessionRating.rating, func.count())
        .join(EvaluationSession, EvaluationSession.id == SessionRating.session_id)
        .where(EvaluationSession.evaluation_id == evaluation.id)
        .group_by(SessionRating.session_id, SessionRating.rating)
    ).all()
    distributions = {s.id: [0] * len(SCORES) for s in evaluation.sessions}
    for session_id, rating, n in counts:
        distributions[session_id][rating - SCORES[0]] = n
    levels = {
        topic_id: (n, before or 0, after or 0)
        for topic_id, n, before, after in db.session.execute(
            select(TopicAssessment.topic_id, func.count(), func.sum(TopicAssessment.level_before),
                   func.sum(TopicAssessment.level_after))
            .join(EvaluationTopic, EvaluationTopic.id == TopicAssessment.topic_id)
            .where(EvaluationTopic.evaluation_id == evaluation.id)
            .group_by(TopicAssessment.topic_id)
        )
    }
    comments = list(db.session.scalars(
        select(EvaluationResponse.comments)
        .where(EvaluationResponse.evaluation_id == evaluation.id, EvaluationResponse.comments != "")
        .order_by(EvaluationResponse.id)))
    return Results(
        evaluation=evaluation, invited=invited, responses=responses,
        sessions=[SessionResult(s, distributions[s.id]) for s in evaluation.sessions],
        topics=[TopicResult(t, *levels.get(t.id, (0, 0, 0))) for t in evaluation.topics],
        comments=comments,
    )


# --- across workshops ----------------------------------------------------------------------------


@dataclass
class OverviewRow:
    evaluation: Evaluation
    invited: int = 0
    responses: int = 0
    rating_count: int = 0
    rating_total: int = 0
    level_count: int = 0
    before_total: int = 0
    after_total: int = 0

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.responses / self.invited, 1) if self.invited else None

    @property
    def mean_rating(self) -> float | None:
        return _mean(self.rating_total, self.rating_count)

    @property
    def mean_before(self) -> float | None:
        return _mean(self.before_total, self.level_count)

    @property
    def mean_after(self) -> float | None:
        return _mean(self.after_total, self.level_count)

    @property
    def gain(self) -> float | None:
        return _mean(self.after_total - self.before_total, self.level_count)


def overview(page: int = 1, per_page: int = 20):
    """Every evaluation, the latest workshop first, with its pooled figures: (pagination, rows).

    Five queries whatever the number of evaluations or answers: the page, its count, and three
    grouped sums. Means pool every answer (a workshop with more answers weighs more in its own row
    only; workshops are never pooled together).
    """
    stmt = (
        select(Evaluation).join(Evaluation.event)
        .options(contains_eager(Evaluation.event))
        .order_by(Event.starts_at.desc(), Evaluation.id.desc())
    )
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    rows = {evaluation.id: OverviewRow(evaluation) for evaluation in pagination.items}
    if rows:
        ids = list(rows)
        for evaluation_id, n in db.session.execute(
                select(EvaluationInvitation.evaluation_id, func.count())
                .where(EvaluationInvitation.evaluation_id.in_(ids)).group_by(EvaluationInvitation.evaluation_id)):
            rows[evaluation_id].invited = n
        for evaluation_id, n in db.session.execute(
                select(EvaluationResponse.evaluation_id, func.count())
                .where(EvaluationResponse.evaluation_id.in_(ids)).group_by(EvaluationResponse.evaluation_id)):
            rows[evaluation_id].responses = n
        for evaluation_id, n, total in db.session.execute(
                select(EvaluationSession.evaluation_id, func.count(), func.sum(SessionRating.rating))
                .join(SessionRating, SessionRating.session_id == EvaluationSession.id)
                .where(EvaluationSession.evaluation_id.in_(ids)).group_by(EvaluationSession.evaluation_id)):
            rows[evaluation_id].rating_count, rows[evaluation_id].rating_total = n, total or 0
        for evaluation_id, n, before, after in db.session.execute(
                select(EvaluationTopic.evaluation_id, func.count(), func.sum(TopicAssessment.level_before),
                       func.sum(TopicAssessment.level_after))
                .join(TopicAssessment, TopicAssessment.topic_id == EvaluationTopic.id)
                .where(EvaluationTopic.evaluation_id.in_(ids)).group_by(EvaluationTopic.evaluation_id)):
            row = rows[evaluation_id]
            row.level_count, row.before_total, row.after_total = n, before or 0, after or 0
    return pagination, list(rows.values())


def evaluations_of(user) -> list[tuple[Evaluation, bool]]:
    """The evaluations `user` was invited to, latest workshop first, with whether they answered."""
    answered = (
        select(EvaluationResponse.id)
        .where(EvaluationResponse.evaluation_id == Evaluation.id, EvaluationResponse.user_id == user.id)
        .exists()
    )
    stmt = (
        select(Evaluation, answered).join(Evaluation.event)
        .join(EvaluationInvitation, EvaluationInvitation.evaluation_id == Evaluation.id)
        .where(EvaluationInvitation.user_id == user.id, Evaluation.status != EvaluationStatus.DRAFT)
        .options(contains_eager(Evaluation.event))
        .order_by(Event.starts_at.desc(), Evaluation.id.desc())
        .limit(50)
    )
    return [(evaluation, bool(done)) for evaluation, done in db.session.execute(stmt)]


# --- exports -------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_text(value) -> str:
    """A cell of text that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _number(value) -> str:
    return "" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def to_csv(rows: list[list[str]]) -> str:
    """CSV that Excel opens as UTF-8: a byte-order mark, commas, CRLF line ends."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()


def results_csv(result: Results, language: str) -> str:
    """One workshop's results: a row per session, a row per topic, a row per comment."""
    header = [str(_l("Part")), str(_l("Question")), str(_l("Answers")), str(_l("Mean")),
              *(str(_l("Rated %(n)s", n=score)) for score in SCORES),
              str(_l("Mean before")), str(_l("Mean after")), str(_l("Gain"))]
    rows = [header]
    for item in result.sessions:
        rows.append([str(_l("Session")), csv_text(item.session.title), _number(item.count), _number(item.mean),
                     *(_number(n) for n in item.distribution), "", "", ""])
    for item in result.topics:
        rows.append([str(_l("Topic")), csv_text(item.topic.title_in(language)), _number(item.count), "",
                     *([""] * len(SCORES)), _number(item.mean_before), _number(item.mean_after),
                     _number(item.gain)])
    for text in result.comments:
        rows.append([str(_l("Comment")), csv_text(text), *([""] * (len(header) - 2))])
    return to_csv(rows)


def overview_csv(rows: list[OverviewRow], language: str) -> str:
    """Every workshop's figures, one row each."""
    header = [str(_l("Workshop")), str(_l("First day")), str(_l("Region")), str(_l("Status")),
              str(_l("Invited")), str(_l("Answers")), str(_l("Response rate (%)")),
              str(_l("Mean session rating")), str(_l("Mean before")), str(_l("Mean after")), str(_l("Gain"))]
    out = [header]
    for row in rows:
        event = row.evaluation.event
        out.append([csv_text(event.title_in(language)), event.start_date.isoformat(), csv_text(event.region or ""),
                    row.evaluation.status, _number(row.invited), _number(row.responses),
                    _number(row.response_rate), _number(row.mean_rating), _number(row.mean_before),
                    _number(row.mean_after), _number(row.gain)])
    return to_csv(out)


def workshops_without_evaluation(limit: int = 10) -> list[Event]:
    """The latest training workshops (past or coming) that have no evaluation yet, latest first."""
    stmt = (
        select(Event)
        .where(Event.event_type == EventType.PRE_COP_WORKSHOP.value, Event.status != EventStatus.CANCELLED.value,
               ~select(Evaluation.id).where(Evaluation.event_id == Event.id).exists())
        .order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit).options(raiseload("*"))
    )
    return list(db.session.scalars(stmt))
