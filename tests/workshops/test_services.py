"""The rules of registration, through the services."""

from datetime import date, timedelta

import pytest

from ecommunity.accounts.models import Role
from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.mail.models import OutboxMessage
from ecommunity.workshops.models import Registration, RegistrationLog, RegistrationState
from ecommunity.workshops.services import (
    Answers,
    RegistrationRefused,
    approve,
    confirmed_participants,
    is_confirmed_participant,
    register,
    reject,
    reorder_waitlist,
    save_workshop,
    send_reminders,
    settings_of,
    waitlist_positions,
    withdraw,
    workshop_for_event,
)


def states(workshop):
    rows = db.session.scalars(db.select(Registration).where(Registration.workshop_id == workshop.id)
                              .order_by(Registration.id))
    return [r.state for r in rows]


def test_contract_for_evaluations(make_workshop, make_user):
    workshop = make_workshop(capacity=1)
    first, second = make_user(), make_user()
    register(workshop, first, on_behalf=True)
    register(workshop, second, on_behalf=True)
    db.session.commit()
    assert workshop_for_event(workshop.event_id).id == workshop.id
    assert workshop_for_event(workshop.event_id + 1000) is None
    assert confirmed_participants(workshop.event_id) == [first]
    assert is_confirmed_participant(workshop.event_id, first.id)
    assert not is_confirmed_participant(workshop.event_id, second.id)


def test_seats_then_waitlist_in_arrival_order(make_workshop, make_user):
    workshop = make_workshop(capacity=2)
    people = [make_user() for _ in range(4)]
    regs = [register(workshop, p) for p in people]
    db.session.commit()
    assert [r.state for r in regs] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert waitlist_positions(workshop.id) == {regs[2].id: 1, regs[3].id: 2}


def test_country_quota_skips_to_next_country(make_workshop, make_user):
    workshop = make_workshop(capacity=3, country_quota=1)
    kenya1, kenya2 = make_user(country="KE"), make_user(country="KE")
    senegal = make_user(country="SN")
    a, b, c = register(workshop, kenya1), register(workshop, kenya2), register(workshop, senegal)
    db.session.commit()
    assert (a.state, b.state, c.state) == ("confirmed", "waitlisted", "confirmed")
    # a seat is free, but Kenya is at its quota: the Kenyan stays waitlisted
    ghana = make_user(country="GH")
    d = register(workshop, ghana)
    assert d.state == "confirmed"


def test_withdrawal_promotes_first_with_quota(make_workshop, make_user, mailbox):
    workshop = make_workshop(capacity=2, country_quota=1)
    ke, sn = make_user(country="KE"), make_user(country="SN")
    ke2, gh = make_user(country="KE"), make_user(country="GH", language="fr")
    r_ke, r_sn = register(workshop, ke), register(workshop, sn)
    r_ke2, r_gh = register(workshop, ke2), register(workshop, gh)
    db.session.commit()
    assert r_gh.state == "waitlisted" and r_ke2.state == "waitlisted"
    promoted = withdraw(r_sn, sn)
    db.session.commit()
    # Kenya is full: Ghana, second in the queue, gets the seat
    assert promoted == [r_gh] and r_gh.state == "confirmed" and r_ke2.state == "waitlisted"
    withdraw(r_ke, ke)
    db.session.commit()
    assert r_ke2.state == "confirmed"
    mailbox.deliver()
    subjects = [m["Subject"] for m in mailbox.to(gh.email)]
    title = workshop.event.title_en
    # in Ghana's member's language (the workshop has no French title: the English one stands)
    assert subjects == [f"Sur la liste d'attente : {title}", f"Une place vous est attribuée : {title}"]


def test_rejection_frees_seat_and_needs_reason(make_workshop, make_user, mailbox):
    workshop = make_workshop(capacity=1, approval_required=True)
    admin = make_user(role=Role.SECRETARIAT)
    a, b = make_user(), make_user()
    ra, rb = register(workshop, a), register(workshop, b)
    db.session.commit()
    assert (ra.state, rb.state) == ("pending", "waitlisted")
    with pytest.raises(RegistrationRefused):
        reject(workshop, [ra.id], "  ", admin)
    assert reject(workshop, [ra.id], "Funding covers government officials only.", admin) == 1
    db.session.commit()
    assert ra.state == "rejected" and rb.state == "pending"
    assert approve(workshop, [rb.id], admin) == 1
    db.session.commit()
    assert rb.state == "confirmed"
    mailbox.deliver()
    [rejected] = [m for m in mailbox.to(a.email) if "declined" in m["Subject"]]
    assert "Funding covers government officials only." in mailbox.text_of(rejected)
    confirmed = [m for m in mailbox.to(b.email) if "confirmed" in m["Subject"]]
    assert confirmed
    ics = [part for part in confirmed[0].iter_attachments() if part.get_content_type() == "text/calendar"]
    assert ics and "BEGIN:VEVENT" in ics[0].get_content()
    # a rejected person may not simply register again
    with pytest.raises(RegistrationRefused):
        register(workshop, a)


def test_raised_capacity_promotes(make_workshop, make_user):
    workshop = make_workshop(capacity=1)
    a, b, c = make_user(), make_user(), make_user()
    register(workshop, a), register(workshop, b), register(workshop, c)
    db.session.commit()
    settings = settings_of(workshop)
    settings.capacity = 3
    save_workshop(workshop.event, settings)
    db.session.commit()
    assert states(workshop) == ["confirmed"] * 3


