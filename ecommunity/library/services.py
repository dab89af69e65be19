"""The library's rules: checking an uploaded file by its content, storing it, extracting its text, listing.

A file is accepted for what its bytes are, never for its name: a PDF must start with `%PDF-` and
open in pypdf; a text or Markdown file must be UTF-8 without control characters. Files are stored
under `LIBRARY_DIR` (outside `static/`) with a random name; the row keeps the original name for
the download. Functions flush and never commit; a file written for a row that is then rolled back
stays on disk unreferenced (harmless, and `orphan_files` lists such files).
"""

import hashlib
import io
import logging
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ecommunity.accounts.models import User
from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.library.models import (
    DOCUMENTS_PER_PAGE,
    EXTENSIONS,
    MAX_TEXT_LENGTH,
    FileType,
    LibraryDocument,
)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TEXT_EXTENSIONS = {".txt": FileType.TEXT, ".md": FileType.MARKDOWN, ".markdown": FileType.MARKDOWN}
# Control characters other than tab, newline and carriage return: binary, not text.
_CONTROL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"}


class UploadRefused(ValueError):
    """The file cannot go into the library; the message says why, for the person uploading."""


@dataclass(frozen=True)
class CheckedFile:
    content_type: FileType
    data: bytes
    text: str
    page_count: int | None

    @property
    def has_text(self) -> bool:
        return bool(self.text.strip())


@dataclass(frozen=True)
class DocumentData:
    """The description of a document, as the upload and edit forms give it."""

    title: str
    language: str
    kind: str
    description: str = ""
    instrument: str | None = None
    topic: str | None = None
    year: int | None = None
    members_only: bool = False


def max_bytes() -> int:
    return int(current_app.config.get("LIBRARY_MAX_BYTES") or DEFAULT_MAX_BYTES)


def library_dir() -> Path:
    return Path(current_app.config["LIBRARY_DIR"])


def read_limited(stream: BinaryIO, limit: int) -> bytes:
    """At most `limit` bytes of an upload; UploadRefused when there are more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(_("This file is larger than %(size)s MB, the largest the library accepts.",
                              size=f"{limit / 1024 / 1024:g}"))
    return data


def check_file(filename: str, data: bytes) -> CheckedFile:
    """What the file really is, with its text; UploadRefused for anything the library does not take."""
    extension = os.path.splitext(filename or "")[1].lower()
    if not data:
        raise UploadRefused(_("This file is empty."))
    if extension == ".pdf":
        return _check_pdf(data)
    if extension in TEXT_EXTENSIONS:
        return _check_text(data, TEXT_EXTENSIONS[extension])
    raise UploadRefused(_("The library takes PDF, plain text (.txt) and Markdown (.md) files."))


def _check_pdf(data: bytes) -> CheckedFile:
    if not data.startswith(b"%PDF-"):
        raise UploadRefused(_("This file is named .pdf but is not a PDF document."))
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRefused(_("This PDF is protected by a password. Please upload a copy without one."))
        pages = reader.pages
        texts = []
        length = 0
        for page in pages:
            if length > MAX_TEXT_LENGTH:
                break
            text = page.extract_text() or ""
            texts.append(text)
            length += len(text)
        page_count = len(pages)
    except UploadRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as error:
        logging.getLogger(__name__).info("PDF refused: %s", error)
        raise UploadRefused(_("This PDF could not be read; it may be damaged. Please check it and try again.")) \
            from error
    text = "\n\n".join(t.strip() for t in texts if t.strip())
    return CheckedFile(FileType.PDF, data, _clean_text(text)[:MAX_TEXT_LENGTH], page_count)


def _check_text(data: bytes, content_type: FileType) -> CheckedFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UploadRefused(_("This text file is not in UTF-8. Please save it as UTF-8 and upload it again.")) \
            from error
    if any(ch in _CONTROL for ch in text):
        raise UploadRefused(_("This file holds binary data, not text."))
    return CheckedFile(content_type, data, _clean_text(text)[:MAX_TEXT_LENGTH], None)


def _clean_text(text: str) -> str:
    """Text as the index wants it: NFC, no NUL or other control characters (PostgreSQL refuses NUL)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(" " if ch in _CONTROL else ch for ch in text)


