"""Helpers for the account tests: a valid sign-up, following mailed links, quick sign-in."""

import re
from urllib.parse import urlsplit

import pytest

from ecommunity.accounts.models import AccountStatus, Role, User
from ecommunity.extensions import db
from tests.conftest import submit

NEW_PASSWORD = "flyways across the sahel"

SIGNUP = {
    "full_name": "Awa Sarr",
    "email": "awa.sarr@example.org",
    "password": NEW_PASSWORD,
    "password_confirm": NEW_PASSWORD,
    "country": "SN",
    "region": "africa",
    "instruments": ["cms", "aewa"],
    "organisation": "Direction des Parcs nationaux",
    "position": "Conservatrice",
    "language": "en",
    "timezone": "Africa/Dakar",
}


def signup(client, **changes):
    """Send the sign-up form with valid data, changed by `changes`."""
    return submit(client, "/signup", {**SIGNUP, **changes})


def path_of(link: str) -> str:
    """The path (and query) of an absolute link from a mail, for the test client."""
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def mailed_link(mailbox, address: str, containing: str) -> str:
    """Deliver the outbox, then return the path of the newest link to `address` that contains `containing`."""
    mailbox.deliver()
    for message in reversed(mailbox.to(address)):
        for link in mailbox.links_in(message):
            if containing in link:
                return path_of(link)
    raise AssertionError(f"no mail to {address} with a {containing} link")


def account(email: str) -> User:
    """The account as last committed."""
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.email == email.lower()))


def text(response) -> str:
    """The page's text, whitespace collapsed, for assertions on messages."""
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&#34;", '"')


def sign_in(client, user: User) -> None:
    """Put the account in the client's session as Flask-Login does, without the (slow) password check."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def staff(make_user):
    """An active secretariat member, who receives the "request waiting" mails."""
    return make_user(email="desk@example.org", role=Role.SECRETARIAT, full_name="Jonas Weber", language="en")


@pytest.fixture
def pending_user(make_user):
    """A request whose address is confirmed, waiting for the secretariat."""
    return make_user(email="fatou@example.org", status=AccountStatus.PENDING, full_name="Fatou Camara",
                     country="GM", region="africa")
