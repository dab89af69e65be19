"""Events: the rules of their times, creating and changing them, and the queries the views use.

Functions take plain values and flush; the caller (a view, the seeding, the bench) commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import load_only, raiseload, selectinload

from ecommunity.core.reference import INSTRUMENTS, REGIONS, is_known_timezone
from ecommunity.database import utcnow
from ecommunity.events.models import (
    EVENT_TYPES,
    LANGUAGES,
    AgendaSession,
    Event,
    EventDocument,
    EventInstrument,
    EventStatus,
    EventsVersion,
)
from ecommunity.extensions import db

# --- times -----------------------------------------------------------------------------------

# A meeting, however long, fits in two months. The limit also lets every date query use a
# narrow index range: an event ending after a day started at most this long before it.
MAX_EVENT_DAYS = 60
_MAX_SPAN = timedelta(days=MAX_EVENT_DAYS + 1)


@dataclass
class Schedule:
    """When an event happens, as the organiser enters it: local dates and times in one zone."""

    timezone: str
    all_day: bool
    start_date: date
    end_date: date
    start_time: time | None = None
    end_time: time | None = None


@dataclass
class ResolvedSchedule:
    starts_at: datetime
    ends_at: datetime
    start_date: date
    end_date: date


class EventInvalid(ValueError):
    """Input that breaks a rule; `errors` maps a form field name to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid: " + ", ".join(errors))  # the messages are lazy: translated when shown
        self.errors = errors


