"""Workshop registration: settings, the seat decision, the participants' and secretariat's actions.

Every function flushes and never commits; the caller (view, CLI, seeding) commits once.

Seats are decided in one place, `rebalance()`, always after `lock_workshop()` has serialised the
decisions of one workshop in the database: `SELECT ... FOR UPDATE` on PostgreSQL, the database
write lock (`BEGIN IMMEDIATE`) on SQLite. Register, withdraw, reject and a raised capacity all
end in `rebalance()`: the first waitlisted person in queue order whose country still has quota is
given the free seat. So seats held (pending + confirmed) never exceed the capacity nor a
country's quota, whatever the number of web processes.

Every registration of a workshop waits for that lock, so `register()` holds it for as little as
it can: it prepares the registration first, then takes the lock and its arrival number with one
`UPDATE ... RETURNING`, counts the seats with one query, and writes three rows (the registration,
its log line, its mail in the outbox; one statement on PostgreSQL) before the caller commits.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, bindparam, func, insert, literal_column, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ecommunity.accounts.models import User
from ecommunity.database import take_sqlite_write_lock, utcnow
from ecommunity.events.models import Event, EventType
from ecommunity.extensions import db
from ecommunity.mail.services import mail_queued, outbox_row, queue_row
from ecommunity.workshops.models import (
    ACTIVE_STATES,
    SEAT_STATES,
    Registration,
    RegistrationLog,
    RegistrationState,
    Workshop,
)

REMINDER_BEFORE = timedelta(days=7)


class RegistrationRefused(Exception):
    """A registration or change the rules refuse; `message` is shown to the person, `field` names the input."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class WorkshopInvalid(Exception):
    """Workshop settings that do not hold together; `errors` maps field names to messages."""

    def __init__(self, errors: dict):
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


# --- the contract other features use ---------------------------------------------------------------


def workshop_for_event(event_id: int) -> Workshop | None:
    """The registration settings of an event, or None when it takes no registrations."""
    return db.session.scalar(db.select(Workshop).where(Workshop.event_id == event_id))


def confirmed_participants(event_id: int) -> list[User]:
    """The people with a confirmed registration for the event's workshop, by name."""
    return list(db.session.scalars(
        db.select(User).join(Registration, Registration.user_id == User.id)
        .join(Workshop, Workshop.id == Registration.workshop_id)
        .where(Workshop.event_id == event_id, Registration.state == RegistrationState.CONFIRMED.value)
        .order_by(User.full_name, User.id)
    ))


def is_confirmed_participant(event_id: int, user_id: int) -> bool:
    """True when the person holds a confirmed registration for the event's workshop."""
    return db.session.scalar(
        db.select(func.count(Registration.id))
        .join(Workshop, Workshop.id == Registration.workshop_id)
        .where(Workshop.event_id == event_id, Registration.user_id == user_id,
               Registration.state == RegistrationState.CONFIRMED.value)
    ) > 0


# --- settings ------------------------------------------------------------------------------------


@dataclass
class WorkshopSettings:
    """What the secretariat sets for a workshop's registration."""

    opens_at: datetime
    closes_at: datetime
    capacity: int
    country_quota: int | None = None
    eligible_regions: list[str] = field(default_factory=list)
    eligible_countries: list[str] = field(default_factory=list)
    eligible_roles: list[str] = field(default_factory=lambda: ["member"])
    approval_required: bool = False
    working_languages: list[str] = field(default_factory=lambda: ["en"])
    questions: list[str] = field(default_factory=list)  # labels of the free-form questions


def settings_of(workshop: Workshop) -> WorkshopSettings:
    """The current settings, to fill the form."""
    return WorkshopSettings(
        opens_at=workshop.opens_at, closes_at=workshop.closes_at, capacity=workshop.capacity,
        country_quota=workshop.country_quota, eligible_regions=list(workshop.eligible_regions),
        eligible_countries=list(workshop.eligible_countries), eligible_roles=list(workshop.eligible_roles),
        approval_required=workshop.approval_required, working_languages=list(workshop.working_languages),
        questions=[q["label"] for q in workshop.questions],
    )


