"""The forums' operations: plain arguments in, flush (never commit) out; the caller commits.

Who may see what is decided in one place (`can_read`, `readable_categories`), and every count
is changed by an SQL expression in the same statement that takes the row lock, so two replies
at the same moment both land with the right numbers.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import and_, bindparam, case, func, literal, or_, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager
from werkzeug.exceptions import NotFound

from ecommunity.accounts.models import AccountStatus, User
from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.forums import markdown
from ecommunity.forums.models import (
    POSTS_PER_PAGE,
    TOPICS_PER_PAGE,
    Access,
    Category,
    CategoryWatch,
    Digest,
    ForumMember,
    ModerationAction,
    Post,
    PostRevision,
    Report,
    State,
    Topic,
    TopicUser,
    Watch,
)

VISIT_GAP = timedelta(minutes=30)  # a pause longer than this starts a new visit
SEEN_RESOLUTION = timedelta(minutes=5)  # how often "last seen" is written


class ForumError(Exception):
    """A refused operation; `reason` is a short code the view turns into a message."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class DuplicateSubmission(Exception):  # noqa: N818 - it is not an error for the person
    """The same form was sent twice; `post` is what the first submission made."""

    def __init__(self, post: Post):
        super().__init__(post.id)
        self.post = post


# --- who may see what ----------------------------------------------------------------------


def is_moderator(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_secretariat)


def can_read(user, category: Category) -> bool:
    """Active members read open categories; regional ones are for the region and the secretariat."""
    if user is None or not user.is_authenticated or user.status != AccountStatus.ACTIVE:
        return False
    if user.is_secretariat or category.access == Access.MEMBERS:
        return True
    return category.access == Access.REGION and category.region == user.region


def _readable_by_member_of(region):
    return or_(
        Category.access == Access.MEMBERS.value,
        and_(Category.access == Access.REGION.value, Category.region == region),
    )


# The categories each kind of reader may read, as SQL conditions on Category built once: the forum
# index's statements are prebuilt per kind of reader (`_reading`), with the member's region as the
# parameter "reader_region".
_READABLE_BY = {
    "nobody": literal(False),
    "secretariat": true(),
    "member": _readable_by_member_of(bindparam("reader_region")),
}


def _reader_kind(user) -> str:
    if user is None or not user.is_authenticated or user.status != AccountStatus.ACTIVE:
        return "nobody"
    return "secretariat" if user.is_secretariat else "member"


def _reading(statements: dict, user, **params):
    """The prebuilt statement for this kind of reader, and its parameters."""
    region = user.region if user is not None and user.is_authenticated else None
    return statements[_reader_kind(user)], {"reader_region": region, **params}


def readable_categories(user):
    """An SQL condition on Category: the categories `user` may read (none for anonymous readers)."""
    kind = _reader_kind(user)
    return _readable_by_member_of(user.region) if kind == "member" else _READABLE_BY[kind]


def can_see_topic(user, topic: Topic) -> bool:
    return can_read(user, topic.category) and (topic.is_visible or is_moderator(user))


def can_reply(user, topic: Topic) -> bool:
    return can_see_topic(user, topic) and topic.is_visible and not topic.locked


def can_edit(user, post: Post) -> bool:
    """Authors edit their own visible posts while the topic is open; moderators always may."""
    if not can_see_topic(user, post.topic) or post.state == State.DELETED:
        return False
    if is_moderator(user):
        return True
    return post.author_id == user.id and post.is_visible and post.topic.is_visible and not post.topic.locked


def can_delete(user, post: Post) -> bool:
    return (
        can_see_topic(user, post.topic) and post.author_id == user.id and post.is_visible
        and post.topic.is_visible
    )


# --- loaders: the object, or 404 ----------------------------------------------------------


def load_category(slug: str, user) -> Category:
    category = db.session.scalars(db.select(Category).where(Category.slug == slug)).first()
    if category is None or not can_read(user, category):
        raise NotFound()
    return category


_CATEGORY_FOR_READING = (
    db.select(Category, ForumMember, CategoryWatch.user_id).select_from(Category)
    .outerjoin(ForumMember, ForumMember.user_id == bindparam("user_id"))
    .outerjoin(CategoryWatch, and_(CategoryWatch.category_id == Category.id,
                                   CategoryWatch.user_id == bindparam("user_id")))
    .where(Category.slug == bindparam("slug"))
)


def load_category_for_reading(slug: str, user) -> tuple[Category, ForumMember | None, bool]:
    """A category the user may read (as load_category), with their forum row and whether they watch it: one query."""
    row = db.session.execute(_CATEGORY_FOR_READING, {"slug": slug, "user_id": user.id}).first()
    if row is None or not can_read(user, row[0]):
        raise NotFound()
    category, member, watcher_id = row
    return category, member, watcher_id is not None


