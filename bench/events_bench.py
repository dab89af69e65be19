"""Events benchmark: 5,000 events in a fresh database, gunicorn with 2 workers, load at concurrency 8.

    .venv/bin/python bench/events_bench.py [--events 5000] [--duration 10] [--database-url URL]

Prints requests/s, p50 and p99 for the month grid, the upcoming list, an event page, /events.ics for
one year (rendered once per change and cached per process, as subscribers see it, then with the
render cache off) and a conditional request answered 304. Load comes from wrk when it is installed,
else from a bounded Python load generator (threads and http.client); only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONCURRENCY = 8
WORKERS = 2
P99_TARGET_MS = 100.0
NOT_MODIFIED_TARGET_MS = 5.0

ZONES = ["Africa/Nairobi", "Europe/Berlin", "Pacific/Fiji", "America/Panama", "Asia/Tashkent", "UTC",
         "Africa/Dakar", "America/Guayaquil", "Asia/Bangkok", "Australia/Hobart", "Asia/Dubai", "Europe/Oslo"]
REGIONS = ["africa", "asia", "europe", "oceania", "south-central-america-caribbean", "north-america", None]
TYPES = ["cop", "standing-committee", "scientific-council", "mop", "pre-cop-workshop", "webinar", "other"]
INSTRUMENTS = ["cms", "aewa", "eurobats", "ascobans", "acap", "raptors", "sharks", "iosea", "dugong", "saiga"]


def seed(url: str, count: int, first_year: int, years: int) -> None:
    """Build the schema through the migrations and insert `count` events spread over `years` years."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, update

    from ecommunity import create_app
    from ecommunity.events.models import Event, EventInstrument, EventsVersion
    from ecommunity.events.services import Schedule, resolve_schedule
    from ecommunity.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 32, "MAIL_DELIVERY": "off"})
    rng = random.Random(5000)
    with app.app_context():
        upgrade()
        now = datetime.now(UTC)
        span = (date(first_year + years, 1, 1) - date(first_year, 1, 1)).days
        rows, links = [], []
        for n in range(count):
            start = date(first_year, 1, 1) + timedelta(days=rng.randrange(span))
            all_day = rng.random() < 0.3
            length = rng.choice([1, 1, 1, 2, 3, 5])
            zone = rng.choice(ZONES)
            hour = rng.choice([8, 9, 10, 13, 14])
            resolved = resolve_schedule(Schedule(
                zone, all_day, start, start + timedelta(days=length - 1),
                None if all_day else clock(hour), None if all_day else clock(hour + 3)))
            in_person = rng.random() < 0.7
            rows.append({
                "id": n + 1, "uid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "title_en": f"Meeting {n + 1} of the CMS family", "title_fr": f"Réunion {n + 1}" if n % 2 else "",
                "title_es": "", "description_en": "Agenda, documents and practical information. " * 6,
                "description_fr": "", "description_es": "",
                "event_type": rng.choice(TYPES), "region": rng.choice(REGIONS), "is_public": rng.random() < 0.8,
                "city": "Bonn" if in_person else "", "country": "DE" if in_person else None,
                "online_url": "" if in_person else "https://meet.example.org/room",
                "timezone": zone, "all_day": all_day, "starts_at": resolved.starts_at, "ends_at": resolved.ends_at,
                "start_date": resolved.start_date, "end_date": resolved.end_date,
                "organiser_name": "UNEP/CMS Secretariat", "organiser_email": "cms.secretariat@example.org",
                "status": "cancelled" if rng.random() < 0.03 else "scheduled", "status_note": "",
                "sequence": rng.randrange(3), "created_at": now, "updated_at": now,
            })
            for code in rng.sample(INSTRUMENTS, rng.choice([1, 1, 2, 3])):
                links.append({"event_id": n + 1, "instrument": code})
        db.session.execute(insert(Event), rows)
        db.session.execute(insert(EventInstrument), links)
        db.session.execute(update(EventsVersion).values(version=EventsVersion.version + 1, changed_at=now))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("SELECT setval('event_id_seq', (SELECT max(id) FROM event))"))
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        db.engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return response.status, dict(response.getheaders()), body, elapsed


@contextmanager
def gunicorn(url: str, feed_cache: bool):
    """gunicorn with WORKERS sync workers on 127.0.0.1, stopped (by its own pid) at the end."""
    port = free_port()
    # Mail and search indexing as production runs them: by their own services, not in the web workers.
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 32, "MAIL_DELIVERY": "off",
           "SEARCH_INDEXING": "command", "FLASK_DEBUG": "0"}
    target = "wsgi:app" if feed_cache else "ecommunity:create_app({'EVENTS_FEED_CACHE': False})"
    command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", target]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def worker_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) used so far by gunicorn's worker processes, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:  # field 4, the parent pid
            total += (int(fields[11]) + int(fields[12])) / ticks  # fields 14 and 15: utime, stime
    return total


