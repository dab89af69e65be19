"""Rendered pieces of pages kept in memory, per process and per app.

Many readers see the same costly pieces (a month grid, a forum post, the site header), and most of
a page's time goes into rendering them. A key names everything a piece depends on (the row's change
time, the reader's language and zone, what the reader may do), so an entry is never stale: a change
makes a new key and the old entry ages out of the LRU.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app


class RenderCache:
    """A bounded least-recently-used map from keys to rendered text (or what goes with it); thread-safe."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def get_or_render(self, key: Hashable, render: Callable):
        value = self.get(key)
        if value is None:
            value = render()
            self.put(key, value)
        return value


def render_cache(name: str, max_entries: int) -> RenderCache:
    """The app's cache of that name (made on first use); each app has its own, so tests never share one.

    While templates reload on change (development), nothing is kept, so an edited template shows at once.
    """
    caches = current_app.extensions.setdefault("render_caches", {})
    cache = caches.get(name)
    if cache is None:
        size = 0 if current_app.jinja_env.auto_reload else max_entries
        cache = caches.setdefault(name, RenderCache(size))
    return cache