def test_bad_input_is_refused(make_workshop, make_user):
    now = utcnow()
    not_yet = make_workshop(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2))
    closed = make_workshop(opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1))
    africa_only = make_workshop(eligible_regions=["africa"])
    person = make_user(country="NO", region="europe")
    for workshop, words in ((not_yet, "not opened"), (closed, "closed"), (africa_only, "other countries")):
        with pytest.raises(RegistrationRefused) as refused:
            register(workshop, person)
        assert words in str(refused.value.message)
    from ecommunity.events.services import cancel_event

    cancelled = make_workshop()
    cancel_event(cancelled.event, "Postponed to next year")
    db.session.commit()
    with pytest.raises(RegistrationRefused, match="cancelled"):
        register(cancelled, person)
    staff = make_user(role=Role.SECRETARIAT)
    with pytest.raises(RegistrationRefused, match="role"):
        register(africa_only, staff)
    open_one = make_workshop()
    with pytest.raises(RegistrationRefused) as refused:
        register(open_one, person, Answers(arrival_date=date(2030, 3, 6), departure_date=date(2030, 3, 4)))
    assert refused.value.field == "departure_date"
    register(open_one, person)
    with pytest.raises(RegistrationRefused, match="already registered"):
        register(open_one, person)


def test_database_refuses_two_active_registrations(make_workshop, make_user):
    from sqlalchemy.exc import IntegrityError

    workshop = make_workshop()
    person = make_user()
    first = register(workshop, person)
    db.session.commit()
    db.session.add(Registration(workshop_id=workshop.id, user_id=person.id, state="waitlisted", country="KE",
                                region="africa", queue_rank=99))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    withdraw(first, person)
    again = register(workshop, person)
    db.session.commit()
    assert again.state == "confirmed" and again.id != first.id


def test_reorder_waitlist(make_workshop, make_user):
    workshop = make_workshop(capacity=1)
    admin = make_user(role=Role.SECRETARIAT)
    regs = [register(workshop, make_user()) for _ in range(4)]
    db.session.commit()
    reorder_waitlist(workshop, {regs[3].id: 1}, admin)
    db.session.commit()
    assert list(waitlist_positions(workshop.id)) == [regs[3].id, regs[1].id, regs[2].id]
    assert db.session.scalar(db.select(RegistrationLog).where(RegistrationLog.action == "moved"))


def test_reminder_is_sent_once(make_workshop, make_user, app):
    soon = utcnow().date() + timedelta(days=5)
    workshop = make_workshop(event_changes={"start_date": soon, "end_date": soon},
                             closes_at=utcnow() + timedelta(days=2))
    person = make_user()
    register(workshop, person)
    db.session.commit()
    before = db.session.scalar(db.select(db.func.count(OutboxMessage.id)))
    assert send_reminders() == 1
    db.session.commit()
    assert send_reminders() == 0
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == before + 1
    assert app.test_cli_runner().invoke(args=["workshops", "remind"]).exit_code == 0


def test_registration_state_values():
    assert [s.value for s in RegistrationState] == ["pending", "confirmed", "waitlisted", "rejected", "withdrawn"]


def test_mail_in_the_participants_language_and_promotion_on_raised_capacity(make_workshop, make_user, mailbox):
    workshop = make_workshop(capacity=0)
    person = make_user(language="fr", full_name="Awa Diop")
    register(workshop, person)
    db.session.commit()
    settings = settings_of(workshop)
    settings.capacity = 1
    save_workshop(workshop.event, settings)
    db.session.commit()
    mailbox.deliver()
    waitlisted, promoted = mailbox.to(person.email)
    assert mailbox.text_of(waitlisted).startswith("Bonjour Awa Diop,")
    assert "position 1" in mailbox.text_of(waitlisted)
    assert promoted["Subject"].endswith(workshop.event.title_in("fr"))
    assert any(part.get_content_type() == "text/calendar" for part in promoted.iter_attachments())


def test_registering_holds_the_lock_for_few_statements(make_workshop, make_user):
    """The seat decision serialises every registration of a workshop: nothing is read before the lock
    that could be read after it, and nothing after it that could be done before. On PostgreSQL the
    registration, its log line and its mail are written by one statement."""
    from sqlalchemy import event

    workshop = make_workshop(capacity=1)
    first, second = make_user(), make_user()
    statements = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("BEGIN"):  # SQLite's write lock, taken with the update
            statements.append(" ".join(statement.split()[:3]))

    decision = ["UPDATE workshop SET", "SELECT registration.country, count(*)"]
    for person, state in ((first, "confirmed"), (second, "waitlisted")):
        db.session.refresh(workshop.event), db.session.refresh(person)  # loaded, as in a request
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            registration = register(workshop, person)
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        db.session.commit()
        assert registration.state == state
        if db.engine.dialect.name == "postgresql":
            assert statements == [*decision, "WITH new_registration AS"]
        else:
            assert statements[:3] == [*decision, "INSERT INTO registration"]
            assert sorted(statements[3:]) == ["INSERT INTO outbox_message", "INSERT INTO registration_log"]
        statements.clear()
        [line] = db.session.scalars(db.select(RegistrationLog).filter_by(registration_id=registration.id))
        assert (line.action, line.actor_id, line.to_state) == ("registered", person.id, state)
    assert states(workshop) == ["confirmed", "waitlisted"]
    subjects = db.session.scalars(db.select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()
    assert subjects == [f"Registration confirmed: {workshop.event.title_en}",
                        f"On the waiting list: {workshop.event.title_en}"]
    assert registration.position == 1 and waitlist_positions(workshop.id) == {registration.id: 1}