def load_topic(topic_id: int, user) -> Topic:
    """A topic the user may see: hidden and deleted ones only for moderators."""
    topic = db.session.get(Topic, topic_id)
    if topic is None or not can_see_topic(user, topic):
        raise NotFound()
    return topic


def load_post(post_id: int, user) -> Post:
    post = db.session.get(Post, post_id)
    if post is None or not can_see_topic(user, post.topic):
        raise NotFound()
    if not post.is_visible and not is_moderator(user) and post.author_id != user.id:
        raise NotFound()
    return post


# --- writing -------------------------------------------------------------------------------


def _exec(statement):
    return db.session.execute(statement.execution_options(synchronize_session=False))


def _resolve_mentions(source: str) -> dict[str, User]:
    """Mentioned active members by mention key; a name shared by two members mentions nobody."""
    keys = markdown.find_mentions(source)
    if not keys:
        return {}
    users = db.session.scalars(
        db.select(User).where(
            User.search_name.in_(keys), User.status == AccountStatus.ACTIVE
        )
    ).all()
    by_key: dict[str, list[User]] = {}
    for user in users:
        by_key.setdefault(markdown.mention_key(user.search_name), []).append(user)
    return {key: people[0] for key, people in by_key.items() if len(people) == 1}


def _existing_submission(token: str | None) -> Post | None:
    if not token:
        return None
    return db.session.scalars(db.select(Post).where(Post.submission_token == token)).first()


def _added_unless_present(row) -> bool:
    """Add and flush `row` in a savepoint; False, and nothing added, when its key is already taken.

    Two clicks at once (or two tabs) both find no row and both insert it: the second one's
    insert fails on the unique key, and its request goes on with the row the first one made.
    """
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


def _insert_post(post: Post) -> None:
    """Add the post; a concurrent twin with the same token becomes DuplicateSubmission."""
    db.session.add(post)
    try:
        db.session.flush()
    except IntegrityError:
        if not post.submission_token:
            raise
        db.session.rollback()
        existing = _existing_submission(post.submission_token)
        if existing is None:
            raise
        raise DuplicateSubmission(existing) from None


def create_topic(
    *, category: Category, author: User, title: str, body: str, token: str | None = None,
    link: tuple[str, str] | None = None, at: datetime | None = None, notify: bool = True,
) -> Topic:
    """Open a topic with its first post; category watchers and mentioned members are mailed."""
    if (existing := _existing_submission(token)) is not None:
        raise DuplicateSubmission(existing)
    if not can_read(author, category):
        raise ForumError("forbidden")
    at = at or utcnow()
    mentions = _resolve_mentions(body)
    topic = Topic(
        category_id=category.id, title=title.strip(), author_id=author.id, post_count=1,
        last_number=1, last_post_number=1, last_post_at=at, last_poster_id=author.id,
        created_at=at, changed_at=at, link_kind=link[0] if link else None, link_ref=link[1] if link else None,
    )
    db.session.add(topic)
    db.session.flush()
    post = Post(
        topic_id=topic.id, number=1, author_id=author.id, body=body, created_at=at, changed_at=at,
        body_html=markdown.render(body, mentions), submission_token=token,
    )
    _insert_post(post)
    _exec(
        update(Category).where(Category.id == category.id)
        .values(topic_count=Category.topic_count + 1, post_count=Category.post_count + 1)
    )
    db.session.expire(category, ["topic_count", "post_count"])
    member = member_settings(author)
    if member.auto_watch:
        _upsert_topic_user(author.id, topic.id, watch=Watch.WATCHING.value, last_read_number=1, read_at=at)
    else:
        _upsert_topic_user(author.id, topic.id, last_read_number=1, read_at=at)
    if notify:
        from ecommunity.forums.notifications import notify_post

        notify_post(topic, post, author, list(mentions.values()), new_topic=True)
    return topic


# The statements every reply runs, built once on the tables (building them, or going through the
# ORM's bulk path, cost more than running them).
_topics, _categories = Topic.__table__, Category.__table__
_at = bindparam("reply_at", type_=_topics.c.last_post_at.type)
_TAKE_NEXT_NUMBER = (
    update(_topics)
    .where(_topics.c.id == bindparam("reply_topic_id"), _topics.c.state == State.VISIBLE.value,
           _topics.c.locked.is_(False))
    .values(
        last_number=_topics.c.last_number + 1,
        last_post_number=_topics.c.last_number + 1,
        post_count=_topics.c.post_count + 1,
        last_post_at=case((_topics.c.last_post_at > _at, _topics.c.last_post_at), else_=_at),
        last_poster_id=bindparam("poster_id"),
    )
    .returning(_topics.c.last_number, _topics.c.category_id)
)
_COUNT_CATEGORY_POST = (
    update(_categories).where(_categories.c.id == bindparam("post_category_id"))
    .values(post_count=_categories.c.post_count + 1)
)


