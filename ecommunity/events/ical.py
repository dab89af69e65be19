"""iCalendar (RFC 5545) output: written by hand for speed, with VTIMEZONEs from the icalendar library.

Timed events carry DTSTART;TZID= in the event's own zone with a VTIMEZONE for every zone used
(UTC events use the Z form); all-day events are DATE values with an exclusive DTEND.
In a feed without METHOD, DTSTAMP is the time the event was last revised (RFC 5545, 3.8.7.2).
"""

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone

from ecommunity.events.models import Event

PRODID = "-//CMS Family e-community//Events//EN"
CRLF = "\r\n"


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 sequence."""
    if len(line) <= 75 and line.isascii():
        return line
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1  # step back to the first byte of a character
        parts.append(encoded[start:end].decode())
        start, limit = end, 74  # continuation lines begin with a space
    return "\r\n ".join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y%m%dT%H%M%S")


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


@lru_cache(maxsize=512)
def vtimezone(tzid: str, first_year: int, last_year: int) -> str:
    """The VTIMEZONE of an IANA zone, with every transition between the two years."""
    component = Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1))
    return component.to_ical().decode().replace("\r\n", "\n").strip().replace("\n", CRLF)


class EventText:
    """What a feed says about an event in one language (title, categories, description)."""

    def __init__(self, summary: str, description: str, categories: list[str], location: str):
        self.summary = summary
        self.description = description
        self.categories = categories
        self.location = location


def event_lines(event: Event, text: EventText, url: str) -> list[str]:
    """The VEVENT of one event, as unfolded content lines."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_utc(event.updated_at)}",
        f"CREATED:{_utc(event.created_at)}",
        f"LAST-MODIFIED:{_utc(event.updated_at)}",
        f"SEQUENCE:{event.sequence}",
    ]
    if event.all_day:
        lines.append(f"DTSTART;VALUE=DATE:{_date(event.start_date)}")
        lines.append(f"DTEND;VALUE=DATE:{_date(event.end_date + timedelta(days=1))}")
    elif event.timezone == "UTC":
        lines.append(f"DTSTART:{_utc(event.starts_at)}")
        lines.append(f"DTEND:{_utc(event.ends_at)}")
    else:
        zone = ZoneInfo(event.timezone)
        lines.append(f"DTSTART;TZID={event.timezone}:{_local(event.starts_at, zone)}")
        lines.append(f"DTEND;TZID={event.timezone}:{_local(event.ends_at, zone)}")
    lines.append(f"SUMMARY:{escape_text(text.summary)}")
    if text.description:
        lines.append(f"DESCRIPTION:{escape_text(text.description)}")
    if text.location:
        lines.append(f"LOCATION:{escape_text(text.location)}")
    if text.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in text.categories))
    if event.organiser_email:
        name = event.organiser_name.replace('"', "'")
        prefix = f'ORGANIZER;CN="{name}"' if name else "ORGANIZER"
        lines.append(f"{prefix}:mailto:{event.organiser_email}")
    lines.append("STATUS:" + ("CANCELLED" if event.is_cancelled else "CONFIRMED"))
    lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return lines


def render_calendar(
    events: Iterable[Event],
    text_of: Callable[[Event], EventText],
    url_of: Callable[[Event], str],
    name: str,
    description: str = "",
) -> str:
    """A VCALENDAR holding `events`, with one VTIMEZONE per zone they use."""
    events = list(events)
    zones: dict[str, list[int]] = {}
    for event in events:
        if not event.all_day and event.timezone != "UTC":
            years = zones.setdefault(event.timezone, [event.start_date.year, event.end_date.year])
            years[0] = min(years[0], event.start_date.year)
            years[1] = max(years[1], event.end_date.year)
    out = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        fold(f"X-WR-CALNAME:{escape_text(name)}"),
        fold(f"NAME:{escape_text(name)}"),
    ]
    if description:
        out.append(fold(f"X-WR-CALDESC:{escape_text(description)}"))
        out.append(fold(f"DESCRIPTION:{escape_text(description)}"))
    out.append("REFRESH-INTERVAL;VALUE=DURATION:PT1H")
    out.append("X-PUBLISHED-TTL:PT1H")
    for tzid in sorted(zones):
        first, last = zones[tzid]
        out.append(vtimezone(tzid, first, last))
    for event in events:
        out.extend(fold(line) for line in event_lines(event, text_of(event), url_of(event)))
    out.append("END:VCALENDAR")
    return CRLF.join(out) + CRLF