def warm(port: int, path: str, headers: dict | None = None) -> None:
    """A few requests first, so each worker has its connection, templates and caches ready."""
    for _ in range(4 * WORKERS):
        status = get(port, path, headers)[0]
        assert status in (200, 304), (path, status)


# --- load generators ------------------------------------------------------------------------------


def with_wrk(port: int, path: str, headers: dict, duration: int) -> dict:
    command = ["wrk", "-t2", f"-c{CONCURRENCY}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         timeout=duration + 30, check=True).stdout

    def millis(label: str) -> float:
        match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": millis("50%"), "p99": millis("99%"),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


def with_threads(port: int, path: str, headers: dict, duration: int, max_requests: int = 200_000) -> dict:
    """CONCURRENCY threads, each with a keep-alive connection, for at most `duration` s or `max_requests`."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        while time.monotonic() < stop_at and len(latencies) + len(mine) < max_requests:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "rps": len(ordered) / elapsed,
        "p50": 1000 * ordered[len(ordered) // 2],
        "p99": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "requests": len(ordered), "errors": errors[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--years", type=int, default=5, help="the events are spread over this many years")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""),
                        help="an empty PostgreSQL database (default: SQLite in a temporary folder)")
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator even if wrk exists")
    args = parser.parse_args()

    load = with_threads if args.python_load or not shutil.which("wrk") else with_wrk
    this_year = datetime.now(UTC).year
    first_year = this_year - (args.years - 1) // 2
    with tempfile.TemporaryDirectory(prefix="events-bench-") as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        started = time.perf_counter()
        seed(url, args.events, first_year, args.years)
        print(f"seeded {args.events} events over {first_year}-{first_year + args.years - 1} "
              f"in {time.perf_counter() - started:.1f} s ({url.split(':', 1)[0]})")
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"gunicorn {WORKERS} sync workers on 127.0.0.1, load: "
              f"{'wrk' if load is with_wrk else 'Python threads'}, concurrency {CONCURRENCY}, "
              f"{args.duration} s per page, {os.cpu_count()} CPUs")

        results = []
        with gunicorn(url, feed_cache=True) as (port, master):
            today = datetime.now(UTC).date()
            status, _headers, body, _ = get(port, "/events")
            event_id = int(re.search(rb'href="/events/(\d+)"', body).group(1))
            ics = f"/events.ics?year={this_year}"
            status, headers, body, _ = get(port, ics)
            in_feed = body.count(b"BEGIN:VEVENT")
            pages = [
                ("/healthz (baseline: no template)", "/healthz", {}),
                ("month grid", f"/events/calendar/{today.year}/{today.month}", {}),
                ("upcoming list", "/events", {}),
                ("event page", f"/events/{event_id}", {}),
                (f"/events.ics {this_year} ({in_feed} events)", ics, {}),
                ("/events.ics 304", ics, {"If-None-Match": headers["ETag"]}),
            ]
            for label, path, extra in pages:
                warm(port, path, extra)
                before = worker_cpu_seconds(master)
                result = load(port, path, extra, args.duration)
                result["cpu"] = 1000 * (worker_cpu_seconds(master) - before) / max(result["requests"], 1)
                results.append((label, path, result))
            sequential = sorted(1000 * get(port, ics, {"If-None-Match": headers["ETag"]})[3] for _ in range(300))
            cold = []
            for year in range(first_year, first_year + args.years):  # cache misses: each feed rendered once
                for lang in ("fr", "es"):
                    cold.append(1000 * get(port, f"/events.ics?year={year}&lang={lang}")[3])
        with gunicorn(url, feed_cache=False) as (port, master):
            warm(port, ics)
            before = worker_cpu_seconds(master)
            result = load(port, ics, {}, args.duration)
            result["cpu"] = 1000 * (worker_cpu_seconds(master) - before) / max(result["requests"], 1)
            results.append((f"/events.ics {this_year}, render cache off", ics, result))

    print()
    print(f"{'page':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>6} {'cpu ms':>7}")
    for label, _path, r in results:
        print(f"{label:<44} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} {r['requests']:>9} {r['errors']:>6}"
              f" {r['cpu']:>7.1f}")
    print("cpu ms: CPU time the gunicorn workers spent per request (user + system), whatever else the machine runs")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"\nfirst render of a one-year feed (cache miss, single request): median {statistics.median(cold):.1f} ms, "
          f"max {max(cold):.1f} ms over {len(cold)} feeds")
    failures = [label for label, _path, r in results[1:5] if r["p99"] >= P99_TARGET_MS or r["errors"]]
    not_modified = results[5][2]
    if statistics.median(sequential) >= NOT_MODIFIED_TARGET_MS or not_modified["errors"]:
        failures.append("/events.ics 304")
    print(f"a 304 with one client at a time: median {statistics.median(sequential):.2f} ms, "
          f"p99 {sequential[int(len(sequential) * 0.99)]:.2f} ms (client included)")
    print("targets: p99 < 100 ms for the pages, 304 under 5 ms:", "met" if not failures else f"MISSED {failures}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