def _check_settings(event: Event, settings: WorkshopSettings) -> None:
    errors = {}
    if event.event_type != EventType.PRE_COP_WORKSHOP:
        errors["event"] = _l("Only a regional pre-COP workshop takes registrations.")
    if settings.closes_at <= settings.opens_at:
        errors["closes_at"] = _l("Registration must close after it opens.")
    if settings.capacity < 0:
        errors["capacity"] = _l("The number of seats cannot be negative.")
    if settings.country_quota is not None and settings.country_quota < 1:
        errors["country_quota"] = _l("The seats per country must be at least 1, or left empty.")
    if not settings.eligible_roles:
        errors["eligible_roles"] = _l("Choose at least one role that may register.")
    if not settings.working_languages:
        errors["working_languages"] = _l("Choose at least one working language.")
    if errors:
        raise WorkshopInvalid(errors)


def _questions(existing: list[dict], labels: list[str]) -> list[dict]:
    """Keep each question's key when its label is kept, so answers stay attached to it."""
    by_label = {q["label"]: q["key"] for q in existing}
    used = {int(q["key"][1:]) for q in existing if q["key"][1:].isdigit()}
    next_key = max(used, default=0) + 1
    result = []
    for label in (text.strip() for text in labels):
        if not label:
            continue
        key = by_label.pop(label, None)
        if key is None:
            key, next_key = f"q{next_key}", next_key + 1
        result.append({"key": key, "label": label})
    return result


def save_workshop(event: Event, settings: WorkshopSettings, actor: User | None = None) -> Workshop:
    """Create or update an event's registration settings; a raised capacity or quota promotes at once."""
    _check_settings(event, settings)
    workshop = workshop_for_event(event.id)
    if workshop is None:
        workshop = Workshop(event_id=event.id, event=event, questions=[], next_rank=1, capacity=0,
                            opens_at=settings.opens_at, closes_at=settings.closes_at)
        db.session.add(workshop)
        db.session.flush()
    workshop = lock_workshop(workshop.id)
    workshop.opens_at, workshop.closes_at = settings.opens_at, settings.closes_at
    workshop.capacity, workshop.country_quota = settings.capacity, settings.country_quota
    workshop.eligible_regions = sorted(set(settings.eligible_regions))
    workshop.eligible_countries = sorted(set(settings.eligible_countries))
    workshop.eligible_roles = sorted(set(settings.eligible_roles))
    workshop.approval_required = settings.approval_required
    workshop.working_languages = list(dict.fromkeys(settings.working_languages))
    workshop.questions = _questions(workshop.questions or [], settings.questions)
    workshop.updated_at = utcnow()
    db.session.flush()
    from ecommunity.workshops import mails

    for promoted in rebalance(workshop, actor):
        mails.promoted(promoted)
    return workshop


# --- the lock and the seat decision ----------------------------------------------------------------


def lock_workshop(workshop_id: int) -> Workshop:
    """Serialise seat decisions for one workshop until the transaction ends; returns it fresh.

    PostgreSQL: a row lock (`FOR UPDATE`); other transactions wait on it and then read what the
    first committed. SQLite: the database write lock, taken with `BEGIN IMMEDIATE` before any
    read of this transaction, so the busy timeout applies and no stale snapshot can be upgraded.
    """
    # Already in a write transaction, SQLite holds the write lock since that transaction's first write.
    take_sqlite_write_lock(db.session)
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise LookupError(f"no workshop {workshop_id}")
    # Re-read the columns under the lock; relationships (the event) stay loaded.
    db.session.refresh(workshop, attribute_names=_WORKSHOP_COLUMNS, with_for_update=True)
    return workshop


_WORKSHOP_COLUMNS = [column.key for column in Workshop.__table__.columns]


def _state_in(states) -> ColumnElement[bool]:
    """`registration.state IN ('a', 'b')` with the values written in the SQL, not expanded on each run."""
    return Registration.state.in_([literal_column(f"'{state.value}'") for state in states])


