"""Forums: categories, topics, posts, per-member reading state, watches, reports and the moderation log.

Counters (topics and posts per category, posts per topic) are denormalised for speed and only
ever changed by SQL expressions (`count = count + 1`) in `services.py`, never read-modify-write in
Python, so concurrent replies keep them right. Posts carry their position in the topic
(`number`), taken from the topic's `last_number` by an atomic UPDATE; topic pages are ranges of
numbers, so any page costs the same whatever the size of the topic.
"""

import enum
from datetime import datetime

from flask_babel import get_locale
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ecommunity.accounts.models import User
from ecommunity.database import UTCDateTime, sql_list, utcnow
from ecommunity.extensions import db

POSTS_PER_PAGE = 20
TOPICS_PER_PAGE = 20
MAX_POST_LENGTH = 50_000


class Access(enum.StrEnum):
    """Who may read and write in a category."""

    MEMBERS = "members"  # every active member
    SECRETARIAT = "secretariat"  # secretariat staff and admins only
    REGION = "region"  # members of one CMS region, and the secretariat


class State(enum.StrEnum):
    """Whether a topic or post is shown. Only moderators see hidden and deleted ones."""

    VISIBLE = "visible"
    HIDDEN = "hidden"  # by a moderator
    DELETED = "deleted"  # by its author


class Watch(enum.StrEnum):
    WATCHING = "watching"  # mail on every reply (at most one until read)
    MUTED = "muted"  # never mail, even when the category is watched


class Digest(enum.StrEnum):
    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off-topic"
    CONFIDENTIAL = "confidential"
    OTHER = "other"


class LinkKind(enum.StrEnum):
    """Pages of other features a topic may point to (see `links.py`)."""

    EVENT = "event"
    MANUAL = "manual"



