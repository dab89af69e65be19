"""Manual pages through HTTP: reading in three languages, and the secretariat's editing with revisions."""

import re

import pytest

from ecommunity.accounts.models import Role
from ecommunity.extensions import db
from ecommunity.forums import services as forums
from ecommunity.forums.models import Access
from ecommunity.manual import services
from ecommunity.manual.models import ManualChapter, ManualPart, ManualSection, SectionRevision
from tests.accounts.conftest import text
from tests.conftest import submit


def page_ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_the_manual_is_public_and_falls_back_to_english_with_a_notice(client, manual):
    response = client.get("/manual/first-steps/your-role?lang=fr")

    assert response.status_code == 200
    body = text(response)
    assert "This section is not yet translated into French; it is shown in English." in body
    html = response.get_data(as_text=True)
    assert "<h1>Your role</h1>" in html
    assert "(not translated yet)" in body
    assert 'href="/manual/first-steps/welcome?lang=fr"' in html  # previous, kept in French
    assert 'rel="next" href="/manual/meetings/before?lang=fr"' in html


def test_the_language_switcher_links_the_versions(client, manual):
    html = client.get("/manual/first-steps/welcome").get_data(as_text=True)

    assert 'hreflang="fr" lang="fr">Français</a>' in html
    assert '<span aria-current="true" lang="en">English</span>' in html
    french = client.get("/manual/first-steps/welcome?lang=fr")
    assert "Bienvenue" in text(french) and "not yet translated" not in text(french)


def test_the_interface_language_chooses_the_version(client, manual):
    with client.session_transaction() as session:
        session["language"] = "fr"

    html = client.get("/manual/first-steps/welcome").get_data(as_text=True)

    assert "<h1>Bienvenue</h1>" in html


def test_the_section_page_has_breadcrumbs_a_toc_and_unique_ids(client, manual):
    html = client.get("/manual/first-steps/welcome").get_data(as_text=True)

    assert 'aria-label="Breadcrumb"' in html and 'href="/manual/first-steps"' in html
    assert '<a href="#reading-the-manual">' in html and '<a href="#reading-the-manual-2">' in html
    assert '<h3 id="languages">Languages</h3>' in html
    ids = page_ids(html)
    assert len(ids) == len(set(ids)), ids
    assert html.count("<h1") == 1


def test_unknown_pages_are_404(client, manual):
    assert client.get("/manual/first-steps/nope").status_code == 404
    assert client.get("/manual/nope").status_code == 404
    assert client.get("/manual/nope/print").status_code == 404


def test_the_contents_and_chapter_pages(client, manual):
    home = text(client.get("/manual?lang=fr"))
    assert "Les bases" in home and "Premiers pas" in home and "Bienvenue" in home and "Your role (in English)" in home
    assert "Bienvenue (in English)" not in home
    chapter = client.get("/manual/meetings")
    assert "Before the meeting" in text(chapter) and 'href="/manual/meetings/print"' in chapter.get_data(as_text=True)


def test_the_print_view_holds_the_whole_chapter(client, manual):
    response = client.get("/manual/meetings/print")

    html = response.get_data(as_text=True)
    for title in ("Before the meeting", "During the meeting", "After the meeting"):
        assert title in html
    ids = page_ids(html)
    assert len(ids) == len(set(ids)), ids


def test_forum_topics_that_link_to_a_section_are_listed_for_members(client, manual, make_user, as_role):
    author = make_user()
    category = forums.save_category(None, slug="talk", name="Talk", access=Access.MEMBERS)
    forums.create_topic(category=category, author=author, title="How early to prepare?", body="Any tips?",
                        link=("manual", "meetings/before"), notify=False)
    db.session.commit()

    assert "How early to prepare?" not in text(client.get("/manual/meetings/before"))
    as_role(Role.MEMBER)
    assert "How early to prepare?" in text(client.get("/manual/meetings/before"))


@pytest.fixture
def editor(as_role):
    return as_role(Role.SECRETARIAT)


def test_the_secretariat_builds_a_part_chapter_and_section(client, manual, editor):
    response = submit(client, "/manual/manage/parts/new", {"slug": "reporting", "title_en": "Reporting",
                                                            "title_fr": "Rapports"})
    assert response.status_code == 302
    part = db.session.scalar(db.select(ManualPart).filter_by(slug="reporting"))
    response = submit(client, "/manual/manage/chapters/new", {
        "slug": "national-reports", "part": part.id, "title_en": "National reports", "summary_en": "Why report."})
    assert response.status_code == 302
    chapter = db.session.scalar(db.select(ManualChapter).filter_by(slug="national-reports"))

    response = submit(client, f"/manual/manage/chapters/{chapter.id}/sections/new", {
        "slug": "deadlines", "title": "Deadlines", "body": "## When\n\nBefore each COP.", "note": "first draft"})

    assert response.headers["Location"] == "/manual/national-reports/deadlines"
    page = client.get("/manual/national-reports/deadlines")
    assert '<h2 id="when">When</h2>' in page.get_data(as_text=True)
    revision = db.session.scalar(
        db.select(SectionRevision).join(ManualSection).filter(ManualSection.slug == "deadlines"))
    assert (revision.author_id, revision.note, revision.number) == (editor.id, "first draft", 1)


