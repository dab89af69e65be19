"""The search page in real Chromium: axe-core (WCAG 2.1 A/AA) and the Nu HTML checker, on the demo data."""

import pytest

from ecommunity.demo import DEMO_PASSWORD, seed_demo
from ecommunity.extensions import db
from tests.events.test_events_audit import Audit
from tests.support.axe import install_axe
from tests.support.browser import browsing, chromium, log_in  # noqa: F401, F811 - fixtures
from tests.support.live_server import serve
from tests.support.tools import require

pytestmark = [pytest.mark.browser, pytest.mark.audit]

PAGES = [
    "/search", "/search?q=national+report", "/search?q=especes+migratrices", "/search?q=migratory&kind=manual",
    "/search?q=migratory&kind=manual&language=en&page=2", "/search?q=negociation+resolutoins",
    '/search?q="unbalanced+(', "/search?q=" + "a" * 300, "/search?q=*",
]


@pytest.fixture
def live_server(app):
    seed_demo()
    db.session.commit()  # indexed before commit() returns (SEARCH_INDEXING=inline in these tests)
    db.session.remove()
    with serve(app) as server:
        yield server


def test_search_pages_meet_wcag_aa_and_are_valid_html(browsing, tmp_path):  # noqa: F811
    require("axe", "vnu", "java")
    audit = Audit(tmp_path)
    visitor = browsing.new_context(bypass_csp=True)
    install_axe(visitor)
    page = visitor.new_page()
    for path in PAGES:
        audit.visit(page, path)
    member = browsing.new_context(bypass_csp=True, viewport={"width": 380, "height": 800})
    install_axe(member)
    page = member.new_page()
    assert log_in(page, "nfp.kenya@example.org", DEMO_PASSWORD) is None
    for path in PAGES[:4]:
        audit.visit(page, path)
    report = audit.report()
    assert not report, report
