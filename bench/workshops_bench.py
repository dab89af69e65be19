"""Workshop registration under load: 500 registrations at concurrency 50 for a 50-seat workshop.

    .venv/bin/python -m bench.workshops_bench          # PostgreSQL (database ecommunity_bench_workshops)
    .venv/bin/python -m bench.workshops_bench --database-url sqlite:////tmp/workshops-bench.sqlite3

gunicorn runs the real app (wsgi:app) with 2 workers; 500 members, each with their own signed
session, POST the registration form through http.client from a pool of 50 threads. Prints the
rate, p50 and p99, that every request was answered, and checks the invariant at the end: seats
held never above capacity, the waiting list numbered 1..n in arrival order.

The helpers here (accounts in bulk, forged sessions, a gunicorn server, simultaneous requests,
the invariant check) also drive the concurrency tests in tests/workshops/test_concurrency.py.
"""

import argparse
import functools
import hashlib
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.events_bench import free_port, worker_cpu_seconds  # noqa: E402
from bench.forums_bench import log, prepare_database  # noqa: E402

SECRET_KEY = "workshops-benchmark-secret-key-not-for-production"
USER_AGENT = "ecommunity-workshops-load"
DEFAULT_DB = "postgresql://postgres@127.0.0.1/ecommunity_bench_workshops"
WARM_UP = 10  # registrations on another workshop before the measured burst


# --- data ------------------------------------------------------------------------------------------


def create_members(count: int, prefix: str = "load", countries: tuple = ("KE",)) -> list[int]:
    """Insert `count` active members in one statement (one Argon2 hash for all); returns their ids."""
    from sqlalchemy import insert, select

    from ecommunity.accounts.models import User
    from ecommunity.accounts.passwords import hash_password
    from ecommunity.extensions import db

    now = datetime.now(UTC)
    password = hash_password("load-test-password")
    rows = [dict(email=f"{prefix}{i}@load.example", full_name=f"Load Member {i}", search_name=f"load member {i}",
                 country=countries[i % len(countries)], region="africa", role="member", status="active",
                 language="en", timezone="UTC", password_hash=password, created_at=now, email_verified_at=now,
                 session_version=1, organisation="", position="", pending_email=None, rejection_reason="")
            for i in range(count)]
    db.session.execute(insert(User), rows)
    db.session.commit()
    return list(db.session.scalars(select(User.id).where(User.email.like(f"{prefix}%@load.example"))
                                   .order_by(User.id)))


def create_workshop(capacity: int, country_quota: int | None = None, title: str = "Load test workshop") -> int:
    """A workshop open now (an event in a month, in Nairobi); returns its id."""
    from ecommunity.events.services import EventData, Schedule, create_event
    from ecommunity.extensions import db
    from ecommunity.workshops.services import WorkshopSettings, save_workshop

    now = datetime.now(UTC)
    day = (now + timedelta(days=30)).date()
    event = create_event(EventData(
        title_en=title, event_type="pre-cop-workshop", region="africa", city="Nairobi", country="KE",
        schedule=Schedule(timezone="Africa/Nairobi", all_day=True, start_date=day, end_date=day + timedelta(days=2)),
    ))
    workshop = save_workshop(event, WorkshopSettings(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=20), capacity=capacity,
        country_quota=country_quota, working_languages=["en", "fr"]))
    db.session.commit()
    return workshop.id


# --- sessions and requests ----------------------------------------------------------------------


