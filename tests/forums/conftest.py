"""Forum fixtures: categories of every kind of access, people signed in without the login form."""

import pytest

from ecommunity.accounts.models import Role
from ecommunity.extensions import db
from ecommunity.forums import services
from ecommunity.forums.models import Access
from tests.support.browser import browsing, chromium  # noqa: F401 - fixtures for the browser test


@pytest.fixture
def categories(app):
    """An open category, a secretariat-only one and one for the Africa region."""
    made = {
        "open": services.save_category(None, slug="national-reporting", name="National reporting",
                                       name_fr="Rapports nationaux", position=1, access=Access.MEMBERS),
        "staff": services.save_category(None, slug="staff-room", name="Staff room", position=2,
                                        access=Access.SECRETARIAT),
        "africa": services.save_category(None, slug="africa", name="Africa", position=3, access=Access.REGION,
                                         region="africa"),
    }
    db.session.commit()
    return made


def sign_in(client, user) -> None:
    """Put the member in the test client's session (the login form is tested by the accounts suite)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def member(make_user):
    return make_user(full_name="Wanjiru Kamau", region="africa")


@pytest.fixture
def other(make_user):
    return make_user(full_name="Moussa Ndiaye", region="africa")


@pytest.fixture
def moderator(make_user):
    return make_user(role=Role.SECRETARIAT, full_name="Jonas Weber", region="europe")


@pytest.fixture
def make_topic(app):
    """A committed topic with `replies` replies, written without notifications."""

    def make(category, author, title="How do we prepare the national report?", body="First post", replies=0,
             repliers=()):
        topic = services.create_topic(category=category, author=author, title=title, body=body, notify=False)
        for n in range(replies):
            person = repliers[n % len(repliers)] if repliers else author
            services.reply(topic=topic, author=person, body=f"Reply {n + 1}", notify=False)
        db.session.commit()
        return topic

    return make