@lru_cache(maxsize=1024)
def known_zone(name: str) -> bool:
    """is_known_timezone, remembered: it lists the zone files on disk at every call."""
    return is_known_timezone(name)


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a wall-clock time in `zone`, or None when clocks skip that time."""
    local = datetime.combine(day, at, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None  # inside a daylight-saving gap: the clock jumps over it
    return instant


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    # Where midnight falls in a gap (a few zones change clocks at 00:00), the day starts an hour later.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _gap_message(zone_name: str):
    return _l("This time does not exist in %(zone)s: the clocks skip it when daylight saving time starts. "
              "Choose a time outside the skipped hour.", zone=zone_name)


def resolve_schedule(schedule: Schedule) -> ResolvedSchedule:
    """Turn local dates and times into UTC instants, or raise EventInvalid naming the field at fault."""
    if not schedule.timezone or not known_zone(schedule.timezone):
        raise EventInvalid({"timezone": _l("Choose a time zone from the list, such as Africa/Nairobi.")})
    zone = ZoneInfo(schedule.timezone)
    errors: dict[str, str] = {}
    if (schedule.end_date - schedule.start_date).days >= MAX_EVENT_DAYS:
        raise EventInvalid({"end_date": _l("An event lasts at most %(days)s days.", days=MAX_EVENT_DAYS)})
    if schedule.all_day:
        if schedule.end_date < schedule.start_date:
            raise EventInvalid({"end_date": _l("The last day cannot be before the first day.")})
        return ResolvedSchedule(
            starts_at=_midnight(schedule.start_date, zone),
            ends_at=_midnight(schedule.end_date + timedelta(days=1), zone),
            start_date=schedule.start_date,
            end_date=schedule.end_date,
        )
    if schedule.start_time is None:
        errors["start_time"] = _l("Give a start time, or mark the event as all-day.")
    if schedule.end_time is None:
        errors["end_time"] = _l("Give an end time, or mark the event as all-day.")
    if errors:
        raise EventInvalid(errors)
    starts_at = local_to_utc(schedule.start_date, schedule.start_time, zone)
    ends_at = local_to_utc(schedule.end_date, schedule.end_time, zone)
    if starts_at is None:
        errors["start_time"] = _gap_message(schedule.timezone)
    if ends_at is None:
        errors["end_time"] = _gap_message(schedule.timezone)
    if errors:
        raise EventInvalid(errors)
    if schedule.end_date < schedule.start_date:
        raise EventInvalid({"end_date": _l("The event cannot end before it starts.")})
    if ends_at <= starts_at:
        raise EventInvalid({"end_time": _l("The event must end after it starts.")})
    return ResolvedSchedule(starts_at, ends_at, schedule.start_date, schedule.end_date)


# --- creating and changing events ------------------------------------------------------------


@dataclass
class SessionData:
    title: str
    day: date
    start_time: time
    end_time: time


@dataclass
class DocumentData:
    title: str
    url: str


@dataclass
class EventData:
    """Everything an organiser enters about an event, as plain values."""

    title_en: str
    schedule: Schedule
    event_type: str
    title_fr: str = ""
    title_es: str = ""
    description_en: str = ""
    description_fr: str = ""
    description_es: str = ""
    region: str | None = None
    instruments: list[str] = field(default_factory=list)
    is_public: bool = True
    city: str = ""
    country: str | None = None
    online_url: str = ""
    organiser_name: str = ""
    organiser_email: str = ""
    sessions: list[SessionData] = field(default_factory=list)
    documents: list[DocumentData] = field(default_factory=list)


def check_event(data: EventData) -> tuple[ResolvedSchedule, list[tuple[datetime, datetime]]]:
    """Apply every rule to `data`; return the times in UTC or raise EventInvalid with all problems."""
    errors: dict[str, str] = {}
    if not data.title_en.strip():
        errors["title_en"] = _l("Give the event a title in English.")
    if data.event_type not in EVENT_TYPES:
        errors["event_type"] = _l("Choose a type from the list.")
    if data.region is not None and data.region not in REGIONS:
        errors["region"] = _l("Choose a region from the list.")
    unknown = [code for code in data.instruments if code not in INSTRUMENTS]
    if unknown:
        errors["instruments"] = _l("Choose instruments from the list.")
    if not data.online_url.strip() and not (data.city.strip() and data.country):
        errors["city"] = _l("Give the city and country of the venue, or an online link below.")
    if data.country is None and data.city.strip():
        errors["country"] = _l("Choose the country of the venue.")
    if data.online_url.strip() and not _is_web_address(data.online_url):
        errors["online_url"] = _l("Give a full web address (https://...).")
    for index, document in enumerate(data.documents):
        if not document.title.strip():
            errors[f"documents-{index}-title"] = _l("Give the document a title.")
        if not _is_web_address(document.url):
            errors[f"documents-{index}-url"] = _l("Give a full web address (https://...).")
    resolved = None
    try:
        resolved = resolve_schedule(data.schedule)
    except EventInvalid as problem:
        errors.update(problem.errors)
    session_times = []
    if resolved is not None and "timezone" not in errors:
        zone = ZoneInfo(data.schedule.timezone)
        for index, item in enumerate(data.sessions):
            prefix = f"sessions-{index}-"
            starts_at = local_to_utc(item.day, item.start_time, zone)
            ends_at = local_to_utc(item.day, item.end_time, zone)
            if not item.title.strip():
                errors[prefix + "title"] = _l("Give the session a title.")
            if not resolved.start_date <= item.day <= resolved.end_date:
                errors[prefix + "day"] = _l("The session must fall within the dates of the event.")
            elif starts_at is None:
                errors[prefix + "start_time"] = _gap_message(data.schedule.timezone)
            elif ends_at is None:
                errors[prefix + "end_time"] = _gap_message(data.schedule.timezone)
            elif ends_at <= starts_at:
                errors[prefix + "end_time"] = _l("The session must end after it starts.")
            session_times.append((starts_at, ends_at))
    if errors:
        raise EventInvalid(errors)
    return resolved, session_times


def _is_web_address(url: str) -> bool:
    return url.strip().lower().startswith(("https://", "http://")) and len(url.strip()) > len("https://")


def create_event(data: EventData, author=None, uid: str | None = None) -> Event:
    """Create an event from `data` (checked first); `uid` fixes the iCalendar UID (seeding)."""
    resolved, session_times = check_event(data)
    event = Event(created_by_id=author.id if author is not None else None, status=EventStatus.SCHEDULED.value)
    if uid:
        event.uid = uid
    _apply(event, data, resolved, session_times)
    event.created_at = event.updated_at = utcnow()
    db.session.add(event)
    _bump_version(event.updated_at)
    db.session.flush()
    return event


def update_event(event: Event, data: EventData) -> bool:
    """Apply an edit; raise SEQUENCE and the modification time when anything changed."""
    resolved, session_times = check_event(data)
    before = _snapshot(event)
    _apply(event, data, resolved, session_times)
    changed = _snapshot(event) != before
    if changed:
        _touch(event)
    db.session.flush()
    return changed


def postpone_event(event: Event, schedule: Schedule, note: str = "") -> None:
    """Move the event to later dates; its agenda moves with it by the same number of days."""
    if event.is_cancelled:
        raise EventInvalid({"start_date": _l("A cancelled event cannot be postponed.")})
    resolved = resolve_schedule(schedule)
    if resolved.starts_at <= event.starts_at:
        raise EventInvalid({"start_date": _l(
            "A postponed event must start later than planned. To move it earlier, edit the event.")})
    shift = resolved.start_date - event.start_date
    zone = ZoneInfo(event.timezone)
    for item in event.sessions:
        item.starts_at = _shift_local(item.starts_at, shift, zone)
        item.ends_at = max(_shift_local(item.ends_at, shift, zone), item.starts_at + timedelta(minutes=1))
    if event.postponed_from is None:
        event.postponed_from = event.start_date
    event.all_day = schedule.all_day
    event.starts_at, event.ends_at = resolved.starts_at, resolved.ends_at
    event.start_date, event.end_date = resolved.start_date, resolved.end_date
    event.status = EventStatus.POSTPONED.value
    event.status_note = note.strip()[:500]
    _touch(event)
    db.session.flush()


def cancel_event(event: Event, note: str = "") -> None:
    """Mark the event cancelled: it stays listed, and calendars receive STATUS:CANCELLED."""
    event.status = EventStatus.CANCELLED.value
    event.status_note = note.strip()[:500]
    _touch(event)
    db.session.flush()


def reinstate_event(event: Event) -> None:
    """Undo a cancellation: the event is on again (as postponed if it had been), calendars follow."""
    if event.status != EventStatus.CANCELLED:
        return
    event.status = (EventStatus.POSTPONED if event.postponed_from else EventStatus.SCHEDULED).value
    event.status_note = ""
    _touch(event)
    db.session.flush()


def _shift_local(instant: datetime, days: timedelta, zone: ZoneInfo) -> datetime:
    local = instant.astimezone(zone).replace(tzinfo=None) + days
    return local.replace(tzinfo=zone).astimezone(UTC)


def _touch(event: Event) -> None:
    event.sequence = (event.sequence or 0) + 1
    event.updated_at = utcnow()
    _bump_version(event.updated_at)


def _apply(event: Event, data: EventData, resolved: ResolvedSchedule, session_times) -> None:
    for language in LANGUAGES:
        setattr(event, f"title_{language}", getattr(data, f"title_{language}").strip())
        setattr(event, f"description_{language}", getattr(data, f"description_{language}").strip())
    event.event_type = data.event_type
    event.region = data.region or None
    event.is_public = data.is_public
    event.city = data.city.strip()
    event.country = data.country or None
    event.online_url = data.online_url.strip()
    event.timezone = data.schedule.timezone
    event.all_day = data.schedule.all_day
    event.starts_at, event.ends_at = resolved.starts_at, resolved.ends_at
    event.start_date, event.end_date = resolved.start_date, resolved.end_date
    event.organiser_name = data.organiser_name.strip()
    event.organiser_email = data.organiser_email.strip()

    wanted = sorted(set(data.instruments))
    if event.instruments != wanted:
        kept = {link.instrument: link for link in event.instrument_links}
        event.instrument_links = [kept.get(code) or EventInstrument(instrument=code) for code in wanted]

    new_sessions = [(item.title.strip(), start, end)
                    for item, (start, end) in zip(data.sessions, session_times, strict=True)]
    if [(s.title, s.starts_at, s.ends_at) for s in event.sessions] != new_sessions:
        event.sessions = [AgendaSession(title=title, starts_at=start, ends_at=end)
                          for title, start, end in new_sessions]

    new_documents = [(doc.title.strip(), doc.url.strip()) for doc in data.documents]
    if [(d.title, d.url) for d in event.documents] != new_documents:
        event.documents = [
            EventDocument(position=position, title=title, url=url)
            for position, (title, url) in enumerate(new_documents)
        ]


_SNAPSHOT_FIELDS = [
    *(f"{name}_{language}" for name in ("title", "description") for language in LANGUAGES),
    "event_type", "region", "is_public", "city", "country", "online_url", "timezone", "all_day",
    "starts_at", "ends_at", "start_date", "end_date", "organiser_name", "organiser_email",
]


def _snapshot(event: Event) -> tuple:
    return (
        tuple(getattr(event, name) for name in _SNAPSHOT_FIELDS),
        tuple(event.instruments),
        tuple((s.title, s.starts_at, s.ends_at) for s in event.sessions),
        tuple((d.title, d.url) for d in event.documents),
    )


def event_data_from(event: Event) -> EventData:
    """The editable values of an existing event, in the event's own zone."""
    zone = ZoneInfo(event.timezone)
    start_local = event.starts_at.astimezone(zone)
    end_local = event.ends_at.astimezone(zone)
    return EventData(
        title_en=event.title_en, title_fr=event.title_fr, title_es=event.title_es,
        description_en=event.description_en, description_fr=event.description_fr,
        description_es=event.description_es,
        event_type=event.event_type, region=event.region, instruments=event.instruments,
        is_public=event.is_public, city=event.city, country=event.country, online_url=event.online_url,
        organiser_name=event.organiser_name, organiser_email=event.organiser_email,
        schedule=Schedule(
            timezone=event.timezone, all_day=event.all_day,
            start_date=event.start_date, end_date=event.end_date,
            start_time=None if event.all_day else start_local.time().replace(tzinfo=None),
            end_time=None if event.all_day else end_local.time().replace(tzinfo=None),
        ),
        sessions=[
            SessionData(
                title=s.title, day=s.starts_at.astimezone(zone).date(),
                start_time=s.starts_at.astimezone(zone).time().replace(tzinfo=None),
                end_time=s.ends_at.astimezone(zone).time().replace(tzinfo=None),
            )
            for s in event.sessions
        ],
        documents=[DocumentData(title=d.title, url=d.url) for d in event.documents],
    )


