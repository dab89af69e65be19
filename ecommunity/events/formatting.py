"""How events read: times in the event's zone and the reader's, titles in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_interval, format_skeleton, get_timezone_gmt, get_timezone_location
from flask import g
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _

from ecommunity.core.reference import REGIONS, country_name, instrument_name, region_name  # noqa: F401 - feeds
from ecommunity.events.models import EVENT_STATUSES, EVENT_TYPES, Event, EventStatus


def current_locale() -> Locale:
    return get_locale() or Locale("en")


class Words:
    """The translated words pages repeat for every event, looked up once per request and language."""

    def __init__(self, locale: Locale):
        self.locale_name = str(locale)
        self.language = locale.language
        self.countries = locale.territories
        self.types = {code.value: str(label) for code, label in EVENT_TYPES.items()}
        self.statuses = {code.value: str(label) for code, label in EVENT_STATUSES.items()}
        self.regions = {code: str(label) for code, label in REGIONS.items()}
        # gettext without values returns the translated pattern, filled in per event
        self.zone = _("%(city)s time (%(offset)s)")
        self.online = _("Online")
        self.and_online = _("and online")


def words() -> Words:
    """This request's Words in the current language (a feed may switch language with force_locale)."""
    locale = current_locale()
    last = g.get("_event_words")
    if last is not None and last[0] is locale:
        return last[1]
    cache = g.setdefault("_event_words_by_locale", {})
    found = cache.get(str(locale))
    if found is None:
        found = cache[str(locale)] = Words(locale)
    g._event_words = (locale, found)
    return found


def current_language() -> str:
    return words().language


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def reader_zone_name() -> str:
    """The IANA name of the reader's zone (their profile's, or the one chosen for this browser)."""
    name = g.get("_event_reader_zone")
    if name is None:
        tz = get_timezone()
        name = g._event_reader_zone = getattr(tz, "zone", None) or str(tz or "UTC")
    return name


def zone_label(zone_name: str, at: datetime) -> str:
    """"Nairobi time (GMT+03:00)": the zone's main city and its offset at that moment."""
    if zone_name == "UTC":
        return "UTC"
    w = words()
    local = at.astimezone(zone(zone_name))
    city, offset = _zone_words(zone_name, local.utcoffset(), w.locale_name)
    return w.zone % {"city": city, "offset": offset}


@lru_cache(maxsize=2048)
def _zone_words(zone_name: str, offset, locale_name: str) -> tuple[str, str]:
    # Babel looks these up in CLDR data each time; a page may name the same zone a hundred times.
    locale = Locale.parse(locale_name)
    city = get_timezone_location(zone(zone_name), locale=locale, return_city=True)
    moment = datetime(2000, 1, 1, tzinfo=timezone(offset))
    return city, get_timezone_gmt(moment, width="long", locale=locale)


# Babel reads CLDR data on every call; lists and grids format the same days and hours many times.
@lru_cache(maxsize=8192)
def _day_text(day: date, locale_name: str) -> str:
    return format_skeleton("yMMMEd", day, locale=locale_name)


@lru_cache(maxsize=4096)
def _short_day_text(day: date, locale_name: str) -> str:
    return format_skeleton("MMMEd", day, locale=locale_name)


@lru_cache(maxsize=4096)
def _clock_text(hour: int, minute: int, locale_name: str) -> str:
    return format_skeleton("Hm", datetime(2000, 1, 1, hour, minute), locale=locale_name)


@lru_cache(maxsize=8192)
def _hours_text(start: tuple[int, int], end: tuple[int, int], next_day: bool, locale_name: str) -> str:
    first = datetime(2000, 1, 1, *start)
    last = datetime(2000, 1, 2 if next_day else 1, *end)
    return format_interval(first, last, "Hm", locale=locale_name)


@lru_cache(maxsize=8192)
def _days_text(first: date, last: date, locale_name: str) -> str:
    return format_interval(first, last, "yMMMd", locale=locale_name)


def _locale_name() -> str:
    return words().locale_name


def _day(value, locale_name: str) -> str:
    return _day_text(value.date() if isinstance(value, datetime) else value, locale_name)


def format_span(start: datetime, end: datetime, zone_name: str) -> str:
    """A timed span in one zone: "Tue, Mar 3, 2026, 09:00 – 17:00", or with both dates."""
    locale_name = _locale_name()
    tz = zone(zone_name)
    start_local, end_local = start.astimezone(tz), end.astimezone(tz)
    if start_local.date() == end_local.date():
        hours = _hours_text((start_local.hour, start_local.minute), (end_local.hour, end_local.minute), False,
                            locale_name)
        return f"{_day(start_local, locale_name)}, {hours}"
    start_hm = _clock_text(start_local.hour, start_local.minute, locale_name)
    end_hm = _clock_text(end_local.hour, end_local.minute, locale_name)
    return f"{_day(start_local, locale_name)}, {start_hm} – {_day(end_local, locale_name)}, {end_hm}"


def format_days(first: date, last: date) -> str:
    """A span of whole days: "Mar 3 – 5, 2026", or one day."""
    if first == last:
        return _day(first, _locale_name())
    return _days_text(first, last, _locale_name())


def format_hours(start: datetime, end: datetime, zone_name: str) -> str:
    """Only the hours of a span, in a zone: "09:00 – 10:30"."""
    tz = zone(zone_name)
    start_local, end_local = start.astimezone(tz), end.astimezone(tz)
    return _hours_text((start_local.hour, start_local.minute), (end_local.hour, end_local.minute),
                       end_local.date() != start_local.date(), _locale_name())


