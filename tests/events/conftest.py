"""Helpers for the event tests: events made through the services, quick sign-in, a valid form."""

from datetime import date, time, timedelta

import pytest

from ecommunity.accounts.models import Role
from ecommunity.database import utcnow
from ecommunity.events.services import EventData, Schedule, create_event
from ecommunity.extensions import db
from tests.support.browser import browsing, chromium  # noqa: F401 - fixtures for the browser audit

# A Tuesday in a winter month: Nairobi UTC+3, Bonn UTC+1, Suva UTC+12, no clock change nearby.
NAIROBI_DAY = date(2030, 3, 5)


def event_data(**changes) -> EventData:
    """A valid timed event in Nairobi on NAIROBI_DAY, 09:00-17:00 local, changed by `changes`."""
    start_date = changes.pop("start_date", NAIROBI_DAY)
    schedule = changes.pop("schedule", None) or Schedule(
        timezone=changes.pop("timezone", "Africa/Nairobi"),
        all_day=changes.pop("all_day", False),
        start_date=start_date,
        end_date=changes.pop("end_date", start_date),
        start_time=changes.pop("start_time", time(9)),
        end_time=changes.pop("end_time", time(17)),
    )
    values = {
        "title_en": "Regional workshop in Nairobi",
        "event_type": "pre-cop-workshop",
        "region": "africa",
        "instruments": ["cms", "aewa"],
        "city": "Nairobi",
        "country": "KE",
        "organiser_name": "Capacity Building Unit",
        "organiser_email": "capacity@example.org",
        "schedule": schedule,
    }
    values.update(changes)
    return EventData(**values)


@pytest.fixture
def make_event(app):
    """Create and commit an event through the services; keyword arguments change `event_data()`."""

    def make(**changes):
        event = create_event(event_data(**changes))
        db.session.commit()
        return event

    return make


def days_from_now(days: int) -> date:
    return (utcnow() + timedelta(days=days)).date()


@pytest.fixture
def make_upcoming(make_event):
    """An all-day event `days` from today (negative: in the past)."""

    def make(days: int = 10, length: int = 1, **changes):
        start = days_from_now(days)
        schedule = Schedule("UTC", True, start, start + timedelta(days=length - 1))
        return make_event(schedule=schedule, **changes)

    return make


@pytest.fixture
def sign_in(client):
    """Put `user` in the test client's session, as Flask-Login does after a login."""

    def _sign_in(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return _sign_in


@pytest.fixture
def as_role(make_user, sign_in):
    """Sign in as a new account with `role` (a Role, or None for an anonymous visitor)."""

    def _as(role=Role.MEMBER, **fields):
        if role is None:
            return None
        return sign_in(make_user(role=role, **fields))

    return _as


def form_data(**changes) -> dict:
    """The organiser's form, filled in validly for a timed Nairobi workshop."""
    data = {
        "title_en": "Regional preparatory workshop for COP15: Africa",
        "title_fr": "",
        "title_es": "",
        "description_en": "Three days to study the COP15 agenda.\n\nIn English and French.",
        "event_type": "pre-cop-workshop",
        "region": "africa",
        "instruments": ["cms", "aewa"],
        "is_public": "y",
        "city": "Nairobi",
        "country": "KE",
        "online_url": "",
        "timezone": "Africa/Nairobi",
        "start_date": "2030-03-05",
        "start_time": "09:00",
        "end_date": "2030-03-07",
        "end_time": "17:00",
        "organiser_name": "Capacity Building Unit",
        "organiser_email": "capacity@example.org",
        "sessions-0-day": "2030-03-05",
        "sessions-0-start_time": "09:00",
        "sessions-0-end_time": "10:30",
        "sessions-0-title": "Opening",
        "sessions-1-day": "",
        "sessions-1-start_time": "",
        "sessions-1-end_time": "",
        "sessions-1-title": "",
        "documents-0-title": "Programme",
        "documents-0-url": "https://www.example.org/programme.pdf",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}