# --- finding events --------------------------------------------------------------------------

_MAX_FILTER_VALUES = 10


@dataclass(frozen=True)
class EventFilters:
    """Region, type and instrument filters; values within one combine with OR, the three with AND.

    Unknown values are kept: they match nothing, so a stale link shows an empty list, not an error.
    """

    regions: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args) -> EventFilters:
        """Read `region`, `type` and `instrument` (each repeatable) from query arguments."""

        def values(name: str) -> tuple[str, ...]:
            found = {value.strip()[:60] for value in args.getlist(name) if value.strip()}
            return tuple(sorted(found)[:_MAX_FILTER_VALUES])

        return cls(values("region"), values("type"), values("instrument"))

    def as_args(self) -> dict[str, list[str]]:
        """The filters as query arguments, for links that keep them."""
        pairs = {"region": self.regions, "type": self.types, "instrument": self.instruments}
        return {name: list(values) for name, values in pairs.items() if values}

    def __bool__(self) -> bool:
        return bool(self.regions or self.types or self.instruments)

    def clauses(self) -> list:
        found = []
        if self.regions:
            found.append(Event.region.in_(self.regions))
        if self.types:
            found.append(Event.event_type.in_(self.types))
        if self.instruments:
            found.append(Event.id.in_(
                select(EventInstrument.event_id).where(EventInstrument.instrument.in_(self.instruments))
            ))
        return found