class Category(db.Model):
    __tablename__ = "forum_category"
    __table_args__ = (
        CheckConstraint(f"access IN ({sql_list(Access)})", name="access_known"),
        CheckConstraint("(access = 'region') = (region IS NOT NULL)", name="region_iff_regional"),
        CheckConstraint("topic_count >= 0 AND post_count >= 0", name="counts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_fr: Mapped[str] = mapped_column(String(120), default="")
    name_es: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    access: Mapped[str] = mapped_column(String(20), default=Access.MEMBERS.value)
    region: Mapped[str | None] = mapped_column(String(40))
    topic_count: Mapped[int] = mapped_column(default=0)
    post_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def _localised(self, field: str) -> str:
        locale = get_locale()
        language = locale.language if locale else "en"
        if language in ("fr", "es"):
            return getattr(self, f"{field}_{language}") or getattr(self, field)
        return getattr(self, field)

    @property
    def display_name(self) -> str:
        """The name in the reader's language, English when no translation was given."""
        return self._localised("name")

    @property
    def display_description(self) -> str:
        return self._localised("description")

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class Topic(db.Model):
    __tablename__ = "forum_topic"
    __table_args__ = (
        CheckConstraint(f"state IN ({sql_list(State)})", name="state_known"),
        CheckConstraint(f"link_kind IS NULL OR link_kind IN ({sql_list(LinkKind)})", name="link_kind_known"),
        CheckConstraint("(link_kind IS NULL) = (link_ref IS NULL)", name="link_complete"),
        CheckConstraint("post_count >= 0 AND last_number >= 0", name="counts_not_negative"),
        # The topic list: one category, visible first, pinned first, then by last activity.
        Index("ix_forum_topic_listing", "category_id", "state", "pinned", "last_post_at"),
        # A category's last activity (the category list).
        Index("ix_forum_topic_category_activity", "category_id", "state", "last_post_at"),
        Index("ix_forum_topic_last_post_at", "last_post_at"),
        Index("ix_forum_topic_created_at", "created_at"),
        Index("ix_forum_topic_link", "link_kind", "link_ref"),
        Index("ix_forum_topic_changed_at", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_category.id"))
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(10), default=State.VISIBLE.value)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Visible posts, the first included.
    post_count: Mapped[int] = mapped_column(default=0)
    # The highest post number handed out; new posts take last_number + 1 atomically.
    last_number: Mapped[int] = mapped_column(default=0)
    # The last visible post: what "last activity" and unread tracking look at.
    last_post_number: Mapped[int] = mapped_column(default=0)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_poster_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    link_kind: Mapped[str | None] = mapped_column(String(20))
    link_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Anything the search index shows changed (title, state, category): re-index the topic's posts.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    last_poster: Mapped[User | None] = relationship(foreign_keys=[last_poster_id])

    @property
    def is_visible(self) -> bool:
        return self.state == State.VISIBLE

    @property
    def page_count(self) -> int:
        return max(1, -(-self.last_number // POSTS_PER_PAGE))

    def __repr__(self) -> str:
        return f"<Topic {self.id} {self.title!r}>"


def page_of(number: int) -> int:
    """The topic page a post number is on."""
    return max(1, -(-number // POSTS_PER_PAGE))


class Post(db.Model):
    __tablename__ = "forum_post"
    __table_args__ = (
        # Also the index every topic page reads: a range of numbers in one topic.
        UniqueConstraint("topic_id", "number", name="uq_forum_post_topic_number"),
        CheckConstraint(f"state IN ({sql_list(State)})", name="state_known"),
        Index("ix_forum_post_author_created", "author_id", "created_at"),
        Index("ix_forum_post_changed_at", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topic.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)  # Markdown as written
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitised once, when written
    state: Mapped[str] = mapped_column(String(10), default=State.VISIBLE.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    edit_count: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The random token of the form that created the post: a second submission of the same form
    # (double click, reload) finds the first post instead of making another.
    submission_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    topic: Mapped[Topic] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def is_visible(self) -> bool:
        return self.state == State.VISIBLE

    @property
    def page(self) -> int:
        return page_of(self.number)

    def __repr__(self) -> str:
        return f"<Post {self.id} #{self.number} of topic {self.topic_id}>"


class PostRevision(db.Model):
    """A former version of a post, kept when it is edited; moderators read the history."""

    __tablename__ = "forum_post_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(200))  # the topic title, for first posts
    written_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when this version was written
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    replaced_by: Mapped[User | None] = relationship()


class TopicUser(db.Model):
    """One member's state in one topic: how far they read, whether they watch, what they were mailed."""

    __tablename__ = "forum_topic_user"
    __table_args__ = (
        CheckConstraint(f"watch IS NULL OR watch IN ({sql_list(Watch)})", name="watch_known"),
        Index("ix_forum_topic_user_watch", "topic_id", "watch"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topic.id", ondelete="CASCADE"), primary_key=True)
    last_read_number: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    watch: Mapped[str | None] = mapped_column(String(10))
    # The post a notification mail was sent for; no more mail while it is unread.
    notified_number: Mapped[int | None] = mapped_column(Integer)


class CategoryWatch(db.Model):
    """A member is mailed about new topics and replies in a whole category."""

    __tablename__ = "forum_category_watch"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("forum_category.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ForumMember(db.Model):
    """A member's forum settings and visits. Members without a row have the defaults."""

    __tablename__ = "forum_member"
    __table_args__ = (CheckConstraint(f"digest IN ({sql_list(Digest)})", name="digest_known"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the previous visit ended: "new since my last visit" is what came after it.
    last_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "Mark everything read": topics with no activity since then count as read.
    all_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    digest: Mapped[str] = mapped_column(String(10), default=Digest.OFF.value)
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mention_mails: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_watch: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the signed feed URL: bumping it revokes every feed URL given out before.
    feed_version: Mapped[int] = mapped_column(default=1)


class Report(db.Model):
    """A member flags a post to the moderators."""

    __tablename__ = "forum_report"
    __table_args__ = (
        CheckConstraint(f"reason IN ({sql_list(ReportReason)})", name="reason_known"),
        CheckConstraint("resolution IS NULL OR resolution IN ('hidden', 'dismissed')", name="resolution_known"),
        # One open report per member and post; a new one is possible after a decision.
        Index(
            "uq_forum_report_open", "post_id", "reporter_id", unique=True,
            sqlite_where=text("resolved_at IS NULL"), postgresql_where=text("resolved_at IS NULL"),
        ),
        Index("ix_forum_report_queue", "resolved_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_post.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(String(10))

    post: Mapped[Post] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class ModerationAction(db.Model):
    """The log of what moderators did, with who and when."""

    __tablename__ = "forum_moderation_action"
    __table_args__ = (Index("ix_forum_moderation_action_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("forum_topic.id", ondelete="SET NULL"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_post.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()
    topic: Mapped[Topic | None] = relationship()
    post: Mapped[Post | None] = relationship()