# The statements of a registration, built once: building one costs more than running it.
_workshop_table = Workshop.__table__
_SEAT_SETTINGS = ("capacity", "country_quota", "approval_required", "next_rank")  # what the decision reads
_LOCK_AND_TAKE_RANK = (
    update(_workshop_table).where(_workshop_table.c.id == bindparam("workshop_id"))
    .values(next_rank=_workshop_table.c.next_rank + 1).returning(*(_workshop_table.c[k] for k in _SEAT_SETTINGS))
)
_ACTIVE, _MINE = _state_in(ACTIVE_STATES), Registration.user_id == bindparam("user_id")
_SEAT_COUNTS = (
    db.select(Registration.country, func.count().filter(_state_in(SEAT_STATES)),
              func.count().filter(_state_in([RegistrationState.WAITLISTED])),
              func.count().filter(_MINE & _ACTIVE),
              func.count().filter(_MINE & _state_in([RegistrationState.REJECTED])))
    .where(Registration.workshop_id == bindparam("workshop_id"), _ACTIVE | _MINE)
    .group_by(Registration.country)
)


def _lock_and_take_rank(workshop: Workshop) -> tuple[Workshop, int]:
    """`lock_workshop` and the next arrival number in one statement (`UPDATE ... RETURNING`).

    The update takes the row lock and returns the settings the seat decision reads (seats, quota,
    approval) as committed before it; they are set on the loaded workshop. Its other columns (window,
    eligibility, questions: checked before the lock) and its event stay as loaded. Returning all
    sixteen columns cost a registration 3% more.
    """
    take_sqlite_write_lock(db.session)
    row = db.session.execute(_LOCK_AND_TAKE_RANK, {"workshop_id": workshop.id}).one_or_none()
    if row is None:
        raise LookupError(f"no workshop {workshop.id}")
    for key, value in zip(_SEAT_SETTINGS, row, strict=True):
        set_committed_value(workshop, key, value)
    return workshop, workshop.next_rank - 1


@dataclass
class SeatCounts:
    """Seats held (in all and by country) and people waiting, read under the workshop's lock."""

    held: int
    by_country: Counter
    waiting: int
    person_active: bool  # the person asked about holds an active registration
    person_rejected: bool  # ... or had one rejected


def _seat_counts(workshop: Workshop, user_id: int | None = None) -> SeatCounts:
    """One query over the active registrations; `user_id`: also whether that person registered before."""
    rows = db.session.execute(_SEAT_COUNTS, {"workshop_id": workshop.id, "user_id": user_id}).all()
    by_country = Counter({country: held for country, held, *_ in rows if held})
    return SeatCounts(held=sum(by_country.values()), by_country=by_country, waiting=sum(row[2] for row in rows),
                      person_active=any(row[3] for row in rows), person_rejected=any(row[4] for row in rows))


def rebalance(workshop: Workshop, actor: User | None = None, arriving: Registration | None = None,
              counts: SeatCounts | None = None) -> list[Registration]:
    """Give free seats to waitlisted people in queue order, skipping countries at their quota.

    The one place seats are given. Call it with the workshop locked (`lock_workshop`).
    `arriving`: a registration being created, last in the queue, not yet stored nor counted; its
    state is set here and the caller logs it. `counts`: the seats as read under this lock, if known.
    Returns the registrations that got a seat (now pending or confirmed); the caller mails them.
    """
    counts = counts or _seat_counts(workshop)
    free = workshop.capacity - counts.held
    if free <= 0:
        return []
    queue = []
    if counts.waiting:
        queue = list(db.session.scalars(
            db.select(Registration).where(Registration.workshop_id == workshop.id,
                                          Registration.state == RegistrationState.WAITLISTED.value)
            .order_by(Registration.queue_rank, Registration.id)
        ))
    if arriving is not None:
        queue.append(arriving)
    by_country = counts.by_country
    quota = workshop.country_quota
    state = RegistrationState.PENDING if workshop.approval_required else RegistrationState.CONFIRMED
    promoted = []
    for registration in queue:
        if free <= 0:
            break
        if quota is not None and by_country[registration.country] >= quota:
            continue
        if registration is arriving:
            registration.state = state.value
        else:
            _set_state(registration, state, actor, "promoted")
        by_country[registration.country] += 1
        free -= 1
        promoted.append(registration)
    if arriving is None:
        db.session.flush()
    return promoted


