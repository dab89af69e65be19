"""Documents of the training library: training kits, guidelines and COP documents.

The file itself lives outside `static/`, under `LIBRARY_DIR`, with a generated name; the row keeps
the name it was uploaded with (for the download), its checked type, its size and digest, and the
text extracted from it for the search index (loaded only when asked for: lists never read it).
"""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecommunity.accounts.models import User
from ecommunity.database import UTCDateTime, sql_list, utcnow
from ecommunity.extensions import db

LANGUAGES = ("en", "fr", "es")
DOCUMENTS_PER_PAGE = 20
MAX_TEXT_LENGTH = 2_000_000  # characters of extracted text kept for the index


class DocumentKind(enum.StrEnum):
    TRAINING_KIT = "training-kit"
    GUIDELINE = "guideline"
    COP_DOCUMENT = "cop-document"


DOCUMENT_KINDS = {
    DocumentKind.TRAINING_KIT: _l("Training kit"),
    DocumentKind.GUIDELINE: _l("Guideline"),
    DocumentKind.COP_DOCUMENT: _l("COP document"),
}

# Subjects NFPs look documents up by.
TOPICS = {
    "role-of-nfps": _l("The role of National Focal Points"),
    "species-listing": _l("Species and the Appendices"),
    "meetings-negotiation": _l("Meetings and negotiation"),
    "national-reporting": _l("National reporting"),
    "nbsaps": _l("NBSAPs and biodiversity planning"),
    "flyways": _l("Flyways and site networks"),
    "marine-species": _l("Marine species and bycatch"),
    "terrestrial-species": _l("Terrestrial mammals"),
    "funding": _l("Funding and contributions"),
    "capacity-building": _l("Capacity building"),
}


class FileType(enum.StrEnum):
    """What the content was checked to be (not what its name says)."""

    PDF = "application/pdf"
    TEXT = "text/plain"
    MARKDOWN = "text/markdown"


EXTENSIONS = {FileType.PDF: ".pdf", FileType.TEXT: ".txt", FileType.MARKDOWN: ".md"}



class LibraryDocument(db.Model):
    __tablename__ = "library_document"
    __table_args__ = (
        CheckConstraint(f"kind IN ({sql_list(DocumentKind)})", name="kind_known"),
        CheckConstraint(f"content_type IN ({sql_list(FileType)})", name="content_type_known"),
        CheckConstraint("language IN ('en', 'fr', 'es')", name="language_known"),
        CheckConstraint("year IS NULL OR (year >= 1970 AND year <= 2200)", name="year_plausible"),
        CheckConstraint("size >= 0", name="size_not_negative"),
        # The list: newest first, optionally narrowed by kind or language.
        Index("ix_library_document_listing", "members_only", "created_at"),
        Index("ix_library_document_kind", "kind"),
        Index("ix_library_document_language", "language"),
        Index("ix_library_document_instrument", "instrument"),
        Index("ix_library_document_topic", "topic"),
        Index("ix_library_document_year", "year"),
        Index("ix_library_document_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(2))
    instrument: Mapped[str | None] = mapped_column(String(40))  # a code of core.reference.INSTRUMENTS
    topic: Mapped[str | None] = mapped_column(String(40))  # a key of TOPICS
    year: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(20))
    members_only: Mapped[bool] = mapped_column(Boolean, default=False)
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # the file's name under LIBRARY_DIR
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int | None]  # PDFs only
    # False for a PDF without a text layer (a scan): listed, downloadable, not searchable.
    has_text: Mapped[bool] = mapped_column(Boolean, default=True)
    text: Mapped[str] = mapped_column(Text, default="", deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    uploaded_by: Mapped[User | None] = relationship()

    @property
    def is_pdf(self) -> bool:
        return self.content_type == FileType.PDF

    def __repr__(self) -> str:
        return f"<LibraryDocument {self.id} {self.title!r}>"