def test_bad_slugs_get_a_message_beside_the_field(client, manual, editor):
    response = submit(client, "/manual/manage/parts/new", {"slug": "Not A Slug", "title_en": "X"})
    assert response.status_code == 400
    assert 'id="slug-error"' in response.get_data(as_text=True)
    part = db.session.scalar(db.select(ManualPart).filter_by(slug="basics"))
    response = submit(client, "/manual/manage/chapters/new", {"slug": "meetings", "part": part.id, "title_en": "X"})
    assert response.status_code == 400 and "already used" in text(response)


def test_translating_editing_and_restoring_through_the_pages(client, manual, editor):
    your_role = services.load_section("first-steps", "your-role")
    url = f"/manual/manage/sections/{your_role.id}/es"
    assert "The English version, for reference" in text(client.get(url))

    response = submit(client, url, {"title": "Su papel", "body": "Usted es el punto de contacto."})
    assert response.headers["Location"] == "/manual/first-steps/your-role?lang=es"
    assert "Su papel" in text(client.get("/manual/first-steps/your-role?lang=es"))
    submit(client, url, {"title": "Su función", "body": "Usted es el contacto.", "note": "más corto"})

    history = client.get(f"/manual/manage/sections/{your_role.id}/es/history")
    assert "Revision 2" in text(history) and "más corto" in text(history)
    first = db.session.scalar(db.select(SectionRevision).filter_by(section_id=your_role.id, language="es", number=1))
    second_id = db.session.scalar(db.select(SectionRevision.id).filter_by(section_id=your_role.id, language="es",
                                                                          number=2))
    changes = client.get(f"/manual/manage/revisions/{second_id}").get_data(as_text=True)
    assert "<del>" in changes and "Usted es el contacto." in changes

    response = submit(client, f"/manual/manage/revisions/{first.id}/restore",
                      page=f"/manual/manage/revisions/{first.id}")

    assert response.status_code == 302
    assert "Su papel" in text(client.get("/manual/first-steps/your-role?lang=es"))
    assert [r.number for r in services.revisions_of(your_role, "es")] == [3, 2, 1]


def test_moving_through_the_manage_page(client, manual, editor):
    after = services.load_section("meetings", "after")
    assert "Move up" in text(client.get("/manual/manage"))

    response = submit(client, f"/manual/manage/sections/{after.id}/move", {"direction": "up"}, page="/manual/manage")

    assert response.status_code == 302
    assert [s.slug for s in services.outline("en")[1].chapters[0].sections] == ["before", "after", "during"]
    assert submit(client, f"/manual/manage/sections/{after.id}/move", {"direction": "sideways"},
                  page="/manual/manage").status_code == 400


def test_a_member_cannot_edit(client, manual, as_role):
    as_role(Role.MEMBER)
    section = services.load_section("meetings", "after")
    assert client.get(f"/manual/manage/sections/{section.id}/en").status_code == 403
    assert client.get("/manual/manage").status_code == 403


def test_a_conflicting_edit_keeps_the_text_and_says_why(client, manual, editor, make_user):
    welcome = services.load_section("first-steps", "welcome")
    url = f"/manual/manage/sections/{welcome.id}/en"
    page = client.get(url).get_data(as_text=True)
    assert 'name="base_revision" type="hidden" value="1"' in page
    services.save_version(welcome, "en", "Welcome", "Someone else's text.", make_user(role=Role.SECRETARIAT))
    db.session.commit()

    response = submit(client, url, {"title": "Welcome", "body": "My careful text.", "base_revision": "1"})

    assert response.status_code == 409
    assert "Someone else saved this section" in text(response) and "My careful text." in text(response)
    assert 'value="2"' in response.get_data(as_text=True)
    again = submit(client, url, {"title": "Welcome", "body": "My careful text.", "base_revision": "2"})
    assert again.status_code == 302
    assert [r.number for r in services.revisions_of(welcome, "en")] == [3, 2, 1]


def test_a_blank_base_revision_saves_like_none_was_sent(client, manual, editor):
    welcome = services.load_section("first-steps", "welcome")
    url = f"/manual/manage/sections/{welcome.id}/en"

    response = submit(client, url, {"title": "Welcome", "body": "A new text.", "base_revision": "   "})

    assert response.status_code == 302
    assert services.revisions_of(welcome, "en")[0].number == 2
