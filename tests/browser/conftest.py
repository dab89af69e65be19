"""The browser suite's site: the test's app served over HTTP, sending its mail to a real SMTP catcher."""

import pytest

from tests.support.browser import browsing, chromium  # noqa: F401 - fixtures for this folder
from tests.support.live_server import serve


@pytest.fixture
def live_server(app, mailbox):
    """Started after `mailbox` pointed the app at the SMTP catcher, so every mail reaches it."""
    assert app.config["MAIL_SERVER"] == "127.0.0.1" and app.config["MAIL_PORT"] == mailbox.port
    with serve(app) as server:
        yield server
