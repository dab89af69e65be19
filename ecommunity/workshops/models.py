"""Registration for regional pre-COP training workshops: settings, registrations and their audit log.

A workshop is an event of type `pre-cop-workshop`; its `Workshop` row holds the registration
settings. Seats are decided by one service function (`services.rebalance`) under a lock on the
workshop row, so seats held never exceed the capacity nor a country's quota.
"""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecommunity.accounts.models import User
from ecommunity.database import UTCDateTime, sql_list, utcnow
from ecommunity.events.models import Event
from ecommunity.extensions import db


class RegistrationState(enum.StrEnum):
    PENDING = "pending"  # holds a seat, awaiting the secretariat's approval
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


REGISTRATION_STATES = {
    RegistrationState.PENDING: _l("Awaiting approval"),
    RegistrationState.CONFIRMED: _l("Confirmed"),
    RegistrationState.WAITLISTED: _l("On the waiting list"),
    RegistrationState.REJECTED: _l("Rejected"),
    RegistrationState.WITHDRAWN: _l("Withdrawn"),
}

SEAT_STATES = (RegistrationState.PENDING, RegistrationState.CONFIRMED)
ACTIVE_STATES = (RegistrationState.PENDING, RegistrationState.CONFIRMED, RegistrationState.WAITLISTED)



class Workshop(db.Model):
    """The registration settings of a training workshop (one per event)."""

    __tablename__ = "workshop"
    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("country_quota IS NULL OR country_quota > 0", name="quota_positive"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column()
    country_quota: Mapped[int | None] = mapped_column()  # None: no per-country limit
    # Eligibility: empty lists mean every region / country; roles who may register themselves.
    eligible_regions: Mapped[list] = mapped_column(JSON, default=list)
    eligible_countries: Mapped[list] = mapped_column(JSON, default=list)
    eligible_roles: Mapped[list] = mapped_column(JSON, default=lambda: ["member"])
    approval_required: Mapped[bool] = mapped_column(Boolean, default=False)
    working_languages: Mapped[list] = mapped_column(JSON, default=lambda: ["en"])
    # Free-form questions: [{"key": "q1", "label": "..."}]; keys stay stable when labels change.
    questions: Mapped[list] = mapped_column(JSON, default=list)
    # The next arrival number: waitlist order is by `Registration.queue_rank`.
    next_rank: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped[Event] = relationship()

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at

    def __repr__(self) -> str:
        return f"<Workshop {self.id} event={self.event_id} capacity={self.capacity}>"


class Registration(db.Model):
    """One person's registration for a workshop, with their answers."""

    __tablename__ = "registration"
    __table_args__ = (
        CheckConstraint(f"state IN ({sql_list(RegistrationState)})", name="state_known"),
        CheckConstraint("departure_date IS NULL OR arrival_date IS NULL OR departure_date >= arrival_date",
                        name="departure_after_arrival"),
        # One active registration per person per workshop, held by the database.
        Index(
            "uq_registration_active", "workshop_id", "user_id", unique=True,
            sqlite_where=text(f"state IN ({sql_list(ACTIVE_STATES)})"),
            postgresql_where=text(f"state IN ({sql_list(ACTIVE_STATES)})"),
        ),
        Index("ix_registration_workshop_state_rank", "workshop_id", "state", "queue_rank"),
        Index("ix_registration_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20))
    # The country and region the seat counts against, as they were when the person registered.
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(40))
    # Arrival order (reordered by the secretariat for the waiting list); unique per workshop.
    queue_rank: Mapped[int] = mapped_column()
    rejection_reason: Mapped[str] = mapped_column(String(500), default="")
    travel_support: Mapped[bool] = mapped_column(Boolean, default=False)
    visa_letter: Mapped[bool] = mapped_column(Boolean, default=False)
    arrival_date: Mapped[date | None] = mapped_column(Date)
    departure_date: Mapped[date | None] = mapped_column(Date)
    dietary_needs: Mapped[str] = mapped_column(String(300), default="")
    material_language: Mapped[str] = mapped_column(String(5), default="en")
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # free-form question key -> answer
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    workshop: Mapped[Workshop] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    # Not stored: the waiting-list position `services.register` found, for its caller and mails.
    position = None

    @property
    def holds_seat(self) -> bool:
        return self.state in SEAT_STATES

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    def __repr__(self) -> str:
        return f"<Registration {self.id} workshop={self.workshop_id} user={self.user_id} {self.state}>"


class RegistrationLog(db.Model):
    """The audit log: every action on a registration, who did it and when."""

    __tablename__ = "registration_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str] = mapped_column(String(20), default="")
    to_state: Mapped[str] = mapped_column(String(20), default="")
    detail: Mapped[str] = mapped_column(Text, default="")

    registration: Mapped[Registration] = relationship()
    actor: Mapped[User | None] = relationship()
