"""Two app hosts on one database, each with its own index: an edit through one is found through the other.

Each host is a real gunicorn with two workers (so the workers of one host also share an index
and its lock), started on this machine with its own SEARCH_INDEX_DIR.
"""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


@contextmanager
def host(database_url: str, index_dir: Path, log: Path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "two-hosts-test-secret-key-0123456789",
        "SEARCH_INDEX_DIR": str(index_dir),
        "SEARCH_INDEXING": "background",
        "SESSION_COOKIE_SECURE": "false",
        "MAIL_DELIVERY": "off",
        "FLASK_DEBUG": "0",
    }
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "--workers", "2", "--threads", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - http on loopback
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(log.read_text()[-3000:]) from None
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


class Browser:
    """Cookies and forms over plain HTTP."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def submit(self, path: str, fields: dict) -> int:
        page = self.get(path)
        data = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)}
        submission = re.search(r'name="submission"[^>]*value="([^"]+)"', page)
        if submission:
            data["submission"] = submission.group(1)
        data.update(fields)
        request = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(data).encode())  # noqa: S310
        with self.opener.open(request, timeout=10) as response:
            return response.status


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")
def test_an_edit_on_one_host_is_found_on_the_other(app, database_url, tmp_path, categories, people):
    member = people["member"]
    with host(database_url, tmp_path / "index-a", tmp_path / "a.log") as a, \
            host(database_url, tmp_path / "index-b", tmp_path / "b.log") as b:
        on_a, on_b = Browser(a), Browser(b)
        for browser in (on_a, on_b):
            browser.submit("/login", {"email": member.email, "password": PASSWORD})
        assert "Ruddy-headed" not in on_b.get("/search?q=ruddy")  # builds B's index if missing
        on_a.submit("/forums/c/national-reporting/new",
                    {"title": "Ruddy-headed goose counts", "body": "Wintering flocks in Patagonia."})
        started = time.monotonic()
        while "Ruddy-headed goose counts" not in on_b.get("/search?q=patagonia+flocks"):
            assert time.monotonic() - started < 5, "not found on the other host within 5 s"
            time.sleep(0.2)
        print(f"found on the other host after {time.monotonic() - started:.2f} s")
        assert "Ruddy-headed goose counts" in on_a.get("/search?q=patagonia")
    for log in ("a.log", "b.log"):
        assert "LockError" not in (tmp_path / log).read_text()
        assert "Traceback" not in (tmp_path / log).read_text()