def reply(
    *, topic: Topic, author: User, body: str, token: str | None = None, at: datetime | None = None,
    notify: bool = True,
) -> Post:
    """Add a post at the end of a topic. Locked, hidden or deleted topics refuse it (ForumError).

    A form sent twice meets the unique submission token when the post is inserted (DuplicateSubmission).
    """
    if not can_read(author, topic.category):
        raise ForumError("forbidden")
    at = at or utcnow()
    # What does not depend on the post's number comes first: replies to a topic wait for its row lock.
    mentions = _resolve_mentions(body)
    body_html = markdown.render(body, mentions)
    member = member_settings(author)
    # Takes the topic's row lock and the next number in one statement; refuses closed topics.
    taken = {"reply_topic_id": topic.id, "reply_at": at, "poster_id": author.id}
    number = db.session.execute(_TAKE_NEXT_NUMBER, taken).first()
    if number is None:
        db.session.refresh(topic)
        raise ForumError("locked" if topic.locked and topic.is_visible else "closed")
    number, category_id = number
    post = Post(
        topic_id=topic.id, number=number, author_id=author.id, body=body, created_at=at, changed_at=at,
        body_html=body_html, submission_token=token,
    )
    _insert_post(post)
    db.session.execute(_COUNT_CATEGORY_POST, {"post_category_id": category_id})
    db.session.expire(topic, ["last_number", "last_post_number", "post_count", "last_post_at", "last_poster_id"])
    _upsert_topic_user(
        author.id, topic.id, last_read_number=number, read_at=at,
        watch=Watch.WATCHING.value if member.auto_watch else None, keep_watch=True,
    )
    if notify:
        from ecommunity.forums.notifications import notify_post

        notify_post(topic, post, author, list(mentions.values()), new_topic=False)
    return post


def edit_post(post: Post, editor: User, body: str, title: str | None = None, at: datetime | None = None) -> Post:
    """Change a post (and the topic title for a first post), keeping the former version."""
    if not can_edit(editor, post):
        raise ForumError("forbidden")
    at = at or utcnow()
    topic = post.topic
    new_title = title.strip() if title is not None and post.number == 1 else None
    if body == post.body and (new_title is None or new_title == topic.title):
        return post
    db.session.add(PostRevision(
        post_id=post.id, body=post.body, title=topic.title if post.number == 1 else None,
        written_at=post.edited_at or post.created_at, replaced_at=at, replaced_by_id=editor.id,
    ))
    post.body = body
    post.body_html = markdown.render(body, _resolve_mentions(body))
    post.edited_at = at
    post.edit_count = Post.edit_count + 1
    post.changed_at = at
    if new_title is not None and new_title != topic.title:
        topic.title = new_title
        topic.changed_at = at
    db.session.flush()
    return post


def delete_own_post(post: Post, author: User, at: datetime | None = None) -> None:
    """The author withdraws a post; withdrawing the first post withdraws the whole topic."""
    if not can_delete(author, post):
        raise ForumError("forbidden")
    if post.number == 1:
        _change_topic_state(post.topic, State.VISIBLE, State.DELETED, at)
    else:
        _change_post_state(post, State.VISIBLE, State.DELETED, at)


def _change_post_state(post: Post, old: State, new: State, at: datetime | None = None) -> bool:
    """Move a post between states atomically and keep the topic's and category's counts right."""
    at = at or utcnow()
    changed = _exec(
        update(Post).where(Post.id == post.id, Post.state == old.value).values(state=new.value, changed_at=at)
    ).rowcount
    db.session.expire(post)
    if not changed or (old == State.VISIBLE) == (new == State.VISIBLE):
        return bool(changed)
    delta = 1 if new == State.VISIBLE else -1
    row = db.session.execute(
        update(Topic).where(Topic.id == post.topic_id)
        .values(post_count=Topic.post_count + delta)
        .returning(Topic.state, Topic.category_id)
        .execution_options(synchronize_session=False)
    ).one()
    if row.state == State.VISIBLE:
        _exec(update(Category).where(Category.id == row.category_id).values(post_count=Category.post_count + delta))
    if delta > 0:
        _exec(
            update(Topic).where(Topic.id == post.topic_id, Topic.last_post_number < post.number)
            .values(last_post_number=post.number, last_post_at=post.created_at, last_poster_id=post.author_id)
        )
    else:
        _recompute_last_post(post.topic_id, only_if_number=post.number)
    db.session.expire(post.topic)
    return True