def _set_state(registration: Registration, state: RegistrationState, actor: User | None, action: str,
               detail: str = "", from_state: str | None = None) -> None:
    log(registration, actor, action, registration.state if from_state is None else from_state, state.value, detail)
    registration.state = state.value
    registration.updated_at = utcnow()


_INSERT_LOG = insert(RegistrationLog.__table__)


def log(registration: Registration, actor: User | None, action: str, from_state: str = "",
        to_state: str = "", detail: str = "") -> None:
    """Add a line to the audit log of a stored registration (one INSERT, written at once)."""
    db.session.execute(_INSERT_LOG, _log_values(registration, actor, action, from_state, to_state, detail))


def _log_values(registration: Registration, actor: User | None, action: str, from_state: str = "",
                to_state: str = "", detail: str = "") -> dict:
    return {
        "registration_id": registration.id, "workshop_id": registration.workshop_id,
        "actor_id": actor.id if actor is not None else None, "action": action, "at": utcnow(),
        "from_state": from_state or "", "to_state": to_state or "", "detail": detail[:2000],
    }


# --- registering ----------------------------------------------------------------------------------


@dataclass
class Answers:
    """A person's answers to the standard and free-form questions."""

    travel_support: bool = False
    visa_letter: bool = False
    arrival_date: date | None = None
    departure_date: date | None = None
    dietary_needs: str = ""
    material_language: str = ""
    answers: dict = field(default_factory=dict)


def answers_of(registration: Registration) -> Answers:
    return Answers(
        travel_support=registration.travel_support, visa_letter=registration.visa_letter,
        arrival_date=registration.arrival_date, departure_date=registration.departure_date,
        dietary_needs=registration.dietary_needs, material_language=registration.material_language,
        answers=dict(registration.answers or {}),
    )


def _check_answers(workshop: Workshop, answers: Answers) -> None:
    if answers.arrival_date and answers.departure_date and answers.departure_date < answers.arrival_date:
        raise RegistrationRefused(_l("The departure date must not be before the arrival date."), "departure_date")
    if answers.material_language and answers.material_language not in workshop.working_languages:
        raise RegistrationRefused(_l("Choose one of the workshop's working languages."), "material_language")


def _apply_answers(workshop: Workshop, registration: Registration, answers: Answers) -> None:
    registration.travel_support = bool(answers.travel_support)
    registration.visa_letter = bool(answers.visa_letter)
    registration.arrival_date, registration.departure_date = answers.arrival_date, answers.departure_date
    registration.dietary_needs = (answers.dietary_needs or "").strip()[:300]
    registration.material_language = answers.material_language or workshop.working_languages[0]
    keys = {q["key"] for q in workshop.questions}
    registration.answers = {k: str(v).strip()[:2000] for k, v in (answers.answers or {}).items() if k in keys}


def eligibility_problem(workshop: Workshop, user: User):
    """Why the person may not register themselves (a message), or None."""
    if user.role not in workshop.eligible_roles:
        return _l("This workshop is not open to your role.")
    regions, countries = workshop.eligible_regions, workshop.eligible_countries
    if (regions or countries) and user.region not in regions and user.country not in countries:
        return _l("This workshop is for other countries or regions than yours.")
    return None


def window_problem(workshop: Workshop, now: datetime):
    """Why registration is closed now (a message), or None."""
    if workshop.event.is_cancelled:
        return _l("The workshop is cancelled.")
    if now < workshop.opens_at:
        return _l("Registration has not opened yet.")
    if now >= workshop.closes_at:
        return _l("Registration is closed.")
    return None


def active_registration(workshop_id: int, user_id: int) -> Registration | None:
    """The person's pending, confirmed or waitlisted registration, if any."""
    return db.session.scalar(db.select(Registration).where(
        Registration.workshop_id == workshop_id, Registration.user_id == user_id,
        Registration.state.in_([s.value for s in ACTIVE_STATES])))


