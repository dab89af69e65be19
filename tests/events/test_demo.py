"""The demo year of CMS-family meetings: idempotent, spread over regions and zones, every page renders."""

from datetime import timedelta

from ecommunity.accounts.models import Role
from ecommunity.database import utcnow
from ecommunity.events.demo import DEMO_EVENTS, demo_uid, seed_demo_events
from ecommunity.events.models import Event, EventStatus, EventType
from ecommunity.extensions import db


def test_seeding_twice_creates_the_events_once(app):
    assert seed_demo_events() == len(DEMO_EVENTS)
    db.session.commit()
    assert seed_demo_events() == 0
    assert db.session.scalar(db.select(db.func.count(Event.id))) == len(DEMO_EVENTS)


def test_the_seed_demo_command_includes_the_events(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    demo_uids = [demo_uid(spec["key"]) for spec in DEMO_EVENTS]  # other features seed events of their own
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.uid.in_(demo_uids))) == len(DEMO_EVENTS)


def test_the_demo_year_spans_regions_zones_types_and_states(app):
    seed_demo_events()
    db.session.commit()
    events = list(db.session.scalars(db.select(Event)))
    now = utcnow()
    assert {e.region for e in events} >= {"africa", "asia", "europe", "oceania", "south-central-america-caribbean"}
    assert len({e.timezone for e in events}) >= 8
    assert {e.event_type for e in events} == {t.value for t in EventType if t != EventType.OTHER}
    assert {e.status for e in events} == {s.value for s in EventStatus}
    assert any(e.all_day for e in events) and any(not e.is_public for e in events)
    upcoming = [e for e in events if e.ends_at > now]
    assert len(upcoming) >= 12
    assert all(e.starts_at < now + timedelta(days=366) for e in upcoming)
    assert any(e.ends_at < now for e in events)


def test_every_demo_page_renders_for_visitors_and_members(client, as_role):
    seed_demo_events()
    db.session.commit()
    events = list(db.session.scalars(db.select(Event)))
    for event in events:
        expected = 200 if event.is_public else 302
        assert client.get(f"/events/{event.id}").status_code == expected
    as_role(Role.SECRETARIAT, timezone="Pacific/Fiji", language="fr")
    for event in events:
        assert client.get(f"/events/{event.id}").status_code == 200
        assert client.get(f"/events/{event.id}/edit").status_code == 200
    for event in events:
        start = event.start_date
        assert client.get(f"/events/calendar/{start.year}/{start.month}").status_code == 200