def _where(filters: EventFilters, members: bool) -> list:
    clauses = filters.clauses()
    if not members:
        clauses.append(Event.is_public.is_(True))
    return clauses


@dataclass
class Page:
    """One page of a list, without a total: counting thousands of rows costs more than the page."""

    items: list
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def _page_of(stmt, page: int, per_page: int) -> Page:
    rows = list(db.session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)))
    return Page(items=rows[:per_page], page=page, has_next=len(rows) > per_page)


def upcoming_events(filters: EventFilters, members: bool, page: int, per_page: int, now: datetime | None = None):
    """Events not yet over, soonest first, one page at a time."""
    now = now or utcnow()
    stmt = (
        select(Event).where(Event.ends_at > now, Event.starts_at > now - _MAX_SPAN, *_where(filters, members))
        .order_by(Event.starts_at, Event.id)
        .options(selectinload(Event.instrument_links), raiseload("*"))
    )
    return _page_of(stmt, page, per_page)


def past_events(filters: EventFilters, members: bool, page: int, per_page: int, now: datetime | None = None):
    """Events that are over, most recent first, one page at a time."""
    now = now or utcnow()
    stmt = (
        select(Event).where(Event.ends_at <= now, Event.starts_at < now, *_where(filters, members))
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .options(selectinload(Event.instrument_links), raiseload("*"))
    )
    return _page_of(stmt, page, per_page)