def register(workshop: Workshop, user: User, answers: Answers | None = None, *, actor: User | None = None,
             now: datetime | None = None, on_behalf: bool = False, notify: bool = True) -> Registration:
    """Register `user` for `workshop`; returns the registration (pending, confirmed or waitlisted).

    Signature: `register(workshop, user, answers=None, *, actor=None, now=None, on_behalf=False, notify=True)`.
    `answers` (an `Answers`) defaults to none given. `actor` is who acts (default: the person).
    `now` is the time of registration (default: now; the window is checked against it).
    `on_behalf=True` (secretariat) skips the registration window and eligibility, not the seats.
    `notify=False` queues no mail (seeding). The returned registration's `position` is its place
    on the waiting list at that moment (None when it holds a seat).
    With free seats and no approval required, the registration is confirmed: tests of other
    features can create a confirmed participant with `register(workshop, user, on_behalf=True)`.
    Raises `RegistrationRefused` (message, field) for anything the rules refuse. Mails the person.
    """
    from ecommunity.workshops import mails

    now = now or utcnow()
    answers = answers or Answers()
    actor = actor or user
    if not on_behalf:
        problem = window_problem(workshop, now) or eligibility_problem(workshop, user)
        if problem:
            raise RegistrationRefused(problem)
    _check_answers(workshop, answers)
    # Everything that does not depend on the seat decision is done before taking the lock.
    registration = Registration(
        workshop_id=workshop.id, user_id=user.id, state=RegistrationState.WAITLISTED.value,
        country=user.country, region=user.region, rejection_reason="", reminded_at=None,
        registered_by_id=actor.id if actor is not None else None, created_at=now, updated_at=now,
    )
    # Loaded rather than assigned, so that nothing cascades the registration into the session.
    set_committed_value(registration, "workshop", workshop)
    set_committed_value(registration, "user", user)
    _apply_answers(workshop, registration, answers)
    workshop, registration.queue_rank = _lock_and_take_rank(workshop)
    counts = _seat_counts(workshop, user.id)
    if counts.person_active:
        raise RegistrationRefused(_l("You are already registered for this workshop."))
    if not on_behalf and counts.person_rejected:
        raise RegistrationRefused(_l("Your registration for this workshop was declined. "
                                     "Please write to the secretariat."))
    promoted = rebalance(workshop, actor, arriving=registration, counts=counts)
    if registration.state == RegistrationState.WAITLISTED:
        # Last in the queue: behind everyone who was waiting and did not just get a seat.
        registration.position = counts.waiting - len(promoted) + 1
    _insert(registration, actor, "registered_on_behalf" if on_behalf else "registered",
            mails.registered(registration) if notify else None)
    if notify:
        for other in promoted:
            if other is not registration:
                mails.promoted(other)
    db.session.flush()
    return registration


_registration_table, _log_table = Registration.__table__, RegistrationLog.__table__
_INSERT_REGISTRATION = insert(_registration_table).returning(_registration_table.c.id)
_REGISTRATION_COLUMNS = [column.key for column in _registration_table.c if column.key != "id"]
_LOG_COLUMNS = ("workshop_id", "actor_id", "action", "at", "from_state", "to_state", "detail")  # and its registration


def _values_of(table, prefix: str, names) -> dict:
    """The columns named, each bound to a parameter `<prefix><column>` of the column's type."""
    return {name: bindparam(prefix + name, type_=table.c[name].type) for name in names}


def _insert_with_log_and_mail():
    """PostgreSQL: the registration, its log line and its mail in one statement (each INSERT a CTE)."""
    from ecommunity.mail.models import OutboxMessage

    registration = (insert(_registration_table)
                    .values(_values_of(_registration_table, "r_", _REGISTRATION_COLUMNS))
                    .returning(_registration_table.c.id).cte("new_registration"))
    log_line = insert(_log_table).values({
        **_values_of(_log_table, "l_", _LOG_COLUMNS),
        "registration_id": db.select(registration.c.id).scalar_subquery(),
    })
    mail_columns = outbox_row("", "", "").keys()  # those a new outbox row fills
    mail = insert(OutboxMessage.__table__).values(_values_of(OutboxMessage.__table__, "m_", mail_columns))
    return (db.select(registration.c.id)
            .add_cte(log_line.cte("new_registration_log"), mail.cte("new_outbox_message")))


_INSERT_WITH_LOG_AND_MAIL = _insert_with_log_and_mail()


