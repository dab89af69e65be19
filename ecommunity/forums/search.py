"""What the forums hand to the site search: one document per post, with who may see it.

The search feature builds and queries the index; it calls `search_documents()` for a full
rebuild, `search_documents(changed_since=...)` for an incremental pass (a post changes when it
is written, edited, hidden or restored; a topic when it is renamed, moved, hidden or restored,
which changes all its posts' documents), and filters hits with `may_see(user, visibility)`
before showing anything. Documents that are not `indexable` must be removed from the index.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_

from ecommunity.accounts.models import AccountStatus, User
from ecommunity.extensions import db
from ecommunity.forums.markdown import plain_text
from ecommunity.forums.models import Access, Category, Post, State, Topic


@dataclass(frozen=True)
class Visibility:
    """Who may see a document: `access` as on Category, with the region for regional ones."""

    access: str
    region: str | None


@dataclass(frozen=True)
class SearchDocument:
    key: str  # unique in the index: "forum-post:<id>"
    kind: str  # "forum-post"
    title: str  # the topic's title
    body: str  # the post as plain text
    url_path: str  # where the post is shown (relative to the site)
    topic_id: int
    post_id: int
    number: int
    category: str  # the category's slug
    author: str
    language: str  # the author's interface language: a hint for the analyser, not a guarantee
    updated_at: datetime
    visibility: Visibility
    indexable: bool  # False: hidden or deleted, remove from the index


def may_see(user, visibility: Visibility) -> bool:
    """The same rule as the forums: active members; regional ones for the region; the secretariat always."""
    if user is None or not getattr(user, "is_authenticated", False) or user.status != AccountStatus.ACTIVE:
        return False
    if user.is_secretariat or visibility.access == Access.MEMBERS:
        return True
    return visibility.access == Access.REGION and visibility.region == user.region


def search_documents(
    changed_since: datetime | None = None, batch: int = 500, post_ids: list[int] | None = None,
) -> Iterator[SearchDocument]:
    """Every post (or those changed since a moment, or those of `post_ids`) as a search document, in batches."""
    from flask import url_for

    from ecommunity.forums.notifications import mail_context

    with mail_context():
        post_path = url_for("forums.post", post_id=0).removesuffix("0")
    statement = (
        db.select(Post, Topic, Category, User.full_name, User.language)
        .join(Topic, Topic.id == Post.topic_id)
        .join(Category, Category.id == Topic.category_id)
        .outerjoin(User, User.id == Post.author_id)
        .order_by(Post.id)
    )
    if changed_since is not None:
        statement = statement.where(or_(Post.changed_at > changed_since, Topic.changed_at > changed_since))
    if post_ids is not None:
        statement = statement.where(Post.id.in_(post_ids))
    last_id = 0
    while True:
        rows = db.session.execute(statement.where(Post.id > last_id).limit(batch)).all()
        if not rows:
            return
        for post, topic, category, author, language in rows:
            yield SearchDocument(
                key=f"forum-post:{post.id}",
                kind="forum-post",
                title=topic.title,
                body=plain_text(post.body_html),
                url_path=f"{post_path}{post.id}",
                topic_id=topic.id,
                post_id=post.id,
                number=post.number,
                category=category.slug,
                author=author or "",
                language=language or "en",
                updated_at=max(post.changed_at, topic.changed_at),
                visibility=Visibility(category.access, category.region),
                indexable=post.state == State.VISIBLE and topic.state == State.VISIBLE,
            )
        last_id = rows[-1][0].id
