"""The manual's rules: structure, versions in three languages, revisions, and what a page shows.

Functions take plain arguments, flush and never commit. Reading functions run a fixed number of
queries whatever the size of the manual.
"""

import difflib
import re
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload
from sqlalchemy.orm.exc import StaleDataError

from ecommunity.accounts.models import User
from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.forums.markdown import Heading, render_document
from ecommunity.manual.models import (
    LANGUAGES,
    RESERVED_CHAPTER_SLUGS,
    RESERVED_SECTION_SLUGS,
    SLUG_PATTERN,
    ManualChapter,
    ManualPart,
    ManualSection,
    SectionRevision,
    SectionVersion,
)

SLUG = re.compile(SLUG_PATTERN)
# Ids the section and print pages use around the text: heading anchors never take them.
PAGE_IDS = frozenset({
    "main", "lang-label", "linked-topics-h", "manual-toc-h", "manual-versions-h", "manual-chapter-h",
    "manual-edit-h",
})


class ManualError(ValueError):
    """A change the manual refuses; `field` names the form field the message belongs beside."""

    def __init__(self, message: str, field: str = "slug"):
        super().__init__(message)
        self.field = field


class EditConflict(ManualError):
    """Someone else saved the same section version while this edit was being written."""

    def __init__(self, current_revision: int | None):
        from flask_babel import gettext as _

        super().__init__(_("Someone else saved this section while you were editing it. Your text is still in the "
                           "form: compare it with the current version (reload the section in another tab), "
                           "then save again."), field="body")
        self.current_revision = current_revision


def _check_slug(slug: str, reserved: frozenset[str]) -> None:
    from flask_babel import gettext as _

    if not SLUG.match(slug or "") or len(slug) > 80:
        raise ManualError(_("Use lowercase letters, digits and hyphens only, like “national-reports”."))
    if slug in reserved:
        raise ManualError(_("“%(slug)s” is used by the site's own addresses; choose another.", slug=slug))


def _taken(message_slug: str) -> ManualError:
    from flask_babel import gettext as _

    return ManualError(_("“%(slug)s” is already used; choose another.", slug=message_slug))


def _titles(target, titles: dict[str, str], field_name: str = "title") -> None:
    for language in LANGUAGES:
        setattr(target, f"{field_name}_{language}", (titles.get(language) or "").strip())


def _next_position(column, *conditions) -> int:
    return (db.session.scalar(db.select(func.max(column)).where(*conditions)) or 0) + 1


# --- structure ---------------------------------------------------------------------------


def create_part(slug: str, titles: dict[str, str]) -> ManualPart:
    """A new part at the end of the manual."""
    _check_slug(slug, frozenset())
    if db.session.scalar(db.select(ManualPart.id).where(ManualPart.slug == slug)):
        raise _taken(slug)
    part = ManualPart(slug=slug, position=_next_position(ManualPart.position))
    _titles(part, titles)
    db.session.add(part)
    db.session.flush()
    return part


def update_part(part: ManualPart, titles: dict[str, str]) -> ManualPart:
    _titles(part, titles)
    part.updated_at = utcnow()
    db.session.flush()
    return part


def create_chapter(part: ManualPart, slug: str, titles: dict[str, str], summaries: dict[str, str]) -> ManualChapter:
    """A new chapter at the end of its part; its slug is unique in the whole manual."""
    _check_slug(slug, RESERVED_CHAPTER_SLUGS)
    if db.session.scalar(db.select(ManualChapter.id).where(ManualChapter.slug == slug)):
        raise _taken(slug)
    chapter = ManualChapter(part=part, slug=slug,
                            position=_next_position(ManualChapter.position, ManualChapter.part_id == part.id))
    _titles(chapter, titles)
    _titles(chapter, summaries, "summary")
    db.session.add(chapter)
    db.session.flush()
    return chapter