def _insert(registration: Registration, actor: User | None, action: str, mail: dict | None) -> None:
    """Store a new registration, every column given, with its log line and its mail (an outbox row).

    It joins the session as if loaded. Under the workshop's lock, so written without the unit of work
    (a millisecond more), and on PostgreSQL with one statement instead of three (two round trips less
    under the lock; three statements cost a registration 4% more). (Registrations are not searched: no
    change log to write.)
    """
    values = {key: getattr(registration, key) for key in _REGISTRATION_COLUMNS}
    if mail is not None and db.session.connection().dialect.name == "postgresql":
        line = _log_values(registration, actor, action, "", registration.state)
        params = {f"r_{key}": value for key, value in values.items()}
        params.update((f"l_{key}", value) for key, value in line.items() if key != "registration_id")
        params.update((f"m_{key}", value) for key, value in mail.items())
        registration.id = db.session.execute(_INSERT_WITH_LOG_AND_MAIL, params).scalar_one()
        mail_queued()
    else:
        registration.id = db.session.execute(_INSERT_REGISTRATION, values).scalar_one()
        log(registration, actor, action, "", registration.state)
        if mail is not None:
            queue_row(mail)
    make_transient_to_detached(registration)
    db.session.add(registration)


def update_answers(registration: Registration, answers: Answers, actor: User, now: datetime | None = None,
                   by_secretariat: bool = False) -> bool:
    """Change a registration's answers until registration closes (the secretariat: any time).

    Returns whether anything changed."""
    workshop = registration.workshop
    now = now or utcnow()
    if not registration.is_active:
        raise RegistrationRefused(_l("This registration is no longer active."))
    if not by_secretariat and now >= workshop.closes_at:
        raise RegistrationRefused(_l("Registration is closed: answers can no longer be changed."))
    _check_answers(workshop, answers)
    before = answers_of(registration)
    _apply_answers(workshop, registration, answers)
    if answers_of(registration) == before:
        return False
    registration.updated_at = now
    log(registration, actor, "answers_changed")
    db.session.flush()
    return True


def _locked_registration(registration: Registration) -> tuple[Workshop, Registration]:
    workshop = lock_workshop(registration.workshop_id)
    db.session.refresh(registration)
    return workshop, registration


def withdraw(registration: Registration, actor: User, now: datetime | None = None,
             by_secretariat: bool = False) -> list[Registration]:
    """Withdraw an active registration; a freed seat goes to the waiting list. Returns who was promoted.

    The person may withdraw until the workshop begins; the secretariat at any time."""
    from ecommunity.workshops import mails

    workshop, registration = _locked_registration(registration)
    if not registration.is_active:
        raise RegistrationRefused(_l("This registration is no longer active."))
    if not by_secretariat and (now or utcnow()) >= workshop.event.starts_at:
        raise RegistrationRefused(_l("The workshop has begun: please write to the secretariat."))
    _set_state(registration, RegistrationState.WITHDRAWN, actor, "withdrawn")
    db.session.flush()
    mails.withdrawn(registration)
    promoted = rebalance(workshop, actor)
    for other in promoted:
        mails.promoted(other)
    return promoted


def approve(workshop: Workshop, registration_ids: list[int], actor: User) -> int:
    """Confirm pending registrations (waitlisted ones wait for a seat); returns how many."""
    from ecommunity.workshops import mails

    workshop = lock_workshop(workshop.id)
    count = 0
    for registration in _registrations(workshop, registration_ids):
        if registration.state == RegistrationState.PENDING:
            _set_state(registration, RegistrationState.CONFIRMED, actor, "approved")
            mails.confirmed(registration)
            count += 1
    db.session.flush()
    return count


def reject(workshop: Workshop, registration_ids: list[int], reason: str, actor: User) -> int:
    """Reject active registrations with a reason; freed seats go to the waiting list. Returns how many."""
    from ecommunity.workshops import mails

    reason = (reason or "").strip()[:500]
    if not reason:
        raise RegistrationRefused(_l("Give the reason: it is sent to the person."), "reason")
    workshop = lock_workshop(workshop.id)
    count = 0
    for registration in _registrations(workshop, registration_ids):
        if registration.is_active:
            registration.rejection_reason = reason
            _set_state(registration, RegistrationState.REJECTED, actor, "rejected", reason)
            mails.rejected(registration)
            count += 1
    db.session.flush()
    for other in rebalance(workshop, actor):
        mails.promoted(other)
    return count


