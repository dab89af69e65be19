"""The Manual for National Focal Points: parts, chapters and sections, each section in en/fr/es, with revisions.

A section's text lives in one `SectionVersion` per language (English always exists; a missing
French or Spanish version means "not translated", and readers get English with a notice). Every
change to a version's title or text adds a `SectionRevision` with who, when and the full text, so
any two revisions can be compared and an old one restored (as a new revision). Slugs are fixed at
creation: forum topics and bookmarks link to `/manual/<chapter>/<section>`.
"""

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecommunity.accounts.models import User
from ecommunity.database import UTCDateTime, utcnow
from ecommunity.extensions import db

LANGUAGES = ("en", "fr", "es")
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# Words the manual's own URLs use after /manual/: no chapter or section may take them.
RESERVED_CHAPTER_SLUGS = frozenset({"manage"})
RESERVED_SECTION_SLUGS = frozenset({"print"})
MAX_BODY_LENGTH = 200_000

_LANGUAGE_CHECK = "language IN ('en', 'fr', 'es')"
_SLUG_CHECK = "slug <> '' AND length(slug) <= 80"


class _Titled:
    """Titles (and summaries) in three languages, English when a translation is missing."""

    def text_in(self, field: str, language: str) -> tuple[str, str]:
        """(text, language it is in), falling back to English."""
        if language in ("fr", "es"):
            value = getattr(self, f"{field}_{language}")
            if value and value.strip():
                return value, language
        return getattr(self, f"{field}_en"), "en"

    def title_in(self, language: str) -> str:
        return self.text_in("title", language)[0]


class ManualPart(_Titled, db.Model):
    __tablename__ = "manual_part"
    __table_args__ = (CheckConstraint(_SLUG_CHECK, name="slug_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    title_es: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<ManualPart {self.slug}>"


class ManualChapter(_Titled, db.Model):
    __tablename__ = "manual_chapter"
    __table_args__ = (
        CheckConstraint(_SLUG_CHECK, name="slug_valid"),
        Index("ix_manual_chapter_part_position", "part_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("manual_part.id"))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    title_es: Mapped[str] = mapped_column(String(200), default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    summary_fr: Mapped[str] = mapped_column(Text, default="")
    summary_es: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    part: Mapped[ManualPart] = relationship()

    def __repr__(self) -> str:
        return f"<ManualChapter {self.slug}>"


class ManualSection(db.Model):
    __tablename__ = "manual_section"
    __table_args__ = (
        UniqueConstraint("chapter_id", "slug", name="uq_manual_section_chapter_slug"),
        CheckConstraint(_SLUG_CHECK, name="slug_valid"),
        Index("ix_manual_section_chapter_position", "chapter_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("manual_chapter.id"))
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    chapter: Mapped[ManualChapter] = relationship()

    @property
    def ref(self) -> str:
        """How forum topics name the section: "<chapter>/<section>"."""
        return f"{self.chapter.slug}/{self.slug}"

    def __repr__(self) -> str:
        return f"<ManualSection {self.slug}>"


class SectionVersion(db.Model):
    """A section in one language: its title, Markdown and the HTML and TOC rendered from it when saved."""

    __tablename__ = "manual_section_version"
    __table_args__ = (
        UniqueConstraint("section_id", "language", name="uq_manual_section_version_section_language"),
        CheckConstraint(_LANGUAGE_CHECK, name="language_known"),
        CheckConstraint("title <> ''", name="has_title"),
        CheckConstraint("revision_count >= 1", name="has_revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("manual_section.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, as written
    body_html: Mapped[str] = mapped_column(Text, default="")  # rendered and sanitised when saved
    toc: Mapped[list] = mapped_column(JSON, default=list)  # [[level, anchor, text], ...]
    revision_count: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    section: Mapped[ManualSection] = relationship()
    updated_by: Mapped[User | None] = relationship()

    # The revision count is also an optimistic lock: an UPDATE based on a stale count changes no row.
    __mapper_args__ = {"version_id_col": revision_count, "version_id_generator": False}

    def __repr__(self) -> str:
        return f"<SectionVersion {self.section_id} {self.language}>"


class SectionRevision(db.Model):
    """One saved state of a section version: numbered from 1 in each (section, language)."""

    __tablename__ = "manual_section_revision"
    __table_args__ = (
        UniqueConstraint("section_id", "language", "number", name="uq_manual_section_revision_number"),
        CheckConstraint(_LANGUAGE_CHECK, name="language_known"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("manual_section.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(String(300), default="")  # the editor's summary of the change
    # Written by the content loader (seeding), not by a person: a later seeding may update it.
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    restored_from: Mapped[int | None]  # the number of the revision this one restored
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    section: Mapped[ManualSection] = relationship()
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<SectionRevision {self.section_id} {self.language} #{self.number}>"
