"""Forum benchmark: seed >=100,000 posts, serve with gunicorn (2 workers), load with wrk from another process.

    .venv/bin/python -m bench.forums_bench                   # PostgreSQL on 127.0.0.1 (database ecommunity_bench)
    .venv/bin/python -m bench.forums_bench --database-url sqlite:////tmp/forums-bench.sqlite3
    .venv/bin/python -m bench.forums_bench --skip-seed       # reuse the seeded database

Needs `wrk` (apt-get install -y wrk). Prints requests/s, p50 and p99 per page, logged in and anonymous,
beside a bare Flask app served by the same gunicorn settings as the ceiling.
"""

import argparse
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.events_bench import worker_cpu_seconds  # noqa: E402

SECRET_KEY = "forums-benchmark-secret-key-not-for-production"
USER_AGENT = "ecommunity-bench"
DEFAULT_DB = "postgresql://postgres@127.0.0.1/ecommunity_bench"


def log(message: str) -> None:
    print(message, flush=True)


# --- the database ---------------------------------------------------------------------------


def prepare_database(url: str) -> None:
    """An empty database with the schema from the migrations."""
    from sqlalchemy import create_engine, text

    from ecommunity.config import database_url_from

    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        admin_url = database_url_from(url.rsplit("/", 1)[0] + "/postgres")
        name = url.rsplit("/", 1)[1]
        engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    app = make_app(url)
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def make_app(url: str):
    os.environ.update(DATABASE_URL=url, SECRET_KEY=SECRET_KEY, MAIL_DELIVERY="command")
    from ecommunity import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": __import__("ecommunity.config").config.database_url_from(url)})


BODIES = [
    "We started the **national report** eight months ahead; the first two months went into agreeing who "
    "provides which data. See the [manual](https://www.cms.int/) for the checklist.",
    "En Ecuador empezamos seis meses antes con un taller nacional con las organizaciones que hacen los censos.",
    "Chez nous, l'atelier de validation a lieu à Dakar, mais les régions ont du mal à y participer.\n\n"
    "> Comment organisez-vous la validation ?\n\nUne réunion en ligne d'abord, puis un atelier plus court.",
    "Credentials come from the foreign ministry; send a scan before the meeting and bring the original.\n\n"
    "- list the delegation\n- check the visas\n- register online",
]