def reorder_waitlist(workshop: Workshop, positions: dict[int, float], actor: User) -> list[Registration]:
    """Reorder the waiting list: `positions` maps registration ids to their wished position.

    Unlisted waitlisted registrations keep their relative order; on a tie the moved one goes first.
    Returns the registrations promoted if the new order lets someone take a free seat."""
    from ecommunity.workshops import mails

    workshop = lock_workshop(workshop.id)
    waiting = list(db.session.scalars(
        db.select(Registration).where(Registration.workshop_id == workshop.id,
                                      Registration.state == RegistrationState.WAITLISTED.value)
        .order_by(Registration.queue_rank, Registration.id)))
    old_index = {r.id: i for i, r in enumerate(waiting)}
    wished = {r.id: positions.get(r.id, old_index[r.id] + 1) for r in waiting}
    # On a tie, whoever was moved goes before whoever kept their number ("put C at 1": C, A, B).
    ordered = sorted(waiting, key=lambda r: (wished[r.id], wished[r.id] == old_index[r.id] + 1, old_index[r.id]))
    ranks = sorted(r.queue_rank for r in waiting)
    for registration, rank in zip(ordered, ranks, strict=True):
        if registration.queue_rank != rank:
            old = old_index[registration.id] + 1
            new = ordered.index(registration) + 1
            if old != new:
                log(registration, actor, "moved", "waitlisted", "waitlisted", f"{old} → {new}")
            registration.queue_rank = rank
    db.session.flush()
    promoted = rebalance(workshop, actor)
    for other in promoted:
        mails.promoted(other)
    return promoted


def _registrations(workshop: Workshop, ids: list[int]) -> list[Registration]:
    if not ids:
        return []
    return list(db.session.scalars(
        db.select(Registration).where(Registration.workshop_id == workshop.id, Registration.id.in_(ids))
        .order_by(Registration.queue_rank).execution_options(populate_existing=True)))


# --- reading ------------------------------------------------------------------------------------------


def waitlist_positions(workshop_id: int) -> dict[int, int]:
    """Registration id -> position (1, 2, ...) on the waiting list."""
    ids = db.session.scalars(
        db.select(Registration.id).where(Registration.workshop_id == workshop_id,
                                         Registration.state == RegistrationState.WAITLISTED.value)
        .order_by(Registration.queue_rank, Registration.id))
    return {registration_id: n for n, registration_id in enumerate(ids, start=1)}


def waitlist_position(registration: Registration) -> int | None:
    """The registration's position on the waiting list, or None when it is not waitlisted."""
    if registration.state != RegistrationState.WAITLISTED:
        return None
    return db.session.scalar(
        db.select(func.count(Registration.id)).where(
            Registration.workshop_id == registration.workshop_id,
            Registration.state == RegistrationState.WAITLISTED.value,
            (Registration.queue_rank < registration.queue_rank)
            | ((Registration.queue_rank == registration.queue_rank) & (Registration.id <= registration.id)))
    )


def my_registrations(user_id: int) -> list[tuple[Registration, int | None]]:
    """A person's registrations, newest workshop first, with their waiting-list positions."""
    from sqlalchemy.orm import joinedload

    registrations = list(db.session.scalars(
        db.select(Registration).where(Registration.user_id == user_id)
        .options(joinedload(Registration.workshop).joinedload(Workshop.event))
        .join(Workshop).join(Event).order_by(Event.starts_at.desc(), Registration.id.desc())))
    return [(r, waitlist_position(r)) for r in registrations]


def participants(workshop_id: int, states: list[str] | None = None) -> list[Registration]:
    """Registrations of a workshop with their people, seat holders first, then in queue order."""
    from sqlalchemy import case
    from sqlalchemy.orm import joinedload

    order = case({s: i for i, s in enumerate(
        ["confirmed", "pending", "waitlisted", "rejected", "withdrawn"])}, value=Registration.state)
    query = (db.select(Registration).where(Registration.workshop_id == workshop_id)
             .options(joinedload(Registration.user)).order_by(order, Registration.queue_rank, Registration.id))
    if states:
        query = query.where(Registration.state.in_(states))
    return list(db.session.scalars(query))


