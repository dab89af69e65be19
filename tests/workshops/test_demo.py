"""The demo: an open workshop with a waiting list, a past one with participants; seeding twice changes nothing."""

from bench.workshops_bench import check_invariant, seat_report
from ecommunity.demo import seed_demo
from ecommunity.extensions import db
from ecommunity.workshops.demo import past_training_event
from ecommunity.workshops.models import Registration, Workshop
from ecommunity.workshops.services import confirmed_participants, dashboard, waitlist_positions


def test_demo_workshops(app):
    seed_demo()
    db.session.commit()
    counts = db.session.scalar(db.select(db.func.count(Registration.id)))
    workshops = list(db.session.scalars(db.select(Workshop).order_by(Workshop.id)))
    assert len(workshops) == 2
    open_one = next(w for w in workshops if w.event_id != past_training_event().id)
    stats = dashboard(open_one)
    assert stats.held == open_one.capacity and stats.by_state["waitlisted"] >= 2
    assert waitlist_positions(open_one.id)
    assert len(confirmed_participants(past_training_event().id)) >= 8
    for workshop in workshops:
        assert check_invariant(seat_report(workshop.id)) == []
    seed_demo()
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == counts
