"""Calendar (iCalendar) and Atom feeds: who may read them, their validators, and a small render cache.

Public feeds hold public events only and need no login. Members get a private address, signed
with the site's key, that calendar apps can poll without a session; it holds members-only events
too and stops working when the account is deactivated or its password changes.
"""

import hashlib
from datetime import UTC, datetime, time

from flask import current_app, make_response, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from ecommunity.accounts.models import User
from ecommunity.core.reference import REGIONS
from ecommunity.core.render_cache import render_cache
from ecommunity.database import utcnow
from ecommunity.events import formatting
from ecommunity.events.ical import EventText, render_calendar
from ecommunity.events.models import EVENT_TYPES, LANGUAGES, Event
from ecommunity.events.services import EventFilters, FeedWindow, events_state, feed_events, recent_changes
from ecommunity.extensions import db

ICS_MIMETYPE = "text/calendar"
ATOM_MIMETYPE = "application/atom+xml"
_TOKEN_SALT = "events-feed"  # noqa: S105 - a salt that separates these signatures, not a secret

# --- private feed addresses ------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_TOKEN_SALT)


def feed_token(user: User) -> str:
    """The secret part of a member's private feed address."""
    return _serializer().dumps([user.id, user.session_version])


def user_for_token(token: str) -> User | None:
    """The active member a private feed address belongs to, or None."""
    try:
        user_id, version = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


def webcal(url: str) -> str:
    """The webcal:// form of a feed address, which opens the reader's calendar app to subscribe."""
    return "webcal://" + url.split("://", 1)[1]


def feed_language(explicit: str | None = None) -> str:
    """The language of a feed's text: `lang=` in the address (calendar apps send no preference)."""
    value = explicit or request.args.get("lang", "")
    return value if value in LANGUAGES else "en"


# --- validators and the render cache ----------------------------------------------------------


def events_cache():
    """Feed bodies by ETag and month grids by their state: many readers poll the same few."""
    return render_cache("events", max_entries=128)


class Validators:
    """The ETag and Last-Modified of a feed, from the state of the events table and the request."""

    def __init__(self, *parts, drifts_daily: bool = False):
        version, latest = events_state()
        now = utcnow()
        digest = hashlib.sha256(repr((*parts, version)).encode()).hexdigest()[:32]
        self.etag = digest
        last = latest or datetime(2000, 1, 1, tzinfo=UTC)
        if drifts_daily:  # the window moves at midnight UTC: old events leave the feed
            last = max(last, datetime.combine(now.date(), time(0), tzinfo=UTC))
        self.last_modified = last.replace(microsecond=0)

    def not_modified(self) -> bool:
        """True when the client's copy is current (If-None-Match first, else If-Modified-Since)."""
        if request.if_none_match:
            return self.etag in request.if_none_match
        since = request.if_modified_since
        return since is not None and self.last_modified <= since

    def apply(self, response, private: bool):
        response.set_etag(self.etag)
        response.last_modified = self.last_modified
        response.headers["Cache-Control"] = ("private" if private else "public") + ", no-cache"
        return response


def conditional_response(validators: Validators, mimetype: str, render, private: bool = False,
                         filename: str | None = None):
    """A 304 when the client is current; else the body (cached by ETag) with its validators."""
    if validators.not_modified():
        return validators.apply(make_response("", 304), private)
    use_cache = current_app.config.get("EVENTS_FEED_CACHE", True)  # the bench turns it off to time rendering
    body = events_cache().get_or_render(validators.etag, lambda: render().encode()) if use_cache else render().encode()
    response = make_response(body)
    response.content_type = f"{mimetype}; charset=utf-8"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return validators.apply(response, private)


# --- what the feeds say -------------------------------------------------------------------------


def _event_url_prefix() -> str:
    # url_for once per feed, not once per event: a feed can hold a thousand events.
    return url_for("events.detail", event_id=0, _external=True)[:-1]


class FeedWords:
    """The translated words a feed repeats, looked up once per feed instead of once per event."""

    def __init__(self, language: str):
        self.language = language
        self.types = {code: str(label) for code, label in EVENT_TYPES.items()}
        self.regions = {code: str(label) for code, label in REGIONS.items()}
        self.countries = formatting.current_locale().territories
        # gettext without values returns the translated pattern, filled in per event below
        self.cancelled_title = _("Cancelled: %(title)s")
        self.cancelled = _("This event is cancelled.")
        self.online = _("Online: %(url)s")
        self.details = _("Details: %(url)s")

    def status_sentence(self, event: Event) -> str | None:
        if event.is_cancelled:
            return self.cancelled
        return formatting.status_sentence(event)  # postponed: rare, and it formats a date