def update_chapter(chapter: ManualChapter, part: ManualPart, titles: dict[str, str],
                   summaries: dict[str, str]) -> ManualChapter:
    """Change a chapter's titles and summaries; moved to another part, it goes to that part's end."""
    if part.id != chapter.part_id:
        chapter.position = _next_position(ManualChapter.position, ManualChapter.part_id == part.id)
        chapter.part = part
    _titles(chapter, titles)
    _titles(chapter, summaries, "summary")
    chapter.updated_at = utcnow()
    db.session.flush()
    return chapter


def create_section(chapter: ManualChapter, slug: str, title: str, body: str, author: User | None,
                   note: str = "", imported: bool = False) -> ManualSection:
    """A new section at the end of its chapter, with its English version as revision 1."""
    _check_slug(slug, RESERVED_SECTION_SLUGS)
    if db.session.scalar(db.select(ManualSection.id).where(ManualSection.chapter_id == chapter.id,
                                                           ManualSection.slug == slug)):
        raise _taken(slug)
    section = ManualSection(chapter=chapter, slug=slug,
                            position=_next_position(ManualSection.position, ManualSection.chapter_id == chapter.id))
    db.session.add(section)
    db.session.flush()
    save_version(section, "en", title, body, author, note=note, imported=imported)
    return section


def move(item: ManualPart | ManualChapter | ManualSection, direction: str) -> bool:
    """Swap an item with its neighbour above ("up") or below ("down"); False at either end."""
    model = type(item)
    siblings = {
        ManualPart: (),
        ManualChapter: (ManualChapter.part_id == getattr(item, "part_id", None),),
        ManualSection: (ManualSection.chapter_id == getattr(item, "chapter_id", None),),
    }[model]
    order = (model.position, model.id)
    items = list(db.session.scalars(db.select(model).where(*siblings).order_by(*order)))
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, sibling in enumerate(items, start=1):  # also mends equal positions
        sibling.position = position
    db.session.flush()
    return True


# --- versions and revisions --------------------------------------------------------------


def render(body: str):
    """The Markdown of a section as sanitised HTML and its table of contents."""
    return render_document(body, PAGE_IDS)


def save_version(section: ManualSection, language: str, title: str, body: str, author: User | None,
                 note: str = "", imported: bool = False, restored_from: int | None = None,
                 expected_revision: int | None = None) -> SectionVersion:
    """Create or change the section's version in `language`, adding a revision; no change adds nothing.

    `expected_revision` is the revision the editor started from (0: no version yet): EditConflict
    when someone saved another one meanwhile, also when two saves race (the version row carries
    its revision count as an optimistic lock). After EditConflict the session must be rolled back.
    """
    if language not in LANGUAGES:
        raise ManualError("unknown language", field="language")
    title = title.strip()
    body = body.strip() + "\n" if body.strip() else ""
    author_id = author.id if author else None
    version = db.session.scalar(db.select(SectionVersion).where(
        SectionVersion.section_id == section.id, SectionVersion.language == language))
    current = version.revision_count if version is not None else 0
    if expected_revision is not None and expected_revision != current:
        raise EditConflict(current)
    if version is not None and version.title == title and version.body == body:
        return version
    rendered = render(body)
    now = utcnow()
    if version is None:
        version = SectionVersion(section_id=section.id, language=language, revision_count=0)
        db.session.add(version)
    version.title, version.body = title, body
    version.body_html = rendered.html
    version.toc = [[h.level, h.anchor, h.text] for h in rendered.toc]
    version.revision_count += 1
    version.updated_at = now
    version.updated_by_id = author_id
    db.session.add(SectionRevision(
        section_id=section.id, language=language, number=version.revision_count, title=title, body=body,
        note=note.strip()[:300], imported=imported, restored_from=restored_from, created_at=now,
        author_id=author_id,
    ))
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError) as error:
        raise EditConflict(None) from error
    return version


def restore_revision(revision: SectionRevision, author: User) -> SectionVersion:
    """Make an old revision's text current again, as a new revision (history is never rewritten)."""
    from flask_babel import gettext as _

    return save_version(revision.section, revision.language, revision.title, revision.body, author,
                        note=_("Restored revision %(number)s", number=revision.number),
                        restored_from=revision.number)


