"""Keeping this host's index current: draining the change log, rebuilding, the background thread.

Every host (every index folder) drains the same `search_change` rows into its own index and
remembers, inside the index, the last id it applied and the ids below it that were not yet
visible (a transaction may commit after a later one: its ids stay "gaps" for a while and are
looked for again). Within one host, the worker that gets the index's write lock drains; the
others skip, so no request ever waits for the lock or sees a LockError.

Modes (SEARCH_INDEXING): "background" (a daemon thread per web process, woken after each
commit that logged changes and polling every second for other hosts' changes), "command" (only
`flask search catch-up --loop` indexes), "inline" (tests: drained before `commit()` returns),
"off" (nothing is drained; the change log still fills).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import defaultdict
from datetime import timedelta

from flask import current_app

from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.search import sources
from ecommunity.search.changes import SearchChange
from ecommunity.search.engine import IndexBusy, IndexUnavailable, Store, ref_of

log = logging.getLogger(__name__)

BATCH = 500
DOCUMENT_CHUNK = 200
GAP_SECONDS = 300  # a transaction still open after this long is not waited for
MAX_GAPS = 1000
MERGE_EVERY = 20  # commits without merging segments, then one that merges the small ones
RETENTION = timedelta(days=14)


def indexing_mode(app) -> str:
    """How this process keeps its index current (see the module's docstring)."""
    mode = app.config.get("SEARCH_INDEXING") or os.environ.get("SEARCH_INDEXING")
    if not mode:
        mode = "off" if app.testing else "background"
    return mode


def store() -> Store:
    return Store(current_app.config["SEARCH_INDEX_DIR"])


# --- draining ----------------------------------------------------------------------------------


def catch_up(timeout: float = 0.0, rebuild_if_missing: bool = True) -> dict:
    """Apply new change-log rows to this host's index.

    Returns {"applied": rows, "busy": bool, "rebuilt": bool}. Another process holding the lock
    means it is draining already: this one returns at once ("busy"). Runs in its own app context
    (its own database session), so the caller's session is left alone.
    """
    with current_app.app_context():
        try:
            return _catch_up(timeout, rebuild_if_missing)
        finally:
            db.session.remove()


# index folder -> (generation, highest change id it held with no gaps), as last seen by this process:
# a poll that finds no newer change does not open the index at all.
_caught_up: dict[str, tuple] = {}


def _catch_up(timeout: float, rebuild_if_missing: bool) -> dict:
    done = {"applied": 0, "busy": False, "rebuilt": False}
    root = store()
    highest = db.session.scalar(db.select(db.func.max(SearchChange.id))) or 0
    if _caught_up.get(str(root.root)) == (root.current_name(), highest):
        db.session.rollback()
        return done
    try:
        with root.writing(timeout) as writing:
            while True:
                rows = _pending(writing.state)
                if not rows:
                    break
                replacements = _replacements(rows)
                state = _advance(writing.state, rows)
                merge = state["commits"] % MERGE_EVERY == 0
                writing.apply(replacements, state, merge=merge)
                db.session.rollback()  # end the read transaction; the next batch sees newer commits
                done["applied"] += len(rows)
            if not writing.state.get("gaps"):
                _caught_up[str(root.root)] = (root.current_name(), int(writing.state.get("applied", 0)))
    except IndexBusy:
        done["busy"] = True
    except IndexUnavailable:
        if not rebuild_if_missing:
            raise
        try:
            _rebuild()
            done["rebuilt"] = True
        except IndexBusy:  # another worker is rebuilding it: that one brings it up to date
            done["busy"] = True
    finally:
        db.session.rollback()
    return done


def _pending(state: dict) -> list[SearchChange]:
    applied = int(state.get("applied", 0))
    rows = list(db.session.scalars(
        db.select(SearchChange).where(SearchChange.id > applied).order_by(SearchChange.id).limit(BATCH)
    ))
    gaps = [int(i) for i in state.get("gaps", {})]
    if gaps:
        rows += db.session.scalars(db.select(SearchChange).where(SearchChange.id.in_(gaps)))
    return rows


def _advance(state: dict, rows: list[SearchChange]) -> dict:
    """The new state: the highest id applied, and the ids skipped below it that may still come."""
    now = time.time()
    applied = int(state.get("applied", 0))
    gaps = {int(k): v for k, v in state.get("gaps", {}).items()}
    seen = {row.id for row in rows}
    highest = max([applied, *seen])
    for missing in range(applied + 1, highest):
        if missing not in seen and len(gaps) < MAX_GAPS * 2:
            gaps[missing] = now
    gaps = {k: v for k, v in gaps.items() if k not in seen and now - v < GAP_SECONDS}
    if len(gaps) > MAX_GAPS:
        gaps = dict(sorted(gaps.items())[-MAX_GAPS:])
    return {**state, "applied": highest, "gaps": {str(k): v for k, v in gaps.items()},
            "commits": int(state.get("commits", 0)) + 1, "updated_at": utcnow().isoformat()}


def _replacements(rows: list[SearchChange]) -> dict[str, list]:
    """ref -> the new documents of that object (an empty list removes it)."""
    wanted: dict[tuple[str, str], set[int]] = defaultdict(set)
    for row in rows:
        if row.kind in sources.BY_KIND:
            wanted[(row.kind, row.entity)].add(row.entity_id)
    main: dict[str, set[int]] = defaultdict(set)
    for (kind, entity), ids in wanted.items():
        main[kind].update(sources.main_ids(kind, entity, sorted(ids)))
    replacements: dict[str, list] = {}
    for kind, ids in main.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), DOCUMENT_CHUNK):
            chunk = ordered[start:start + DOCUMENT_CHUNK]
            for main_id in chunk:
                replacements[f"{kind}:{main_id}"] = []
            for doc in sources.BY_KIND[kind].documents_for(chunk):
                replacements.setdefault(ref_of(doc.key), []).append(doc)
    return replacements


