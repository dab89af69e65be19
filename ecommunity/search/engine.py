"""The one module that talks to Whoosh: a change of search engine touches only this file."""

from pathlib import Path

from whoosh import index


def index_state(directory: str) -> str:
    """'ok' when an index opens, 'absent' when none was built yet, 'unreadable' otherwise."""
    path = Path(directory)
    try:
        if not path.is_dir() or not index.exists_in(str(path)):
            return "absent"
        with index.open_dir(str(path)).searcher() as searcher:
            searcher.doc_count()
        return "ok"
    except Exception:  # noqa: BLE001 - any damage means the index must be rebuilt
        return "unreadable"
