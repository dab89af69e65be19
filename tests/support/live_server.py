"""The Flask app served over real HTTP on loopback, in a background thread, for a real browser."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request; errors still reach the log."""

    def log_request(self, code="-", size="-") -> None:
        pass


@dataclass(frozen=True)
class LiveServer:
    url: str
    port: int


@contextmanager
def serve(app: Flask) -> Iterator[LiveServer]:
    """Serve `app` on 127.0.0.1 on a free port, one thread per request, until the block ends."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", port=server.server_port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
