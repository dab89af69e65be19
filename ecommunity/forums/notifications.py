"""Forum mail: reply and new-topic notifications, mentions and digests, all through the outbox.

At most one mail per topic per person until they read it again: the post a mail was sent for
is kept in `TopicUser.notified_number`, and nothing more is sent while it is beyond the
person's read mark. Every mail carries a signed one-click unsubscribe link, also in the
List-Unsubscribe and List-Unsubscribe-Post headers (RFC 8058).
"""

from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, literal, union_all

from ecommunity.accounts.models import AccountStatus, User
from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.forums import markdown
from ecommunity.forums.models import (
    Category,
    CategoryWatch,
    Digest,
    ForumMember,
    Post,
    State,
    Topic,
    TopicUser,
    Watch,
)
from ecommunity.mail.services import queue_templated_mail

UNSUBSCRIBE_KINDS = ("topic", "category", "mentions", "digest")
DIGEST_PERIODS = {Digest.DAILY: timedelta(days=1), Digest.WEEKLY: timedelta(days=7)}
# A digest is due a little before its full period, so a job that runs at the same hour every
# day never skips a day because yesterday's run took a few seconds longer.
DIGEST_SLACK = timedelta(hours=2)
DIGEST_MAX_TOPICS = 30


@contextmanager
def mail_context():
    """A request context for building links and rendering mail from the CLI or a thread.

    Absolute links then start with SITE_URL. Inside a request, the request's own is used.
    """
    if has_request_context():
        yield
        return
    base = current_app.config.get("SITE_URL") or "http://localhost:5000"
    with current_app.test_request_context(base_url=base):
        yield


def external_url(endpoint: str, **values) -> str:
    """An absolute URL, inside a request or not (then from SITE_URL)."""
    with mail_context():
        return url_for(endpoint, _external=True, **values)


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"ecommunity.forums.{purpose}")


def unsubscribe_token(user_id: int, kind: str, ref: int | None = None) -> str:
    """A signed token for one kind of forum mail; it does not expire, old mails keep working."""
    return _serializer("unsubscribe").dumps([user_id, kind, ref])


def read_unsubscribe_token(token: str) -> tuple[int, str, int | None] | None:
    try:
        user_id, kind, ref = _serializer("unsubscribe").loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if kind not in UNSUBSCRIBE_KINDS:
        return None
    return user_id, kind, ref


def feed_token(user: User, member: ForumMember | None) -> str:
    """The token of a member's private feed URLs; resetting `feed_version` revokes it."""
    version = member.feed_version if member is not None else 1
    return _serializer("feed").dumps([user.id, version])


def user_for_feed_token(token: str) -> User | None:
    try:
        user_id, version = _serializer("feed").loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id)
    if user is None or user.status != AccountStatus.ACTIVE:
        return None
    member = db.session.get(ForumMember, user.id)
    if (member.feed_version if member is not None else 1) != version:
        return None
    return user


def _headers(unsubscribe_url: str) -> dict:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def _queue(user: User, template: str, kind: str, ref: int | None, **context) -> None:
    link = external_url("forums.unsubscribe", token=unsubscribe_token(user.id, kind, ref))
    queue_templated_mail(
        user.email, template, user.language or "en", headers=_headers(link),
        person=user, unsubscribe_url=link, unsubscribe_kind=kind, **context,
    )


_CATEGORY_WATCH = "category"  # beside a topic's watch values, which never take this one


def notify_post(topic: Topic, post: Post, author: User, mentioned: list[User], new_topic: bool) -> int:
    """Mail watchers and mentioned members about a new post; returns how many mails were queued."""
    with mail_context():
        return _notify_post(topic, post, author, mentioned, new_topic)


