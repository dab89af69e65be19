"""Atom feeds (RFC 4287) of the latest topics, for the whole forums and for one category.

The forums are closed: an anonymous reader's feed is valid but has no entries. Members get
private feed URLs carrying a signed token (see `notifications.feed_token`) that show what they
may read, restricted categories included; renewing the token in the settings revokes them.
"""

import xml.etree.ElementTree as ET
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_

from ecommunity.accounts.models import User
from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.forums.models import Category, Post, State, Topic
from ecommunity.forums.services import readable_categories

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 30


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _latest(reader, category: Category | None):
    if reader is None:
        return []
    condition = [Topic.state == State.VISIBLE.value, readable_categories(reader)]
    if category is not None:
        condition.append(Topic.category_id == category.id)
    return db.session.execute(
        db.select(Topic, Post, User.full_name)
        .join(Topic.category)
        .join(Post, and_(Post.topic_id == Topic.id, Post.number == 1))
        .outerjoin(User, User.id == Topic.author_id)
        .where(*condition)
        .order_by(Topic.created_at.desc(), Topic.id.desc())
        .limit(FEED_SIZE)
    ).all()


def _feed(title: str, subtitle: str, self_url: str, alternate_url: str, feed_id: str, rows) -> bytes:
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _sub(root, "id", feed_id)
    _sub(root, "title", title)
    _sub(root, "subtitle", subtitle)
    updated = max((max(t.created_at, p.edited_at or p.created_at) for t, p, _n in rows), default=None)
    _sub(root, "updated", _stamp(updated or utcnow()))
    _sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(root, "link", rel="alternate", type="text/html", href=alternate_url)
    author = _sub(root, "author")
    _sub(author, "name", _("CMS Family e-community"))
    _sub(root, "generator", "ecommunity")
    for topic, post, author_name in rows:
        entry = _sub(root, "entry")
        url = url_for("forums.topic", topic_id=topic.id, _external=True)
        _sub(entry, "id", url)
        _sub(entry, "title", topic.title)
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        _sub(entry, "published", _stamp(topic.created_at))
        _sub(entry, "updated", _stamp(max(topic.created_at, post.edited_at or post.created_at)))
        entry_author = _sub(entry, "author")
        _sub(entry_author, "name", author_name or _("A former member"))
        _sub(entry, "category", term=topic.category.slug, label=topic.category.display_name)
        content = post.body_html if post.is_visible else ""
        _sub(entry, "content", content, type="html")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _token_args(token: str | None) -> dict:
    return {"token": token} if token else {}


def latest_topics_feed(reader, token: str | None) -> bytes:
    """The latest topics across the categories the reader may read."""
    subtitle = (
        _("The latest topics you may read in the forums.") if reader is not None
        else _("The forums are closed to the public. Members find their private feed address in the forums.")
    )
    return _feed(
        _("Forums: latest topics"), subtitle,
        url_for("forums.feed", _external=True, **_token_args(token)),
        url_for("forums.index", _external=True),
        url_for("forums.feed", _external=True), _latest(reader, None),
    )


def category_feed(category: Category, reader, token: str | None) -> bytes:
    """The latest topics of one category."""
    return _feed(
        _("Forums: %(category)s", category=category.display_name), category.display_description or category.name,
        url_for("forums.category_feed", slug=category.slug, _external=True, **_token_args(token)),
        url_for("forums.category", slug=category.slug, _external=True),
        url_for("forums.category_feed", slug=category.slug, _external=True), _latest(reader, category),
    )
