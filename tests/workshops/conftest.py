"""Helpers for the workshop tests: a workshop open for registration, made through the services."""

from datetime import timedelta

import pytest

from ecommunity.database import utcnow
from ecommunity.events.services import create_event
from ecommunity.extensions import db
from ecommunity.workshops.services import WorkshopSettings, save_workshop
from tests.events.conftest import event_data


def workshop_settings(**changes) -> WorkshopSettings:
    """Open since yesterday, closing in 30 days, 20 seats, no quota, members of every region."""
    now = utcnow()
    values = {"opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=30), "capacity": 20,
              "working_languages": ["en", "fr"]}
    values.update(changes)
    return WorkshopSettings(**values)


@pytest.fixture
def make_workshop(app):
    """Create and commit a workshop event (in 2030, Nairobi) with its registration settings."""

    def make(event_changes: dict | None = None, **changes):
        event = create_event(event_data(**(event_changes or {})))
        workshop = save_workshop(event, workshop_settings(**changes))
        db.session.commit()
        return workshop

    return make


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: starts gunicorn and sends hundreds of requests (runs in make test)")
