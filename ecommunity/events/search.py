"""What the events hand to the site search: one document per event per language it is written in.

Public events are for everyone; the others for members (the rule of `views.load_event`).
Changes that reach these documents: the event row itself (every service change moves its
`updated_at`) and its instruments.
"""

from collections.abc import Iterator

from sqlalchemy.orm import selectinload

from ecommunity.events.models import LANGUAGES, Event
from ecommunity.extensions import db
from ecommunity.search.documents import SearchDocument

KIND = "event"


def documents_for(ids: list[int]) -> list[SearchDocument]:
    """The documents of these events (all languages); a missing event yields none."""
    events = db.session.scalars(
        db.select(Event).where(Event.id.in_(ids)).options(selectinload(Event.instrument_links)).order_by(Event.id)
    ).all()
    return [doc for event in events for doc in _documents(event)]


def all_ids(batch: int = 1000) -> Iterator[int]:
    """Every event id, streamed."""
    last = 0
    while True:
        ids = db.session.scalars(db.select(Event.id).where(Event.id > last).order_by(Event.id).limit(batch)).all()
        if not ids:
            return
        yield from ids
        last = ids[-1]


def _documents(event: Event) -> Iterator[SearchDocument]:
    place = ", ".join(part for part in (event.city, event.country or "") if part)
    for language in LANGUAGES:
        title = getattr(event, f"title_{language}").strip()
        if not title:
            continue
        description = getattr(event, f"description_{language}").strip()
        yield SearchDocument(
            key=f"{KIND}:{event.id}:{language}",
            kind=KIND,
            language=language,
            title=title,
            body="\n".join(part for part in (description, event.city) if part),
            url_path=f"/events/{event.id}",
            updated_at=event.updated_at,
            audience="public" if event.is_public else "members",
            instruments=tuple(event.instruments),
            topic=event.event_type,
            context=f"{event.start_date.isoformat()} · {place}" if place else event.start_date.isoformat(),
        )
