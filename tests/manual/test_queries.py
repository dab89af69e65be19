"""Manual pages run a fixed number of SQL queries, however large the manual grows."""

import pytest

from ecommunity.accounts.models import Role
from ecommunity.extensions import db
from ecommunity.forums import services as forums
from ecommunity.forums.models import Access
from ecommunity.manual import services
from tests.events.test_queries import counting_queries

PAGES = ["/manual", "/manual/meetings", "/manual/meetings/print", "/manual/meetings/during",
         "/manual/meetings/during?lang=fr", "/manual/first-steps/welcome?lang=es"]


def grow(count: int, offset: int) -> None:
    """`count` more chapters of three sections with French versions, and forum topics linking to them."""
    part = services.create_part(f"extra-{offset}", {"en": "Extra"})
    for n in range(offset, offset + count):
        chapter = services.create_chapter(part, f"chapter-{n}", {"en": f"Chapter {n}"}, {})
        for s in range(3):
            section = services.create_section(chapter, f"section-{s}", f"Section {n}.{s}", f"## Part\n\nText {n}", None)
            services.save_version(section, "fr", f"Section {n}.{s} fr", "## Partie\n\nTexte", None)
    meetings = services.load_section("meetings", "during")
    services.save_version(meetings, "en", "During the meeting", f"## Changed {offset}\n\ntext", None)
    db.session.commit()


@pytest.mark.parametrize("role", [None, Role.MEMBER, Role.SECRETARIAT])
def test_the_same_queries_for_a_small_and_a_large_manual(client, manual, as_role, make_user, role):
    as_role(role)
    category = forums.save_category(None, slug="manual-talk", name="Manual talk", access=Access.MEMBERS)
    poster = make_user()

    def counts():
        result = {}
        for page in PAGES:
            with counting_queries() as statements:
                response = client.get(page)
            assert response.status_code == 200, page
            result[page] = len(statements)
        return result

    forums.create_topic(category=category, author=poster, title="During?", body="x",
                        link=("manual", "meetings/during"), notify=False)
    db.session.commit()
    small = counts()
    grow(30, 0)
    for n in range(5):
        forums.create_topic(category=category, author=poster, title=f"During {n}?", body="x",
                            link=("manual", "meetings/during"), notify=False)
    db.session.commit()

    assert counts() == small
