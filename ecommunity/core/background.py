"""Daemon threads that do a feature's pending work inside the web process (mail, search index)."""

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)
_start_lock = threading.Lock()


class BackgroundWorker:
    """Runs `work` in an app context when `wake` is set (after a commit) and every `interval` s.

    The thread outlives errors (a database hiccup): the work stays recorded in the database and
    the next round retries it.
    """

    def __init__(self, app, name: str, work: Callable[[], None], wake: threading.Event, interval: float):
        self.app = app
        self.name = name
        self.work = work
        self.wake = wake
        self.interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> "BackgroundWorker":
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self.wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        from ecommunity.extensions import db

        while not self._stopping.is_set():
            self.wake.wait(self.interval)
            self.wake.clear()
            if self._stopping.is_set():
                return
            try:
                with self.app.app_context():
                    try:
                        self.work()
                    finally:
                        db.session.remove()
            except Exception:  # noqa: BLE001 - see the class docstring
                log.exception("%s failed; will retry", self.name)
                time.sleep(self.interval)


def start_background_worker(app, name: str, work: Callable[[], None], wake: threading.Event,
                            interval: float) -> BackgroundWorker:
    """Start the app's worker of that name once; it is kept in `app.extensions[name]`."""
    with _start_lock:
        worker = app.extensions.get(name)
        if worker is None:
            worker = app.extensions[name] = BackgroundWorker(app, name, work, wake, interval).start()
    return worker
