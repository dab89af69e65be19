"""Chromium through Playwright's sync API: the browser for a test session, contexts that stay local."""

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.support.tools import CHROMIUM_ARGS, chromium_path, require

TIMEOUT_MS = 15_000


# Playwright's sync API allows one running instance per thread, and each folder's conftest has its own
# session fixture: they share one browser, closed when the last of them ends.
_shared: dict = {}


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session (skipped, or failed on CI, when it is missing)."""
    require("playwright", "chromium")
    if not _shared:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        except Exception:
            playwright.stop()
            raise
        _shared.update(playwright=playwright, browser=browser, users=0)
    _shared["users"] += 1
    yield _shared["browser"]
    _shared["users"] -= 1
    if not _shared["users"]:
        _shared["browser"].close()
        _shared.pop("playwright").stop()
        _shared.clear()


class Browsing:
    """Opens browser contexts on the live server; requests to any other host are refused and noted."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.blocked: list[str] = []
        self._contexts = []

    def new_context(self, **options):
        """A fresh context (own cookies) whose relative URLs resolve against the live server."""
        context = self.browser.new_context(base_url=self.base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", self._keep_local)
        self._contexts.append(context)
        return context

    def _keep_local(self, route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob"} or f"{parts.scheme}://{parts.netloc}" == self.base_url:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def close(self) -> None:
        for context in self._contexts:
            context.close()
        self._contexts.clear()


@pytest.fixture
def browsing(chromium, live_server) -> Iterator[Browsing]:
    """Browser contexts on this test's live server, closed at the end of the test."""
    session = Browsing(chromium, live_server.url)
    yield session
    session.close()


def log_in(page, email: str, password: str) -> str | None:
    """Log in through the /login form as a person would; None when it worked, else what went wrong."""
    page.goto("/login")
    main = page.locator("main")
    button = main.get_by_role("button", name="Log in", exact=True)
    if main.locator("[name=email]").count() != 1 or button.count() != 1:
        return f"/login has no login form: {page.inner_text('body')[:200]!r}"
    main.locator("[name=email]").fill(email)
    main.locator("[name=password]").fill(password)
    with page.expect_navigation():
        button.click()
    if page.get_by_role("button", name="Log out").count() == 0:
        text = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
        return f"logging in as {email} ended on {urlsplit(page.url).path}: {text[:300]!r}"
    return None
