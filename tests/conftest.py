"""Fixtures: a fresh app and database per test (SQLite, or PostgreSQL with TEST_DATABASE_URL),
a real SMTP server on loopback, and helpers that go through forms as a browser would."""

import email
import email.policy
import os
import re
import shutil
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from ecommunity import create_app
from ecommunity.accounts.models import AccountStatus, Role, User, UserInstrument
from ecommunity.accounts.passwords import hash_password
from ecommunity.config import database_url_from
from ecommunity.database import utcnow
from ecommunity.extensions import db

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: Argon2 is slow on purpose

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


def _migrated_app(url: str):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return app


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Build the schema once through the migrations; tests get copies (SQLite) or a truncate."""
    if POSTGRES_URL:
        url = database_url_from(POSTGRES_URL)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrated_app(url)
        return url
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    _migrated_app(f"sqlite:///{path}")
    return path


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
        if tables:
            quoted = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    if POSTGRES_URL:
        _truncate_all(database_template)
        return database_template
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app_config(database_url, tmp_path):
    """Settings for this test's app; a test may change them before asking for `app`."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "LIBRARY_DIR": str(tmp_path / "library"),
    }


class RequestIsolatingClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    The `app` fixture keeps a context pushed for the test's own database work; without this,
    requests would reuse it and share `g` (cached locale, logged-in user) across requests.
    After a request, the test's session is expired so it reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = RequestIsolatingClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- mail --------------------------------------------------------------------------------


class MailCatcher:
    """Collects what a real SMTP server on loopback receives."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse_with: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_with:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address.lower() in m["To"].lower()]

    @staticmethod
    def text_of(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def links_in(self, message) -> list[str]:
        return re.findall(r"https?://[^\s<>\"]+", self.text_of(message))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    catcher = MailCatcher()
    controller = Controller(catcher, hostname="127.0.0.1", port=free_port())
    controller.start()
    catcher.port = controller.port
    yield catcher
    controller.stop()


@pytest.fixture
def mailbox(app, smtp_server):
    """The SMTP catcher, with the app pointed at it; `mailbox.deliver()` runs the sender."""
    from ecommunity.mail.services import deliver_due

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)

    def deliver():
        with app.app_context():
            return deliver_due()

    smtp_server.deliver = deliver
    return smtp_server


# --- people and forms --------------------------------------------------------------------


@pytest.fixture
def make_user(app):
    """Create an account directly in the database (active member unless told otherwise)."""
    counter = iter(range(1, 100000))

    def make(email=None, role=Role.MEMBER, status=AccountStatus.ACTIVE, **fields):
        n = next(counter)
        instruments = fields.pop("instruments", ["cms"])
        user = User(
            email=(email or f"person{n}@example.org").lower(),
            full_name=fields.pop("full_name", f"Person {n}"),
            country=fields.pop("country", "KE"),
            region=fields.pop("region", "africa"),
            role=role,
            status=status,
            password_hash=fields.pop("password_hash", _PASSWORD_HASH),
            email_verified_at=utcnow() if status != AccountStatus.UNVERIFIED else None,
            instrument_links=[UserInstrument(instrument=code) for code in instruments],
            **fields,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def submit(client, url: str, data: dict | None = None, page: str | None = None, **kwargs):
    """GET the page that holds the form (default: the same URL), then POST it with its token."""
    form_page = client.get(page or url)
    payload = {"csrf_token": csrf_token_from(form_page.get_data(as_text=True))}
    payload.update(data or {})
    return client.post(url, data=payload, **kwargs)


def login(client, email_address: str, password: str = PASSWORD, **extra):
    return submit(client, "/login", {"email": email_address, "password": password, **extra})


@pytest.fixture
def login_as(client, make_user):
    """Log the test client in as a new account of the given role; returns the user."""

    def _login(role=Role.MEMBER, **fields):
        user = make_user(role=role, **fields)
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return _login


ROOT = Path(__file__).resolve().parent.parent