def seed(url: str, total_posts: int, big_topic_posts: int, per_topic: int) -> dict:
    """Bulk-insert members, categories, topics and posts with consistent counters; return ids for the load."""
    from sqlalchemy import func, insert, select, update

    from ecommunity.accounts.models import User
    from ecommunity.accounts.passwords import hash_password
    from ecommunity.extensions import db
    from ecommunity.forums.markdown import render
    from ecommunity.forums.models import Category, ForumMember, Post, Topic, TopicUser

    app = make_app(url)
    started = time.perf_counter()
    rendered = [(body, render(body)) for body in BODIES]
    now = datetime.now(UTC)
    with app.app_context():
        password = hash_password("bench-password-123")
        regions = ["africa", "asia", "europe", "oceania", "south-central-america-caribbean", "north-america"]
        users = [
            dict(email=f"member{i}@bench.example", full_name=f"Bench Member {i}", search_name=f"bench member {i}",
                 country="KE", region=regions[i % len(regions)], role="member", status="active", language="en",
                 timezone="UTC", password_hash=password, created_at=now, email_verified_at=now)
            for i in range(200)
        ]
        db.session.execute(insert(User), users)
        user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
        categories = [
            dict(slug=f"bench-{i}", name=name, position=i, access="members", created_at=now, topic_count=0,
                 post_count=0, name_fr="", name_es="", description=f"Discussions about {name.lower()}.",
                 description_fr="", description_es="")
            for i, name in enumerate(["COP preparation", "National reporting", "NBSAPs", "Agreements and MOUs",
                                      "Help desk", "Capacity building", "Marine species", "Avian species"])
        ]
        db.session.execute(insert(Category), categories)
        category_ids = list(db.session.scalars(select(Category.id).order_by(Category.id)))
        db.session.commit()

        sizes = [big_topic_posts]
        remaining = total_posts - big_topic_posts
        while remaining > 0:
            sizes.append(min(remaining, random.randint(per_topic // 2, per_topic * 3 // 2)))
            remaining -= sizes[-1]
        log(f"seeding {len(user_ids)} members, {len(sizes)} topics, {sum(sizes)} posts")
        topic_rows, post_count = [], 0
        start = now - timedelta(days=400)
        for n, size in enumerate(sizes):
            created = start + timedelta(minutes=n * 7)
            last = created + timedelta(minutes=size * 3)
            topic_rows.append(dict(
                category_id=category_ids[n % len(category_ids)], title=f"Bench topic {n}: sharing experience",
                author_id=user_ids[n % len(user_ids)], state="visible", pinned=n in (1, 2), locked=False,
                post_count=size, last_number=size, last_post_number=size, last_post_at=last,
                last_poster_id=user_ids[(n + size) % len(user_ids)], created_at=created, changed_at=last,
            ))
        for chunk in range(0, len(topic_rows), 2000):
            db.session.execute(insert(Topic), topic_rows[chunk:chunk + 2000])
        topic_ids = list(db.session.scalars(select(Topic.id).order_by(Topic.id)))
        batch = []
        for topic_id, row, size in zip(topic_ids, topic_rows, sizes, strict=True):
            for number in range(1, size + 1):
                body, html = rendered[(topic_id + number) % len(rendered)]
                at = row["created_at"] + timedelta(minutes=number * 3)
                batch.append(dict(topic_id=topic_id, number=number, author_id=user_ids[(topic_id + number) % 200],
                                  body=body, body_html=html, state="visible", created_at=at, changed_at=at,
                                  edit_count=0))
                if len(batch) == 5000:
                    db.session.execute(insert(Post), batch)
                    post_count += len(batch)
                    batch = []
        if batch:
            db.session.execute(insert(Post), batch)
            post_count += len(batch)
        db.session.commit()
        for category_id in category_ids:
            topics, posts = db.session.execute(
                select(func.count(), func.coalesce(func.sum(Topic.post_count), 0))
                .where(Topic.category_id == category_id)
            ).one()
            db.session.execute(update(Category).where(Category.id == category_id)
                               .values(topic_count=topics, post_count=posts))
        # Five members watch the big topic and have read it all: the first reply notifies them.
        db.session.execute(insert(TopicUser), [
            dict(user_id=uid, topic_id=topic_ids[0], last_read_number=big_topic_posts, watch="watching")
            for uid in user_ids[1:6]
        ])
        db.session.execute(insert(ForumMember), [
            dict(user_id=uid, last_seen_at=now, last_visit_at=now - timedelta(days=3), digest="off",
                 mention_mails=True, auto_watch=True, feed_version=1)
            for uid in user_ids[:1]
        ])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        log(f"seeded {post_count} posts in {time.perf_counter() - started:.0f} s")
        return {"user_id": user_ids[0], "big_topic": topic_ids[0], "big_pages": -(-big_topic_posts // 20),
                "reply_topic": topic_ids[len(topic_ids) // 2], "category": categories[1]["slug"]}


def bench_targets(url: str) -> dict:
    from sqlalchemy import select

    from ecommunity.accounts.models import User
    from ecommunity.extensions import db
    from ecommunity.forums.models import Topic

    app = make_app(url)
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "member0@bench.example"))
        big = db.session.scalars(select(Topic).order_by(Topic.last_number.desc()).limit(1)).one()
        topic_ids = list(db.session.scalars(select(Topic.id).order_by(Topic.id)))
        return {"user_id": user_id, "big_topic": big.id, "big_pages": big.page_count,
                "reply_topic": topic_ids[len(topic_ids) // 2], "category": "bench-1"}


# --- the servers and the session --------------------------------------------------------------


def start_gunicorn(module: str, port: int, url: str) -> subprocess.Popen:
    # The reply load is one member posting flat out: lift the forums' posting pace for it. Mail and
    # search indexing run as in production, by their own services (the requests write their rows).
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET_KEY, MAIL_DELIVERY="command",
               SEARCH_INDEXING="command", FORUM_POST_RATE_LIMIT="1000000 per minute", PYTHONPATH=str(ROOT))
    env.pop("FLASK_DEBUG", None)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", module],
        cwd=ROOT, env=env, start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz" if module == "wsgi:app"  # noqa: S310
                                   else f"http://127.0.0.1:{port}/", timeout=2)
            return process
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"gunicorn {module} did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def bare_ceiling(port: int, seconds: int, connections: int, url: str) -> dict:
    """Requests/s of the bare Flask app under the same gunicorn settings: the ceiling of this machine."""
    bare = start_gunicorn("bench.bare_app:app", port, url)
    try:
        wrk(port, "/", 2, connections)  # warm-up
        return wrk(port, "/", seconds, connections, server_pid=bare.pid)
    finally:
        stop(bare)


def cpu_share(ceiling_cpu: float | None, page_cpu: float | None) -> str:
    """The bare app's CPU per request as a share of the page's: the rate share, without the machine's noise."""
    if not ceiling_cpu or not page_cpu:
        return "-"
    return f"{100 * ceiling_cpu / page_cpu:.0f}%"


def session_cookie(url: str, user_id: int) -> str:
    """A signed session for the bench member, as Flask-Login would write it after logging in."""
    from flask_login.utils import _create_identifier

    from ecommunity.accounts.models import User
    from ecommunity.extensions import db

    app = make_app(url)
    with app.app_context():
        user = db.session.get(User, user_id)
        with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                      headers={"User-Agent": USER_AGENT}):
            identifier = _create_identifier()
        serializer = app.session_interface.get_signing_serializer(app)
        raw_csrf = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - what Flask-WTF does
        # "forum_seen": a browser keeps the cookie the forums update every few minutes; wrk cannot.
        return serializer.dumps({"_user_id": user.get_id(), "_fresh": True, "_id": identifier,
                                 "csrf_token": raw_csrf, "language": "en", "forum_seen": int(time.time()) + 3600})


def fetch(port: int, path: str, cookie: str | None = None) -> tuple[int, str]:
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = f"session={cookie}"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)  # noqa: S310

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


# --- load ------------------------------------------------------------------------------------


REPLY_LUA = """
counter = 0
math.randomseed(os.time() + os.clock() * 1000000)
local prefix = string.format("b%08d", math.random(0, 99999999))
request = function()
  counter = counter + 1
  local body = "csrf_token=" .. csrf .. "&body=Bench+reply+number+" .. counter ..
    "&submission=" .. prefix .. string.format("x%012d", counter)
  return wrk.format("POST", path, nil, body)
end
"""


def wrk(port: int, path: str, seconds: int, connections: int, cookie: str | None = None,
        lua: str | None = None, server_pid: int | None = None) -> dict:
    """Load `path` with wrk; with `server_pid` (gunicorn's master), also the workers' CPU per request."""
    cpu_before = worker_cpu_seconds(server_pid) if server_pid else None
    result = _run_wrk(port, path, seconds, connections, cookie, lua)
    if server_pid:
        requests = max(1.0, result["rps"] * seconds)
        result["cpu_ms"] = 1000 * (worker_cpu_seconds(server_pid) - cpu_before) / requests
    return result


def _run_wrk(port: int, path: str, seconds: int, connections: int, cookie: str | None, lua: str | None) -> dict:
    headers = ["-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        headers += ["-H", f"Cookie: session={cookie}"]
    threads = min(2, connections)
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", *headers]
    script = None
    if lua:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        script.write(lua)
        script.close()
        command += ["-s", script.name]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if script:
        os.unlink(script.name)
    return parse_wrk(output)


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {"rps": rps, "p50": p50, "p99": p99, "bad": int(bad.group(1)) if bad else 0,
            "socket_errors": sum(map(int, errors.groups())) if errors else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--big-topic", type=int, default=5_000)
    parser.add_argument("--posts-per-topic", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--skip-seed", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    os.environ["PYTHONPATH"] = str(ROOT)
    sys.path.insert(0, str(ROOT))

    if args.skip_seed:
        targets = bench_targets(args.database_url)
    else:
        prepare_database(args.database_url)
        targets = seed(args.database_url, args.posts, args.big_topic, args.posts_per_topic)
    cookie = session_cookie(args.database_url, targets["user_id"])
    port, seconds, connections = args.port, args.seconds, args.connections

    results = []
    log(f"\nbare Flask ceiling (gunicorn, 2 sync workers, wrk -c{connections} -d{seconds}s)")
    ceilings = [bare_ceiling(port, seconds, connections, args.database_url)]

    server = start_gunicorn("wsgi:app", port, args.database_url)
    try:
        big, pages = targets["big_topic"], targets["big_pages"]
        status, html = fetch(port, f"/forums/t/{targets['reply_topic']}/", cookie)
        assert status == 200, (status, html[:300])
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        plan = [
            ("forum index", "member", "/forums/"),
            ("topic list (category)", "member", f"/forums/c/{targets['category']}/"),
            ("big topic, first page", "member", f"/forums/t/{big}/"),
            ("big topic, last page", "member", f"/forums/t/{big}/?page={pages}"),
            ("home page", "member", "/"),
            # The floor under every member page: the member's row, the layout and a small form, no query of its own.
            ("password form (floor)", "member", "/profile/password"),
            ("forum index", "anonymous", "/forums/"),
            ("latest-topics feed", "anonymous", "/forums/feed.atom"),
        ]
        for name, who, path in plan:
            session = cookie if who == "member" else None
            status, body = fetch(port, path, session)
            wrk(port, path, 2, connections, session)  # warm-up
            results.append((name, who, wrk(port, path, seconds, connections, session, server_pid=server.pid),
                            len(body.encode())))
            results[-1] += (status,)
        lua = f'csrf = "{csrf}"\npath = "/forums/t/{targets["reply_topic"]}/reply"\n' + \
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n' + REPLY_LUA
        results.append(("post a reply (302)", "member",
                        wrk(port, "/", seconds, connections, cookie, lua, server_pid=server.pid), 0, 302))
        # What one member notices when the site is not saturated: replies one at a time, same topic.
        results.append(("reply, one at a time", "member",
                        wrk(port, "/", seconds, 1, cookie, lua, server_pid=server.pid), 0, 302))
        status, html = fetch(port, f"/forums/t/{targets['reply_topic']}/", cookie)
    finally:
        stop(server)
    # Measured again at the end: on a shared machine one 10-second run of the ceiling can be off by a
    # quarter. The higher of the two is the ceiling, so the shares below are never flattered by a slow one.
    ceilings.append(bare_ceiling(port, seconds, connections, args.database_url))
    ceiling = max(ceilings, key=lambda r: r["rps"])
    results.insert(0, ("bare Flask app", "-", ceiling, 0))

    ceiling_rps, ceiling_cpu = ceiling["rps"], ceiling.get("cpu_ms")
    log("bare Flask app runs: " + ", ".join(f"{r['rps']:.0f} req/s ({r.get('cpu_ms', 0):.2f} ms cpu)"
                                             for r in ceilings) + "; the higher is the ceiling")
    log(f"\n{'page':<26}{'reader':<11}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'% bare':>8}{'HTML KB':>9}"
        f"{'cpu ms':>8}{'cpu % bare':>11}  status")
    for row in results:
        name, who, r, size = row[:4]
        status = row[4] if len(row) > 4 else 200
        log(f"{name:<26}{who:<11}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
            f"{100 * r['rps'] / ceiling_rps:>7.0f}%{size / 1024:>9.1f}{r.get('cpu_ms', 0):>8.1f}"
            f"{cpu_share(ceiling_cpu, r.get('cpu_ms')):>11}  {status}"
            + (f"  non-2xx/3xx: {r['bad']}" if r["bad"] else "")
            + (f"  socket errors: {r['socket_errors']}" if r["socket_errors"] else ""))
    log(f"\ndatabase: {args.database_url.split('@')[-1]}; {args.posts} posts, big topic {args.big_topic} posts "
        f"({targets['big_pages']} pages); cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
