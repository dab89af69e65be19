"""Helpers for the evaluation tests: a past workshop with an agenda and confirmed participants."""

from datetime import time, timedelta

import pytest

from ecommunity.database import utcnow
from ecommunity.evaluations.services import TopicData, create_evaluation, default_closing, open_evaluation
from ecommunity.events.services import SessionData, create_event
from ecommunity.extensions import db
from ecommunity.workshops.models import RegistrationState
from ecommunity.workshops.services import WorkshopSettings, register, save_workshop
from tests.events.conftest import event_data
from tests.support.browser import browsing, chromium  # noqa: F401 - fixtures for the browser audit

TOPICS = [TopicData("National reporting", "Rapports nationaux"), TopicData("Negotiating at a COP")]


def workshop_event(days_from_now: int = -10, sessions: int = 3, **changes):
    """A two-day Nairobi workshop starting `days_from_now` days from today, with `sessions` agenda rows."""
    first = (utcnow() + timedelta(days=days_from_now)).date()
    rows = [SessionData(f"Session {i + 1}", first + timedelta(days=i // 4), time(9 + 2 * (i % 4)),
                        time(10 + 2 * (i % 4))) for i in range(sessions)]
    return create_event(event_data(start_date=first, end_date=first + timedelta(days=1), sessions=rows, **changes))


@pytest.fixture
def ctx(app):
    """A request context: mails build absolute links."""
    with app.test_request_context():
        yield


@pytest.fixture
def make_workshop(app, ctx):
    """A past (by default) workshop event with registration settings; returns the Workshop."""

    def make(days_from_now: int = -10, sessions: int = 3, capacity: int = 30, **changes):
        event = workshop_event(days_from_now, sessions, **changes)
        now = utcnow()
        workshop = save_workshop(event, WorkshopSettings(
            opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=30) if days_from_now < 0
            else now + timedelta(days=1), capacity=capacity, working_languages=["en", "fr"]))
        db.session.commit()
        return workshop

    return make


@pytest.fixture
def make_participant(app, ctx, make_user):
    """A member with a confirmed registration for `workshop` (registered by the secretariat)."""

    def make(workshop, **fields):
        user = make_user(**fields)
        registration = register(workshop, user, on_behalf=True)
        assert registration.state == RegistrationState.CONFIRMED
        db.session.commit()
        return user

    return make


@pytest.fixture
def open_evaluation_of(app, ctx):
    """Create and open the evaluation of `workshop`'s event with TOPICS; returns it."""

    def make(workshop, topics=None, notify=False):
        closes_at = max(default_closing(workshop.event), utcnow() + timedelta(days=14))
        evaluation = create_evaluation(workshop.event, TOPICS if topics is None else topics, closes_at)
        open_evaluation(evaluation, notify=notify)
        db.session.commit()
        return evaluation

    return make