def revisions_of(section: ManualSection, language: str) -> list[SectionRevision]:
    """Every revision of one language version, newest first, with their authors."""
    return list(db.session.scalars(
        db.select(SectionRevision).where(SectionRevision.section_id == section.id,
                                         SectionRevision.language == language)
        .options(joinedload(SectionRevision.author)).order_by(SectionRevision.number.desc())
    ))


def previous_revision(revision: SectionRevision) -> SectionRevision | None:
    return db.session.scalar(db.select(SectionRevision).where(
        SectionRevision.section_id == revision.section_id, SectionRevision.language == revision.language,
        SectionRevision.number == revision.number - 1))


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "del", "same" or "hunk"
    text: str


def diff(before: SectionRevision | None, after: SectionRevision) -> list[DiffLine]:
    """What a revision changed from the one before it, line by line (title first)."""
    def lines(revision):
        return [f"# {revision.title}", "", *revision.body.splitlines()] if revision else []

    result = []
    for line in list(difflib.unified_diff(lines(before), lines(after), lineterm="", n=2))[2:]:
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        result.append(DiffLine(kind, line[1:] if kind != "hunk" else line))
    return result


# --- reading -----------------------------------------------------------------------------


@dataclass
class OutlineSection:
    id: int
    slug: str
    title: str
    language: str  # the language `title` is in
    languages: list[str] = field(default_factory=list)  # the languages the section exists in


@dataclass
class OutlineChapter:
    chapter: ManualChapter
    sections: list[OutlineSection] = field(default_factory=list)


@dataclass
class OutlinePart:
    part: ManualPart
    chapters: list[OutlineChapter] = field(default_factory=list)


def outline(language: str, chapter_ids: list[int] | None = None) -> list[OutlinePart]:
    """The whole manual (or some chapters) in reading order, titles in `language` or English. Four queries."""
    parts = {part.id: OutlinePart(part) for part in db.session.scalars(
        db.select(ManualPart).order_by(ManualPart.position, ManualPart.id))}
    chapter_query = db.select(ManualChapter).order_by(ManualChapter.position, ManualChapter.id)
    if chapter_ids is not None:
        chapter_query = chapter_query.where(ManualChapter.id.in_(chapter_ids))
    chapters = {}
    for chapter in db.session.scalars(chapter_query):
        chapters[chapter.id] = OutlineChapter(chapter)
        parts[chapter.part_id].chapters.append(chapters[chapter.id])
    section_query = (db.select(ManualSection.id, ManualSection.slug, ManualSection.chapter_id)
                     .order_by(ManualSection.position, ManualSection.id))
    if chapter_ids is not None:
        section_query = section_query.where(ManualSection.chapter_id.in_(chapter_ids))
    sections = {}
    for section_id, slug, chapter_id in db.session.execute(section_query):
        sections[section_id] = OutlineSection(section_id, slug, "", "en")
        chapters[chapter_id].sections.append(sections[section_id])
    title_query = db.select(SectionVersion.section_id, SectionVersion.language, SectionVersion.title)
    if chapter_ids is not None:
        title_query = title_query.join(ManualSection).where(ManualSection.chapter_id.in_(chapter_ids))
    for section_id, version_language, title in db.session.execute(title_query):
        entry = sections[section_id]
        entry.languages.append(version_language)
        if version_language == language or (version_language == "en" and entry.language == "en"):
            entry.title, entry.language = title, version_language
    for entry in sections.values():
        entry.languages.sort(key=LANGUAGES.index)
    return [part for part in parts.values() if part.chapters or chapter_ids is None]


@dataclass(frozen=True)
class Neighbour:
    chapter_slug: str
    slug: str
    title: str
    language: str


