"""Events of the CMS family: COPs, committees, meetings of the instruments, workshops, webinars."""

import enum
import uuid
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecommunity.database import UTCDateTime, sql_list, utcnow
from ecommunity.extensions import db

LANGUAGES = ("en", "fr", "es")


class EventType(enum.StrEnum):
    COP = "cop"
    STANDING_COMMITTEE = "standing-committee"
    SCIENTIFIC_COUNCIL = "scientific-council"
    MEETING_OF_PARTIES = "mop"  # Meeting of the Parties of an Agreement, or of the Signatories of an MOU
    PRE_COP_WORKSHOP = "pre-cop-workshop"
    WEBINAR = "webinar"
    OTHER = "other"


EVENT_TYPES = {
    EventType.COP: _l("Conference of the Parties (COP)"),
    EventType.STANDING_COMMITTEE: _l("Standing Committee"),
    EventType.SCIENTIFIC_COUNCIL: _l("Scientific Council"),
    EventType.MEETING_OF_PARTIES: _l("Meeting of the Parties or Signatories of an instrument"),
    EventType.PRE_COP_WORKSHOP: _l("Regional pre-COP workshop"),
    EventType.WEBINAR: _l("Webinar"),
    EventType.OTHER: _l("Other meeting"),
}


class EventStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    POSTPONED = "postponed"  # moved to later dates; `postponed_from` keeps the first planned start
    CANCELLED = "cancelled"  # stays listed, marked as cancelled, and STATUS:CANCELLED in feeds


EVENT_STATUSES = {
    EventStatus.SCHEDULED: _l("Scheduled"),
    EventStatus.POSTPONED: _l("Postponed"),
    EventStatus.CANCELLED: _l("Cancelled"),
}



class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint(f"event_type IN ({sql_list(EventType)})", name="type_known"),
        CheckConstraint(f"status IN ({sql_list(EventStatus)})", name="status_known"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("end_date >= start_date", name="end_date_not_before_start"),
        CheckConstraint("country IS NOT NULL OR online_url <> ''", name="has_place"),
        Index("ix_event_starts_at", "starts_at"),
        Index("ix_event_ends_at", "ends_at"),
        Index("ix_event_start_date", "start_date"),
        Index("ix_event_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The iCalendar UID and the Atom entry id: a UUID fixed at creation, whatever the host is.
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    title_es: Mapped[str] = mapped_column(String(200), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")
    event_type: Mapped[str] = mapped_column(String(30))
    region: Mapped[str | None] = mapped_column(String(40), index=True)  # None: global
    # Public events are shown to visitors who are not logged in and in the public feeds.
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    city: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str | None] = mapped_column(String(2))
    online_url: Mapped[str] = mapped_column(String(500), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    # The instants in UTC; for all-day events, local midnight of the first day to local
    # midnight after the last one, so every event sorts and filters the same way.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The first and last calendar day in the event's own zone (inclusive): the month grid.
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    organiser_name: Mapped[str] = mapped_column(String(200), default="")
    organiser_email: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.SCHEDULED.value)
    status_note: Mapped[str] = mapped_column(String(500), default="")
    postponed_from: Mapped[date | None] = mapped_column(Date)
    # iCalendar SEQUENCE: raised by the services on every change.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    instrument_links: Mapped[list["EventInstrument"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventInstrument.instrument",
    )
    sessions: Mapped[list["AgendaSession"]] = relationship(
        back_populates="event", cascade="all, delete-orphan",
        order_by="[AgendaSession.starts_at, AgendaSession.id]",
    )
    documents: Mapped[list["EventDocument"]] = relationship(
        back_populates="event", cascade="all, delete-orphan",
        order_by="[EventDocument.position, EventDocument.id]",
    )

    @property
    def instruments(self) -> list[str]:
        return [link.instrument for link in self.instrument_links]

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_postponed(self) -> bool:
        return self.status == EventStatus.POSTPONED

    def title_in(self, language: str) -> str:
        """The title in `language`, or the English one when that translation is missing."""
        return self.text_in("title", language)[0]

    def text_in(self, field: str, language: str) -> tuple[str, str]:
        """(text, language it is in) for `title` or `description`, falling back to English."""
        if language in LANGUAGES and language != "en":
            text = getattr(self, f"{field}_{language}")
            if text.strip():
                return text, language
        return getattr(self, f"{field}_en"), "en"

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title_en!r} {self.start_date}>"


class EventInstrument(db.Model):
    """An instrument of the CMS family (CMS, AEWA, a MOU...) the event concerns."""

    __tablename__ = "event_instrument"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    instrument: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    event: Mapped[Event] = relationship(back_populates="instrument_links")


class AgendaSession(db.Model):
    """One session of an event's agenda, with its own times (stored in UTC)."""

    __tablename__ = "event_session"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship(back_populates="sessions")


class EventDocument(db.Model):
    """A link to a document of the meeting: agenda, working documents, report."""

    __tablename__ = "event_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(1000))

    event: Mapped[Event] = relationship(back_populates="documents")


class EventsVersion(db.Model):
    """A single row that the services move with every change to any event.

    Its version is the validator of every feed: a conditional request reads one row by its
    primary key, whatever the number of events, and a feed is rendered again only after a change.
    """

    __tablename__ = "event_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