@dataclass
class Dashboard:
    by_state: dict
    by_country: list
    by_region: list
    by_language: list
    travel: int
    visa: int
    held: int


def dashboard(workshop: Workshop) -> Dashboard:
    """Counts for the secretariat: by state; by country, region and language of seat holders and waitlist."""
    def counts(column, states=ACTIVE_STATES):
        rows = db.session.execute(
            db.select(column, func.count()).where(Registration.workshop_id == workshop.id,
                                                  Registration.state.in_([s.value for s in states]))
            .group_by(column).order_by(func.count().desc(), column)).all()
        return [(key, n) for key, n in rows]

    by_state = dict(counts(Registration.state, list(RegistrationState)))
    seat_values = [s.value for s in SEAT_STATES]
    travel, visa = db.session.execute(
        db.select(func.count().filter(Registration.travel_support.is_(True)),
                  func.count().filter(Registration.visa_letter.is_(True)))
        .where(Registration.workshop_id == workshop.id, Registration.state.in_(seat_values))).one()
    return Dashboard(
        by_state={s.value: by_state.get(s.value, 0) for s in RegistrationState},
        by_country=counts(Registration.country), by_region=counts(Registration.region),
        by_language=counts(Registration.material_language), travel=travel, visa=visa,
        held=sum(by_state.get(s.value, 0) for s in SEAT_STATES),
    )


def workshop_overview(limit: int = 50) -> list[tuple[Workshop, dict]]:
    """The latest workshops that take registrations, latest first, with their counts by state."""
    from sqlalchemy.orm import joinedload

    workshops = list(db.session.scalars(
        db.select(Workshop).join(Event).options(joinedload(Workshop.event))
        .order_by(Event.starts_at.desc(), Workshop.id.desc()).limit(limit)))
    counts: dict[int, dict] = {w.id: {} for w in workshops}
    if workshops:
        rows = db.session.execute(
            db.select(Registration.workshop_id, Registration.state, func.count())
            .where(Registration.workshop_id.in_(counts)).group_by(Registration.workshop_id, Registration.state))
        for workshop_id, state, n in rows:
            counts[workshop_id][state] = n
    return [(w, counts[w.id]) for w in workshops]


def audit_log(workshop_id: int, limit: int = 200, before_id: int | None = None) -> list[RegistrationLog]:
    """The latest actions on a workshop's registrations, newest first."""
    from sqlalchemy.orm import joinedload

    query = (db.select(RegistrationLog).where(RegistrationLog.workshop_id == workshop_id)
             .options(joinedload(RegistrationLog.actor),
                      joinedload(RegistrationLog.registration).joinedload(Registration.user))
             .order_by(RegistrationLog.id.desc()).limit(limit))
    if before_id:
        query = query.where(RegistrationLog.id < before_id)
    return list(db.session.scalars(query))


def send_reminders(now: datetime | None = None) -> int:
    """Mail seat holders of workshops starting within a week, once per registration; returns how many."""
    from ecommunity.workshops import mails

    now = now or utcnow()
    due = list(db.session.scalars(
        db.select(Registration).join(Workshop).join(Event)
        .where(Registration.state.in_([s.value for s in SEAT_STATES]), Registration.reminded_at.is_(None),
               Event.starts_at > now, Event.starts_at <= now + REMINDER_BEFORE, Event.status != "cancelled")
        .order_by(Registration.id)))
    sent = 0
    for registration in due:
        # Claimed with a guarded update, so two runs at once never send the same reminder twice.
        claimed = db.session.execute(
            update(Registration).where(Registration.id == registration.id, Registration.reminded_at.is_(None))
            .values(reminded_at=now).execution_options(synchronize_session=False)).rowcount
        if claimed:
            db.session.refresh(registration)
            log(registration, None, "reminded")
            mails.reminder(registration)
            sent += 1
    db.session.flush()
    return sent
