"""Registering and managing registrations through HTTP."""

import csv
import io
from datetime import timedelta

from ecommunity.accounts.models import Role
from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.workshops.models import Registration, RegistrationLog
from ecommunity.workshops.services import participants, register, workshop_for_event
from tests.conftest import login, submit


def test_event_page_links_to_registration(client, make_workshop, login_as):
    workshop = make_workshop()
    login_as()
    page = client.get(f"/events/{workshop.event_id}").get_data(as_text=True)
    assert f"/workshops/{workshop.id}/register" in page


def test_register_then_see_mine_edit_and_withdraw(client, make_workshop, login_as):
    workshop = make_workshop(capacity=5, questions=["Which species do you work on?"])
    person = login_as(language="en")
    url = f"/workshops/{workshop.id}/register"
    response = submit(client, url, {"travel_support": "y", "arrival_date": "2030-03-04",
                                    "departure_date": "2030-03-06", "material_language": "fr",
                                    "answer_q1": "Sea turtles"})
    assert response.status_code == 302
    registration = db.session.scalar(db.select(Registration).where(Registration.user_id == person.id))
    assert registration.state == "confirmed" and registration.travel_support
    assert registration.answers == {"q1": "Sea turtles"}
    mine = client.get("/workshops/mine").get_data(as_text=True)
    assert "Confirmed" in mine
    # registering again: sent to the registration instead; a forced POST gets a clear 409
    assert client.get(url).status_code == 302
    again = submit(client, url, {"material_language": "en"}, page=f"/workshops/registrations/{registration.id}")
    assert again.status_code == 409 and "already registered" in again.get_data(as_text=True)
    edit = f"/workshops/registrations/{registration.id}"
    assert submit(client, edit, {"dietary_needs": "vegetarian", "material_language": "en"}).status_code == 302
    db.session.refresh(registration)
    assert registration.dietary_needs == "vegetarian"
    assert submit(client, f"{edit}/withdraw").status_code == 302
    db.session.refresh(registration)
    assert registration.state == "withdrawn"
    # re-register after withdrawal
    assert submit(client, url, {"material_language": "en"}).status_code == 302
    assert db.session.scalar(db.select(db.func.count(Registration.id)).where(
        Registration.user_id == person.id, Registration.state == "confirmed")) == 1


def test_bad_input_gets_clear_4xx(client, make_workshop, login_as):
    now = utcnow()
    closed = make_workshop(opens_at=now - timedelta(days=3), closes_at=now - timedelta(days=1))
    africa = make_workshop(eligible_regions=["africa"])
    good = make_workshop()
    login_as(country="NO", region="europe")
    page = client.get(f"/workshops/{closed.id}/register")
    assert "Registration is closed." in page.get_data(as_text=True)
    token_page = f"/workshops/{good.id}/register"
    response = submit(client, f"/workshops/{closed.id}/register", {"material_language": "en"}, page=token_page)
    assert response.status_code == 403 and "Registration is closed." in response.get_data(as_text=True)
    response = submit(client, f"/workshops/{africa.id}/register", {"material_language": "en"}, page=token_page)
    assert response.status_code == 403 and "other countries or regions" in response.get_data(as_text=True)
    response = submit(client, token_page, {"arrival_date": "2030-03-06", "departure_date": "2030-03-04",
                                           "material_language": "en"})
    assert response.status_code == 400
    assert "departure date must not be before" in response.get_data(as_text=True)
    response = submit(client, token_page, {"arrival_date": "not a date", "material_language": "en"})
    assert response.status_code == 400
    assert client.get("/workshops/99999/register").status_code == 404


def test_only_the_person_and_secretariat_see_a_registration(client, make_workshop, make_user):
    workshop = make_workshop()
    owner, other = make_user(), make_user()
    registration = register(workshop, owner)
    db.session.commit()
    login(client, other.email)
    assert client.get(f"/workshops/registrations/{registration.id}").status_code == 404
    assert client.get(f"/workshops/{workshop.id}").status_code == 403
    assert client.get(f"/workshops/{workshop.id}/participants.csv").status_code == 403


