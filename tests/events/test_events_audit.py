"""The event pages in real Chromium: axe-core (WCAG 2.1 A/AA) and the Nu HTML checker, with error states."""

from pathlib import Path

import pytest

from ecommunity.demo import DEMO_PASSWORD, seed_demo
from ecommunity.events.demo import demo_uid
from ecommunity.events.models import Event
from ecommunity.extensions import db
from tests.support.axe import axe_violations, install_axe
from tests.support.browser import log_in
from tests.support.live_server import serve
from tests.support.tools import require
from tests.support.vnu import html_errors

pytestmark = [pytest.mark.browser, pytest.mark.audit]


@pytest.fixture
def live_server(app):
    seed_demo()
    db.session.commit()
    db.session.remove()
    with serve(app) as server:
        yield server


def _event(key: str) -> Event:
    return db.session.scalars(db.select(Event).filter_by(uid=demo_uid(key))).one()


class Audit:
    def __init__(self, folder: Path):
        self.folder = folder
        self.pages: list[tuple[str, Path, list]] = []

    def check(self, page, label: str, status: int = 200, response=None) -> None:
        """Record the page as the server sent it and run axe on it as Chromium shows it."""
        html = response.text() if response is not None else page.content()
        if response is not None:
            assert response.status == status, f"{label}: HTTP {response.status}"
        file = self.folder / f"{len(self.pages):02d}.html"
        file.write_text(html, encoding="utf-8")
        self.pages.append((label, file, axe_violations(page)))

    def visit(self, page, path: str, status: int = 200) -> None:
        self.check(page, path, status, page.goto(path))

    def report(self) -> str:
        lines = []
        for label, _file, violations in self.pages:
            lines += [f"{label}: axe {v.rule} ({v.impact}) {v.help}: {' | '.join(v.targets[:4])}" for v in violations]
        by_file = {file: label for label, file, _ in self.pages}
        for error in html_errors([file for _label, file, _ in self.pages]):
            lines.append(f"{by_file.get(error.file, error.file)} line {error.line}: {error.message} -- {error.extract}")
        return "\n".join(lines)


def test_event_pages_meet_wcag_aa_and_are_valid_html(browsing, tmp_path):
    require("axe", "vnu", "java")
    workshop, asia, flyways = _event("precop-africa"), _event("precop-asia"), _event("webinar-flyways")
    month = f"/events/calendar/{workshop.start_date.year}/{workshop.start_date.month}"
    audit = Audit(tmp_path)

    visitor = browsing.new_context(bypass_csp=True)
    install_axe(visitor)
    page = visitor.new_page()
    for path in ["/", "/events", "/events/past", "/events/calendar", month, "/events?region=atlantis",
                 f"/events/{workshop.id}", f"/events/{asia.id}", "/events/subscribe", "/events/timezone"]:
        audit.visit(page, path)

    staff = browsing.new_context(bypass_csp=True, viewport={"width": 380, "height": 800})
    install_axe(staff)
    page = staff.new_page()
    assert log_in(page, "secretariat@example.org", DEMO_PASSWORD) is None
    for path in [month, f"/events/{workshop.id}", f"/events/{flyways.id}", "/events/new",
                 f"/events/{workshop.id}/edit", f"/events/{workshop.id}/postpone", f"/events/{workshop.id}/cancel",
                 "/events/subscribe"]:
        audit.visit(page, path)

    # The organiser's form sent with an empty title and the end before the start.
    page.goto("/events/new")
    main = page.locator("main")
    main.locator("#title_en").fill("")
    main.locator("#start_date").fill("2030-03-05")
    main.locator("#end_date").fill("2030-03-01")
    main.locator("#start_time").fill("09:00")
    main.locator("#end_time").fill("17:00")
    main.locator("#city").fill("Nairobi")
    main.locator("#country").select_option("KE")
    button = main.get_by_role("button", name="Save the event")
    button.evaluate("b => { b.form.noValidate = true; }")
    with page.expect_navigation() as navigation:
        button.click()
    audit.check(page, "/events/new with errors", 400, navigation.value)
    assert page.locator("#title_en-error").is_visible() and page.locator("#end_date-error").is_visible()

    report = audit.report()
    if report:
        pytest.fail(report, pytrace=False)
    assert not browsing.blocked
