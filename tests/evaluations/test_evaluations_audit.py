"""The evaluation pages in real Chromium: axe-core (WCAG 2.1 A/AA) and the Nu HTML checker, with error states."""

from datetime import timedelta

import pytest

from ecommunity.accounts.models import User
from ecommunity.database import utcnow
from ecommunity.demo import DEMO_PASSWORD, seed_demo
from ecommunity.evaluations.models import Evaluation
from ecommunity.evaluations.services import create_evaluation, open_evaluation
from ecommunity.events.demo import demo_uid
from ecommunity.events.models import Event
from ecommunity.extensions import db
from ecommunity.forums.notifications import mail_context
from ecommunity.workshops.services import WorkshopSettings, register, save_workshop
from tests.evaluations.conftest import TOPICS, workshop_event
from tests.events.test_events_audit import Audit
from tests.support.axe import install_axe
from tests.support.browser import log_in
from tests.support.live_server import serve
from tests.support.tools import require

pytestmark = [pytest.mark.browser, pytest.mark.audit]


@pytest.fixture
def live_server(app):
    """The demo, plus a workshop that ended last week whose evaluation is open, answered by nfp.kenya."""
    seed_demo()
    with mail_context():
        event = workshop_event(days_from_now=-7, sessions=3)
        now = utcnow()
        workshop = save_workshop(event, WorkshopSettings(opens_at=now - timedelta(days=60),
                                                         closes_at=now - timedelta(days=30), capacity=5))
        kenya = db.session.scalar(db.select(User).filter_by(email="nfp.kenya@example.org"))
        register(workshop, kenya, on_behalf=True)
        open_evaluation(create_evaluation(event, TOPICS, closes_at=now + timedelta(days=14)), notify=False)
    db.session.commit()
    db.session.remove()
    with serve(app) as server:
        yield server


def test_evaluation_pages_meet_wcag_aa_and_are_valid_html(browsing, tmp_path):
    require("axe", "vnu", "java")
    evaluations = {e.status: e.id for e in db.session.scalars(db.select(Evaluation))}
    africa = db.session.scalar(db.select(Event).filter_by(uid=demo_uid("precop-africa")))
    closed, opened = evaluations["closed"], evaluations["open"]
    audit = Audit(tmp_path)

    staff = browsing.new_context(bypass_csp=True, viewport={"width": 380, "height": 800})
    install_axe(staff)
    page = staff.new_page()
    assert log_in(page, "secretariat@example.org", DEMO_PASSWORD) is None
    for path in ["/evaluations", f"/evaluations/{closed}", f"/evaluations/{opened}", f"/evaluations/{closed}/edit",
                 f"/events/{africa.id}/evaluation/new"]:
        audit.visit(page, path)

    member = browsing.new_context(bypass_csp=True)
    install_axe(member)
    page = member.new_page()
    assert log_in(page, "nfp.kenya@example.org", DEMO_PASSWORD) is None
    audit.visit(page, "/evaluations/mine")
    audit.visit(page, f"/evaluations/{closed}/answer", status=409)
    audit.visit(page, f"/evaluations/{opened}/answer")
    # A level before the workshop without the level after: the message beside the field.
    main = page.locator("main")
    main.locator("select").first.select_option("2")
    with page.expect_navigation() as navigation:
        main.get_by_role("button", name="Send my answers").click()
    audit.check(page, "answer with an error", 400, navigation.value)
    assert page.locator(".error").first.is_visible()

    report = audit.report()
    if report:
        pytest.fail(report, pytrace=False)
    assert not browsing.blocked
