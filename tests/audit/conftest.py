"""The audit's site: the demo data in this test's database, served over HTTP to Chromium."""

import pytest

from ecommunity.demo import seed_demo
from ecommunity.extensions import db
from tests.support.browser import browsing, chromium  # noqa: F401 - fixtures for this folder
from tests.support.live_server import serve


@pytest.fixture
def demo_data(app):
    """Every feature's demo content, committed, so the server's threads see it."""
    seed_demo()
    db.session.commit()
    db.session.remove()


@pytest.fixture
def live_server(app, demo_data):
    with serve(app) as server:
        yield server
