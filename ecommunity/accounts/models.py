"""Accounts of the closed community: NFPs, secretariat staff and administrators."""

import enum
import unicodedata
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ecommunity.database import UTCDateTime, sql_list, utcnow
from ecommunity.extensions import db


class Role(enum.StrEnum):
    MEMBER = "member"
    SECRETARIAT = "secretariat"
    ADMIN = "admin"


class AccountStatus(enum.StrEnum):
    UNVERIFIED = "unverified"  # signed up, email not yet confirmed
    PENDING = "pending"  # email confirmed, waiting for the secretariat
    ACTIVE = "active"
    REJECTED = "rejected"
    DEACTIVATED = "deactivated"



class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(f"role IN ({sql_list(Role)})", name="role_known"),
        CheckConstraint(f"status IN ({sql_list(AccountStatus)})", name="status_known"),
        Index("ix_user_account_status_created", "status", "created_at"),
        Index("ix_user_account_country", "country"),
        Index("ix_user_account_region", "region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique index refuses duplicates in any letter case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    pending_email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(120))
    # The name folded for search (see name_key), kept in step with full_name by the model.
    search_name: Mapped[str] = mapped_column(String(480), default="")
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(40))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(5), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    role: Mapped[str] = mapped_column(String(20), default=Role.MEMBER.value)
    status: Mapped[str] = mapped_column(String(20), default=AccountStatus.UNVERIFIED.value)
    # Bumped when the password changes: every other session and remember-me cookie ends.
    session_version: Mapped[int] = mapped_column(default=1)
    rejection_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    decided_by: Mapped["User | None"] = relationship(remote_side=[id], foreign_keys=[decided_by_id])
    instrument_links: Mapped[list["UserInstrument"]] = relationship(
        back_populates="user", cascade="all, delete-orphan",
        order_by="UserInstrument.instrument",
    )

    @validates("full_name")
    def _keep_search_name(self, key: str, value: str) -> str:
        self.search_name = name_key(value)
        return value

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.status == AccountStatus.ACTIVE

    @property
    def instruments(self) -> list[str]:
        return [link.instrument for link in self.instrument_links]

    @property
    def is_secretariat(self) -> bool:
        """Secretariat staff and admins organise and moderate."""
        return self.role in (Role.SECRETARIAT, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}/{self.status}>"


class UserInstrument(db.Model):
    """An instrument (CMS, AEWA, a MOU...) the person is National Focal Point for."""

    __tablename__ = "user_instrument"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    instrument: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)

    user: Mapped[User] = relationship(back_populates="instrument_links")


def email_key(email: str) -> str:
    """The form an address is stored and compared in."""
    return email.strip().lower()


def name_key(text: str) -> str:
    """A name folded for searching: case and accents ignored, so "andres" finds "Andrés"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
