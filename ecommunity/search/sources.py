"""What is searchable: each kind of document, its producer, and the models whose changes reach it.

A source has a main model (one object -> its documents, keyed "<kind>:<id>[:<lang>]") and
watches: the model classes whose rows, when written, change some of its documents. A watch
says which columns matter (None: any) and how to go from its ids to the main model's ids,
either through an attribute of the changed object (`parent`) or a query run by the indexer
(`main_ids`). `changes.py` records changes of watched models; `indexer.py` turns them back
into main ids and asks the producer for the documents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ecommunity.events import search as event_search
from ecommunity.events.models import Event, EventInstrument
from ecommunity.extensions import db
from ecommunity.forums.models import Access, Category, Post, Topic
from ecommunity.library import search as library_search
from ecommunity.library.models import LibraryDocument
from ecommunity.manual import search as manual_search
from ecommunity.manual.models import ManualChapter, ManualPart, ManualSection, SectionVersion
from ecommunity.search.documents import SearchDocument


@dataclass(frozen=True)
class Watch:
    model: type
    attributes: frozenset[str] | None = None  # columns whose change matters; None: any
    parent: str | None = None  # attribute holding the main model's id
    main_ids: Callable[[list[int]], list[int]] | None = None  # ids of this model -> main ids

    @property
    def entity(self) -> str:
        return self.model.__tablename__


@dataclass(frozen=True)
class Source:
    kind: str
    main: type
    documents_for: Callable[[list[int]], list[SearchDocument]]
    all_ids: Callable[[], Iterator[int]]
    watches: tuple[Watch, ...] = ()

    @property
    def entity(self) -> str:
        return self.main.__tablename__


def stream_ids(column, batch: int = 1000) -> Iterator[int]:
    """Every value of an integer primary key, in order, a batch at a time."""
    last = 0
    while True:
        ids = db.session.scalars(db.select(column).where(column > last).order_by(column).limit(batch)).all()
        if not ids:
            return
        yield from ids
        last = ids[-1]


# --- forums: adapting ecommunity/forums/search.py ---------------------------------------------

_FORUM_AUDIENCE = {Access.MEMBERS: "members", Access.SECRETARIAT: "secretariat"}


def forum_documents_for(ids: list[int]) -> list[SearchDocument]:
    """Posts as search documents, with who may see them as an audience."""
    from ecommunity.forums.search import search_documents

    posts = list(search_documents(post_ids=list(ids)))
    names = dict(db.session.execute(
        db.select(Category.slug, Category.name).where(Category.slug.in_({p.category for p in posts}))
    ).all()) if posts else {}
    return [
        SearchDocument(
            key=post.key, kind="forum-post", language=post.language if post.language in ("en", "fr", "es") else "en",
            title=post.title, body=post.body, url_path=post.url_path, updated_at=post.updated_at,
            audience=_FORUM_AUDIENCE.get(post.visibility.access, f"region:{post.visibility.region}"),
            topic=post.category, context=names.get(post.category, post.category),
            indexable=post.indexable, extra={"author": post.author, "number": post.number},
        )
        for post in posts
    ]


def _posts_of_topics(ids: list[int]) -> list[int]:
    return list(db.session.scalars(db.select(Post.id).where(Post.topic_id.in_(ids))))


def _posts_of_categories(ids: list[int]) -> list[int]:
    return list(db.session.scalars(
        db.select(Post.id).join(Topic, Topic.id == Post.topic_id).where(Topic.category_id.in_(ids))
    ))


_TITLES = frozenset({"title_en", "title_fr", "title_es"})

SOURCES: tuple[Source, ...] = (
    Source(
        kind=manual_search.KIND, main=ManualSection, documents_for=manual_search.documents_for,
        all_ids=manual_search.all_ids,
        watches=(
            Watch(ManualSection, frozenset({"slug", "position", "chapter_id"})),
            Watch(SectionVersion, frozenset({"title", "body_html", "language", "section_id"}), parent="section_id"),
            Watch(ManualChapter, _TITLES | {"slug", "part_id"}, main_ids=manual_search.sections_of_chapters),
            Watch(ManualPart, _TITLES, main_ids=manual_search.sections_of_parts),
        ),
    ),
    Source(
        kind=library_search.KIND, main=LibraryDocument, documents_for=library_search.documents_for,
        all_ids=library_search.all_ids, watches=(Watch(LibraryDocument),),
    ),
    Source(
        kind="forum-post", main=Post, documents_for=forum_documents_for, all_ids=lambda: stream_ids(Post.id),
        watches=(
            Watch(Post, frozenset({"body_html", "state", "changed_at", "topic_id"})),
            Watch(Topic, frozenset({"title", "state", "category_id", "changed_at"}), main_ids=_posts_of_topics),
            Watch(Category, frozenset({"access", "region", "slug", "name"}), main_ids=_posts_of_categories),
        ),
    ),
    Source(
        kind=event_search.KIND, main=Event, documents_for=event_search.documents_for, all_ids=event_search.all_ids,
        watches=(Watch(Event), Watch(EventInstrument, parent="event_id")),
    ),
)

BY_KIND = {source.kind: source for source in SOURCES}

# model class -> (source, watch); the main model watches itself unless a watch names it.
WATCHED: dict[type, tuple[Source, Watch]] = {}
for _source in SOURCES:
    WATCHED[_source.main] = (_source, Watch(_source.main))
    for _watch in _source.watches:
        WATCHED[_watch.model] = (_source, _watch)


def main_ids(kind: str, entity: str, ids: list[int]) -> list[int]:
    """The main-model ids that changes of `entity` rows change (run by the indexer, after commit)."""
    source = BY_KIND[kind]
    if entity == source.entity:
        return ids
    for watch in source.watches:
        if watch.entity == entity and watch.main_ids is not None:
            return watch.main_ids(ids)
    return []