def _notify_post(topic: Topic, post: Post, author: User, mentioned: list[User], new_topic: bool) -> int:
    from ecommunity.forums.services import _upsert_topic_user, can_read

    category = topic.category
    reasons: dict[int, tuple[str, int | None]] = {}
    for user in mentioned:
        reasons[user.id] = ("mentions", None)
    # Who watches or muted the topic and who watches its category, in one round trip: it runs under
    # the topic's row lock, which the next reply to the topic waits for.
    watches = db.session.execute(union_all(
        db.select(TopicUser.user_id, TopicUser.watch).where(
            TopicUser.topic_id == topic.id, TopicUser.watch.in_([Watch.MUTED.value, Watch.WATCHING.value])),
        db.select(CategoryWatch.user_id, literal(_CATEGORY_WATCH)).where(CategoryWatch.category_id == category.id),
    )).all()
    muted = {user_id for user_id, watch in watches if watch == Watch.MUTED.value}
    for user_id, watch in watches:
        if watch == _CATEGORY_WATCH and user_id not in muted:
            reasons[user_id] = ("category", category.id)
    if not new_topic:
        for user_id, watch in watches:
            if watch == Watch.WATCHING.value:
                reasons[user_id] = ("topic", topic.id)
    reasons.pop(author.id, None)
    if not reasons:
        return 0
    rows = db.session.execute(
        db.select(User, TopicUser.notified_number, TopicUser.last_read_number, ForumMember.mention_mails)
        .outerjoin(TopicUser, and_(TopicUser.user_id == User.id, TopicUser.topic_id == topic.id))
        .outerjoin(ForumMember, ForumMember.user_id == User.id)
        .where(User.id.in_(reasons), User.status == AccountStatus.ACTIVE.value)
        .order_by(User.id)
    ).all()
    link = external_url("forums.topic_unread", topic_id=topic.id)
    text = markdown.excerpt(post.body_html, 800)
    author_name = author.full_name
    sent = 0
    for user, notified, last_read, mention_mails in rows:
        kind, ref = reasons[user.id]
        if kind == "mentions" and mention_mails is False:
            continue
        if notified is not None and notified > (last_read or 0):
            continue  # already told about this topic, not read since
        if not can_read(user, category):
            continue
        template = "forum_mention" if kind == "mentions" else ("forum_topic" if new_topic else "forum_reply")
        _queue(
            user, template, kind, ref, topic=topic, category=category, author_name=author_name,
            excerpt=text, link=link, number=post.number,
        )
        _upsert_topic_user(user.id, topic.id, notified_number=post.number)
        sent += 1
    return sent


def send_digests(frequency: str | None = None, at: datetime | None = None) -> int:
    """Queue the daily or weekly digest of new topics for every member whose digest is due."""
    with mail_context():
        return _send_digests(frequency, at)


def _send_digests(frequency: str | None, at: datetime | None) -> int:
    from ecommunity.forums.services import readable_categories

    at = at or utcnow()
    query = (
        db.select(ForumMember, User).join(User, User.id == ForumMember.user_id)
        .where(ForumMember.digest != Digest.OFF.value, User.status == AccountStatus.ACTIVE.value)
        .order_by(User.id)
    )
    if frequency:
        query = query.where(ForumMember.digest == frequency)
    sent = 0
    for member, user in db.session.execute(query).all():
        period = DIGEST_PERIODS[Digest(member.digest)]
        if member.digest_sent_at is not None and at - member.digest_sent_at < period - DIGEST_SLACK:
            continue
        since = member.digest_sent_at or at - period
        topics = db.session.execute(
            db.select(Topic, User.full_name).join(Topic.category).outerjoin(User, User.id == Topic.author_id)
            .where(Topic.state == State.VISIBLE.value, Topic.created_at > since, Topic.created_at <= at,
                   readable_categories(user))
            .order_by(Category.position, Topic.created_at).limit(DIGEST_MAX_TOPICS)
        ).all()
        member.digest_sent_at = at
        if topics:
            items = [
                {"topic": topic, "author_name": name, "url": external_url("forums.topic", topic_id=topic.id)}
                for topic, name in topics
            ]
            _queue(user, "forum_digest", "digest", None, items=items, frequency=member.digest,
                   forums_url=external_url("forums.index"))
            sent += 1
    db.session.flush()
    return sent


def unsubscribe(user_id: int, kind: str, ref: int | None) -> User | None:
    """Stop the kind of mail a token names; returns the member, or None when they are gone."""
    from ecommunity.forums.services import member_settings

    user = db.session.get(User, user_id)
    if user is None:
        return None
    if kind == "topic" and ref is not None:
        row = db.session.get(TopicUser, (user.id, ref))
        if row is not None and row.watch == Watch.WATCHING:
            row.watch = None
    elif kind == "category" and ref is not None:
        watch = db.session.get(CategoryWatch, (user.id, ref))
        if watch is not None:
            db.session.delete(watch)
    elif kind == "mentions":
        member_settings(user).mention_mails = False
    elif kind == "digest":
        member_settings(user).digest = Digest.OFF.value
    db.session.flush()
    return user