def reader_hours(start: datetime, end: datetime, venue_zone: str) -> str:
    """A session's hours for the reader, with the day when it is not the venue's, and a next-day mark."""
    tz = zone(reader_zone_name())
    start_local, end_local = start.astimezone(tz), end.astimezone(tz)
    text = format_hours(start, end, reader_zone_name())
    if start_local.date() != start.astimezone(zone(venue_zone)).date():
        text = f"{_day(start_local, _locale_name())}, {text}"
    if end_local.date() != start_local.date():
        text = _("%(hours)s (next day)", hours=text)
    return text


def local_day(value: datetime, zone_name: str) -> str:
    """The calendar day of an instant in a zone: "Tue, Mar 3, 2026"."""
    return _day(value.astimezone(zone(zone_name)), _locale_name())


def format_time(value: datetime, zone_name: str) -> str:
    local = value.astimezone(zone(zone_name))
    return _clock_text(local.hour, local.minute, _locale_name())


@dataclass
class When:
    """An event's times for display: in its own zone, and in the reader's when that differs."""

    local: str
    local_zone: str
    reader: str | None
    reader_zone: str | None
    all_day: bool


def same_wall_clock(event: Event, other_zone: str) -> bool:
    """True when the reader's clock shows the same times as the venue's for this event."""
    if other_zone == event.timezone:
        return True
    tz, other = zone(event.timezone), zone(other_zone)
    return all(moment.astimezone(tz).utcoffset() == moment.astimezone(other).utcoffset()
               for moment in (event.starts_at, event.ends_at))


def when(event: Event) -> When:
    """The times of `event` for the reader."""
    if event.all_day:
        return When(format_days(event.start_date, event.end_date), "", None, None, True)
    local = format_span(event.starts_at, event.ends_at, event.timezone)
    local_zone = zone_label(event.timezone, event.starts_at)
    reader_zone = reader_zone_name()
    if same_wall_clock(event, reader_zone):
        return When(local, local_zone, None, None, False)
    reader = format_span(event.starts_at, event.ends_at, reader_zone)
    return When(local, local_zone, reader, zone_label(reader_zone, event.starts_at), False)


def start_times(event: Event) -> tuple[str, str | None]:
    """The start of a timed event at the venue, and for the reader when their clock differs."""
    local = f"{format_time(event.starts_at, event.timezone)} {zone_label(event.timezone, event.starts_at)}"
    reader_zone = reader_zone_name()
    if same_wall_clock(event, reader_zone):
        return local, None
    reader = format_time(event.starts_at, reader_zone)
    reader_day = event.starts_at.astimezone(zone(reader_zone)).date()
    if reader_day != event.start_date:
        reader = f"{reader} ({_short_day_text(reader_day, _locale_name())})"
    return local, reader


@dataclass
class GridEntry:
    """What the month grid shows of an event, worked out once however many days it covers."""

    title: str
    url: str
    status: str | None
    local: str | None
    reader: str | None
    until: str | None


def grid_entries(events, url_prefix: str) -> dict[int, GridEntry]:
    """Labels for the month grid by event id; `url_prefix` + id is the event's page."""
    language = current_language()
    until = _("until %(date)s")
    entries = {}
    for event in events:
        local = reader = last_day = None
        if not event.all_day:
            local, reader = start_times(event)
        elif event.end_date != event.start_date:
            last_day = until % {"date": format_days(event.end_date, event.end_date)}
        status = event_status_name(event.status) if event.status != EventStatus.SCHEDULED else None
        entries[event.id] = GridEntry(event.title_in(language), f"{url_prefix}{event.id}", status, local, reader,
                                      last_day)
    return entries


def event_title(event: Event, language: str | None = None) -> str:
    return event.title_in(language or current_language())


def event_type_name(code: str) -> str:
    return words().types.get(code, code)


def event_status_name(code: str) -> str:
    return words().statuses.get(code, code)


def event_region_name(code: str | None) -> str:
    return words().regions.get(code, code) if code else ""


def place(event: Event) -> str:
    """"Bonn, Germany", "Online", or both."""
    w = words()
    parts = []
    if event.city or event.country:
        country = w.countries.get(event.country, event.country) if event.country else ""
        parts.append(", ".join(p for p in (event.city, country) if p))
    if event.online_url:
        parts.append(w.and_online if parts else w.online)
    return " ".join(parts)


def status_sentence(event: Event) -> str | None:
    """A sentence about a cancellation or postponement, or None for a scheduled event."""
    if event.status == EventStatus.CANCELLED:
        return _("This event is cancelled.")
    if event.status == EventStatus.POSTPONED and event.postponed_from:
        return _("This event was postponed; it was first planned for %(date)s.",
                 date=format_days(event.postponed_from, event.postponed_from))
    return None


TEMPLATE_GLOBALS = {
    "event_when": when,
    "event_title": event_title,
    "event_type_name": event_type_name,
    "event_status_name": event_status_name,
    "event_region_name": event_region_name,
    "event_place": place,
    "event_status_sentence": status_sentence,
    "event_format_hours": format_hours,
    "event_format_days": format_days,
    "event_format_time": format_time,
    "event_start_times": start_times,
    "event_local_day": local_day,
    "event_reader_hours": reader_hours,
    "event_zone_label": zone_label,
    "reader_zone_name": reader_zone_name,
}
