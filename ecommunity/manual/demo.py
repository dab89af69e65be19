"""Seeding the manual from the content files. Idempotent: a second run changes nothing.

New parts, chapters, sections and translations are created in the files' order. A section
version whose latest revision was written by the loader (nobody edited it on the site) is
updated, as a new revision, when its file changed; versions edited on the site are left alone,
and so are titles, summaries and order that already exist (the secretariat may have changed them).
"""

from pathlib import Path

from ecommunity.extensions import db
from ecommunity.manual import services
from ecommunity.manual.loader import CONTENT_DIR, load_content
from ecommunity.manual.models import ManualChapter, ManualPart, ManualSection, SectionRevision, SectionVersion

IMPORT_NOTE = "Imported from the content files"


def seed_manual(directory: Path | str = CONTENT_DIR) -> dict[str, int]:
    """Create or update the manual from the content files; returns counts of what changed."""
    counts = {"parts": 0, "chapters": 0, "sections": 0, "versions": 0, "updated": 0}
    if not (Path(directory) / "structure.toml").is_file():
        return counts
    parts = {p.slug: p for p in db.session.scalars(db.select(ManualPart))}
    chapters = {c.slug: c for c in db.session.scalars(db.select(ManualChapter))}
    sections = {(s.chapter_id, s.slug): s for s in db.session.scalars(db.select(ManualSection))}
    versions = {(v.section_id, v.language): v for v in db.session.scalars(db.select(SectionVersion))}
    latest_imported = _latest_revision_imported()
    for part_content in load_content(directory):
        part = parts.get(part_content.slug)
        if part is None:
            part = services.create_part(part_content.slug, part_content.titles)
            counts["parts"] += 1
        for chapter_content in part_content.chapters:
            chapter = chapters.get(chapter_content.slug)
            if chapter is None:
                chapter = services.create_chapter(part, chapter_content.slug, chapter_content.titles,
                                                  chapter_content.summaries)
                counts["chapters"] += 1
            for section_content in chapter_content.sections:
                section = sections.get((chapter.id, section_content.slug))
                english = section_content.texts["en"]
                texts = dict(section_content.texts)
                if section is None:
                    section = services.create_section(chapter, section_content.slug, english.title, english.body,
                                                      None, note=IMPORT_NOTE, imported=True)
                    counts["sections"] += 1
                    counts["versions"] += 1
                    del texts["en"]
                for language, text in texts.items():
                    version = versions.get((section.id, language))
                    if version is None:
                        counts["versions"] += 1
                    elif not latest_imported.get((section.id, language)) or (
                        version.title == text.title and version.body == _normalised(text.body)
                    ):
                        continue
                    else:
                        counts["updated"] += 1
                    services.save_version(section, language, text.title, text.body, None,
                                          note=IMPORT_NOTE, imported=True)
    return counts


def _normalised(body: str) -> str:
    return body.strip() + "\n" if body.strip() else ""


def _latest_revision_imported() -> dict[tuple[int, str], bool]:
    """For each version, whether its latest revision came from the loader."""
    latest = (db.select(SectionRevision.section_id, SectionRevision.language,
                        db.func.max(SectionRevision.number).label("number"))
              .group_by(SectionRevision.section_id, SectionRevision.language).subquery())
    rows = db.session.execute(
        db.select(SectionRevision.section_id, SectionRevision.language, SectionRevision.imported)
        .join(latest, (latest.c.section_id == SectionRevision.section_id)
              & (latest.c.language == SectionRevision.language) & (latest.c.number == SectionRevision.number))
    )
    return {(section_id, language): imported for section_id, language, imported in rows}


def seed_manual_and_library() -> None:
    """The demo manual from the content files, and the library's demo documents (one call in seed_demo)."""
    from ecommunity.accounts.models import User
    from ecommunity.library.demo import seed_library

    seed_manual()
    seed_library(author=db.session.scalar(db.select(User).filter_by(email="secretariat@example.org")))
