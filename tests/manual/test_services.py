"""The manual's rules, through the services: structure, versions, revisions and the seeding."""

import pytest

from ecommunity.accounts.models import Role
from ecommunity.extensions import db
from ecommunity.manual import services
from ecommunity.manual.demo import seed_manual
from ecommunity.manual.loader import CONTENT_DIR, ContentError, load_content, split_title
from ecommunity.manual.models import ManualChapter, ManualPart, ManualSection, SectionRevision, SectionVersion


def section(chapter_slug, slug):
    return services.load_section(chapter_slug, slug)


def versions(section_id):
    return {v.language: v for v in db.session.scalars(db.select(SectionVersion).filter_by(section_id=section_id))}


def test_seeding_builds_the_manual_in_the_files_order(manual):
    assert manual == {"parts": 2, "chapters": 3, "sections": 5, "versions": 6, "updated": 0}
    outline = services.outline("en")
    assert [p.part.slug for p in outline] == ["basics", "in-practice"]
    assert [c.chapter.slug for c in outline[1].chapters] == ["meetings", "empty-chapter"]
    assert [s.slug for s in outline[1].chapters[0].sections] == ["before", "during", "after"]
    welcome = outline[0].chapters[0].sections[0]
    assert (welcome.title, welcome.languages) == ("Welcome", ["en", "fr"])
    assert outline[0].chapters[0].chapter.title_in("fr") == "Premiers pas"
    assert outline[1].chapters[0].chapter.title_in("fr") == "Meetings"  # no French title: English


def test_seeding_twice_changes_nothing(manual, content_dir):
    revisions = db.session.scalar(db.select(db.func.count(SectionRevision.id)))

    again = seed_manual(content_dir)

    assert again == {"parts": 0, "chapters": 0, "sections": 0, "versions": 0, "updated": 0}
    assert db.session.scalar(db.select(db.func.count(SectionRevision.id))) == revisions


def test_reseeding_updates_untouched_sections_only(manual, content_dir, make_user):
    editor = make_user(role=Role.SECRETARIAT)
    during = section("meetings", "during")
    services.save_version(during, "en", "During the meeting", "Edited on the site.", editor)
    db.session.commit()
    for name in ("before", "during"):
        (content_dir / "en" / "meetings" / f"{name}.md").write_text(f"# {name}\n\nNew text from the files.\n")
    (content_dir / "es" / "first-steps").mkdir(parents=True)
    (content_dir / "es" / "first-steps" / "welcome.md").write_text("# Bienvenida\n\nEmpiece aquí.\n")

    counts = seed_manual(content_dir)

    assert counts["updated"] == 1 and counts["versions"] == 1
    assert versions(section("meetings", "before").id)["en"].body == "New text from the files.\n"
    assert versions(during.id)["en"].body == "Edited on the site.\n"
    assert versions(section("first-steps", "welcome").id)["es"].title == "Bienvenida"


def test_a_new_revision_for_each_change_and_none_without_change(manual, make_user):
    editor = make_user(role=Role.SECRETARIAT, full_name="Jonas Weber")
    welcome = section("first-steps", "welcome")

    services.save_version(welcome, "en", "Welcome", "Start here, please.\n\n## New part", editor, note="clearer")
    services.save_version(welcome, "en", "Welcome", "Start here, please.\n\n## New part", editor)
    db.session.commit()

    revisions = services.revisions_of(welcome, "en")
    assert [r.number for r in revisions] == [2, 1]
    latest = revisions[0]
    assert (latest.author.full_name, latest.note, latest.imported) == ("Jonas Weber", "clearer", False)
    version = versions(welcome.id)["en"]
    assert version.revision_count == 2 and version.toc == [[2, "new-part", "New part"]]
    changes = services.diff(revisions[1], revisions[0])
    assert ("add", "Start here, please.") in [(c.kind, c.text) for c in changes]
    assert ("del", "Start here.") in [(c.kind, c.text) for c in changes]


def test_restoring_an_old_revision_adds_a_new_one(app, manual, make_user):
    editor = make_user(role=Role.SECRETARIAT)
    welcome = section("first-steps", "welcome")
    first = services.revisions_of(welcome, "fr")[0]
    services.save_version(welcome, "fr", "Bienvenue !", "Texte remplacé.", editor)
    db.session.commit()

    with app.test_request_context():
        services.restore_revision(first, editor)
    db.session.commit()

    revisions = services.revisions_of(welcome, "fr")
    assert [r.number for r in revisions] == [3, 2, 1]
    assert revisions[0].restored_from == 1 and revisions[0].body == first.body
    assert versions(welcome.id)["fr"].title == "Bienvenue"


@pytest.mark.parametrize("slug", ["Has Capitals", "trailing-", "accént", "a/b", "", "manage"])
def test_chapter_slugs_are_checked(app, manual, slug):
    part = db.session.scalar(db.select(ManualPart).filter_by(slug="basics"))
    with app.test_request_context(), pytest.raises(services.ManualError):
        services.create_chapter(part, slug, {"en": "Title"}, {})