@functools.cache
def _signers(secret_key: str) -> tuple:
    """Flask's session cookie serializer and Flask-WTF's token serializer for that key."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous import URLSafeTimedSerializer

    app = Flask("load")
    app.secret_key = secret_key
    return (SecureCookieSessionInterface().get_signing_serializer(app),
            URLSafeTimedSerializer(secret_key, salt="wtf-csrf-token"))


class Session:
    """A logged-in member as a browser holds it: the signed session cookie and a form's CSRF token.

    Made without logging in (no Argon2 check per account): what Flask-Login and Flask-WTF store.
    """

    def __init__(self, secret_key: str, user_id: int):
        cookies, tokens = _signers(secret_key)
        raw_csrf = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - what Flask-WTF stores
        self.cookie = cookies.dumps({"_user_id": f"{user_id}.1", "_fresh": True, "csrf_token": raw_csrf,
                                     "language": "en"})
        self.csrf = tokens.dumps(raw_csrf)
        self.user_id = user_id

    def post(self, port: int, path: str, fields: dict | None = None) -> tuple[int, float]:
        """POST a form with this session on its own connection; returns (status, seconds)."""
        body = urllib.parse.urlencode({"csrf_token": self.csrf, **(fields or {})})
        headers = {"Cookie": f"session={self.cookie}", "Content-Type": "application/x-www-form-urlencoded",
                   "User-Agent": USER_AGENT}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, time.perf_counter() - started
        finally:
            connection.close()


def sessions_for(user_ids: list[int], secret_key: str = SECRET_KEY) -> list[Session]:
    return [Session(secret_key, user_id) for user_id in user_ids]


def all_at_once(calls: list, concurrency: int | None = None) -> list:
    """Run the callables from that many threads, released together by a barrier; results in order."""
    concurrency = concurrency or len(calls)
    barrier = threading.Barrier(min(concurrency, len(calls)))

    def run(index_call):
        index, call = index_call
        if index < concurrency:
            barrier.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(run, enumerate(calls)))


# --- the server -------------------------------------------------------------------------------------


@contextmanager
def gunicorn(url: str, workers: int = 2, threads: int = 1, secret_key: str = SECRET_KEY) -> Iterator[tuple[int, int]]:
    """The real app under gunicorn on 127.0.0.1 (gthread when threads > 1); yields (port, master pid)."""
    port = free_port()
    index_dir = tempfile.mkdtemp(prefix="workshops-load-index-")  # never the instance's search index
    # Search indexing as production runs it, by its own service (the requests write the change rows).
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret_key, "MAIL_DELIVERY": "off",
           "SEARCH_INDEXING": "command", "SESSION_COOKIE_SECURE": "false", "PYTHONPATH": str(ROOT),
           "SEARCH_INDEX_DIR": index_dir}
    env.pop("FLASK_DEBUG", None)
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
               "--worker-class", "gthread" if threads > 1 else "sync", "--threads", str(threads),
               "--backlog", "2048", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        from bench.forums_bench import stop

        stop(process)
        shutil.rmtree(index_dir, ignore_errors=True)


# --- the invariant --------------------------------------------------------------------------------


def seat_report(workshop_id: int) -> dict:
    """States, seats held per country and the waiting list of a workshop, read fresh."""
    from collections import Counter

    from ecommunity.extensions import db
    from ecommunity.workshops.models import Registration, Workshop
    from ecommunity.workshops.services import waitlist_positions

    db.session.expire_all()
    workshop = db.session.get(Workshop, workshop_id)
    rows = list(db.session.scalars(db.select(Registration).where(Registration.workshop_id == workshop_id)))
    held = [r for r in rows if r.state in ("pending", "confirmed")]
    waiting = sorted((r for r in rows if r.state == "waitlisted"), key=lambda r: (r.queue_rank, r.id))
    positions = waitlist_positions(workshop_id)
    return {
        "capacity": workshop.capacity, "quota": workshop.country_quota,
        "states": Counter(r.state for r in rows), "held": len(held),
        "held_by_country": Counter(r.country for r in held),
        "held_ranks": sorted(r.queue_rank for r in held),
        "waiting_ranks": [r.queue_rank for r in waiting],
        "positions": [positions[r.id] for r in waiting],
        "active_per_user": Counter(r.user_id for r in rows if r.state in ("pending", "confirmed", "waitlisted")),
    }


def check_invariant(report: dict) -> list[str]:
    """What is wrong with a seat report (empty: the invariant holds)."""
    problems = []
    if report["held"] > report["capacity"]:
        problems.append(f"{report['held']} seats held for {report['capacity']}")
    if report["quota"] and any(n > report["quota"] for n in report["held_by_country"].values()):
        problems.append(f"a country above its quota: {report['held_by_country']}")
    if report["positions"] != list(range(1, len(report["positions"]) + 1)):
        problems.append("waiting list positions with gaps or duplicates")
    if len(set(report["waiting_ranks"] + report["held_ranks"])) != len(report["waiting_ranks"] + report["held_ranks"]):
        problems.append("two registrations with the same arrival number")
    if any(n > 1 for n in report["active_per_user"].values()):
        problems.append("a person with two active registrations")
    if report["waiting_ranks"] and report["held"] < report["capacity"] and not report["quota"]:
        problems.append("a free seat while people wait")
    return problems


# --- the benchmark ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--registrations", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread when > 1)")
    args = parser.parse_args()

    from bench.forums_bench import make_app
    from ecommunity.config import database_url_from

    url = args.database_url
    prepare_database(url)
    app = make_app(url)
    with app.app_context():
        from ecommunity.extensions import db

        user_ids = create_members(args.registrations)
        workshop_id = create_workshop(args.seats)
        # Workers in service have registered people before: a first registration compiles templates
        # and statements. A few on another workshop warm both workers without touching the measured one.
        warm_ids = create_members(WARM_UP, prefix="warm")
        warm_workshop_id = create_workshop(WARM_UP, title="Warm-up workshop")
        db.session.remove()
    sessions = sessions_for(user_ids)
    path = f"/workshops/{workshop_id}/register"
    log(f"{args.registrations} registrations at concurrency {args.concurrency} for {args.seats} seats, "
        f"gunicorn {args.workers} workers x {args.threads} thread(s), {database_url_from(url).split('://')[0]}")
    with gunicorn(url, workers=args.workers, threads=args.threads) as (port, pid):
        all_at_once([lambda s=s: s.post(port, f"/workshops/{warm_workshop_id}/register", {"material_language": "en"})
                     for s in sessions_for(warm_ids)], concurrency=WARM_UP)
        cpu_before, client_before = worker_cpu_seconds(pid), time.process_time()
        started = time.perf_counter()
        results = all_at_once([lambda s=s: s.post(port, path, {"material_language": "en"}) for s in sessions],
                              concurrency=args.concurrency)
        elapsed = time.perf_counter() - started
        cpu, client_cpu = worker_cpu_seconds(pid) - cpu_before, time.process_time() - client_before
    statuses = [status for status, _ in results]
    latencies = sorted(seconds * 1000 for _, seconds in results)
    p50 = statistics.median(latencies)
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    answered = sum(1 for s in statuses if s == 302)
    log(f"rate {len(results) / elapsed:.0f} requests/s  p50 {p50:.0f} ms  p99 {p99:.0f} ms  max {latencies[-1]:.0f} ms"
        f"  (workers' CPU {cpu * 1000 / len(results):.1f} ms per request, the load generator's "
        f"{client_cpu * 1000 / len(results):.1f} ms; load average {os.getloadavg()[0]:.1f})")
    log(f"answered {answered}/{len(results)} with a redirect; statuses: {dict(sorted(_count(statuses).items()))}")
    with app.app_context():
        report = seat_report(workshop_id)
    problems = check_invariant(report)
    verdict = "holds" if not problems else "BROKEN: " + "; ".join(problems)
    log(f"states {dict(report['states'])}; held {report['held']}/{report['capacity']}; waiting list "
        f"positions 1..{len(report['positions'])}; invariant {verdict}")
    ok = not problems and answered == len(results) and report["held"] == min(args.seats, args.registrations)
    log(f"p99 under 300 ms: {'yes' if p99 < 300 else 'NO'}")
    return 0 if ok else 1


def _count(values) -> dict:
    from collections import Counter

    return Counter(values)


if __name__ == "__main__":
    sys.exit(main())