# What the month grid shows: descriptions and the rest stay in the database.
_GRID_COLUMNS = (Event.id, Event.title_en, Event.title_fr, Event.title_es, Event.status, Event.is_public,
                 Event.timezone, Event.all_day, Event.starts_at, Event.ends_at, Event.start_date, Event.end_date)


def events_between(filters: EventFilters, members: bool, first_day: date, last_day: date) -> list[Event]:
    """Events with at least one local calendar day between `first_day` and `last_day` (inclusive).

    Only the columns the month grid uses are loaded; any other attribute raises instead of querying.
    """
    stmt = (
        select(Event)
        .where(Event.start_date <= last_day, Event.start_date >= first_day - _MAX_SPAN,
               Event.end_date >= first_day, *_where(filters, members))
        .order_by(Event.starts_at, Event.id)
        .options(load_only(*_GRID_COLUMNS, raiseload=True), raiseload("*"))
    )
    return list(db.session.scalars(stmt))


def next_events(members: bool, limit: int = 5, now: datetime | None = None) -> list[Event]:
    """The next few events that are not over (cancelled ones included, marked as such)."""
    now = now or utcnow()
    stmt = (
        select(Event).where(Event.ends_at > now, Event.starts_at > now - _MAX_SPAN, *_where(EventFilters(), members))
        .order_by(Event.starts_at, Event.id).limit(limit).options(raiseload("*"))
    )
    return list(db.session.scalars(stmt))


FEED_PAST_DAYS = 180


@dataclass(frozen=True)
class FeedWindow:
    """The span a calendar feed covers: one calendar year, or the recent past and all the future."""

    year: int | None = None

    def bounds(self, today: date) -> tuple[date | None, date | None]:
        if self.year is not None:
            return date(self.year, 1, 1), date(self.year, 12, 31)
        return today - timedelta(days=FEED_PAST_DAYS), None

    def key(self, today: date) -> str:
        first, last = self.bounds(today)
        return f"{first}:{last}"


def feed_events(filters: EventFilters, members: bool, window: FeedWindow, today: date) -> list[Event]:
    """The events of a calendar feed, in start order, without their related rows."""
    first, last = window.bounds(today)
    clauses = _where(filters, members)
    if first is not None:
        clauses += [Event.end_date >= first, Event.start_date >= first - _MAX_SPAN]
    if last is not None:
        clauses.append(Event.start_date <= last)
    stmt = select(Event).where(*clauses).order_by(Event.starts_at, Event.id).options(raiseload("*"))
    return list(db.session.scalars(stmt))


def recent_changes(filters: EventFilters, members: bool, limit: int = 50) -> list[Event]:
    """The most recently created or changed events, newest change first (the Atom feed)."""
    stmt = (
        select(Event).where(*_where(filters, members))
        .order_by(Event.updated_at.desc(), Event.id.desc()).limit(limit).options(raiseload("*"))
    )
    return list(db.session.scalars(stmt))


def events_state() -> tuple[int, datetime | None]:
    """(version, time of the last change) of the events: one primary-key read."""
    row = db.session.get(EventsVersion, 1)
    return (row.version, row.changed_at) if row is not None else (0, None)


def _bump_version(now: datetime) -> None:
    # Row-locked increment: concurrent changes each move the version, in commit order.
    bumped = db.session.execute(
        update(EventsVersion).where(EventsVersion.id == 1)
        .values(version=EventsVersion.version + 1, changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if bumped.rowcount == 0:  # the migration creates the row; a truncated table gets it back here
        db.session.add(EventsVersion(id=1, version=1, changed_at=now))
