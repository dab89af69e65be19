"""What the manual hands to the site search: one document per section and language it exists in.

Keys are `manual:<section id>:<lang>`; `documents_for(ids)` always answers the three languages of
each id, with `indexable=False` for a language the section does not exist in (or a section that
no longer exists), so the index drops a removed translation or section.

Which model changes change which section documents (for ecommunity/search/sources.py):

- `ManualSection` (slug, position, chapter_id): that section (its id).
- `SectionVersion` (title, body_html, language; insert and delete too): its `section_id`.
- `ManualChapter` (slug, title_*, part_id): every section of the chapter
  (`sections_of_chapters(chapter ids)`): the URL, the breadcrumb context and the topic change.
- `ManualPart` (title_*): every section of its chapters (`sections_of_parts(part ids)`): the context.
- `SectionRevision`: nothing (history only; the version row changes with it).

Reading needs no login: every document's audience is "public". As entries of SOURCES:

    Source(kind="manual", main=ManualSection, documents_for=manual_search.documents_for,
           all_ids=manual_search.all_ids, watches=(
               Watch(SectionVersion, frozenset({"title", "body_html", "language"}), parent="section_id"),
               Watch(ManualChapter, frozenset({"slug", "part_id", "title_en", "title_fr", "title_es"}),
                     main_ids=manual_search.sections_of_chapters),
               Watch(ManualPart, frozenset({"title_en", "title_fr", "title_es"}),
                     main_ids=manual_search.sections_of_parts))),
    Source(kind="library", main=LibraryDocument, documents_for=library_search.documents_for,
           all_ids=library_search.all_ids),
"""

from collections.abc import Iterator

from sqlalchemy.orm import joinedload

from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.forums.markdown import plain_text
from ecommunity.manual.models import LANGUAGES, ManualChapter, ManualSection, SectionVersion

KIND = "manual"
_BLOCK_ENDS = ("</h2>", "</h3>", "</h4>", "</li>", "</tr>", "</th>", "</td>", "</blockquote>", "</pre>")


def key(section_id: int, language: str) -> str:
    return f"{KIND}:{section_id}:{language}"


def section_text(body_html: str) -> str:
    """A rendered section as plain text, one block per line."""
    for end in _BLOCK_ENDS:
        body_html = body_html.replace(end, end + "\n")
    return plain_text(body_html)


def _gone(section_id: int, language: str):
    from ecommunity.search.documents import SearchDocument

    return SearchDocument(key=key(section_id, language), kind=KIND, language=language, title="", body="",
                          url_path="", updated_at=utcnow(), indexable=False)


def documents_for(ids: list[int]) -> list:
    """The documents of these sections in every language (not indexable where a version is missing)."""
    from ecommunity.search.documents import SearchDocument

    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    sections = {s.id: s for s in db.session.scalars(
        db.select(ManualSection).where(ManualSection.id.in_(ids))
        .options(joinedload(ManualSection.chapter).joinedload(ManualChapter.part))
    ).unique()}
    versions = {(v.section_id, v.language): v for v in db.session.scalars(
        db.select(SectionVersion).where(SectionVersion.section_id.in_(ids)))}
    documents = []
    for section_id in ids:
        section = sections.get(section_id)
        for language in LANGUAGES:
            version = versions.get((section_id, language))
            if section is None or version is None:
                documents.append(_gone(section_id, language))
                continue
            chapter, part = section.chapter, section.chapter.part
            documents.append(SearchDocument(
                key=key(section_id, language),
                kind=KIND,
                language=language,
                title=version.title,
                body=section_text(version.body_html),
                url_path=f"/manual/{chapter.slug}/{section.slug}?lang={language}",
                updated_at=max(version.updated_at, chapter.updated_at, part.updated_at),
                audience="public",
                topic=chapter.slug,
                context=f"{part.title_in(language)} › {chapter.title_in(language)}",
                extra={"ref": f"{chapter.slug}/{section.slug}", "headings": [(a, t) for _l, a, t in version.toc]},
            ))
    return documents


def all_ids(batch: int = 1000) -> Iterator[int]:
    """Every section id, streamed in order."""
    last = 0
    while True:
        ids = db.session.scalars(db.select(ManualSection.id).where(ManualSection.id > last)
                                 .order_by(ManualSection.id).limit(batch)).all()
        if not ids:
            return
        yield from ids
        last = ids[-1]


def sections_of_chapters(chapter_ids: list[int]) -> list[int]:
    """Section ids whose documents change when these chapters change."""
    return list(db.session.scalars(db.select(ManualSection.id).where(ManualSection.chapter_id.in_(chapter_ids))))


def sections_of_parts(part_ids: list[int]) -> list[int]:
    """Section ids whose documents change when these parts change."""
    return list(db.session.scalars(
        db.select(ManualSection.id).join(ManualChapter, ManualChapter.id == ManualSection.chapter_id)
        .where(ManualChapter.part_id.in_(part_ids))
    ))
