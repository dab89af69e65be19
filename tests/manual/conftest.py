"""Helpers for the manual tests: a small manual seeded from the fixture files, quick sign-in."""

import shutil
from pathlib import Path

import pytest

from ecommunity.accounts.models import Role
from ecommunity.extensions import db
from ecommunity.manual.demo import seed_manual
from tests.accounts.conftest import sign_in
from tests.support.browser import browsing, chromium  # noqa: F401 - fixtures for the browser audit

FIXTURE_CONTENT = Path(__file__).resolve().parent / "fixture_content"


@pytest.fixture
def content_dir(tmp_path) -> Path:
    """A copy of the fixture content files that a test may change."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


@pytest.fixture
def manual(app, content_dir):
    """The fixture manual in the database; returns the seeding's counts."""
    counts = seed_manual(content_dir)
    db.session.commit()
    return counts


@pytest.fixture
def as_role(client, make_user):
    """Sign the client in with a new account of the role (None: stay anonymous); returns the user."""

    def sign(role):
        if role is None:
            return None
        user = make_user(role=Role(role))
        sign_in(client, user)
        return user

    return sign
