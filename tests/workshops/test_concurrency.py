"""The seat invariant under real concurrency: gunicorn with 2 worker processes (4 threads each),
hundreds of members posting the registration form at the same moment, on the test database
(a SQLite file, or PostgreSQL with TEST_DATABASE_URL).
"""

from collections import Counter

import pytest

from bench.workshops_bench import (
    all_at_once,
    check_invariant,
    create_members,
    create_workshop,
    gunicorn,
    seat_report,
    sessions_for,
)
from ecommunity.extensions import db
from ecommunity.workshops.models import Registration
from ecommunity.workshops.services import register

pytestmark = pytest.mark.slow


@pytest.fixture
def server(app, database_url):
    """gunicorn serving the test's database; the test's own connections are closed first."""
    url = database_url if isinstance(database_url, str) else str(database_url)

    def start():
        db.session.remove()
        return gunicorn(url, workers=2, threads=4)

    return start


def test_200_simultaneous_registrations_for_20_seats(app, server):
    user_ids = create_members(200)
    workshop_id = create_workshop(capacity=20)
    sessions = sessions_for(user_ids)
    path = f"/workshops/{workshop_id}/register"
    with server() as (port, _):
        results = all_at_once([lambda s=s: s.post(port, path, {"material_language": "en"}) for s in sessions])
    statuses = [status for status, _ in results]
    report = seat_report(workshop_id)
    print(f"\n{db.engine.dialect.name}: 200 at once for 20 seats: statuses {dict(Counter(statuses))}, "
          f"states {dict(report['states'])}, seat ranks {report['held_ranks'][0]}..{report['held_ranks'][-1]}, "
          f"waiting positions {report['positions'][0]}..{report['positions'][-1]} "
          f"(slowest answer {max(seconds for _, seconds in results):.2f} s)")
    assert statuses == [302] * 200, sorted(set(statuses))
    assert check_invariant(report) == []
    assert report["states"] == {"confirmed": 20, "waitlisted": 180}
    # arrival order: the first 20 arrivals hold the seats, the next 180 wait in that order
    assert report["held_ranks"] == list(range(1, 21))
    assert report["waiting_ranks"] == list(range(21, 201))
    assert report["positions"] == list(range(1, 181))


def test_concurrent_withdrawals_and_registrations_never_lose_or_double_a_seat(app, server):
    """20 seats held, 10 waiting; at once, 10 holders withdraw and 10 newcomers register."""
    user_ids = create_members(40)
    workshop_id = create_workshop(capacity=20)
    from ecommunity.accounts.models import User
    from ecommunity.workshops.models import Workshop

    workshop = db.session.get(Workshop, workshop_id)
    registrations = [register(workshop, db.session.get(User, uid)) for uid in user_ids[:30]]
    db.session.commit()
    holders = [r.id for r in registrations[:10]]
    waiting_before = [r.user_id for r in registrations[20:30]]
    sessions = sessions_for(user_ids[:10] + user_ids[30:])
    calls = [lambda s=s, rid=rid: s.post(port, f"/workshops/registrations/{rid}/withdraw")
             for s, rid in zip(sessions[:10], holders, strict=True)]
    calls += [lambda s=s: s.post(port, f"/workshops/{workshop_id}/register", {"material_language": "en"})
              for s in sessions[10:]]
    with server() as (port, _):
        results = all_at_once(calls)
    report = seat_report(workshop_id)
    print(f"\n{db.engine.dialect.name}: 10 withdrawals and 10 registrations at once: statuses "
          f"{dict(Counter(s for s, _ in results))}, states {dict(report['states'])}")
    assert [status for status, _ in results] == [302] * 20
    assert check_invariant(report) == []
    assert report["held"] == 20 and report["states"]["withdrawn"] == 10
    assert report["states"]["waitlisted"] == 10 - (20 - 20)  # every freed seat was taken by someone waiting
    # those who were waiting got the ten freed seats, whatever the interleaving
    promoted = set(db.session.scalars(db.select(Registration.user_id).where(
        Registration.workshop_id == workshop_id, Registration.state == "confirmed",
        Registration.user_id.in_(waiting_before))))
    assert promoted == set(waiting_before)
