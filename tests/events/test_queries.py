"""Every event page runs a fixed number of SQL queries, however many events there are."""

from contextlib import contextmanager
from datetime import date, time, timedelta

import pytest
from sqlalchemy import event as sa_event

from ecommunity.accounts.models import Role
from ecommunity.events.models import Event
from ecommunity.events.services import Schedule, SessionData, create_event
from ecommunity.extensions import db
from tests.events.conftest import event_data

ZONES = ["Africa/Nairobi", "Europe/Berlin", "Pacific/Fiji", "America/Panama", "Asia/Tashkent", "UTC"]
REGIONS = ["africa", "europe", "oceania", "south-central-america-caribbean", "asia", None]
PAGES = [
    "/events",
    "/events?region=africa&instrument=aewa",
    "/events/past",
    "/events/calendar/2030/3",
    "/events/calendar/2030/3?type=webinar",
    "/events.ics?year=2030",
    "/events.ics",
    "/events.atom",
    "/events/subscribe",
    "/",
]


def seed(count: int, offset: int = 0) -> None:
    """`count` events, most in March 2030, some in the past, in several zones, with agendas."""
    for n in range(offset, offset + count):
        day = date(2030, 3, 1 + n % 28) if n % 5 else date(2020, 1, 1) + timedelta(days=n)
        zone = ZONES[n % len(ZONES)]
        all_day = n % 7 == 0
        create_event(event_data(
            title_en=f"Meeting {n}",
            region=REGIONS[n % len(REGIONS)],
            event_type="webinar" if n % 3 == 0 else "pre-cop-workshop",
            instruments=["cms", "aewa"] if n % 2 else ["sharks"],
            is_public=n % 4 != 0,
            schedule=Schedule(zone, all_day, day, day + timedelta(days=n % 3), None if all_day else time(9),
                              None if all_day else time(17)),
            sessions=[SessionData(f"Session {n}", day, time(9), time(10))],
        ))
    db.session.commit()


@contextmanager
def counting_queries():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)


def query_counts(client, pages) -> dict[str, int]:
    counts = {}
    for page in pages:
        with counting_queries() as statements:
            response = client.get(page)
        assert response.status_code == 200, page
        counts[page] = len(statements)
    return counts


@pytest.mark.parametrize("role", [None, Role.MEMBER, Role.SECRETARIAT])
def test_the_same_queries_for_10_and_500_events(client, as_role, role):
    as_role(role)
    seed(10)
    first = db.session.scalar(db.select(Event.id).where(Event.is_public).order_by(Event.id).limit(1))
    pages = [*PAGES, f"/events/{first}", f"/events/{first}.ics"]
    small = query_counts(client, pages)
    seed(490, offset=10)
    large = query_counts(client, pages)
    assert large == small
    assert max(small.values()) <= 8, small