def safe_filename(filename: str, content_type: FileType) -> str:
    """The uploaded name without any path, limited in length, with the extension of its real type."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    stem = os.path.splitext(name)[0].strip(" .")[:200] or "document"
    return stem + EXTENSIONS[content_type]


def _store(data: bytes, content_type: FileType) -> str:
    directory = library_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16) + EXTENSIONS[content_type]
    temporary = directory / f".{stored_name}.part"
    with open(temporary, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, directory / stored_name)
    return stored_name


def _describe(document: LibraryDocument, data: DocumentData) -> None:
    document.title = data.title.strip()
    document.description = data.description.strip()
    document.language = data.language
    document.kind = data.kind
    document.instrument = data.instrument or None
    document.topic = data.topic or None
    document.year = data.year
    document.members_only = data.members_only


def add_document(data: DocumentData, filename: str, content: bytes, uploader: User | None) -> LibraryDocument:
    """Check the file, store it and add the document with its extracted text."""
    if len(content) > max_bytes():
        read_limited(io.BytesIO(content), max_bytes())
    checked = check_file(filename, content)
    document = LibraryDocument(
        original_filename=safe_filename(filename, checked.content_type),
        stored_name=_store(checked.data, checked.content_type),
        content_type=checked.content_type.value,
        size=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(),
        page_count=checked.page_count,
        has_text=checked.has_text,
        text=checked.text,
        uploaded_by_id=uploader.id if uploader else None,
    )
    _describe(document, data)
    db.session.add(document)
    db.session.flush()
    return document


def update_document(document: LibraryDocument, data: DocumentData) -> LibraryDocument:
    """Change a document's description (the file stays)."""
    _describe(document, data)
    document.updated_at = utcnow()
    db.session.flush()
    return document


def delete_document(document: LibraryDocument) -> str:
    """Remove the row; returns the stored name, for `remove_file` once the deletion is committed."""
    stored_name = document.stored_name
    db.session.delete(document)
    db.session.flush()
    return stored_name


def remove_file(stored_name: str) -> None:
    """Delete a stored file (after the commit that removed its row)."""
    path = file_path(stored_name)
    if path is not None:
        path.unlink(missing_ok=True)


def file_path(stored_name: str) -> Path | None:
    """Where a stored file is, or None when the name is not one the library generates."""
    if not stored_name or "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        return None
    return library_dir() / stored_name


def orphan_files() -> list[str]:
    """Stored files no document refers to (left by rolled-back uploads)."""
    directory = library_dir()
    if not directory.is_dir():
        return []
    known = set(db.session.scalars(db.select(LibraryDocument.stored_name)))
    return sorted(p.name for p in directory.iterdir() if p.is_file() and p.name not in known)


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryFilters:
    kind: str | None = None
    language: str | None = None
    instrument: str | None = None
    topic: str | None = None
    year: int | None = None

    @classmethod
    def from_args(cls, args) -> "LibraryFilters":
        """Filters from the query string; unknown values are ignored, never an error."""
        from ecommunity.core.reference import INSTRUMENTS
        from ecommunity.library.models import DOCUMENT_KINDS, LANGUAGES, TOPICS

        def pick(name, allowed):
            value = args.get(name) or None
            return value if value in allowed else None

        year = args.get("year", type=int)
        return cls(
            kind=pick("kind", DOCUMENT_KINDS), language=pick("language", LANGUAGES),
            instrument=pick("instrument", INSTRUMENTS), topic=pick("topic", TOPICS),
            year=year if year and 1970 <= year <= 2200 else None,
        )

    def as_args(self) -> dict:
        return {name: value for name, value in vars(self).items() if value is not None}

    def __bool__(self) -> bool:
        return bool(self.as_args())


def visible_documents(members: bool):
    """The documents a reader may see: everything for members, public ones for visitors."""
    statement = db.select(LibraryDocument)
    if not members:
        statement = statement.where(LibraryDocument.members_only.is_(False))
    return statement


def list_documents(filters: LibraryFilters, members: bool, page: int, per_page: int = DOCUMENTS_PER_PAGE):
    """One page of documents, newest first: two queries (the page and the count)."""
    statement = visible_documents(members)
    for name in ("kind", "language", "instrument", "topic", "year"):
        value = getattr(filters, name)
        if value is not None:
            statement = statement.where(getattr(LibraryDocument, name) == value)
    statement = statement.order_by(LibraryDocument.created_at.desc(), LibraryDocument.id.desc())
    return db.paginate(statement, page=page, per_page=per_page, max_per_page=per_page, error_out=False)


def year_choices() -> list[int]:
    """The years documents exist for, newest first (for the filter)."""
    return list(db.session.scalars(
        db.select(LibraryDocument.year).where(LibraryDocument.year.is_not(None)).distinct()
        .order_by(LibraryDocument.year.desc())
    ))