def _recompute_last_post(topic_id: int, only_if_number: int | None = None) -> None:
    """Point the topic's last activity at its last visible post."""
    last = (
        db.select(Post.number, Post.created_at, Post.author_id)
        .where(Post.topic_id == topic_id, Post.state == State.VISIBLE.value)
        .order_by(Post.number.desc()).limit(1)
    )
    row = db.session.execute(last).first()
    condition = [Topic.id == topic_id]
    if only_if_number is not None:
        condition.append(Topic.last_post_number == only_if_number)
    if row is None:
        values = {"last_post_number": 0}
    else:
        values = {"last_post_number": row.number, "last_post_at": row.created_at, "last_poster_id": row.author_id}
    _exec(update(Topic).where(*condition).values(**values))


def _change_topic_state(topic: Topic, old: State, new: State, at: datetime | None = None) -> bool:
    at = at or utcnow()
    row = db.session.execute(
        update(Topic).where(Topic.id == topic.id, Topic.state == old.value)
        .values(state=new.value, changed_at=at)
        .returning(Topic.post_count, Topic.category_id)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.expire(topic)
    if row is None:
        return False
    if (old == State.VISIBLE) != (new == State.VISIBLE):
        sign = 1 if new == State.VISIBLE else -1
        _exec(
            update(Category).where(Category.id == row.category_id).values(
                topic_count=Category.topic_count + sign, post_count=Category.post_count + sign * row.post_count
            )
        )
    return True


# --- moderation ----------------------------------------------------------------------------


def _log(actor: User, action: str, topic_id: int | None = None, post_id: int | None = None,
         detail: str = "", at: datetime | None = None) -> None:
    db.session.add(ModerationAction(
        actor_id=actor.id, action=action, topic_id=topic_id, post_id=post_id, detail=detail[:500],
        created_at=at or utcnow(),
    ))
    db.session.flush()


def _require_moderator(actor: User) -> None:
    if not is_moderator(actor):
        raise ForumError("forbidden")


TOPIC_ACTIONS = ("pin", "unpin", "lock", "unlock", "hide", "restore")


def moderate_topic(topic: Topic, actor: User, action: str, reason: str = "") -> bool:
    """Pin, unpin, lock, unlock, hide or restore a topic; logged. False when nothing changed."""
    _require_moderator(actor)
    if action not in TOPIC_ACTIONS:
        raise ForumError("unknown-action")
    if action in ("pin", "unpin", "lock", "unlock"):
        column = Topic.pinned if action in ("pin", "unpin") else Topic.locked
        value = action in ("pin", "lock")
        changed = _exec(
            update(Topic).where(Topic.id == topic.id, column.is_(not value)).values({column.key: value})
        ).rowcount
        db.session.expire(topic)
    elif action == "hide":
        changed = _change_topic_state(topic, State.VISIBLE, State.HIDDEN)
    else:
        changed = _change_topic_state(topic, State.HIDDEN, State.VISIBLE) or _change_topic_state(
            topic, State.DELETED, State.VISIBLE
        )
    if changed:
        _log(actor, f"topic-{action}", topic_id=topic.id, detail=reason)
    return bool(changed)


def move_topic(topic: Topic, target: Category, actor: User, reason: str = "") -> bool:
    """Move a topic to another category; both categories' counts follow."""
    _require_moderator(actor)
    source_id = topic.category_id
    if source_id == target.id:
        return False
    row = db.session.execute(
        update(Topic).where(Topic.id == topic.id, Topic.category_id == source_id)
        .values(category_id=target.id, changed_at=utcnow())
        .returning(Topic.state, Topic.post_count)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.expire(topic)
    if row is None:
        return False
    if row.state == State.VISIBLE:
        for category_id, sign in sorted([(source_id, -1), (target.id, 1)]):
            _exec(update(Category).where(Category.id == category_id).values(
                topic_count=Category.topic_count + sign, post_count=Category.post_count + sign * row.post_count
            ))
    source = db.session.get(Category, source_id)
    _log(actor, "topic-move", topic_id=topic.id, detail=f"{source.slug} → {target.slug} {reason}".strip())
    return True


def moderate_post(post: Post, actor: User, action: str, reason: str = "") -> bool:
    """Hide or restore a post; logged. Hiding resolves the open reports on it."""
    _require_moderator(actor)
    if action == "hide":
        changed = _change_post_state(post, State.VISIBLE, State.HIDDEN)
        if changed:
            _resolve_reports_of(post, actor, "hidden")
    elif action == "restore":
        changed = _change_post_state(post, State.HIDDEN, State.VISIBLE) or _change_post_state(
            post, State.DELETED, State.VISIBLE
        )
    else:
        raise ForumError("unknown-action")
    if changed:
        _log(actor, f"post-{action}", topic_id=post.topic_id, post_id=post.id, detail=reason)
    return changed


def report_post(post: Post, reporter: User, reason: str, details: str = "") -> Report:
    """File a report; a second open report by the same member on the same post is refused."""
    if not post.is_visible:
        raise ForumError("not-reportable")
    report = Report(post_id=post.id, reporter_id=reporter.id, reason=reason, details=details.strip())
    if not _added_unless_present(report):  # uq_forum_report_open: one open report per member and post
        raise ForumError("already-reported")
    return report


def _resolve_reports_of(post: Post, actor: User, resolution: str) -> int:
    return _exec(
        update(Report).where(Report.post_id == post.id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id, resolution=resolution)
    ).rowcount


def resolve_report(report: Report, actor: User, decision: str) -> None:
    """"hide" hides the post (and settles every open report on it); "dismiss" keeps it."""
    _require_moderator(actor)
    if report.resolved_at is not None:
        raise ForumError("already-resolved")
    if decision == "hide":
        moderate_post(report.post, actor, "hide", reason=f"report {report.id}")
    elif decision == "dismiss":
        _exec(
            update(Report).where(Report.id == report.id, Report.resolved_at.is_(None))
            .values(resolved_at=utcnow(), resolved_by_id=actor.id, resolution="dismissed")
        )
        _log(actor, "report-dismiss", topic_id=report.post.topic_id, post_id=report.post_id,
             detail=f"report {report.id}")
    else:
        raise ForumError("unknown-action")
    db.session.expire(report)


# --- categories (admins) -------------------------------------------------------------------


CATEGORY_FIELDS = (
    "slug", "name", "name_fr", "name_es", "description", "description_fr", "description_es",
    "position", "access", "region",
)


def save_category(category: Category | None, **fields) -> Category:
    """Create or update a category from plain values; `region` only for regional access."""
    category = category or Category()
    if fields.get("access") != Access.REGION:
        fields["region"] = None
    widened_or_narrowed = category.id is not None and (
        fields.get("access", category.access) != category.access or fields.get("region") != category.region
    )
    for name in CATEGORY_FIELDS:
        if name in fields:
            setattr(category, name, fields[name])
    db.session.add(category)
    db.session.flush()
    if widened_or_narrowed:
        # Who may see every post changed: the search index must look at them again.
        _exec(update(Topic).where(Topic.category_id == category.id).values(changed_at=utcnow()))
    return category


def delete_category(category: Category) -> None:
    """Only an empty category (no topics in any state) can be deleted."""
    if db.session.scalar(db.select(Topic.id).where(Topic.category_id == category.id).limit(1)) is not None:
        raise ForumError("not-empty")
    db.session.delete(category)
    db.session.flush()


# --- members: settings, visits, reading, watching ------------------------------------------


def member_settings(user: User) -> ForumMember:
    """The member's row, created with the defaults when missing (a member's first two requests may race to)."""
    member = db.session.get(ForumMember, user.id)
    if member is None:
        member = ForumMember(
            user_id=user.id, digest=Digest.OFF.value, mention_mails=True, auto_watch=True, feed_version=1
        )
        if not _added_unless_present(member):
            member = db.session.get(ForumMember, user.id)
    return member


def note_visit(user: User, at: datetime | None = None) -> tuple[ForumMember | None, bool]:
    """Track visits for "new since my last visit"; returns the member row and whether it changed.

    A request after a pause longer than VISIT_GAP starts a new visit: the previous one ended
    when the member was last seen. "Last seen" is written at most every SEEN_RESOLUTION.
    """
    at = at or utcnow()
    member = db.session.get(ForumMember, user.id)
    if member is None:
        member = member_settings(user)
        member.last_seen_at = at
        return member, True
    seen = member.last_seen_at
    if seen is None or at - seen > VISIT_GAP:
        member.last_visit_at = seen
        member.last_seen_at = at
        return member, True
    if at - seen > SEEN_RESOLUTION:
        member.last_seen_at = at
        return member, True
    return member, False


def _upsert_topic_user(user_id: int, topic_id: int, *, keep_watch: bool = False, **values) -> None:
    """Insert or update a member's row for a topic; the read mark only ever moves forward."""
    statement = _topic_user_upsert(db.session.get_bind().dialect.name, tuple(sorted(values)), keep_watch)
    db.session.execute(statement, {"user_id": user_id, "topic_id": topic_id, **values})


@cache
def _topic_user_upsert(dialect: str, keys: tuple[str, ...], keep_watch: bool):
    # Built once per shape: building an upsert took longer than running it (every post makes two).
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = TopicUser.__table__
    statement = insert(TopicUser).values({key: bindparam(key) for key in ("user_id", "topic_id", *keys)})
    updates = {}
    for key in keys:
        if key == "last_read_number":
            updates[key] = case(
                (statement.excluded.last_read_number > table.c.last_read_number, statement.excluded.last_read_number),
                else_=table.c.last_read_number,
            )
        elif key == "watch" and keep_watch:
            updates[key] = func.coalesce(table.c.watch, statement.excluded.watch)
        else:
            updates[key] = statement.excluded[key]
    if updates:
        return statement.on_conflict_do_update(index_elements=["user_id", "topic_id"], set_=updates)
    return statement.on_conflict_do_nothing(index_elements=["user_id", "topic_id"])


_TOPIC_FOR_READING = (
    db.select(Topic, TopicUser, ForumMember).select_from(Topic)
    .outerjoin(TopicUser, and_(TopicUser.topic_id == Topic.id, TopicUser.user_id == bindparam("user_id")))
    .outerjoin(ForumMember, ForumMember.user_id == bindparam("user_id"))
    .where(Topic.id == bindparam("topic_id"))
)


def load_topic_for_reading(topic_id: int, user) -> tuple[Topic, TopicUser | None, ForumMember | None]:
    """A topic the user may see (as load_topic), with the member's row for it and their forum row.

    One query instead of two: a topic page is the forums' most read page, and each round trip to the
    database costs the page about as much CPU as rendering five posts.
    """
    row = db.session.execute(_TOPIC_FOR_READING, {"topic_id": topic_id, "user_id": user.id}).first()
    if row is None or not can_see_topic(user, row[0]):
        raise NotFound()
    return tuple(row)


def topic_state_for(user: User, topic: Topic) -> TopicUser | None:
    return db.session.get(TopicUser, (user.id, topic.id))


def mark_read(user: User, topic: Topic, number: int, state: TopicUser | None, at: datetime | None = None) -> bool:
    """Move the member's read mark in a topic up to `number`; True when something was written."""
    number = min(number, topic.last_number)
    if state is not None and state.last_read_number >= number:
        return False
    _upsert_topic_user(user.id, topic.id, last_read_number=number, read_at=at or utcnow())
    return True


def mark_all_read(user: User, at: datetime | None = None) -> None:
    member_settings(user).all_read_at = at or utcnow()
    db.session.flush()


def set_topic_watch(user: User, topic: Topic, watch: str | None) -> None:
    """Watch a topic, mute it, or go back to the default (None)."""
    _upsert_topic_user(user.id, topic.id, watch=watch)


def set_category_watch(user: User, category: Category, watching: bool) -> None:
    existing = db.session.get(CategoryWatch, (user.id, category.id))
    if watching and existing is None:
        _added_unless_present(CategoryWatch(user_id=user.id, category_id=category.id))
    elif not watching and existing is not None:
        db.session.delete(existing)
    db.session.flush()


def is_watching_category(user: User, category: Category) -> bool:
    return db.session.get(CategoryWatch, (user.id, category.id)) is not None


def update_settings(user: User, *, digest: str, mention_mails: bool, auto_watch: bool) -> ForumMember:
    member = member_settings(user)
    member.digest = digest
    member.mention_mails = mention_mails
    member.auto_watch = auto_watch
    db.session.flush()
    return member


def reset_feed_token(user: User) -> None:
    """Revoke every feed URL given out so far."""
    member = member_settings(user)
    member.feed_version = (member.feed_version or 1) + 1
    db.session.flush()


def is_unread(topic: Topic, last_read_number: int | None, member: ForumMember | None) -> bool:
    """New posts since the member last read the topic (or since they marked everything read)."""
    if topic.last_post_number <= (last_read_number or 0):
        return False
    return not (member is not None and member.all_read_at is not None and topic.last_post_at <= member.all_read_at)


def first_unread_number(topic: Topic, state: TopicUser | None, member: ForumMember | None) -> int:
    """The number of the first post the member has not read (the last post when all is read)."""
    if state is not None and state.last_read_number:
        return min(state.last_read_number + 1, max(topic.last_number, 1))
    if member is not None and member.all_read_at is not None:
        number = db.session.scalar(
            db.select(func.min(Post.number)).where(Post.topic_id == topic.id, Post.created_at > member.all_read_at)
        )
        return number or max(topic.last_number, 1)
    return 1


# --- reading -------------------------------------------------------------------------------


@dataclass
class TopicRow:
    topic: Topic
    unread: bool
    last_poster_name: str | None
    author_name: str | None


# Made once: a new alias per query costs milliseconds of column proxying and defeats the SQL cache.
_LastPoster = aliased(User, name="last_poster")
_Author = aliased(User, name="topic_author")


def _topic_rows(statement, user: User):
    """Topics with the member's read mark and the names to show, in one query."""
    return (
        statement.add_columns(TopicUser.last_read_number, _LastPoster.full_name, _Author.full_name)
        .outerjoin(TopicUser, and_(TopicUser.topic_id == Topic.id, TopicUser.user_id == user.id))
        .outerjoin(_LastPoster, _LastPoster.id == Topic.last_poster_id)
        .outerjoin(_Author, _Author.id == Topic.author_id)
    )


def _rows(result, member) -> list[TopicRow]:
    return [
        TopicRow(topic, is_unread(topic, last_read, member), poster, author)
        for topic, last_read, poster, author in result
    ]


@dataclass
class Page:
    """A page of results with what the pagination macro needs."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


# The forum index's statements, built once per kind of reader: building them cost the page more
# than running them.
_LAST_TOPIC_ID = (
    db.select(Topic.id)
    .where(Topic.category_id == Category.id, Topic.state == State.VISIBLE.value)
    .order_by(Topic.last_post_at.desc()).limit(1)
    .correlate(Category).scalar_subquery()
)
_CATEGORIES_WITH_LAST_TOPIC = {
    kind: db.select(Category, _LAST_TOPIC_ID).where(readable).order_by(Category.position, Category.name)
    for kind, readable in _READABLE_BY.items()
}
_LAST_TOPICS = (
    db.select(Topic.id, Topic.title, Topic.last_post_at, Topic.last_post_number, _LastPoster.full_name)
    .outerjoin(_LastPoster, _LastPoster.id == Topic.last_poster_id)
    .where(Topic.id.in_(bindparam("topic_ids", expanding=True)))
)


def category_overview(user: User) -> list:
    """Readable categories in order with counts and their last active topic: two queries.

    Each category's last topic comes from the activity index, one probe a category; joining
    on that subquery instead made PostgreSQL hash the whole topic table on every request.
    """
    categories = db.session.execute(*_reading(_CATEGORIES_WITH_LAST_TOPIC, user)).all()
    topic_ids = [topic_id for _category, topic_id in categories if topic_id is not None]
    last_topics = {}
    if topic_ids:
        rows = db.session.execute(_LAST_TOPICS, {"topic_ids": topic_ids}).all()
        last_topics = {row[0]: tuple(row) for row in rows}
    return [(category, *last_topics.get(topic_id, (None,) * 5)) for category, topic_id in categories]


def topics_in(category: Category, user: User, member: ForumMember | None, page: int) -> Page:
    """A page of a category's topics: pinned first, then by last activity. Moderators see hidden ones."""
    states = [State.VISIBLE.value]
    if is_moderator(user):
        states += [State.HIDDEN.value, State.DELETED.value]
    condition = and_(Topic.category_id == category.id, Topic.state.in_(states))
    total = category.topic_count if not is_moderator(user) else db.session.scalar(
        db.select(func.count()).select_from(Topic).where(condition)
    )
    statement = _topic_rows(
        db.select(Topic).where(condition).order_by(Topic.pinned.desc(), Topic.last_post_at.desc(), Topic.id.desc())
        .limit(TOPICS_PER_PAGE).offset((page - 1) * TOPICS_PER_PAGE),
        user,
    )
    return Page(_rows(db.session.execute(statement), member), page, TOPICS_PER_PAGE, total)


def _visible_topics(user: User):
    return _visible_in(readable_categories(user))


def _visible_in(readable):
    """Visible topics of the categories matched by `readable` (a condition on Category)."""
    return and_(Topic.state == State.VISIBLE.value, readable)


def latest_topics(user: User, member: ForumMember | None = None, limit: int = 5) -> list[TopicRow]:
    """The most recently active topics the member may read (for the home page)."""
    statement = _topic_rows(
        db.select(Topic).join(Topic.category).options(contains_eager(Topic.category)).where(_visible_topics(user))
        .order_by(Topic.last_post_at.desc()).limit(limit),
        user,
    )
    return _rows(db.session.execute(statement), member)


def _listing(user, member, condition, page: int) -> Page:
    total = db.session.scalar(
        db.select(func.count()).select_from(Topic).join(Topic.category).where(_visible_topics(user), condition)
    )
    statement = _topic_rows(
        db.select(Topic).join(Topic.category).options(contains_eager(Topic.category))
        .where(_visible_topics(user), condition)
        .order_by(Topic.last_post_at.desc(), Topic.id.desc())
        .limit(TOPICS_PER_PAGE).offset((page - 1) * TOPICS_PER_PAGE),
        user,
    )
    return Page(_rows(db.session.execute(statement), member), page, TOPICS_PER_PAGE, total or 0)


def new_since_last_visit(user: User, member: ForumMember | None, page: int) -> Page:
    """Topics with activity since the member's previous visit ended (everything on a first visit)."""
    since = member.last_visit_at if member is not None else None
    condition = Topic.last_post_at > since if since is not None else true()
    return _listing(user, member, condition, page)


def unread_topics(user: User, member: ForumMember | None, page: int) -> Page:
    """Topics with posts the member has not read."""
    read = (
        db.select(TopicUser.last_read_number)
        .where(TopicUser.topic_id == Topic.id, TopicUser.user_id == user.id)
        .correlate(Topic).scalar_subquery()
    )
    condition = Topic.last_post_number > func.coalesce(read, 0)
    if member is not None and member.all_read_at is not None:
        condition = and_(condition, Topic.last_post_at > member.all_read_at)
    return _listing(user, member, condition, page)


def _count_new(since, kind: str):
    return (db.select(func.count()).select_from(Topic).join(Topic.category)
            .where(_visible_in(_READABLE_BY[kind]), Topic.last_post_at > since))


_NEW_SINCE = {kind: _count_new(bindparam("since", type_=Topic.last_post_at.type), kind) for kind in _READABLE_BY}
_MEMBER_AND_NEW_COUNT = {
    kind: db.select(ForumMember, _count_new(ForumMember.last_visit_at, kind).correlate(ForumMember).scalar_subquery())
    .where(ForumMember.user_id == bindparam("user_id"))
    for kind in _READABLE_BY
}


def count_new_since_last_visit(user: User, member: ForumMember | None) -> int:
    if member is None or member.last_visit_at is None:
        return 0
    return db.session.scalar(*_reading(_NEW_SINCE, user, since=member.last_visit_at)) or 0


def member_and_new_count(user: User) -> tuple[ForumMember | None, int]:
    """The member's forum row and how many topics are new since their last visit, in one query."""
    row = db.session.execute(*_reading(_MEMBER_AND_NEW_COUNT, user, user_id=user.id)).first()
    if row is None:
        return None, 0
    member, count = row
    return member, count if member.last_visit_at is not None else 0


# What a topic page shows of a post, as plain rows that read like posts (post.number, post.body_html):
# building twenty ORM objects was a fifth of the page's time.
_SHOWN_POST_COLUMNS = (Post.id, Post.number, Post.author_id, Post.body_html, Post.state, Post.created_at,
                       Post.edited_at, Post.changed_at)


def posts_on_page(topic: Topic, page: int) -> list:
    """The posts of one topic page as rows, each with its `author_name`: a range of numbers, one query."""
    first = (page - 1) * POSTS_PER_PAGE + 1
    statement = (
        db.select(*_SHOWN_POST_COLUMNS, User.full_name.label("author_name"))
        .outerjoin(User, User.id == Post.author_id)
        .where(Post.topic_id == topic.id, Post.number.between(first, first + POSTS_PER_PAGE - 1))
        .order_by(Post.number)
    )
    return db.session.execute(statement).all()


def post_by_number(topic: Topic, number: int) -> Post | None:
    return db.session.scalars(db.select(Post).where(Post.topic_id == topic.id, Post.number == number)).first()


def revisions_of(post: Post) -> list[PostRevision]:
    return list(db.session.scalars(
        db.select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.replaced_at.desc())
    ))


def open_reports(page: int) -> Page:
    condition = Report.resolved_at.is_(None)
    total = db.session.scalar(db.select(func.count()).select_from(Report).where(condition)) or 0
    items = db.session.scalars(
        db.select(Report).where(condition).order_by(Report.created_at)
        .limit(TOPICS_PER_PAGE).offset((page - 1) * TOPICS_PER_PAGE)
    ).all()
    return Page(list(items), page, TOPICS_PER_PAGE, total)


def count_open_reports() -> int:
    return db.session.scalar(db.select(func.count()).select_from(Report).where(Report.resolved_at.is_(None))) or 0


def moderation_log(page: int) -> Page:
    total = db.session.scalar(db.select(func.count()).select_from(ModerationAction)) or 0
    items = db.session.scalars(
        db.select(ModerationAction).order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
        .limit(50).offset((page - 1) * 50)
    ).all()
    return Page(list(items), page, 50, total)


def topics_linking_to(kind: str, ref: str, viewer=None, limit: int = 20) -> list[Topic]:
    """Visible topics that link to an event or manual section, newest activity first.

    For the event and manual pages: `topics_linking_to("event", str(event.id), current_user)`.
    Only topics the viewer may read are returned (none for anonymous readers).
    """
    return list(db.session.scalars(
        db.select(Topic).join(Topic.category)
        .where(Topic.link_kind == kind, Topic.link_ref == str(ref), _visible_topics(viewer))
        .order_by(Topic.last_post_at.desc()).limit(limit)
    ))


def categories_for(user: User) -> list[Category]:
    return list(db.session.scalars(
        db.select(Category).where(readable_categories(user)).order_by(Category.position, Category.name)
    ))


def watched_categories(user: User) -> list[Category]:
    return list(db.session.scalars(
        db.select(Category).join(CategoryWatch, CategoryWatch.category_id == Category.id)
        .where(CategoryWatch.user_id == user.id, readable_categories(user)).order_by(Category.position)
    ))


def watched_topics(user: User, limit: int = 100) -> list[Topic]:
    return list(db.session.scalars(
        db.select(Topic).join(TopicUser, TopicUser.topic_id == Topic.id).join(Topic.category)
        .where(TopicUser.user_id == user.id, TopicUser.watch == Watch.WATCHING.value, _visible_topics(user))
        .order_by(Topic.last_post_at.desc()).limit(limit)
    ))