def ical_text(event: Event, words: FeedWords, url: str) -> EventText:
    """The summary, description, categories and location of an event in one language."""
    title = event.title_in(words.language)
    if event.is_cancelled:
        title = words.cancelled_title % {"title": title}
    description = event.text_in("description", words.language)[0].strip()
    notes = [description] if description else []
    sentence = words.status_sentence(event)
    if sentence:
        notes.insert(0, " ".join(filter(None, [sentence, event.status_note])))
    if event.online_url:
        notes.append(words.online % {"url": event.online_url})
    notes.append(words.details % {"url": url})
    country = words.countries.get(event.country, event.country) if event.country else ""
    location = ", ".join(p for p in (event.city, country) if p)
    categories = [words.types.get(event.event_type, event.event_type)]
    if event.region:
        categories.append(words.regions.get(event.region, event.region))
    return EventText(
        summary=title,
        description="\n\n".join(notes),
        categories=categories,
        location=location or event.online_url,
    )


def render_ics(events, language: str, name: str) -> str:
    """A calendar of `events` with its text in `language`."""
    prefix = _event_url_prefix()
    with force_locale(language):
        words = FeedWords(language)
        return render_calendar(
            events,
            text_of=lambda event: ical_text(event, words, f"{prefix}{event.id}"),
            url_of=lambda event: f"{prefix}{event.id}",
            name=name,
            description=_("Meetings of the Convention on Migratory Species and its instruments."),
        )


def calendar_name(filters: EventFilters, private: bool) -> str:
    name = _("CMS Family meetings")
    if private:
        name = _("CMS Family meetings (members)")
    if filters:
        labels = [formatting.region_name(code) for code in filters.regions]
        labels += [formatting.event_type_name(code) for code in filters.types]
        labels += [formatting.instrument_name(code) for code in filters.instruments]
        name = f"{name}: {', '.join(labels)}"
    return name


def feed_calendar(filters: EventFilters, members: bool, window: FeedWindow, language: str, private: bool):
    """The response of /events.ics and of a member's private feed."""
    today = utcnow().date()
    validators = Validators("ics", members, language, window.key(today), filters,
                            drifts_daily=window.year is None)

    def render() -> str:
        events = feed_events(filters, members, window, today)
        with force_locale(language):
            name = calendar_name(filters, private)
        return render_ics(events, language, name)

    return conditional_response(validators, ICS_MIMETYPE, render, private=private)


def event_calendar(event: Event, language: str, private: bool):
    """The response of one event's .ics file."""
    validators = Validators("event-ics", event.id, event.sequence, event.updated_at, language)

    def render() -> str:
        with force_locale(language):
            return render_ics([event], language, event.title_in(language))

    return conditional_response(validators, ICS_MIMETYPE, render, private=private, filename=f"event-{event.id}.ics")


def feed_atom(filters: EventFilters, members: bool, language: str, private: bool, self_url: str):
    """The Atom feed of new and changed events."""
    validators = Validators("atom", members, language, filters)

    def render() -> str:
        events = recent_changes(filters, members)
        prefix = _event_url_prefix()
        with force_locale(language):
            words = FeedWords(language)
            entries = []
            for event in events:
                url = f"{prefix}{event.id}"
                entries.append({"event": event, "url": url, "text": ical_text(event, words, url),
                                "when": _atom_when(event),
                                "version": _("version %(n)s", n=event.sequence) if event.sequence else ""})
            return render_template(
                "events/feed_atom.xml", entries=entries, title=calendar_name(filters, private),
                updated=validators.last_modified, self_url=self_url, language=language,
                subtitle=_("New and changed meetings of the CMS family"), author=_("CMS Family e-community"),
                home_url=url_for("events.upcoming", _external=True, **filters.as_args()),
            )

    return conditional_response(validators, ATOM_MIMETYPE, render, private=private)


def _atom_when(event: Event) -> str:
    # Feeds have no reader zone: the time at the venue, which is what the meeting announces.
    if event.all_day:
        return formatting.format_days(event.start_date, event.end_date)
    return (f"{formatting.format_span(event.starts_at, event.ends_at, event.timezone)} "
            f"{formatting.zone_label(event.timezone, event.starts_at)}")