# --- rebuilding ----------------------------------------------------------------------------------


def all_documents(progress=None):
    """Every document of every source, streamed from the database."""
    for source in sources.SOURCES:
        chunk: list[int] = []
        ids = source.all_ids()
        while True:
            chunk = [i for _, i in zip(range(DOCUMENT_CHUNK), ids, strict=False)]
            if not chunk:
                break
            docs = source.documents_for(chunk)
            db.session.expunge_all()
            yield from docs
            if progress:
                progress(len(docs))


def rebuild(progress=None) -> dict:
    """Build a new index from the database, check it and swap it in. IndexBusy if one is running."""
    with current_app.app_context():
        try:
            return _rebuild(progress)
        finally:
            db.session.remove()


def _rebuild(progress=None) -> dict:
    highest = db.session.scalar(db.select(db.func.max(SearchChange.id))) or 0
    state = {"applied": int(highest), "gaps": {}, "commits": 0, "built_at": utcnow().isoformat(),
             "updated_at": utcnow().isoformat()}
    try:
        return store().rebuild(all_documents(progress), state)
    finally:
        db.session.rollback()


def prune(older_than: timedelta = RETENTION) -> int:
    """Forget change-log rows every host has long applied; returns how many went."""
    deleted = db.session.execute(
        db.delete(SearchChange).where(SearchChange.created_at < utcnow() - older_than)
    ).rowcount
    db.session.commit()
    return deleted


def status() -> dict:
    """What this host's index holds against the change log."""
    highest = db.session.scalar(db.select(db.func.max(SearchChange.id))) or 0
    root = store()
    out = {"directory": str(root.root), "generation": root.current_name(), "latest_change": int(highest)}
    try:
        with root.open().searcher() as searcher:
            from ecommunity.search.engine import _read_state

            state = _read_state(searcher)
            out.update(documents=searcher.doc_count() - 1, applied=state.get("applied"),
                       waiting_for=len(state.get("gaps", {})), updated_at=state.get("updated_at"),
                       built_at=state.get("built_at"))
            out["behind"] = int(highest) - int(state.get("applied", 0))
            out["state"] = "ok"
    except IndexUnavailable as error:
        out["state"] = str(error)
    return out


# --- in the web process ---------------------------------------------------------------------------

_wake = threading.Event()
_rebuilding = threading.Lock()


def notify(app) -> None:
    """After a commit that logged changes: index them (how depends on the mode)."""
    mode = indexing_mode(app)
    if mode == "background":
        start_background_indexer(app)
        _wake.set()
    elif mode == "inline":
        _in_thread(app, lambda: catch_up(timeout=10.0))


def _in_thread(app, work):
    """Run `work` in a fresh app context (its own database session) and wait for it."""
    result = {}

    def run():
        with app.app_context():
            try:
                result["value"] = work()
            except Exception:
                log.exception("search indexing failed")
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name="search-inline", daemon=True)
    thread.start()
    thread.join()
    return result.get("value")


def request_rebuild(app) -> None:
    """The index is missing or damaged: rebuild it in the background (once per process)."""
    if indexing_mode(app) == "off":
        return
    if not _rebuilding.acquire(blocking=False):
        return

    def run():
        try:
            with app.app_context():
                try:
                    rebuild()
                except IndexBusy:
                    pass
                except Exception:
                    log.exception("search index rebuild failed")
                finally:
                    db.session.remove()
        finally:
            _rebuilding.release()

    thread = threading.Thread(target=run, name="search-rebuild", daemon=True)
    thread.start()
    if indexing_mode(app) == "inline":
        thread.join()


def start_background_indexer(app, interval: float = 1.0):
    """Start the app's indexer thread once: it drains after local commits at once, and every
    `interval` s for other hosts' changes; the change log is pruned hourly."""
    from ecommunity.core.background import start_background_worker

    pruned_at = 0.0

    def work() -> None:
        nonlocal pruned_at
        catch_up()
        if time.monotonic() - pruned_at > 3600:
            pruned_at = time.monotonic()
            prune()

    return start_background_worker(app, "search-indexer", work, _wake, interval)
