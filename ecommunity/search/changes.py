"""The change log: a row per changed searchable object, written in the same transaction as the change.

Session listeners, registered once when this module is imported (by `ecommunity.models`), note
every insert, update and delete of a watched model (see `sources.py`), through the ORM or as a
bulk UPDATE/DELETE statement. A rolled-back transaction takes its change rows with it, so the
indexers, which only read committed rows, never index what did not happen. After a commit
that logged changes, this process's indexer is woken (`indexer.notify`).
"""

from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import BigInteger, Integer, String, event, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ecommunity.database import UTCDateTime, utcnow
from ecommunity.extensions import db

_ID = BigInteger().with_variant(Integer(), "sqlite")


class SearchChange(db.Model):
    """One object whose search documents must be rebuilt; ids grow, each host remembers how far it got."""

    __tablename__ = "search_change"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30))  # the source: "forum-post", "event", "manual"...
    entity: Mapped[str] = mapped_column(String(60))  # the table of the changed row
    entity_id: Mapped[int] = mapped_column(_ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


_SEEN = "search_changes_seen"
_CHANGED = "search_changed"


def _watched(cls):
    from ecommunity.search.sources import WATCHED

    return WATCHED.get(cls)


def _record(session: Session, rows: set[tuple[str, str, int]]) -> None:
    seen = session.info.setdefault(_SEEN, set())
    new = rows - seen
    if not new:
        return
    seen.update(new)
    now = utcnow()
    session.connection().execute(
        insert(SearchChange.__table__),
        [{"kind": k, "entity": e, "entity_id": i, "created_at": now} for k, e, i in sorted(new)],
    )
    session.info[_CHANGED] = True


def _row_for(obj, source, watch, deleted: bool = False) -> tuple[str, str, int] | None:
    if watch.parent is not None:
        parent_id = getattr(obj, watch.parent, None)
        if parent_id is None:
            history = inspect(obj).attrs[watch.parent].history
            parent_id = (history.deleted or [None])[0]
        return (source.kind, source.entity, parent_id) if parent_id is not None else None
    identity = inspect(obj).mapper.primary_key_from_instance(obj)
    if len(identity) != 1 or identity[0] is None:
        return None
    return (source.kind, watch.entity, identity[0])


def _relevant(obj, watch) -> bool:
    state = inspect(obj)
    if watch.attributes is None:
        return any(state.attrs[a.key].history.has_changes() for a in state.mapper.column_attrs)
    return any(state.attrs[name].history.has_changes() for name in watch.attributes)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    rows: set = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        found = _watched(type(obj))
        if found is None:
            continue
        source, watch = found
        is_deleted = obj in session.deleted
        if obj in session.dirty and not is_deleted and not _relevant(obj, watch):
            continue
        row = _row_for(obj, source, watch, deleted=is_deleted)
        if row is None:
            continue
        if is_deleted and row[1] != source.entity:
            # The rows this one led to may be gone with it: resolve them now.
            from ecommunity.search.sources import main_ids

            rows.update((source.kind, source.entity, i) for i in main_ids(source.kind, row[1], [row[2]]))
        rows.add(row)
    if rows:
        _record(session, rows)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state) -> None:
    """UPDATE and DELETE statements bypass the unit of work: note the rows they will touch."""
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    found = _watched(mapper.class_) if mapper is not None else None
    if found is None:
        return
    source, watch = found
    statement = state.statement
    if state.is_update and watch.attributes is not None:
        names = {key if isinstance(key, str) else getattr(key, "key", str(key)) for key in statement._values or {}}
        if names and not names & (watch.attributes | {watch.parent} - {None}):
            return
    if watch.parent is not None:
        column = mapper.columns[watch.parent]
        entity = source.entity
    else:
        column = mapper.primary_key[0]
        entity = watch.entity
    lookup = select(column)
    if statement.whereclause is not None:
        lookup = lookup.where(statement.whereclause)
    ids = [i for i in state.session.connection().execute(lookup).scalars() if i is not None]
    if not ids:
        return
    if state.is_delete and entity != source.entity:
        from ecommunity.search.sources import main_ids

        ids, entity = main_ids(source.kind, entity, ids), source.entity
    _record(state.session, {(source.kind, entity, i) for i in ids})


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy sends after_commit for a released SAVEPOINT too: the changes are not
        # committed yet, and the indexer (another connection) would not find them.
        return
    session.info.pop(_SEEN, None)
    if session.info.pop(_CHANGED, False) and has_app_context():
        from ecommunity.search.indexer import notify

        notify(current_app._get_current_object())


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_SEEN, None)
    session.info.pop(_CHANGED, None)


@event.listens_for(Session, "after_soft_rollback")
def _after_soft_rollback(session: Session, previous_transaction) -> None:
    if not session.in_transaction():
        session.info.pop(_SEEN, None)
        session.info.pop(_CHANGED, None)