def test_secretariat_pages_and_csv(client, make_workshop, make_user, login_as):
    workshop = make_workshop(capacity=1, approval_required=True, questions=["Expectations?"])
    first = make_user(full_name="=HYPERLINK(\"http://evil\")", country="SN", language="fr")
    second = make_user(full_name="Zoë Ñandú", country="KE")
    r1, r2 = register(workshop, first), register(workshop, second)
    db.session.commit()
    login_as(Role.SECRETARIAT)
    for path in ("", "/participants", "/waitlist", "/register-someone", "/log"):
        assert client.get(f"/workshops/{workshop.id}{path}").status_code == 200, path
    assert client.get(f"/events/{workshop.event_id}/registration").status_code == 200
    export = client.get(f"/workshops/{workshop.id}/participants.csv")
    assert export.status_code == 200 and export.content_type == "text/csv; charset=utf-8"
    raw = export.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][-1] == "Expectations?"
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in names and "Zoë Ñandú" in names
    # bulk reject without a reason: 400 beside the field; with a reason: the waitlisted gets the seat
    bulk = f"/workshops/{workshop.id}/participants"
    response = submit(client, bulk, {"action": "reject", "reason": "", "selected": [str(r1.id)]})
    assert response.status_code == 400
    response = submit(client, bulk, {"action": "reject", "reason": "Not a focal point", "selected": [str(r1.id)]})
    assert response.status_code == 302
    db.session.refresh(r2)
    assert r2.state == "pending"
    assert submit(client, bulk, {"action": "approve", "selected": [str(r2.id)]}).status_code == 302
    db.session.refresh(r2)
    assert r2.state == "confirmed"
    actions = list(db.session.scalars(db.select(RegistrationLog.action).order_by(RegistrationLog.id)))
    assert actions == ["registered", "registered", "rejected", "promoted", "approved"]
    assert "Not a focal point" in client.get(f"/workshops/{workshop.id}/log").get_data(as_text=True)


def test_secretariat_registers_on_behalf_and_sets_up(client, make_user, login_as, app):
    from ecommunity.events.services import create_event
    from tests.events.conftest import event_data

    event = create_event(event_data())
    db.session.commit()
    login_as(Role.SECRETARIAT)
    url = f"/events/{event.id}/registration"
    response = submit(client, url, {"opens_at": "2026-01-01T09:00", "closes_at": "2025-01-01T09:00",
                                    "capacity": "10", "eligible_roles": ["member"], "working_languages": ["en"]})
    assert response.status_code == 400 and "close after it opens" in response.get_data(as_text=True)
    response = submit(client, url, {"opens_at": "2026-01-01T09:00", "closes_at": "2030-01-01T09:00",
                                    "capacity": "10", "country_quota": "2", "eligible_roles": ["member"],
                                    "working_languages": ["en", "fr"], "questions": "Expectations?\n\n"})
    assert response.status_code == 302
    workshop = workshop_for_event(event.id)
    assert workshop.capacity == 10 and workshop.country_quota == 2 and workshop.questions[0]["key"] == "q1"
    staff_only = make_user(role=Role.SECRETARIAT, email="colleague@example.org")
    response = submit(client, f"/workshops/{workshop.id}/register-someone",
                      {"email": "Colleague@example.org", "material_language": "en"})
    assert response.status_code == 302
    registration = db.session.scalar(db.select(Registration).where(Registration.user_id == staff_only.id))
    assert registration.state == "confirmed"
    response = submit(client, f"/workshops/{workshop.id}/register-someone",
                      {"email": "nobody@example.org", "material_language": "en"})
    assert response.status_code == 400


def test_waitlist_reorder_through_http(client, make_workshop, make_user, login_as):
    workshop = make_workshop(capacity=1)
    regs = [register(workshop, make_user()) for _ in range(3)]
    db.session.commit()
    login_as(Role.SECRETARIAT)
    response = submit(client, f"/workshops/{workshop.id}/waitlist",
                      {f"position-{regs[1].id}": "2", f"position-{regs[2].id}": "1"})
    assert response.status_code == 302
    page = client.get(f"/workshops/{workshop.id}/waitlist").get_data(as_text=True)
    assert page.index(regs[2].user.full_name) < page.index(regs[1].user.full_name)


