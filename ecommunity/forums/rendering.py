"""Posts and topic rows as a reader sees them, each rendered once per version and kind of reader.

Rendering twenty posts or topics (dates in the reader's zone, links, labels) was most of a forum
page's time, yet what differs between readers is small: whether a post or topic is new to them and
which actions they may take. Those make up the key with what the row shows (its change time,
counts, names) and the reader's language and zone, so an edit, a reply or a rename shows at once.
"""

from dataclasses import dataclass

from flask import g, render_template, url_for
from flask_babel import get_locale, get_timezone
from markupsafe import Markup

from ecommunity.accounts.models import User
from ecommunity.core.render_cache import render_cache
from ecommunity.forums.models import Topic
from ecommunity.forums.services import TopicRow

POST_CACHE_ENTRIES = 4096  # a few hundred topic pages in each language: a few megabytes a process
TOPIC_ROW_CACHE_ENTRIES = 4096
CATEGORY_LIST_CACHE_ENTRIES = 64  # one per set of readable categories, language and zone in use


def _reading() -> tuple[str, str]:
    """The reader's language and zone, which every shared rendering depends on; once per request."""
    if "forum_reading" not in g:
        g.forum_reading = (str(get_locale()), str(get_timezone()))
    return g.forum_reading


@dataclass(frozen=True)
class PostActions:
    """What one reader sees of one post beyond its text."""

    unread: bool
    quote: bool = False
    edit: bool = False
    delete: bool = False
    report: bool = False
    moderate: bool = False  # moderators' forms carry their own CSRF token: never shared


@dataclass(frozen=True)
class TopicLinks:
    """Addresses the posts of one topic link to, built once per page (url_for per link adds up)."""

    post_base: str
    member_base: str
    reply_url: str

    @classmethod
    def for_topic(cls, topic: Topic) -> "TopicLinks":
        return cls(post_base=url_for("forums.index") + "p/",
                   member_base=url_for("accounts.member", user_id=0).removesuffix("0"),
                   reply_url=url_for("forums.reply", topic_id=topic.id))


def actions_for(post, reader: User, topic: Topic, *, can_reply: bool, moderator: bool,
                last_read: int) -> PostActions:
    visible = post.state == "visible"
    own = post.author_id == reader.id
    topic_open = topic.state == "visible"
    return PostActions(
        unread=post.number > last_read,
        quote=can_reply and visible,
        edit=visible and (moderator or own and topic_open and not topic.locked),
        delete=visible and own and topic_open,
        report=visible and not (own and topic_open),
        moderate=moderator,
    )


def rendered_posts(topic: Topic, posts, reader: User, *, can_reply: bool, moderator: bool,
                   last_read: int) -> list[Markup]:
    """The HTML of each post (a row of services.posts_on_page), from the cache where another reader saw the same."""
    links = TopicLinks.for_topic(topic)
    cache = render_cache("forum-posts", POST_CACHE_ENTRIES)
    reading = _reading()
    out = []
    for post in posts:
        may = actions_for(post, reader, topic, can_reply=can_reply, moderator=moderator, last_read=last_read)

        def render(post=post, may=may) -> str:
            return render_template("forums/_post.html", post=post, may=may, links=links)

        if may.moderate:
            html = render()
        else:
            key = (post.id, post.changed_at, post.state, post.edited_at, post.author_name, links, may, reading)
            html = cache.get_or_render(key, render)
        out.append(Markup(html))  # noqa: S704 - our own template, rendered with autoescaping
    return out


def rendered_topic_row(row: TopicRow, show_category: bool = False) -> Markup:
    """One line of a topic list (a category, "new", "unread"), shared by readers who see it alike."""
    topic = row.topic
    category_name = topic.category.display_name if show_category else None
    key = (topic.id, topic.changed_at, topic.title, topic.state, topic.pinned, topic.locked, topic.post_count,
           topic.last_post_at, row.author_name, row.last_poster_name, row.unread, category_name, _reading())
    html = render_cache("forum-topic-rows", TOPIC_ROW_CACHE_ENTRIES).get_or_render(key, lambda: render_template(
        "forums/_topic_row.html", row=row, topic=topic, category_name=category_name))
    return Markup(html)  # noqa: S704 - our own template, rendered with autoescaping


def rendered_category_list(categories: list) -> Markup:
    """The forum index's categories (services.category_overview rows), shared by readers who see the same."""
    rows = tuple((category.id, category.slug, category.display_name, category.display_description, category.access,
                  category.region, category.topic_count, category.post_count, *last) for category, *last in categories)
    key = (rows, _reading())
    html = render_cache("forum-category-lists", CATEGORY_LIST_CACHE_ENTRIES).get_or_render(
        key, lambda: render_template("forums/_category_list.html", categories=categories))
    return Markup(html)  # noqa: S704 - our own template, rendered with autoescaping