@dataclass
class SectionPage:
    section: ManualSection
    chapter: ManualChapter
    part: ManualPart
    version: SectionVersion  # what is shown: the reader's language, or English
    requested: str  # the language asked for
    languages: list[str]  # the languages this section exists in
    previous: Neighbour | None
    next: Neighbour | None
    siblings: list[OutlineSection]

    @property
    def is_fallback(self) -> bool:
        return self.version.language != self.requested

    @property
    def toc(self) -> list[Heading]:
        return [Heading(level, anchor, text) for level, anchor, text in self.version.toc]


def load_section(chapter_slug: str, section_slug: str) -> ManualSection | None:
    """The section with its chapter and part (one query), or None."""
    return db.session.scalar(
        db.select(ManualSection).join(ManualSection.chapter)
        .where(ManualChapter.slug == chapter_slug, ManualSection.slug == section_slug)
        .options(contains_eager(ManualSection.chapter).joinedload(ManualChapter.part))
    )


def load_chapter(chapter_slug: str) -> ManualChapter | None:
    return db.session.scalar(db.select(ManualChapter).where(ManualChapter.slug == chapter_slug)
                             .options(joinedload(ManualChapter.part)))


def section_page(section: ManualSection, language: str) -> SectionPage:
    """What the section page shows, in a fixed number of queries."""
    versions = {v.language: v for v in db.session.scalars(
        db.select(SectionVersion).where(SectionVersion.section_id == section.id))}
    version = versions.get(language) or versions["en"]
    # The reading order of every section: one narrow query, then the two neighbours' titles.
    order = db.session.execute(
        db.select(ManualSection.id, ManualChapter.slug, ManualSection.slug)
        .join(ManualChapter, ManualChapter.id == ManualSection.chapter_id)
        .join(ManualPart, ManualPart.id == ManualChapter.part_id)
        .order_by(ManualPart.position, ManualPart.id, ManualChapter.position, ManualChapter.id,
                  ManualSection.position, ManualSection.id)
    ).all()
    index = next(i for i, row in enumerate(order) if row[0] == section.id)
    neighbours = {
        "previous": order[index - 1] if index > 0 else None,
        "next": order[index + 1] if index + 1 < len(order) else None,
    }
    wanted = [row[0] for row in neighbours.values() if row is not None]
    titles: dict[int, tuple[str, str]] = {}
    for section_id, version_language, title in db.session.execute(
        db.select(SectionVersion.section_id, SectionVersion.language, SectionVersion.title)
        .where(SectionVersion.section_id.in_(wanted), SectionVersion.language.in_({"en", language}))
    ):
        if version_language == language or section_id not in titles:
            titles[section_id] = (title, version_language)
    found = {name: Neighbour(row[1], row[2], *titles.get(row[0], ("", "en")))
             for name, row in neighbours.items() if row is not None}
    siblings = outline(language, [section.chapter_id])[0].chapters[0].sections
    return SectionPage(
        section=section, chapter=section.chapter, part=section.chapter.part, version=version,
        requested=language, languages=[code for code in LANGUAGES if code in versions],
        previous=found.get("previous"), next=found.get("next"), siblings=siblings,
    )


@dataclass
class PrintedSection:
    section: OutlineSection
    html: str


def chapter_for_print(chapter: ManualChapter, language: str) -> list[PrintedSection]:
    """Every section of a chapter, rendered again so that heading anchors are unique on one page."""
    sections = outline(language, [chapter.id])[0].chapters[0].sections
    versions = {}
    for version in db.session.scalars(
        db.select(SectionVersion).join(ManualSection)
        .where(ManualSection.chapter_id == chapter.id, SectionVersion.language.in_({"en", language}))
    ):
        if version.language == language or version.section_id not in versions:
            versions[version.section_id] = version
    used = set(PAGE_IDS) | {f"s-{entry.slug}" for entry in sections}
    printed = []
    for entry in sections:
        rendered = render_document(versions[entry.id].body, frozenset(used), shift=1)
        used |= {heading.anchor for heading in rendered.toc}
        printed.append(PrintedSection(entry, rendered.html))
    return printed
