"""Evaluations of training workshops: what participants thought of each session and what they learnt.

An evaluation belongs to one event (a regional pre-COP workshop). When it opens, the event's agenda
is copied into `EvaluationSession` rows: later edits of the agenda (the events code replaces its
sessions on every change) never delete the ratings already given.
"""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecommunity.database import UTCDateTime, utcnow
from ecommunity.events.models import Event
from ecommunity.extensions import db

MIN_SCORE, MAX_SCORE = 1, 5
SCORES = tuple(range(MIN_SCORE, MAX_SCORE + 1))


class EvaluationStatus(enum.StrEnum):
    DRAFT = "draft"  # the secretariat prepares the topics; participants cannot see it
    OPEN = "open"  # participants answer and may change their answers until it closes
    CLOSED = "closed"  # closed by the secretariat; the deadline passing closes it as well


EVALUATION_STATUSES = {
    EvaluationStatus.DRAFT: _l("Draft"),
    EvaluationStatus.OPEN: _l("Open"),
    EvaluationStatus.CLOSED: _l("Closed"),
}

_SCORE_RANGE = f"BETWEEN {MIN_SCORE} AND {MAX_SCORE}"


class Evaluation(db.Model):
    __tablename__ = "evaluation"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One evaluation per event, held by the database.
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=EvaluationStatus.DRAFT.value)
    # Answers are accepted until this instant (or until the secretariat closes it earlier).
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    topics: Mapped[list["EvaluationTopic"]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan",
        order_by="[EvaluationTopic.position, EvaluationTopic.id]",
    )
    sessions: Mapped[list["EvaluationSession"]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan",
        order_by="[EvaluationSession.position, EvaluationSession.id]",
    )

    def is_closed(self, now: datetime | None = None) -> bool:
        """Closed by hand, or open past its deadline."""
        if self.status == EvaluationStatus.CLOSED:
            return True
        return self.status == EvaluationStatus.OPEN and (now or utcnow()) >= self.closes_at

    def is_open(self, now: datetime | None = None) -> bool:
        return self.status == EvaluationStatus.OPEN and (now or utcnow()) < self.closes_at

    def __repr__(self) -> str:
        return f"<Evaluation {self.id} event={self.event_id} {self.status}>"


class EvaluationTopic(db.Model):
    """A subject of the before/after self-assessment ("national reporting"), in up to three languages."""

    __tablename__ = "evaluation_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    title_es: Mapped[str] = mapped_column(String(200), default="")

    evaluation: Mapped[Evaluation] = relationship(back_populates="topics")

    def title_in(self, language: str) -> str:
        """The title in `language`, or the English one when that translation is missing."""
        if language in ("fr", "es"):
            text = getattr(self, f"title_{language}")
            if text.strip():
                return text
        return self.title_en


class EvaluationSession(db.Model):
    """A session of the agenda as it stood when the evaluation opened: what participants rate."""

    __tablename__ = "evaluation_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    agenda_session_id: Mapped[int | None] = mapped_column(ForeignKey("event_session.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())

    evaluation: Mapped[Evaluation] = relationship(back_populates="sessions")


class EvaluationInvitation(db.Model):
    """A confirmed participant invited to answer: who may answer, and the response rate's denominator."""

    __tablename__ = "evaluation_invitation"

    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    evaluation: Mapped[Evaluation] = relationship()


class EvaluationResponse(db.Model):
    """One participant's answers. The secretariat sees them only pooled, never with a name."""

    __tablename__ = "evaluation_response"
    __table_args__ = (UniqueConstraint("evaluation_id", "user_id", name="uq_evaluation_response_participant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id", ondelete="CASCADE"))
    # Kept only to let the participant change their answers; the answers outlive a deleted account.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    comments: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    ratings: Mapped[list["SessionRating"]] = relationship(
        back_populates="response", cascade="all, delete-orphan")
    assessments: Mapped[list["TopicAssessment"]] = relationship(
        back_populates="response", cascade="all, delete-orphan")


class SessionRating(db.Model):
    """How useful a session was, 1 to 5; no row when the participant did not attend it."""

    __tablename__ = "evaluation_rating"
    __table_args__ = (
        CheckConstraint(f"rating {_SCORE_RANGE}", name="rating_in_range"),
        Index("ix_evaluation_rating_session_id", "session_id"),
    )

    response_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_response.id", ondelete="CASCADE"), primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_session.id", ondelete="CASCADE"), primary_key=True)
    rating: Mapped[int]

    response: Mapped[EvaluationResponse] = relationship(back_populates="ratings")


class TopicAssessment(db.Model):
    """A participant's own level on a topic before and after the workshop, each 1 to 5."""

    __tablename__ = "evaluation_assessment"
    __table_args__ = (
        CheckConstraint(f"level_before {_SCORE_RANGE}", name="before_in_range"),
        CheckConstraint(f"level_after {_SCORE_RANGE}", name="after_in_range"),
        Index("ix_evaluation_assessment_topic_id", "topic_id"),
    )

    response_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_response.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_topic.id", ondelete="CASCADE"), primary_key=True)
    level_before: Mapped[int]
    level_after: Mapped[int]

    response: Mapped[EvaluationResponse] = relationship(back_populates="assessments")
