"""Manual and library pages in real Chromium: axe-core (WCAG 2.1 A/AA) and the Nu HTML checker, with error states."""

import pytest

from ecommunity.accounts.models import User
from ecommunity.demo import DEMO_PASSWORD, seed_demo_accounts
from ecommunity.extensions import db
from ecommunity.forums import services as forums
from ecommunity.forums.models import Access
from ecommunity.library.demo import seed_library
from ecommunity.manual import services
from ecommunity.manual.demo import seed_manual
from ecommunity.manual.models import SectionRevision
from tests.events.test_events_audit import Audit
from tests.manual.conftest import FIXTURE_CONTENT
from tests.support.axe import install_axe
from tests.support.browser import log_in
from tests.support.live_server import serve
from tests.support.tools import require

pytestmark = [pytest.mark.browser, pytest.mark.audit]


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LIBRARY_DIR": str(tmp_path / "library")}


@pytest.fixture
def live_server(app):
    seed_demo_accounts()
    seed_manual(FIXTURE_CONTENT)
    seed_library()
    category = forums.save_category(None, slug="manual-talk", name="Manual talk", access=Access.MEMBERS)
    author = db.session.scalar(db.select(User).filter_by(email="nfp.kenya@example.org"))
    forums.create_topic(category=category, author=author, title="Preparing for the meeting", body="Tips?",
                        link=("manual", "meetings/before"), notify=False)
    welcome = services.load_section("first-steps", "welcome")
    services.save_version(welcome, "fr", "Bienvenue", "## Lire le manuel\n\nUn texte changé.", None)
    db.session.commit()
    db.session.remove()
    with serve(app) as server:
        yield server


def test_manual_and_library_pages_meet_wcag_aa_and_are_valid_html(browsing, tmp_path):
    require("axe", "vnu", "java")
    welcome = services.load_section("first-steps", "welcome")
    revision = db.session.scalar(db.select(SectionRevision).filter_by(section_id=welcome.id, language="fr", number=2))
    audit = Audit(tmp_path)

    visitor = browsing.new_context(bypass_csp=True)
    install_axe(visitor)
    page = visitor.new_page()
    for path in ["/manual", "/manual/first-steps", "/manual/first-steps/welcome",
                 "/manual/first-steps/your-role?lang=es", "/manual/meetings/print", "/library",
                 "/library?kind=guideline&language=en", "/library/1"]:
        audit.visit(page, path)

    member = browsing.new_context(bypass_csp=True, viewport={"width": 380, "height": 800})
    install_axe(member)
    page = member.new_page()
    assert log_in(page, "nfp.kenya@example.org", DEMO_PASSWORD) is None
    for path in ["/manual/meetings/before", "/library", "/library/2"]:
        audit.visit(page, path)

    staff = browsing.new_context(bypass_csp=True)
    install_axe(staff)
    page = staff.new_page()
    assert log_in(page, "secretariat@example.org", DEMO_PASSWORD) is None
    for path in ["/manual/manage", "/manual/manage/parts/new", "/manual/manage/chapters/new",
                 "/manual/manage/chapters/1", f"/manual/manage/chapters/{welcome.chapter_id}/sections/new",
                 f"/manual/manage/sections/{welcome.id}/es", f"/manual/manage/sections/{welcome.id}/fr/history",
                 f"/manual/manage/revisions/{revision.id}", "/manual/first-steps/welcome?lang=fr",
                 "/library/upload", "/library/1/edit"]:
        audit.visit(page, path)
    # error states: a bad slug, an upload without a file
    page.goto("/manual/manage/parts/new")
    page.fill("#slug", "Not A Slug")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Save')")
    audit.check(page, "part form with errors")
    page.goto("/library/upload")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Upload')")
    audit.check(page, "upload form with errors")

    assert audit.report() == ""


def test_a_chapter_prints_whole_without_the_site_around_it(browsing):
    import io

    from pypdf import PdfReader

    page = browsing.new_context().new_page()
    page.goto("/manual/meetings/print")
    page.emulate_media(media="print")
    assert not page.is_visible(".site-header") and not page.is_visible(".crumbs")

    printed = PdfReader(io.BytesIO(page.pdf(format="A4")))
    text = "\n".join(p.extract_text() for p in printed.pages)

    for title in ("Meetings", "Before the meeting", "During the meeting", "After the meeting", "What to do after."):
        assert title in text
    assert "Skip to main content" not in text and "Log in" not in text
