"""What the library hands to the site search: one document per library document, `library:<id>`.

Any change to a `LibraryDocument` row (insert, update, delete) changes its own document; nothing
else does. Members-only documents have the audience "members"; a deleted one (an id that no
longer exists) comes back with `indexable=False`. The body is the description followed by the
text extracted from the file (empty for a PDF without a text layer: found by title only).
`extra` carries the library's own kind ("training-kit", "guideline", "cop-document") and year.
"""

from collections.abc import Iterator

from sqlalchemy.orm import undefer

from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.library.models import LibraryDocument

KIND = "library"


def documents_for(ids: list[int]) -> list:
    """The search documents of these library documents."""
    from ecommunity.search.documents import SearchDocument

    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    found = {d.id: d for d in db.session.scalars(
        db.select(LibraryDocument).where(LibraryDocument.id.in_(ids)).options(undefer(LibraryDocument.text)))}
    documents = []
    for document_id in ids:
        document = found.get(document_id)
        if document is None:
            documents.append(SearchDocument(key=f"{KIND}:{document_id}", kind=KIND, language="en", title="", body="",
                                            url_path="", updated_at=utcnow(), indexable=False))
            continue
        documents.append(SearchDocument(
            key=f"{KIND}:{document.id}",
            kind=KIND,
            language=document.language,
            title=document.title,
            body="\n\n".join(part for part in (document.description, document.text) if part),
            url_path=f"/library/{document.id}",
            updated_at=document.updated_at,
            audience="members" if document.members_only else "public",
            instruments=(document.instrument,) if document.instrument else (),
            topic=document.topic or "",
            context=document.kind,
            extra={"library_kind": document.kind, "year": document.year, "content_type": document.content_type,
                   "has_text": document.has_text},
        ))
    return documents


def all_ids(batch: int = 1000) -> Iterator[int]:
    """Every document id, streamed in order."""
    last = 0
    while True:
        ids = db.session.scalars(db.select(LibraryDocument.id).where(LibraryDocument.id > last)
                                 .order_by(LibraryDocument.id).limit(batch)).all()
        if not ids:
            return
        yield from ids
        last = ids[-1]