def test_slugs_are_unique_where_they_must_be(app, manual):
    part = db.session.scalar(db.select(ManualPart).filter_by(slug="basics"))
    meetings = db.session.scalar(db.select(ManualChapter).filter_by(slug="meetings"))
    with app.test_request_context():
        with pytest.raises(services.ManualError):
            services.create_chapter(part, "meetings", {"en": "Again"}, {})
        with pytest.raises(services.ManualError):
            services.create_section(meetings, "during", "Again", "Text", None)
        with pytest.raises(services.ManualError):
            services.create_section(meetings, "print", "Print", "Text", None)
        other = services.create_section(db.session.scalar(db.select(ManualChapter).filter_by(slug="first-steps")),
                                        "during", "During, elsewhere", "Text", None)
    assert other.position == 3  # at the end of its chapter


def test_moving_sections_and_chapters(manual):
    after = section("meetings", "after")
    assert services.move(after, "up")
    assert not services.move(section("meetings", "before"), "up")
    assert [s.slug for s in services.outline("en")[1].chapters[0].sections] == ["before", "after", "during"]
    meetings = db.session.scalar(db.select(ManualChapter).filter_by(slug="meetings"))
    assert not services.move(meetings, "up")  # first in its part
    assert services.move(meetings, "down")
    assert [c.chapter.slug for c in services.outline("en")[1].chapters] == ["empty-chapter", "meetings"]


def test_section_page_falls_back_to_english(manual):
    your_role = section("first-steps", "your-role")
    page = services.section_page(your_role, "fr")

    assert page.is_fallback and page.version.language == "en" and page.languages == ["en"]
    assert (page.previous.slug, page.previous.title, page.previous.language) == ("welcome", "Bienvenue", "fr")
    assert (page.next.chapter_slug, page.next.slug) == ("meetings", "before")  # across chapters
    welcome = services.section_page(section("first-steps", "welcome"), "fr")
    assert not welcome.is_fallback and welcome.previous is None
    assert [h.anchor for h in welcome.toc] == ["lire-le-manuel", "especes-migratrices"]


def test_printing_a_chapter_keeps_anchors_unique(manual):
    meetings = db.session.scalar(db.select(ManualChapter).filter_by(slug="meetings"))
    printed = services.chapter_for_print(meetings, "en")

    assert [p.section.slug for p in printed] == ["before", "during", "after"]
    assert 'id="checklist"' in printed[0].html and 'id="checklist-2"' in printed[1].html
    assert "<h3" in printed[0].html and "<h2" not in printed[0].html


def test_content_errors_name_the_file(content_dir):
    (content_dir / "en" / "meetings" / "after.md").unlink()
    with pytest.raises(ContentError, match="after.md"):
        load_content(content_dir)


def test_a_section_file_must_start_with_its_title():
    assert split_title("# Title\n\nBody\n").title == "Title"
    with pytest.raises(ContentError):
        split_title("Body without a title")


def test_the_shipped_content_loads():
    """The real manual: at least 10 chapters and 40 English sections, French and Spanish for 3 chapters."""
    parts = load_content(CONTENT_DIR)
    chapters = [chapter for part in parts for chapter in part.chapters]
    sections = [section for chapter in chapters for section in chapter.sections]
    assert len(chapters) >= 10
    assert len(sections) >= 40
    for language in ("fr", "es"):
        translated = [c for c in chapters if all(language in s.texts for s in c.sections)]
        assert len(translated) >= 3, language
    assert not any("lorem" in s.texts["en"].body.lower() for s in sections)


def test_the_shipped_content_seeds(app):
    counts = seed_manual(CONTENT_DIR)
    db.session.commit()
    assert counts["sections"] == db.session.scalar(db.select(db.func.count(ManualSection.id))) >= 1


def test_an_edit_based_on_an_old_revision_is_refused(app, manual, make_user):
    editor = make_user(role=Role.SECRETARIAT)
    welcome = section("first-steps", "welcome")
    services.save_version(welcome, "en", "Welcome", "Saved by someone else.", editor, expected_revision=1)
    db.session.commit()

    with app.test_request_context(), pytest.raises(services.EditConflict):
        services.save_version(welcome, "en", "Welcome", "My edit from revision 1.", editor, expected_revision=1)
    db.session.rollback()
    assert versions(welcome.id)["en"].body == "Saved by someone else.\n"


def test_two_saves_racing_on_the_same_version_do_not_both_win(app, manual, make_user):
    """The second writer read the version before the first one's commit: its UPDATE finds no row."""
    editor = make_user(role=Role.SECRETARIAT)
    welcome = section("first-steps", "welcome")
    version = versions(welcome.id)["en"]
    assert version.revision_count == 1
    db.session.execute(db.update(SectionVersion).where(SectionVersion.id == version.id)
                       .values(revision_count=2, body="Another writer.")
                       .execution_options(synchronize_session=False))  # behind the ORM's back

    with app.test_request_context():
        with pytest.raises(services.EditConflict):
            services.save_version(welcome, "en", "Welcome", "Mine.", editor)
        db.session.rollback()
    assert [r.number for r in services.revisions_of(welcome, "en")] == [1]  # nothing of "Mine." was kept