def test_participant_may_not_withdraw_once_begun(client, make_workshop, make_user, login_as):
    from ecommunity.events.models import Event

    workshop = make_workshop()
    person = login_as()
    registration = register(workshop, person)
    db.session.commit()
    event = db.session.get(Event, workshop.event_id)
    event.starts_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    response = submit(client, f"/workshops/registrations/{registration.id}/withdraw")
    assert response.status_code == 409 and "has begun" in response.get_data(as_text=True)
    db.session.refresh(registration)
    assert registration.state == "confirmed"


def test_csv_cells_never_start_a_formula():
    from ecommunity.workshops.export import safe_cell

    assert [safe_cell(v) for v in ("=1+1", "+33 1", "-2", "@SUM(A1)", "Zoë", "", None, 3)] == [
        "'=1+1", "'+33 1", "'-2", "'@SUM(A1)", "Zoë", "", "", "3"]


def test_pages_run_the_same_queries_for_few_and_many_registrations(client, make_workshop, make_user, login_as):
    from tests.events.test_queries import counting_queries

    workshop = make_workshop(capacity=3)
    staff = login_as(Role.SECRETARIAT)
    pages = ["/workshops", f"/workshops/{workshop.id}", f"/workshops/{workshop.id}/participants",
             f"/workshops/{workshop.id}/waitlist", f"/workshops/{workshop.id}/log", "/workshops/mine",
             f"/events/{workshop.event_id}"]

    def counts():
        result = {}
        for page in pages:
            with counting_queries() as statements:
                assert client.get(page).status_code == 200, page
            result[page] = len(statements)
        return result

    def add(n):
        for _ in range(n):
            register(workshop, make_user(), notify=False)
        register(make_workshop(), staff, on_behalf=True, notify=False)
        db.session.commit()

    add(2)
    few = counts()
    add(40)
    assert counts() == few
    assert max(few.values()) <= 8, few


def test_answers_cannot_change_after_closing(client, make_workshop, login_as):
    from ecommunity.workshops.models import Workshop

    workshop = make_workshop()
    person = login_as()
    registration = register(workshop, person)
    db.session.commit()
    url = f"/workshops/registrations/{registration.id}"
    page = client.get(url)
    db.session.get(Workshop, workshop.id).closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    from tests.conftest import csrf_token_from

    response = client.post(url, data={"csrf_token": csrf_token_from(page.get_data(as_text=True)),
                                      "dietary_needs": "none", "material_language": "en"})
    assert response.status_code == 409 and "can no longer be changed" in response.get_data(as_text=True)


def test_odd_values_in_the_secretariat_forms_are_refused_kindly(client, make_workshop, make_user, login_as):
    workshop = make_workshop(capacity=1)
    for _ in range(4):  # one seat holder, three waiting
        register(workshop, make_user())
    db.session.commit()
    login_as(Role.SECRETARIAT)
    bulk = f"/workshops/{workshop.id}/participants"

    # "²" passes str.isdigit() but is no number; a huge id cannot name a registration
    for selected in ("²", "99999999999999999999"):
        response = submit(client, bulk, {"action": "approve", "selected": [selected]})
        assert response.status_code == 400, selected
    assert client.get(f"/workshops/{workshop.id}/log?before=99999999999999999999").status_code == 200

    a, b, c = (r.id for r in participants(workshop.id, ["waitlisted"]))
    # "nan" and "inf" read as numbers but are no places: those two keep theirs, C goes first
    response = submit(client, f"/workshops/{workshop.id}/waitlist",
                      {f"position-{a}": "nan", f"position-{b}": "inf", f"position-{c}": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [r.id for r in participants(workshop.id, ["waitlisted"])] == [c, a, b]
